/*
 * ingest: from complete records to what the site shows, crash-safe.
 *
 * Owns the order of writes.  A batch of new posts is written as files first
 * (post files and new category pages, made durable with one sync), then its
 * rows are committed in one transaction that also raises the "feeds_dirty"
 * flag; the feeds are rewritten once per poll from what the store holds and
 * the flag is lowered.  A crash before the commit leaves post files without
 * rows: their records are new at the next poll, fetched again and written
 * the same.  A crash after it leaves the flag up: the feeds are rewritten at
 * the next start.  A row whose file is missing is rewritten from the row at
 * start (ingest_repair).
 * Calls store, post, atom, fsutil, slug, conf, log.
 */
#ifndef FINEWSD_INGEST_H
#define FINEWSD_INGEST_H

#include <stddef.h>
#include "conf.h"
#include "record.h"
#include "store.h"

struct ingest;

/* A record on its way to becoming a post: every field the files need. */
struct ingest_item {
	char *info_code;
	char *file_id;
	char *source;
	char *category;
	char *tag;
	char *media;
	char *title;
	char *link;
	char *digest;
	char *body;            /* set by ingest_item_set_body */
	char *path;            /* "_posts/YYYY-MM-DD-<file id>.md" */
	char published[32];    /* 'YYYY-MM-DD HH:MM:SS +0800' */
	long long published_at;
};

struct ingest *ingest_create(const struct conf *c, struct store *st);
void ingest_destroy(struct ingest *in);            /* accepts NULL */
/* Uses C from now on (after a reload); pending posts are flushed first. */
int ingest_set_conf(struct ingest *in, const struct conf *c);

/*
 * Makes an item of the valid record R of source SC, taking R's strings (R is
 * cleared).  NULL with the reason in *WHY (static) when the record cannot
 * become a post (e.g. its media gives an empty slug).  The caller frees the
 * item with ingest_item_free or hands it to ingest_add.
 */
struct ingest_item *ingest_item_make(struct ingest *in, const struct conf_source *sc,
                                     struct record *r, const char **why);
void ingest_item_free(struct ingest_item *it);      /* accepts NULL */
/* Sets the body from the article HTML (and the item's digest).  0 or -1. */
int ingest_item_set_body(struct ingest_item *it, const char *html);

/* Queues IT (taking it); writes a batch when enough are queued.  0 or -1. */
int ingest_add(struct ingest *in, struct ingest_item *it);
/* Writes every queued item: files, then rows.  Returns the number of posts
 * written, or -1 (the items are dropped: they are fetched again later). */
int ingest_flush(struct ingest *in);
/* Rewrites the feeds of the categories that changed, all.xml and the OPML
 * list, then lowers the feeds_dirty flag.  0 or -1. */
int ingest_feeds(struct ingest *in);
/* At start: removes temporary files a crash left, rewrites missing post
 * files from their rows, and the feeds when the flag is up.  0 or -1. */
int ingest_repair(struct ingest *in);

#endif
