/*
 * fetch: libcurl's multi_socket interface driven by a libev loop.
 *
 * The shape is the canonical one of curl's evhiperfifo.c: a global context
 * (struct fetch) holding the multi handle and one ev_timer, a per-transfer
 * context (struct xfer, found again through CURLOPT_PRIVATE) and a
 * per-socket context (struct fetch_sock, attached with curl_multi_assign)
 * holding its ev_io.  After every curl_multi_socket_action the finished
 * transfers are collected with curl_multi_info_read, and only then are the
 * callers called back: nothing calls libcurl from inside its own callbacks.
 *
 * Transfers wait in a FIFO until fewer than max_transfers run, so a queued
 * request costs a small entry (some 400 bytes and its strings), not a curl
 * handle; fetch_has_room tells a caller that queues a few at a time (the
 * scheduler) when one more would start at once.  Finished easy handles are
 * kept for reuse.
 * Calls libcurl, libev, util (the body buffer, the default size cap) and
 * log.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <curl/curl.h>

#include "fetch.h"
#include "log.h"
#include "util.h"

/* How many finished easy handles are kept for the next transfers. */
#define FETCH_EASY_POOL 64

/*
 * A host's own queue and count of running transfers.  finewsd, not curl,
 * holds transfers back under max_per_host: a transfer curl queues inside
 * its multi handle has its timeout running while it waits ("Connection
 * timed out after 0 milliseconds" for a server that answers at once), so
 * a transfer is handed to curl only when it can start.
 */
struct fetch_host {
	struct fetch_host *next;
	struct xfer *head, *tail; /* waiting for a place */
	size_t waiting;           /* of them */
	size_t running;
	char name[];              /* "scheme://host:port" of its URLs */
};

struct xfer {
	struct fetch *f;
	struct fetch_host *host;
	struct xfer *next;        /* in the waiting queue, or the running list */
	struct xfer *prev;        /* in the running list */
	CURL *easy;
	struct curl_slist *headers;
	char *url;
	char *etag;
	char *last_modified;
	char *post;               /* a form body to POST, or NULL for a GET */
	char *user_agent;         /* this request's own, or NULL */
	char **headers_in;        /* this request's own header lines, or NULL */
	size_t max_size;          /* the cap on its body, fixed when queued */
	fetch_done_fn *cb;
	void *arg;
	struct sbuf body;         /* the response so far */
	int too_large;
	char errbuf[CURL_ERROR_SIZE];
};

struct fetch_sock {
	struct fetch *f;
	ev_io io;
};

struct fetch {
	struct ev_loop *loop;
	CURLM *multi;
	ev_timer timer;
	struct fetch_opts opts;
	char *user_agent;
	struct fetch_host *hosts;  /* each with its waiting transfers */
	struct fetch_host *turn;   /* the host fetch_fill looks at first */
	size_t waiting;
	struct xfer *active;       /* added to the multi handle */
	size_t running;
	CURL *pool[FETCH_EASY_POOL];
	size_t npool;
};

static void fetch_fill(struct fetch *f);

static void
xfer_free(struct xfer *x)
{
	if (x == NULL)
		return;
	curl_slist_free_all(x->headers);
	free(x->url);
	free(x->etag);
	free(x->last_modified);
	free(x->post);
	free(x->user_agent);
	for (size_t i = 0; x->headers_in != NULL && x->headers_in[i] != NULL; i++)
		free(x->headers_in[i]);
	free(x->headers_in);
	sbuf_clear(&x->body);
	free(x);
}

/* Returns an easy handle to the pool, or frees it when the pool is full. */
static void
fetch_easy_put(struct fetch *f, CURL *e)
{
	if (e == NULL)
		return;
	if (f->npool < FETCH_EASY_POOL) {
		curl_easy_reset(e);
		f->pool[f->npool++] = e;
	} else
		curl_easy_cleanup(e);
}

static CURL *
fetch_easy_get(struct fetch *f)
{
	if (f->npool > 0)
		return f->pool[--f->npool];
	return curl_easy_init();
}

/*
 * Appends received bytes; past max_size the transfer is stopped, not grown.
 * Returning fewer bytes than given makes libcurl fail the transfer, which
 * is also how running out of memory stops it.
 */
