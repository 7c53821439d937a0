/*
 * websub: the publish pings.  See websub.h.
 *
 * A ping is a struct ping in a list, found again by its topic: in flight
 * (its POST queued or running), waiting out a backoff (its timer runs), or
 * done and freed.  A publish for a topic in flight marks it to go again
 * when the answer comes; one for a topic waiting joins that wait.  The
 * form is hub.mode=publish&hub.url=<topic>, the topic percent-encoded.
 * Any 2xx answer counts as accepted (hubs answer 202 or 204).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "util.h"
#include "websub.h"

struct ping {
	struct websub *ws;
	struct ping *next;
	char *topic;
	int failures;       /* in a row */
	int in_flight;
	int again;          /* published again while in flight */
	ev_timer timer;     /* the backoff */
};

struct websub {
	struct ev_loop *loop;
	struct fetch *f;
	char *hub;
	double first;       /* the first delay of the backoff */
	int once;
	struct ping *pings;
};

static void ping_send(struct ping *p);

static void
ping_free(struct ping *p)
{
	struct ping **pp;

	for (pp = &p->ws->pings; *pp != NULL; pp = &(*pp)->next)
		if (*pp == p) {
			*pp = p->next;
			break;
		}
	ev_timer_stop(p->ws->loop, &p->timer);
	free(p->topic);
	free(p);
}

static void
ping_timer_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	ping_send(w->data);
}

static void
ping_done(void *arg, const struct fetch_result *r)
{
	struct ping *p = arg;
	struct websub *ws = p->ws;
	double delay;

	if (r->cancelled)
		return;
	p->in_flight = 0;
	if (r->ok) {
		log_info("websub: %s told of %s", ws->hub != NULL ? ws->hub : r->url,
		    p->topic);
		p->failures = 0;
		if (p->again)
			ping_send(p);
		else
			ping_free(p);
		return;
	}
	p->failures++;
	if (ws->once) {
		log_warnx("websub: %s: the ping for %s failed: %s", r->url,
		    p->topic, r->error);
		ping_free(p);
		return;
	}
	delay = r->retry_after >= 0 ? (double)r->retry_after :
	    backoff_delay(ws->first, p->failures);
	if (delay > 86400.0)
		delay = 86400.0;
	log_warnx("websub: %s: the ping for %s failed: %s; next try in %.0f s",
	    r->url, p->topic, r->error, delay);
	p->again = 0;
	ev_timer_set(&p->timer, delay, 0.);
	ev_timer_start(ws->loop, &p->timer);
}

/* POSTs P's ping now; a ping that cannot even be queued is dropped. */
static void
ping_send(struct ping *p)
{
	struct websub *ws = p->ws;
	char *topic = NULL, *form = NULL;

	ev_timer_stop(ws->loop, &p->timer);
	p->again = 0;
	if (ws->hub == NULL) {
		ping_free(p);
		return;
	}
	if ((topic = url_escape(p->topic)) == NULL ||
	    asprintf(&form, "hub.mode=publish&hub.url=%s", topic) == -1) {
		form = NULL;
		log_warn("websub: %s", p->topic);
		goto drop;
	}
	p->in_flight = 1;
	if (fetch_post(ws->f, ws->hub, form, ping_done, p) == -1) {
		p->in_flight = 0;
		goto drop;
	}
	log_debug("websub: telling %s of %s", ws->hub, p->topic);
	free(topic);
	free(form);
	return;
drop:
	free(topic);
	free(form);
	ping_free(p);
}

struct websub *
websub_create(struct ev_loop *loop, struct fetch *f, int once)
{
	struct websub *ws;

	if ((ws = calloc(1, sizeof(*ws))) == NULL) {
		log_warn("websub");
		return NULL;
	}
	ws->loop = loop;
	ws->f = f;
	ws->once = once;
	ws->first = UTIL_BACKOFF_MIN;
	return ws;
}

void
websub_destroy(struct websub *ws)
{
	if (ws == NULL)
		return;
	while (ws->pings != NULL)
		ping_free(ws->pings);
	free(ws->hub);
	free(ws);
}

int
websub_set_hub(struct websub *ws, const char *hub, long interval)
{
	ws->first = (double)interval;
	char *copy = NULL;

	if (hub != NULL && (copy = strdup(hub)) == NULL) {
		log_warn("websub");
		return -1;
	}
	free(ws->hub);
	ws->hub = copy;
	return 0;
}

void
websub_publish(struct websub *ws, const char *topic)
{
	struct ping *p;

	if (ws == NULL || ws->hub == NULL)
		return;
	for (p = ws->pings; p != NULL; p = p->next)
		if (strcmp(p->topic, topic) == 0)
			break;
	if (p != NULL) {
		/* In flight: once more after it.  Waiting: it goes then. */
		if (p->in_flight)
			p->again = 1;
		return;
	}
	if ((p = calloc(1, sizeof(*p))) == NULL ||
	    (p->topic = strdup(topic)) == NULL) {
		log_warn("websub: %s", topic);
		free(p);
		return;
	}
	p->ws = ws;
	ev_init(&p->timer, ping_timer_cb);
	p->timer.data = p;
	p->next = ws->pings;
	ws->pings = p;
	ping_send(p);
}

void
websub_wait(struct websub *ws)
{
	int busy = 1;

	while (ws != NULL && busy) {
		busy = 0;
		for (struct ping *p = ws->pings; p != NULL; p = p->next)
			if (p->in_flight)
				busy = 1;
		if (busy)
			ev_run(ws->loop, EVRUN_ONCE);
	}
}
