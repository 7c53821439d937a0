/*
 * import: `finewsd --import DIR`, existing Jekyll posts into the database.
 *
 * Reads every *.md below DIR, takes the front matter, body and link of each
 * post the site already has, and stores it as a post row (one per infoCode),
 * and the slug the site uses for each media, so that no URL changes.
 * Files are not rewritten.  Calls store, post (the reader), record (the
 * rules' inverse), slug, fsutil, strset, conf, log.
 */
#ifndef FINEWSD_IMPORT_H
#define FINEWSD_IMPORT_H

#include "conf.h"

/* Runs the import; returns the exit status (0, or 1 on a runtime failure). */
int import_run(const struct conf *c, const char *dir);

#endif