static size_t
xfer_write_cb(char *ptr, size_t size, size_t nmemb, void *userdata)
{
	struct xfer *x = userdata;
	size_t n = size * nmemb;

	/* The body never holds more than max_size, so this cannot wrap. */
	if (n > x->max_size - x->body.len) {
		x->too_large = 1;
		return 0;
	}
	sbuf_add(&x->body, ptr, n);
	return x->body.err ? 0 : n;
}

/* Appends LINE to X's header list; -1 when memory runs out. */
static int
xfer_header_add(struct xfer *x, const char *line)
{
	struct curl_slist *l;

	if ((l = curl_slist_append(x->headers, line)) == NULL)
		return -1;
	x->headers = l;
	return 0;
}

/*
 * The request's headers: the source's own (a Referer, a Cookie), then the
 * validators of a conditional request.  curl sends a header of ours in
 * place of its own of the same name.
 */
static int
xfer_headers(struct xfer *x)
{
	char line[1024];

	for (size_t i = 0; x->headers_in != NULL && x->headers_in[i] != NULL; i++)
		if (xfer_header_add(x, x->headers_in[i]) == -1)
			return -1;
	if (x->etag != NULL) {
		snprintf(line, sizeof(line), "If-None-Match: %s", x->etag);
		if (xfer_header_add(x, line) == -1)
			return -1;
	}
	if (x->last_modified != NULL) {
		snprintf(line, sizeof(line), "If-Modified-Since: %s", x->last_modified);
		if (xfer_header_add(x, line) == -1)
			return -1;
	}
	return 0;
}

static int
xfer_setup(struct fetch *f, struct xfer *x)
{
	CURL *e = x->easy;
	CURLcode rc = CURLE_OK;

#define SET(opt, val) do { if (rc == CURLE_OK) rc = curl_easy_setopt(e, opt, val); } while (0)
	SET(CURLOPT_URL, x->url);
	SET(CURLOPT_PRIVATE, x);
	SET(CURLOPT_WRITEFUNCTION, xfer_write_cb);
	SET(CURLOPT_WRITEDATA, x);
	SET(CURLOPT_ERRORBUFFER, x->errbuf);
	SET(CURLOPT_NOSIGNAL, 1L);
	SET(CURLOPT_FOLLOWLOCATION, 1L);
	SET(CURLOPT_MAXREDIRS, 5L);
	SET(CURLOPT_PROTOCOLS_STR, "http,https");
	SET(CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	SET(CURLOPT_ACCEPT_ENCODING, "");
	SET(CURLOPT_TIMEOUT, f->opts.timeout);
	SET(CURLOPT_CONNECTTIMEOUT, f->opts.timeout);
	SET(CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)x->max_size);
	SET(CURLOPT_USERAGENT, x->user_agent != NULL ? x->user_agent : f->user_agent);
	SET(CURLOPT_TCP_KEEPALIVE, 1L);
	if (x->post != NULL) {
		/* libcurl sends it as application/x-www-form-urlencoded. */
		SET(CURLOPT_POSTFIELDSIZE, (long)strlen(x->post));
		SET(CURLOPT_POSTFIELDS, x->post);
	}
	if (rc == CURLE_OK && xfer_headers(x) == -1) {
		log_warnx("fetch %s: out of memory", x->url);
		return -1;
	}
	if (x->headers != NULL)
		SET(CURLOPT_HTTPHEADER, x->headers);
#undef SET
	if (rc != CURLE_OK) {
		log_warnx("fetch %s: %s", x->url, curl_easy_strerror(rc));
		return -1;
	}
	return 0;
}

/* The value of response header NAME, or NULL. */
static const char *
xfer_header(struct xfer *x, const char *name)
{
	struct curl_header *h;

	if (curl_easy_header(x->easy, name, 0, CURLH_HEADER, -1, &h) != CURLHE_OK)
		return NULL;
	return h->value;
}

