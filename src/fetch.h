/*
 * fetch: HTTP transfers on the event loop (libcurl multi_socket + libev).
 *
 * The transport knows nothing of posts: it takes a request (a URL, the
 * validators of a conditional request, a source's own headers and
 * User-Agent, or a form to POST), and calls back once with the whole
 * response (its Content-Type and final URL included) or the reason it
 * failed.  It owns one curl multi handle, one ev_timer for curl's
 * timeout and an ev_io per socket, and a FIFO of transfers waiting for a
 * place under max_transfers.  Connections are reused, redirects limited,
 * compressed responses accepted, and a response larger than its request's
 * max_size (else the engine's) fails without growing memory further.
 * Calls libcurl, libev, util, log.
 */
#ifndef FINEWSD_FETCH_H
#define FINEWSD_FETCH_H

#include <stddef.h>
#include <ev.h>

struct fetch;

struct fetch_opts {
	long max_transfers;      /* transfers at once, in total */
	long max_per_host;       /* connections at once, per host */
	long timeout;            /* seconds for one transfer */
	const char *user_agent;
	size_t max_size;         /* bytes of a response body, for requests
	                          * without their own; 0 for
	                          * UTIL_MAX_RESPONSE */
};

struct fetch_result {
	int ok;                  /* 1: a 2xx or 304 response, received whole */
	long status;             /* HTTP status, 0 when there was no response */
	const char *body;        /* NUL-terminated, LEN bytes; valid during the callback */
	size_t len;
	const char *error;       /* why it failed, when !ok */
	const char *etag;        /* validators of the response, or NULL */
	const char *last_modified;
	long retry_after;        /* seconds from Retry-After, or -1 */
	const char *url;         /* the URL asked for */
	double seconds;          /* how long the transfer took, 0 if it never ran */
	double bytes;            /* bytes received, as sent (compressed) */
	const char *final_url;   /* where the response came from, redirects
	                          * followed; NULL when there was none */
	const char *content_type;/* its Content-Type header, or NULL */
	int too_large;           /* refused for its size; ERROR names the limit */
	int cancelled;           /* fetch_destroy abandoned it: free and return */
};

/* Called once per transfer, from the event loop (or fetch_destroy), never
 * from inside libcurl. */
typedef void fetch_done_fn(void *arg, const struct fetch_result *r);

/* NULL on failure (logged). */
struct fetch *fetch_create(struct ev_loop *loop, const struct fetch_opts *o);
/* Abandons every transfer, calling each back once with CANCELLED set so
 * that its owner can free what it holds.  Accepts NULL. */
void fetch_destroy(struct fetch *f);
/* New limits for transfers started from now on (after a reload). */
int fetch_set_opts(struct fetch *f, const struct fetch_opts *o);

/* One request; fetch_start() copies what it needs. */
struct fetch_req {
	const char *url;
	const char *etag;          /* validators that make it conditional, */
	const char *last_modified; /* or NULL */
	const char *user_agent;    /* NULL: the engine's (fetch_opts) */
	char *const *headers;      /* "Name: value" lines, NULL-terminated;
	                            * NULL for none */
	size_t max_size;           /* bytes of the response body, decoded;
	                            * 0: the engine's (fetch_opts) */
};

/*
 * Queues a GET as RQ says.  CB is called once, later.  0, or -1 when it
 * could not even be queued (logged; CB is not called).
 */
int fetch_start(struct fetch *f, const struct fetch_req *rq, fetch_done_fn *cb,
                void *arg);

/*
 * 1 when a request to URL queued now would start at once: a place is free
 * under max_transfers that no waiting transfer will take, and one under
 * max_per_host at URL's host (any host when URL is NULL); 0 otherwise.
 * For a caller that holds work back to save memory, so that it never
 * leaves a place idle.
 */
int fetch_has_room(const struct fetch *f, const char *url);

/*
 * Queues a POST of FORM (an application/x-www-form-urlencoded body, copied)
 * to URL, with the same limits, timeout and callback as a GET: for the
 * WebSub pings.  0, or -1 when it could not be queued (logged).
 */
int fetch_post(struct fetch *f, const char *url, const char *form,
               fetch_done_fn *cb, void *arg);

#endif
