/*
 * repair: the site made whole again at start, after a crash or a hand.
 *
 * Creates the folders finewsd writes in, removes the temporary files a
 * crash left there, rewrites from its row every post whose file is missing,
 * and rewrites the feeds when the store's "feeds_dirty" flag is up (a crash
 * came between a batch's commit and its feeds).  Calls store, batch (the
 * post file renderer), feeds, fsutil, util, log.
 */
#ifndef FINEWSD_REPAIR_H
#define FINEWSD_REPAIR_H

#include "conf.h"
#include "feeds.h"
#include "store.h"

/* Runs the repair.  0 or -1 (logged). */
int repair_run(const struct conf *c, struct store *st, struct feeds *f);
/*
 * Records a clean stop, after the last write: the next start skips the
 * walk over every post's file when _posts/ and the store are as they were
 * (see repair.c for what that trades).  0 or -1.
 */
int repair_stamp(const struct conf *c, struct store *st);

#endif