/* Retry-After is either delta-seconds or an HTTP date. */
static long
xfer_retry_after(struct xfer *x)
{
	const char *v = xfer_header(x, "Retry-After");
	char *end;
	long n;
	time_t t;

	if (v == NULL || *v == '\0')
		return -1;
	errno = 0;
	n = strtol(v, &end, 10);
	if (errno == 0 && *end == '\0' && n >= 0)
		return n;
	if ((t = curl_getdate(v, NULL)) == -1)
		return -1;
	n = (long)(t - time(NULL));
	return n > 0 ? n : 0;
}

/* "response larger than 8 MiB (8388608 bytes)": the limit as configured
 * (a K, M or G suffix) and exactly. */
static void
xfer_size_error(char *buf, size_t size, size_t max)
{
	static const char *const units[] = { "GiB", "MiB", "KiB" };

	for (int i = 0; i < 3; i++) {
		size_t unit = (size_t)1 << (10 * (3 - i));

		if (max % unit == 0) {
			snprintf(buf, size, "response larger than %zu %s (%zu bytes)",
			    max / unit, units[i], max);
			return;
		}
	}
	snprintf(buf, size, "response larger than %zu bytes", max);
}

/* Builds the result of a finished transfer, calls back, recycles it. */
static void
xfer_finish(struct fetch *f, struct xfer *x, CURLcode cc)
{
	struct fetch_result r;
	char error[CURL_ERROR_SIZE + 64];
	long status = 0;
	curl_off_t us = 0, size = 0;

	memset(&r, 0, sizeof(r));
	curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &status);
	if (curl_easy_getinfo(x->easy, CURLINFO_TOTAL_TIME_T, &us) == CURLE_OK)
		r.seconds = (double)us / 1e6;
	if (curl_easy_getinfo(x->easy, CURLINFO_SIZE_DOWNLOAD_T, &size) == CURLE_OK)
		r.bytes = (double)size;
	r.status = status;
	r.url = x->url;
	/* Both stay valid until the handle is reset, after the callback. */
	if (curl_easy_getinfo(x->easy, CURLINFO_CONTENT_TYPE, &r.content_type) != CURLE_OK)
		r.content_type = NULL;
	if (status == 0 || curl_easy_getinfo(x->easy, CURLINFO_EFFECTIVE_URL,
	    &r.final_url) != CURLE_OK)
		r.final_url = NULL;
	r.body = x->body.p != NULL ? x->body.p : "";
	r.len = x->body.len;
	r.retry_after = -1;
	if (cc == CURLE_OK && (status / 100 == 2 || status == 304)) {
		r.ok = 1;
		r.etag = xfer_header(x, "ETag");
		r.last_modified = xfer_header(x, "Last-Modified");
	} else {
		/* An error page larger than the limit is the error it says:
		 * a 503's Retry-After still holds, and no larger limit helps. */
		int big = x->too_large || cc == CURLE_FILESIZE_EXCEEDED;

		if (big && status < 400) {
			r.too_large = 1;
			xfer_size_error(error, sizeof(error), x->max_size);
		} else if (cc != CURLE_OK && !big)
			snprintf(error, sizeof(error), "%s",
			    x->errbuf[0] ? x->errbuf : curl_easy_strerror(cc));
		else {
			snprintf(error, sizeof(error), "HTTP status %ld", status);
			if (status == 429 || status == 503)
				r.retry_after = xfer_retry_after(x);
		}
		r.error = error;
	}
	x->cb(x->arg, &r);
	fetch_easy_put(f, x->easy);
	x->easy = NULL;
	xfer_free(x);
}

static void
fetch_unlink(struct fetch *f, struct xfer *x)
{
	if (x->prev != NULL)
		x->prev->next = x->next;
	else
		f->active = x->next;
	if (x->next != NULL)
		x->next->prev = x->prev;
	x->next = x->prev = NULL;
	f->running--;
	x->host->running--;
}

/* Collects every finished transfer; called after each socket action. */
static void
fetch_drain(struct fetch *f)
{
	CURLMsg *msg;
	int left;

	while ((msg = curl_multi_info_read(f->multi, &left)) != NULL) {
		struct xfer *x = NULL;
		CURLcode cc;

		if (msg->msg != CURLMSG_DONE)
			continue;
		cc = msg->data.result;
		curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&x);
		curl_multi_remove_handle(f->multi, msg->easy_handle);
		fetch_unlink(f, x);
		xfer_finish(f, x, cc);
	}
	fetch_fill(f);
}

