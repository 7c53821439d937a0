/*
 * websub: publish pings to a WebSub hub (W3C WebSub, section 7's
 * "hub.mode=publish" as hubs such as Google's and Superfeedr take it).
 *
 * Owns the pings waiting or in flight: one per topic (a feed's URL), so a
 * feed that changes again while its ping is pending is pinged once more,
 * not twice.  Each ping is a POST through the fetch engine, with its limits
 * and timeout; a ping that fails is tried again with the sources' backoff
 * (the interval or 30 s, whichever is shorter, doubling up to an hour, or
 * what Retry-After says), except in a
 * --once run, which tries once and says so.  Calls fetch, libev, util and
 * log.
 */
#ifndef FINEWSD_WEBSUB_H
#define FINEWSD_WEBSUB_H

#include <ev.h>
#include "fetch.h"

struct websub;

/* ONCE: a failed ping is not tried again.  NULL when memory runs out. */
struct websub *websub_create(struct ev_loop *loop, struct fetch *f, int once);
/* Drops every ping (call it after fetch_destroy).  Accepts NULL. */
void websub_destroy(struct websub *ws);
/*
 * The hub from now on (copied; NULL: none, and pings are not sent), and
 * INTERVAL, the sources' poll interval, which bounds the first backoff as
 * it does theirs.
 */
int websub_set_hub(struct websub *ws, const char *hub, long interval);
/* Pings the hub that TOPIC, a feed's URL, changed.  Nothing without a hub. */
void websub_publish(struct websub *ws, const char *topic);
/* Runs the loop until no ping is in flight (for --once). */
void websub_wait(struct websub *ws);

#endif
