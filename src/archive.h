/*
 * archive: keeps _posts/ small so that Jekyll builds stay fast.
 *
 * Posts older than archive_after_days move from _posts/ to archive_dir
 * (below site_dir); the database keeps them, with their new path, and the
 * feeds keep showing them.  The file is renamed first and its row updated
 * after: a crash between the two leaves a row whose file is missing, which
 * the repair at start rewrites, and the next run moves it again.
 * Calls store, fsutil, conf, util, log.
 */
#ifndef FINEWSD_ARCHIVE_H
#define FINEWSD_ARCHIVE_H

#include <time.h>
#include "conf.h"
#include "store.h"

/* Moves the posts due at NOW.  Returns how many moved, or -1. */
int archive_run(const struct conf *c, struct store *st, time_t now);

#endif
