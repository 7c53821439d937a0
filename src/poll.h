/*
 * poll: the scheduler, and one poll of a source from list to posts.
 *
 * Owns, per source, its timer (next poll, with jitter; backoff after a
 * failure, Retry-After honoured), its list request (conditional, with the
 * validators the store keeps) and the text requests of its new records.
 * Records are deduplicated against the store and against the records in
 * flight in this process, so one infoCode in two lists is fetched once.
 * Hands complete records to ingest; asks ingest for the feeds once no
 * source is mid-poll.  Calls fetch, source, store, ingest, conf, log.
 */
#ifndef FINEWSD_POLL_H
#define FINEWSD_POLL_H

#include <ev.h>
#include "conf.h"
#include "fetch.h"
#include "ingest.h"
#include "store.h"

struct poll;

/* Called when no source is mid-poll any more, with the number of posts
 * written since the last call (archiving, on_update). */
typedef void poll_wrote_fn(void *arg, int posts);

/*
 * Takes C (freed by poll_destroy or when replaced).  With ONCE, every source
 * is polled once and the loop is broken when all are done; otherwise each
 * source is polled at once and then every interval.
 */
struct poll *poll_create(struct ev_loop *loop, struct conf *c, struct store *st,
                         struct fetch *f, struct ingest *in, int once);
void poll_destroy(struct poll *p);                 /* accepts NULL */
void poll_on_wrote(struct poll *p, poll_wrote_fn *fn, void *arg);

/* Polls every source now, those waiting out a backoff included; a source
 * mid-poll is polled again right after. */
void poll_all_now(struct poll *p);
/* Replaces the configuration (taking C) as soon as no source is mid-poll,
 * then polls every source now. */
void poll_reload(struct poll *p, struct conf *c);
/* 1 when some source is mid-poll. */
int poll_busy(const struct poll *p);
/* Sources whose last poll failed. */
int poll_failed(const struct poll *p);
const struct conf *poll_conf(const struct poll *p);

#endif