static void
fetch_action(struct fetch *f, curl_socket_t s, int action)
{
	int running;
	CURLMcode mc;

	mc = curl_multi_socket_action(f->multi, s, action, &running);
	if (mc != CURLM_OK)
		log_warnx("fetch: curl_multi_socket_action: %s", curl_multi_strerror(mc));
	fetch_drain(f);
}

static void
fetch_io_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct fetch_sock *fs = w->data;
	int action = (revents & EV_READ ? CURL_CSELECT_IN : 0) |
	    (revents & EV_WRITE ? CURL_CSELECT_OUT : 0);

	fetch_action(fs->f, w->fd, action);
}

static void
fetch_timer_ev_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	fetch_action(w->data, CURL_SOCKET_TIMEOUT, 0);
}

/* CURLMOPT_SOCKETFUNCTION: start, change or stop the ev_io of a socket. */
static int
fetch_socket_cb(CURL *e, curl_socket_t s, int what, void *userp, void *socketp)
{
	struct fetch *f = userp;
	struct fetch_sock *fs = socketp;
	int events;

	if (what == CURL_POLL_REMOVE) {
		if (fs != NULL) {
			ev_io_stop(f->loop, &fs->io);
			free(fs);
		}
		return 0;
	}
	if (fs == NULL) {
		if ((fs = calloc(1, sizeof(*fs))) == NULL) {
			log_warn("fetch: socket context");
			return -1;
		}
		fs->f = f;
		ev_init(&fs->io, fetch_io_cb);
		fs->io.data = fs;
		curl_multi_assign(f->multi, s, fs);
	}
	events = (what & CURL_POLL_IN ? EV_READ : 0) | (what & CURL_POLL_OUT ? EV_WRITE : 0);
	ev_io_stop(f->loop, &fs->io);
	ev_io_set(&fs->io, s, events);
	ev_io_start(f->loop, &fs->io);
	return 0;
}

/* CURLMOPT_TIMERFUNCTION: -1 stops the timer; 0 means now, not never. */
static int
fetch_timer_cb(CURLM *m, long timeout_ms, void *userp)
{
	struct fetch *f = userp;

	ev_timer_stop(f->loop, &f->timer);
	if (timeout_ms >= 0) {
		ev_timer_set(&f->timer, (double)timeout_ms / 1000.0, 0.);
		ev_timer_start(f->loop, &f->timer);
	}
	return 0;
}

/*
 * Gives X an easy handle, set up, and adds it to the multi handle.  0, or
 * -1 with the cause logged (X keeps its easy handle, if any, for the
 * caller to put back).
 */
static int
xfer_start(struct fetch *f, struct xfer *x)
{
	CURLMcode mc;

	if ((x->easy = fetch_easy_get(f)) == NULL) {
		log_warnx("fetch %s: curl_easy_init failed", x->url);
		return -1;
	}
	if (xfer_setup(f, x) == -1)
		return -1;
	if ((mc = curl_multi_add_handle(f->multi, x->easy)) != CURLM_OK) {
		log_warnx("fetch %s: curl_multi_add_handle: %s", x->url,
		    curl_multi_strerror(mc));
		return -1;
	}
	return 0;
}

/* The next host after H that has a transfer waiting and a place for it. */
static struct fetch_host *
fetch_host_ready(struct fetch *f, struct fetch_host *h)
{
	struct fetch_host *start = h != NULL ? h : f->hosts;

	if (start == NULL)
		return NULL;
	h = start;
	do {
		if (h->head != NULL && h->running < (size_t)f->opts.max_per_host)
			return h;
		h = h->next != NULL ? h->next : f->hosts;
	} while (h != start);
	return NULL;
}

/*
 * Moves waiting transfers into the multi handle while there is room, in
 * total and per host, taking the hosts in turn so that one host's long
 * queue does not hold up another's.
 */
