/*
 * feeds: the Atom feeds and the OPML list, rewritten from the store.
 *
 * Owns which categories' feeds are out of date (marked by the batch that
 * wrote their posts, or all of them by the repair at start when the store's
 * "feeds_dirty" flag is up) and their rewriting: each marked category's
 * feed, all.xml and index.opml, in one batch of atomic files, after which
 * the flag is lowered.  A failed rewrite keeps the marks, so it is tried
 * again.  An entry's content is the post's body as HTML (post), cleaned
 * (clean) whatever its source.  Calls store, atom, post, clean, record
 * (category URLs), fsutil, strset, util, log.
 */
#ifndef FINEWSD_FEEDS_H
#define FINEWSD_FEEDS_H

#include "conf.h"
#include "store.h"

struct feeds;

struct feeds *feeds_create(const struct conf *c, struct store *st);
void feeds_destroy(struct feeds *f);               /* accepts NULL */
/* Uses C from now on (after a reload). */
void feeds_set_conf(struct feeds *f, const struct conf *c);

/* Marks CATEGORY's feed (and all.xml) out of date.  0 or -1. */
int feeds_mark(struct feeds *f, const char *category);
/* Marks every category the store knows.  0 or -1. */
int feeds_mark_all(struct feeds *f);

/* Rewrites the marked feeds, all.xml and the OPML list, then lowers the
 * store's feeds_dirty flag; nothing when none is marked.  0 or -1. */
int feeds_write(struct feeds *f);

#endif
