/*
 * feeds: the Atom feeds and the OPML list, rewritten from the store.
 *
 * Owns which categories' feeds are out of date (marked by the batch that
 * wrote their posts, or all of them by the repair at start when the store's
 * "feeds_dirty" flag is up) and their rewriting: each marked category's
 * feed, all.xml and index.opml, in one batch of atomic files, after which
 * the flag is lowered.  A failed rewrite keeps the marks, so it is tried
 * again.  Every feed names feeds/feed.xsl, the stylesheet that shows it in
 * a browser, written beside them.  A change of the configuration that
 * changes every feed (site_url, feed_entries, formats, websub_hub) marks
 * them all.  An entry's content is the post's body as HTML (post), cleaned
 * (clean) whatever its source.  Calls store, atom, jsonfeed, post, clean,
 * record (category URLs), fsutil, strset, util, log.
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

/* Called after a write with the public URL of each feed it changed (Atom
 * and JSON), for WebSub. */
typedef void feeds_written_fn(void *arg, const char *url);
void feeds_on_written(struct feeds *f, feeds_written_fn *fn, void *arg);

/* Rewrites the marked feeds (and their JSON Feeds when the formats key asks
 * for them), all.xml, the OPML list and feed.xsl when it is not the one
 * this finewsd carries, then lowers the store's feeds_dirty flag and calls
 * the written callback; nothing when none is marked.  0 or -1. */
int feeds_write(struct feeds *f);

#endif
