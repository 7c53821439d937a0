/*
 * sched: the scheduler, and one poll of a source from list to posts.
 *
 * Owns, per source, its timer (next poll, with jitter; backoff after a
 * failure, Retry-After honoured), its list request (conditional, with the
 * validators the store keeps) and the text requests of its new records.
 * Records are deduplicated against the store and against the records in
 * flight in this process, so one infoCode in two lists is fetched once.
 * Hands complete posts to the batch; asks for the feeds once no source is
 * mid-poll.  Calls fetch, source, record, store, batch, feeds, conf,
 * notify, util, log.
 */
#ifndef FINEWSD_SCHED_H
#define FINEWSD_SCHED_H

#include <ev.h>
#include "conf.h"
#include "fetch.h"
#include "batch.h"
#include "feeds.h"
#include "store.h"

struct sched;

/* Called when no source is mid-poll any more, with the number of posts
 * written since the last call (archiving, on_update). */
typedef void sched_wrote_fn(void *arg, int posts);

/*
 * Takes C (freed by sched_destroy or when replaced).  With ONCE, every source
 * is polled once and the loop is broken when all are done; otherwise each
 * source is polled at once and then every interval.
 */
struct sched *sched_create(struct ev_loop *loop, struct conf *c, struct store *st,
                           struct fetch *f, struct batch *b, struct feeds *fd,
                           int once);
void sched_destroy(struct sched *p);                 /* accepts NULL */
void sched_on_wrote(struct sched *p, sched_wrote_fn *fn, void *arg);

/* Polls every source now, those waiting out a backoff included; a source
 * mid-poll is polled again right after. */
void sched_all_now(struct sched *p);
/* Replaces the configuration (taking C) as soon as no source is mid-poll,
 * then polls every source now. */
void sched_reload(struct sched *p, struct conf *c);
/* 1 when some source is mid-poll. */
int sched_busy(const struct sched *p);
/* Sources whose last poll failed. */
int sched_failed(const struct sched *p);
const struct conf *sched_conf(const struct sched *p);

/* The fetch engine's options under C: one place for both start and reload. */
void sched_fetch_opts(const struct conf *c, struct fetch_opts *o);

#endif
