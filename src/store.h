/*
 * store: the SQLite database, the one source of truth.
 *
 * Owns the schema (versioned with PRAGMA user_version, migrated on open),
 * the posts table of the contract, the categories the site already uses,
 * each source's state (validators for conditional requests, last poll,
 * backoff) and a few flags.  WAL mode, checkpointed by a thread of its own
 * (store_ckpt), prepared statements kept for the life of the handle, every
 * return code checked.  Errors are logged here, once, with the SQLite
 * message (those of opening go to the caller's buffer).  Calls SQLite,
 * POSIX threads, util and log.
 */
#ifndef FINEWSD_STORE_H
#define FINEWSD_STORE_H

#include <stddef.h>

struct store;

struct store_post {
	const char *info_code;
	const char *source;
	const char *category;
	const char *tag;
	const char *media;       /* may be NULL */
	const char *title;
	const char *published;   /* 'YYYY-MM-DD HH:MM:SS +0800' */
	long long published_at;  /* unix time of published, for ordering */
	const char *link;        /* may be NULL */
	const char *body;
	const char *path;        /* relative to site_dir */
	const char *file_id;
	long long fetched_at;
	const char *url;         /* its page on the site, from the site's root,
	                          * when not the one its path gives; may be NULL */
};

/* Called once per post; return 0 to go on, -1 to stop (the walk returns -1). */
typedef int store_post_fn(void *arg, const struct store_post *p);

struct store_source {
	char *etag;              /* NULL when none */
	char *last_modified;
	long long last_poll;     /* unix time, 0: never */
	long long next_poll;
	char *result;            /* "ok", "not modified", or the error */
	int failures;            /* consecutive failed polls */
	long long posts;         /* posts this source wrote, ever */
	long long last_success;  /* unix time of the last poll that did not
	                          * fail, 0: never */
	char *conf_hash;         /* the source's configuration when the
	                          * validators were saved: they only count
	                          * for the same configuration */
};

/* Opens (creating or migrating) the database at PATH.  NULL with ERR set. */
struct store *store_open(const char *path, char *err, size_t errlen);
/* Opens read-only (for --status while the daemon runs). */
struct store *store_open_readonly(const char *path, char *err, size_t errlen);
void store_close(struct store *st);
/* 1 when the database file did not exist when ST (a writer) opened it. */
int store_created(const struct store *st);
/*
 * For a database this process has just created and will not use: its
 * files are removed, while its lock still keeps other writers out, and
 * the handle closed; the lock file stays (store.c: store_lock says why).
 * Accepts NULL.
 */
void store_discard(struct store *st);   /* accepts NULL */

/*
 * A thread with a second connection to ST's database that only checkpoints
 * its WAL: copying committed pages into the database file and syncing it,
 * the larger half of what a batch of rows costs SQLite, happens beside the
 * loop instead of inside its commits.  A commit of ST that leaves 256
 * pages in the WAL wakes it; one that leaves 1,000 (the checkpointer
 * behind) copies them itself, as SQLite's automatic checkpoint did.  Opened
 * and closed on ST's thread, before ST is closed; NULL when it cannot be
 * (logged): ST checkpoints by itself as before.
 */
struct store_ckpt;
struct store_ckpt *store_ckpt_open(struct store *st);
void store_ckpt_close(struct store_ckpt *ck);   /* accepts NULL */

/*
 * ON: the reads that follow share one read transaction until
 * store_release, or until the next write (which is never part of it): for
 * the loop, which releases before it waits.  Off releases.
 */
void store_hold(struct store *st, int on);
void store_release(struct store *st);

int store_begin(struct store *st);
int store_commit(struct store *st);
void store_rollback(struct store *st);
/* 1 while a transaction begun by store_begin is open: an error may have
 * rolled it back since (SQLite does on some I/O errors). */
int store_in_transaction(struct store *st);

/* 1 if a post with INFO_CODE exists, 0 if not, -1 on error. */
int store_post_exists(struct store *st, const char *info_code);
/* Inserts P; a duplicate info_code is an error (-1). */
int store_post_add(struct store *st, const struct store_post *p);
/* A post's file moved to PATH (archiving); its page stays at URL. */
int store_post_move(struct store *st, const char *info_code, const char *path,
    const char *url);
/* The newest LIMIT posts of CATEGORY (all when NULL), newest first. */
int store_posts_newest(struct store *st, const char *category, long limit,
                       store_post_fn *fn, void *arg);
/* The post INFO_CODE, handed to FN (not called when there is none). */
int store_post_get(struct store *st, const char *info_code, store_post_fn *fn, void *arg);
/* Every post's info code and path, without the rest of the row (cheap). */
typedef int store_path_fn(void *arg, const char *info_code, const char *path);
int store_paths_each(struct store *st, store_path_fn *fn, void *arg);
/* Posts published before BEFORE (unix time) whose path starts with PREFIX. */
int store_posts_older(struct store *st, long long before, const char *prefix,
                      store_post_fn *fn, void *arg);
long long store_posts_count(struct store *st, const char *source);
/* The rowid of the post stored last (0 for none), without a walk; -1. */
long long store_posts_last(struct store *st);
/* 1 when a commit waits for the disk (synchronous = FULL), as every commit
 * but a source's state does; 0 if not, -1 on error. */
int store_durable(struct store *st);

/* Called once per category: its slug and the tag of its first post. */
typedef int store_category_fn(void *arg, const char *category, const char *tag);
int store_categories_each(struct store *st, store_category_fn *fn, void *arg);

/* The slug the site already uses for MEDIA (learned by --import): a
 * malloc'd string in *SLUG, or NULL.  0 or -1. */
int store_media_slug_get(struct store *st, const char *media, char **slug);
int store_media_slug_set(struct store *st, const char *media, const char *slug);

/* The info code of the post whose file is PATH (malloc'd in *INFO_CODE,
 * NULL when none).  0 or -1. */
int store_path_owner(struct store *st, const char *path, char **info_code);

/* The category pages the site has (import reads them from category/). */
int store_page_add(struct store *st, const char *slug);
/* 1 when the site has a page for category SLUG (imported, or a category
 * finewsd wrote posts of), 0 if not, -1 on error. */
int store_page_exists(struct store *st, const char *slug);
typedef int store_page_fn(void *arg, const char *slug);
int store_pages_each(struct store *st, store_page_fn *fn, void *arg);

/*
 * The readings the site chose for the characters of its media names: one
 * more vote for READING of code point CP; the reading with the most votes
 * (malloc'd in *READING, NULL when there is none or two tie); every vote.
 */
int store_reading_add(struct store *st, unsigned cp, const char *reading);
int store_reading_get(struct store *st, unsigned cp, char **reading);
typedef int store_reading_fn(void *arg, unsigned cp, const char *reading,
    long long votes);
int store_readings_each(struct store *st, store_reading_fn *fn, void *arg);

/* A source's state; an unknown source gives a zeroed state.  The strings
 * are malloc'd; free them with store_source_clear. */
int store_source_get(struct store *st, const char *name, struct store_source *s);
int store_source_set(struct store *st, const char *name, const struct store_source *s);
void store_source_clear(struct store_source *s);

/* Small named integers (e.g. "feeds_dirty").  Missing keys read as 0. */
int store_flag_get(struct store *st, const char *key, long long *value);
int store_flag_set(struct store *st, const char *key, long long value);

#endif