static void
fetch_fill(struct fetch *f)
{
	struct fetch_host *h;

	while (f->waiting > 0 && f->running < (size_t)f->opts.max_transfers &&
	    (h = fetch_host_ready(f, f->turn)) != NULL) {
		struct xfer *x = h->head;

		f->turn = h->next;
		h->head = x->next;
		if (h->head == NULL)
			h->tail = NULL;
		x->next = NULL;
		f->waiting--;
		h->waiting--;
		if (xfer_start(f, x) == -1) {
			struct fetch_result r = { .error = "cannot start the transfer",
			    .retry_after = -1, .url = x->url, .body = "" };

			x->cb(x->arg, &r);
			fetch_easy_put(f, x->easy);
			x->easy = NULL;
			xfer_free(x);
			continue;
		}
		x->next = f->active;
		if (f->active != NULL)
			f->active->prev = x;
		f->active = x;
		f->running++;
		h->running++;
	}
}

/* The length of the "scheme://host:port" that starts URL. */
static size_t
fetch_host_len(const char *url)
{
	const char *p = strstr(url, "://");

	p = p != NULL ? p + 3 : url;
	return (size_t)(p + strcspn(p, "/?#") - url);
}

/* The host of URL, when it has one yet; NULL if not. */
static struct fetch_host *
fetch_host_find(const struct fetch *f, const char *url)
{
	size_t n = fetch_host_len(url);

	for (struct fetch_host *h = f->hosts; h != NULL; h = h->next)
		if (strlen(h->name) == n && strncmp(h->name, url, n) == 0)
			return h;
	return NULL;
}

/* The host of URL ("scheme://host:port", without user or path), found or
 * added.  NULL without memory. */
static struct fetch_host *
fetch_host_get(struct fetch *f, const char *url)
{
	struct fetch_host *h;
	size_t n;

	if ((h = fetch_host_find(f, url)) != NULL)
		return h;
	n = fetch_host_len(url);
	if ((h = calloc(1, sizeof(*h) + n + 1)) == NULL)
		return NULL;
	memcpy(h->name, url, n);
	h->next = f->hosts;
	f->hosts = h;
	return h;
}

static int
fetch_apply_opts(struct fetch *f, const struct fetch_opts *o)
{
	char *ua = strdup(o->user_agent ? o->user_agent : "finewsd/" PACKAGE_VERSION);

	if (ua == NULL)
		return -1;
	free(f->user_agent);
	f->user_agent = ua;
	f->opts = *o;
	f->opts.user_agent = ua;
	if (f->opts.max_size == 0)
		f->opts.max_size = UTIL_MAX_RESPONSE;
	curl_multi_setopt(f->multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, o->max_transfers);
	curl_multi_setopt(f->multi, CURLMOPT_MAX_HOST_CONNECTIONS, o->max_per_host);
	curl_multi_setopt(f->multi, CURLMOPT_MAXCONNECTS, o->max_transfers * 2);
	return 0;
}

struct fetch *
fetch_create(struct ev_loop *loop, const struct fetch_opts *o)
{
	struct fetch *f;

	if ((f = calloc(1, sizeof(*f))) == NULL) {
		log_warn("fetch");
		return NULL;
	}
	f->loop = loop;
	if ((f->multi = curl_multi_init()) == NULL) {
		log_warnx("fetch: curl_multi_init failed");
		goto fail;
	}
	if (fetch_apply_opts(f, o) == -1)
		goto fail;
	ev_init(&f->timer, fetch_timer_ev_cb);
	f->timer.data = f;
	curl_multi_setopt(f->multi, CURLMOPT_SOCKETFUNCTION, fetch_socket_cb);
	curl_multi_setopt(f->multi, CURLMOPT_SOCKETDATA, f);
	curl_multi_setopt(f->multi, CURLMOPT_TIMERFUNCTION, fetch_timer_cb);
	curl_multi_setopt(f->multi, CURLMOPT_TIMERDATA, f);
	return f;
fail:
	fetch_destroy(f);
	return NULL;
}

int
fetch_has_room(const struct fetch *f, const char *url)
{
	size_t per_host = (size_t)f->opts.max_per_host, taken = f->running;
	const struct fetch_host *mine = url != NULL ? fetch_host_find(f, url) :
	    NULL;

	/* Called back from fetch_drain, before fetch_fill has started what
	 * waits: the places those transfers will take count as taken. */
	for (const struct fetch_host *h = f->hosts; h != NULL; h = h->next)
		if (h->running < per_host)
			taken += h->waiting < per_host - h->running ?
			    h->waiting : per_host - h->running;
	if (taken >= (size_t)f->opts.max_transfers)
		return 0;
	return mine == NULL || mine->running + mine->waiting < per_host;
}

