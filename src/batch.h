/*
 * batch: new posts onto the site and into the store, in a crash-safe order.
 *
 * Owns the order of writes.  A batch of new posts is written as files
 * first (post files and new category pages, made durable with one sync),
 * then its rows are added to a transaction, and the feeds of its
 * categories are marked for rewriting; the transaction, which holds the
 * rows of up to four batches, also raises the store's "feeds_dirty" flag
 * when it is committed.  A crash before the commit leaves post files
 * without rows: their records are new at the next poll, fetched again and
 * written the same.  A crash after it leaves the flag up: the repair at
 * start rewrites the feeds.  Calls record, post, store, feeds, fsutil,
 * strset, util, log.
 */
#ifndef FINEWSD_BATCH_H
#define FINEWSD_BATCH_H

#include "conf.h"
#include "feeds.h"
#include "fsutil.h"
#include "post.h"
#include "record.h"
#include "store.h"

struct batch;

/* Called for a post that could not be written (logged already), so that the
 * source it came from sees its poll fail and tries it again. */
typedef void batch_fail_fn(void *arg, const char *source, const char *info_code);

struct batch *batch_create(const struct conf *c, struct store *st,
    struct feeds *f);
/* Calls FAIL for each post that could not be written (the scheduler's). */
void batch_on_fail(struct batch *b, batch_fail_fn *fail, void *arg);
void batch_destroy(struct batch *b);               /* accepts NULL; drops what is queued */
/* Uses C from now on (after a reload); what is queued is written first.
 * 0, or -1 when that write failed. */
int batch_set_conf(struct batch *b, const struct conf *c);

/*
 * Queues the post P (taking it, whatever the outcome) with the article HTML
 * of its text, from which its body is made; when the batch is full, hands
 * it to the writer (after completing the writer's previous job, which may
 * end polls: see batch_done).  0 or -1.
 */
int batch_add(struct batch *b, struct record_post *p, const char *html);
/*
 * Writes every queued post, after the writer's job: files, then rows.  When
 * the batch as a whole fails, each post is written again on its own, so that one post that
 * cannot be written (its file, its row) never takes the others with it;
 * each one that fails is logged and handed to the fail callback, and is
 * fetched again at its source's next poll.  Returns the number of posts
 * written.
 */
int batch_flush(struct batch *b);
/*
 * Commits the rows of the batches written so far (batch_flush does too):
 * before the feeds are written from the store, and before another
 * transaction begins.  Posts whose rows are rolled back instead are
 * logged and handed to the fail callback.  0 or -1.
 */
int batch_commit(struct batch *b);
/* The posts queued and not yet written. */
size_t batch_pending(const struct batch *b);

/*
 * Tickets: a post queued when batch_ticket() was T is written, its row
 * committed (or failed, and handed to the fail callback), once
 * batch_written(T) is 1.  Batches end in the order they were filled;
 * batch_done() is the last ticket ended.
 */
unsigned long batch_ticket(const struct batch *b);
int batch_written(const struct batch *b, unsigned long ticket);
unsigned long batch_done(const struct batch *b);
/* 1 when the rows of ticket T are written but not committed: batch_commit
 * would end it. */
int batch_uncommitted(const struct batch *b, unsigned long ticket);

/*
 * A full batch goes to the writer thread; FN(ARG) is called on that thread
 * when it is done (it must only wake the loop: ev_async_send), and the loop
 * then calls batch_reap(), which adds its rows (and commits them with those
 * of the batches before, once there are BATCH_COMMIT_ROWS).  Returns the
 * posts written (0 when the writer was not done).  FN NULL: no wake-up.
 */
typedef void batch_wake_fn(void *arg);
void batch_on_written(struct batch *b, batch_wake_fn *fn, void *arg);
int batch_reap(struct batch *b);

/*
 * Renders the post file of P, a post of the source named SOURCE (whose
 * category_url makes the back link), into FB at RELPATH below site_dir.
 * P's category_url and site_host are filled in here.  0 or -1 (logged).
 */
int batch_render_post(const struct conf *c, struct fsutil_batch *fb,
    const char *source, struct post *p, const char *relpath);

/*
 * Posts written per batch: one sync each.  Two batches may be held (one
 * with the writer, one filling), each post with its article: 256 keeps a
 * cold run of 10,000 posts under 23 MiB of peak RSS, where 512 took 25-27.
 * Their rows are not held: a transaction of four batches takes no more
 * memory than one of one, for SQLite writes what outgrows its page cache
 * to the WAL before the commit.
 */
#define BATCH_SIZE	256

/*
 * Posts whose rows share one transaction.  A commit writes every index page
 * its rows touched to the WAL, and the posts' dates spread their index
 * entries over the whole index: committing the rows of four batches at
 * once wrote 45 MB of WAL for 10,000 posts where one commit per batch
 * wrote 64 MB, and took 3 % less of the machine's CPU in `make bench`'s
 * cold run (the median of seven).  The cost: a crash loses
 * the rows of up to this many posts whose files are written, which the
 * next poll fetches again and writes the same.
 */
#define BATCH_COMMIT_ROWS	(4 * BATCH_SIZE)

#endif
