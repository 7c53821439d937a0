/*
 * scheduler: the scheduler, and one poll of a source from list to posts.
 *
 * Owns, per source, its timer (next poll, with jitter; backoff after a
 * failure, Retry-After honoured), its list request (conditional, with the
 * validators the store keeps), its parsed list and the text requests of
 * its new records, a window of them at a time; and the admission of
 * sources to poll, which bounds the records held across them.  Records
 * are deduplicated against the store and against the records in flight in
 * this process, so one infoCode in two lists is fetched once.
 * Hands complete posts to the batch; asks for the feeds, then the metrics
 * file, once no source is mid-poll.  Calls fetch, source, record, store,
 * batch, feeds, metrics, conf, notify, util, log.
 */
#ifndef FINEWSD_SCHEDULER_H
#define FINEWSD_SCHEDULER_H

#include <ev.h>
#include "conf.h"
#include "fetch.h"
#include "batch.h"
#include "feeds.h"
#include "metrics.h"
#include "store.h"

struct scheduler;

/* Called when no source is mid-poll any more, with the number of posts
 * written since the last call (archiving, on_update). */
typedef void scheduler_wrote_fn(void *arg, int posts);
/* Called when a configuration given to scheduler_reload takes effect:
 * from then on nothing is written under the one it replaced. */
typedef void scheduler_applied_fn(void *arg);

/*
 * Takes C (freed by scheduler_destroy or when replaced).  With ONCE, every source
 * is polled once and the loop is broken when all are done; otherwise each
 * source is polled at once and then every interval.
 */
struct scheduler *scheduler_create(struct ev_loop *loop, struct conf *c, struct store *st,
                           struct fetch *f, struct batch *b, struct feeds *fd,
                           int once);
void scheduler_destroy(struct scheduler *p);                 /* accepts NULL */
void scheduler_on_wrote(struct scheduler *p, scheduler_wrote_fn *fn, void *arg);
void scheduler_on_applied(struct scheduler *p, scheduler_applied_fn *fn, void *arg);
/* Counts requests and polls in M (not taken; NULL: none), and writes the
 * metrics file after each round of polls. */
void scheduler_set_metrics(struct scheduler *p, struct metrics *m);

/* Polls every source now (in its turn for admission), those waiting out a
 * backoff included; a source mid-poll is polled again right after, one
 * still waiting for its turn only once. */
void scheduler_all_now(struct scheduler *p);
/* Replaces the configuration (taking C) as soon as no source is mid-poll,
 * then polls every source now. */
void scheduler_reload(struct scheduler *p, struct conf *c);
/* 1 when some source is mid-poll. */
int scheduler_busy(const struct scheduler *p);
/* 1 when a configuration given to scheduler_reload waits to take effect. */
int scheduler_reload_pending(const struct scheduler *p);
/* Sources whose last poll failed. */
int scheduler_failed(const struct scheduler *p);
/* 1 when the last rewrite of the feeds failed. */
int scheduler_feeds_failed(const struct scheduler *p);
const struct conf *scheduler_conf(const struct scheduler *p);

/* The fetch engine's options under C: one place for both start and reload. */
void scheduler_fetch_opts(const struct conf *c, struct fetch_opts *o);

#endif