int
fetch_set_opts(struct fetch *f, const struct fetch_opts *o)
{
	int rc = fetch_apply_opts(f, o);

	fetch_fill(f);
	return rc;
}

/* Tells the owner of an abandoned transfer, so that it frees its part. */
static void
xfer_cancel(struct xfer *x)
{
	struct fetch_result r = { .error = "cancelled", .retry_after = -1,
	    .url = x->url, .body = "", .cancelled = 1 };

	x->cb(x->arg, &r);
	xfer_free(x);
}

void
fetch_destroy(struct fetch *f)
{
	struct xfer *x, *next;

	if (f == NULL)
		return;
	for (struct fetch_host *h = f->hosts, *hn; h != NULL; h = hn) {
		hn = h->next;
		for (x = h->head; x != NULL; x = next) {
			next = x->next;
			xfer_cancel(x);
		}
		free(h);
	}
	f->hosts = f->turn = NULL;
	f->waiting = 0;
	for (x = f->active; x != NULL; x = next) {
		next = x->next;
		curl_multi_remove_handle(f->multi, x->easy);
		curl_easy_cleanup(x->easy);
		x->easy = NULL;
		xfer_cancel(x);
	}
	f->active = NULL;
	for (size_t i = 0; i < f->npool; i++)
		curl_easy_cleanup(f->pool[i]);
	if (f->multi != NULL)
		curl_multi_cleanup(f->multi);
	ev_timer_stop(f->loop, &f->timer);
	free(f->user_agent);
	free(f);
}

/* A copy of the NULL-terminated array of strings V; 0, or -1. */
static int
xfer_copy_strings(char *const *v, char ***out)
{
	size_t n = 0;

	*out = NULL;
	if (v == NULL)
		return 0;
	while (v[n] != NULL)
		n++;
	if ((*out = calloc(n + 1, sizeof(**out))) == NULL)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (((*out)[i] = strdup(v[i])) == NULL)
			return -1;
	return 0;
}

/* Queues a transfer: a GET as RQ says, or a POST of the form FORM when it
 * is not NULL. */
static int
fetch_queue(struct fetch *f, const struct fetch_req *rq, const char *form,
    fetch_done_fn *cb, void *arg)
{
	struct xfer *x;

	if ((x = calloc(1, sizeof(*x))) == NULL)
		goto fail;
	x->f = f;
	x->cb = cb;
	x->arg = arg;
	x->max_size = rq->max_size != 0 ? rq->max_size : f->opts.max_size;
	if ((x->url = strdup(rq->url)) == NULL ||
	    (rq->etag != NULL && (x->etag = strdup(rq->etag)) == NULL) ||
	    (rq->last_modified != NULL &&
	    (x->last_modified = strdup(rq->last_modified)) == NULL) ||
	    (rq->user_agent != NULL &&
	    (x->user_agent = strdup(rq->user_agent)) == NULL) ||
	    (form != NULL && (x->post = strdup(form)) == NULL) ||
	    xfer_copy_strings(rq->headers, &x->headers_in) == -1)
		goto fail;
	if ((x->host = fetch_host_get(f, rq->url)) == NULL)
		goto fail;
	if (x->host->tail != NULL)
		x->host->tail->next = x;
	else
		x->host->head = x;
	x->host->tail = x;
	x->host->waiting++;
	f->waiting++;
	fetch_fill(f);
	return 0;
fail:
	log_warn("fetch %s", rq->url);
	xfer_free(x);
	return -1;
}

int
fetch_start(struct fetch *f, const struct fetch_req *rq, fetch_done_fn *cb,
    void *arg)
{
	return fetch_queue(f, rq, NULL, cb, arg);
}

int
fetch_post(struct fetch *f, const char *url, const char *form,
    fetch_done_fn *cb, void *arg)
{
	struct fetch_req rq = { .url = url };

	return fetch_queue(f, &rq, form, cb, arg);
}
