/*
 * scheduler: the scheduler and the poll of one source.  See scheduler.h.
 *
 * A poll goes: list request (conditional) → parse → for each valid record
 * that is neither in the store nor in flight: text request → body → batch.
 * When the last text of a source's poll is in, the pending posts are
 * written (batch_flush), the source's state is saved, and, once no source
 * is mid-poll, the feeds are rewritten (feeds_write).  The list's
 * validators are saved only when every new record of the list made it into the store: otherwise
 * the next poll must see the list again (not a 304) to retry them.
 */
#include "config.h"

#include <errno.h>
#include <search.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "notify.h"
#include "record.h"
#include "scheduler.h"
#include "source.h"
#include "util.h"

/* Bounds of the backoff after failed polls, in seconds. */
#define SCHED_BACKOFF_MIN 30.0
#define SCHED_BACKOFF_MAX 3600.0

struct psrc {
	struct scheduler *p;
	const struct conf_source *sc;
	ev_timer timer;
	int busy;           /* a poll is under way */
	int again;          /* a poll was asked for during this one */
	int outstanding;    /* list or text requests in flight */
	int failed;         /* this poll failed (list, text or write) */
	int written;        /* posts handed to the batch in this poll */
	int skipped;
	int filtered;       /* records of the list its include/exclude dropped */
	int not_modified;   /* the list answered 304 */
	unsigned gen;       /* write failures seen when the poll started */
	char *etag, *last_modified;   /* of this poll's list response */
	char *error;        /* why this poll failed */
	long retry_after;
	char **ids;         /* ids this poll has in flight */
	size_t nids, capids;
};

/* A text request: the post it will complete. */
struct text_req {
	struct psrc *ps;
	struct record_post *it;
};

struct scheduler {
	struct ev_loop *loop;
	struct conf *c;
	struct conf *pending;   /* a reload waiting for the polls to end */
	struct store *st;
	struct fetch *f;
	struct batch *batch;
	struct feeds *feeds;
	int once;
	struct psrc *v;
	size_t n;
	void *inflight;         /* tsearch tree of ids being fetched */
	unsigned write_failures;
	int posts_since_feeds;
	scheduler_wrote_fn *wrote_fn;
	void *wrote_arg;
};

static void psrc_start(struct psrc *ps);

static int
scheduler_strcmp(const void *a, const void *b)
{
	return strcmp(a, b);
}

static double
scheduler_jitter(double interval)
{
	double span = interval / 10.0;

	if (span > 30.0)
		span = 30.0;
	return span * ((double)random() / (double)RAND_MAX);
}

static void
psrc_set_error(struct psrc *ps, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
psrc_set_error(struct psrc *ps, const char *fmt, ...)
{
	va_list ap;

	ps->failed = 1;
	if (ps->error != NULL)
		return;
	va_start(ap, fmt);
	if (vasprintf(&ps->error, fmt, ap) == -1)
		ps->error = NULL;
	va_end(ap);
}

/* Forgets the ids of this poll: they are in the store now, or will be
 * fetched again by a later poll. */
static void
psrc_release_ids(struct psrc *ps)
{
	for (size_t i = 0; i < ps->nids; i++) {
		tdelete(ps->ids[i], &ps->p->inflight, scheduler_strcmp);
		free(ps->ids[i]);
	}
	ps->nids = 0;
}

static int
psrc_hold_id(struct psrc *ps, const char *id)
{
	char *copy;

	if (VEC_RESERVE(ps->ids, ps->capids, ps->nids + 1) == -1 ||
	    (copy = strdup(id)) == NULL)
		return -1;
	if (tsearch(copy, &ps->p->inflight, scheduler_strcmp) == NULL) {
		free(copy);
		return -1;
	}
	ps->ids[ps->nids++] = copy;
	return 0;
}

/* The one-line STATUS= of systemd: what `systemctl status` shows. */
static void
scheduler_status(struct scheduler *p, int written)
{
	long long total = store_posts_count(p->st, NULL);
	time_t now = time(NULL);
	struct tm tm;
	char when[32] = "?";

	if (localtime_r(&now, &tm) != NULL)
		strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", &tm);
	notify_status("%zu sources, %d failing; %lld posts; last poll %s: %d new",
	    p->n, scheduler_failed(p), total, when, written);
}

/* The delay before the next poll of PS, after this one. */
static double
psrc_next_delay(struct psrc *ps, int failures)
{
	double interval = (double)ps->sc->interval, d;

	if (failures == 0)
		return interval + scheduler_jitter(interval);
	if (ps->retry_after >= 0)
		return ps->retry_after > 86400 ? 86400.0 : (double)ps->retry_after;
	d = interval < SCHED_BACKOFF_MIN ? interval : SCHED_BACKOFF_MIN;
	for (int i = 1; i < failures && d < SCHED_BACKOFF_MAX; i++)
		d *= 2;
	if (d > SCHED_BACKOFF_MAX)
		d = SCHED_BACKOFF_MAX;
	return d;
}

/* Saves the outcome of a poll in the store and schedules the next one. */
static void
psrc_save(struct psrc *ps, int written)
{
	struct scheduler *p = ps->p;
	struct store_source s;
	time_t now = time(NULL);
	double delay;

	if (store_source_get(p->st, ps->sc->name, &s) == -1)
		memset(&s, 0, sizeof(s));
	s.failures = ps->failed ? s.failures + 1 : 0;
	delay = psrc_next_delay(ps, s.failures);
	s.last_poll = now;
	s.next_poll = p->once ? 0 : now + (long long)delay;
	s.posts += written;
	free(s.result);
	if (ps->failed)
		s.result = strdup(ps->error ? ps->error : "failed");
	else
		s.result = strdup(ps->not_modified ? "not modified" : "ok");
	/* A 304 keeps the validators; a full answer replaces them.  After a
	 * failure they are dropped: a record of the list may still have to be
	 * fetched, so the next poll must see the list again, not a 304. */
	if (!ps->not_modified || ps->failed) {
		free(s.etag);
		free(s.last_modified);
		s.etag = s.last_modified = NULL;
		if (!ps->failed) {
			s.etag = ps->etag;
			s.last_modified = ps->last_modified;
			ps->etag = ps->last_modified = NULL;
		}
	}
	free(s.conf_hash);
	if ((s.conf_hash = malloc(17)) != NULL)
		conf_source_hash(ps->sc, s.conf_hash);
	if (store_source_set(p->st, ps->sc->name, &s) == -1)
		log_warnx("source %s: its state could not be saved", ps->sc->name);
	if (ps->failed)
		log_warnx("source %s: poll failed: %s; next try in %.0f s", ps->sc->name,
		    ps->error ? ps->error : "failed", delay);
	store_source_clear(&s);
	if (!p->once) {
		ev_timer_stop(p->loop, &ps->timer);
		ev_timer_set(&ps->timer, delay, 0.);
		ev_timer_start(p->loop, &ps->timer);
	}
}

static void scheduler_idle(struct scheduler *p);

/* The end of a source's poll: write, save, schedule. */
static void
psrc_finish(struct psrc *ps)
{
	struct scheduler *p = ps->p;
	int n = batch_flush(p->batch);

	if (n < 0)
		p->write_failures++;
	if (p->write_failures != ps->gen)
		psrc_set_error(ps, "writing posts failed");
	else if (ps->written > 0) {
		if (ps->filtered > 0)
			log_info("source %s: %d new posts, %d filtered", ps->sc->name,
			    ps->written, ps->filtered);
		else
			log_info("source %s: %d new posts", ps->sc->name, ps->written);
		p->posts_since_feeds += ps->written;
	} else if (!ps->failed && ps->filtered > 0)
		log_debug("source %s: nothing new, %d filtered", ps->sc->name,
		    ps->filtered);
	else if (!ps->failed)
		log_debug("source %s: %s", ps->sc->name,
		    ps->not_modified ? "not modified" : "nothing new");
	psrc_release_ids(ps);
	psrc_save(ps, p->write_failures != ps->gen ? 0 : ps->written);
	ps->busy = 0;
	free(ps->etag);
	free(ps->last_modified);
	free(ps->error);
	ps->etag = ps->last_modified = ps->error = NULL;
	if (ps->again) {
		ps->again = 0;
		psrc_start(ps);
	}
	scheduler_idle(p);
}

/* What the parsers need of the response R: its URL and Content-Type. */
static void
scheduler_response(const struct fetch_result *r, struct source_response *resp)
{
	memset(resp, 0, sizeof(*resp));
	resp->url = r->final_url != NULL ? r->final_url : r->url;
	resp->content_type = r->content_type;
}

static void
text_done(void *arg, const struct fetch_result *r)
{
	struct text_req *req = arg;
	struct psrc *ps = req->ps;
	struct record_post *it = req->it;
	struct source_response resp;
	char err[256];
	char *html = NULL;

	free(req);
	if (r->cancelled) {
		record_post_free(it);
		return;
	}
	scheduler_response(r, &resp);
	if (!r->ok) {
		log_warnx("source %s: record %s: text %s: %s; tried again at the next poll",
		    ps->sc->name, it->info_code, r->url, r->error);
		psrc_set_error(ps, "text of %s: %s", it->info_code, r->error);
		record_post_free(it);
	} else if ((html = source_parse_text(ps->sc, &resp, r->body, r->len, err,
	    sizeof(err))) == NULL && errno == EILSEQ) {
		/* Bytes that do not decode: skipped, not a failure of the source. */
		log_warnx("source %s: record %s skipped: text %s: %s", ps->sc->name,
		    it->info_code, r->url, err);
		ps->skipped++;
		record_post_free(it);
	} else if (html == NULL) {
		log_warnx("source %s: record %s: text %s: %s; tried again at the next poll",
		    ps->sc->name, it->info_code, r->url, err);
		psrc_set_error(ps, "text of %s: %s", it->info_code, err);
		record_post_free(it);
	} else {
		ps->written++;
		if (batch_add(ps->p->batch, it, html) == -1)
			ps->p->write_failures++;
	}
	free(html);
	if (--ps->outstanding == 0)
		psrc_finish(ps);
}

/* The slug the site already uses for a media, from the store. */
static int
scheduler_known_slug(void *arg, const char *media, char **slug)
{
	return store_media_slug_get(arg, media, slug);
}

/* Starts the text request of a new record; 0 or -1. */
static int
psrc_fetch_text(struct psrc *ps, struct record *rec)
{
	const char *why = NULL;
	struct text_req *req = NULL;
	struct record_post *it;
	char *url;

	if ((it = record_post_make(ps->p->c, ps->sc, rec, scheduler_known_slug, ps->p->st,
	    &why)) == NULL) {
		log_warnx("source %s: record %s skipped: %s", ps->sc->name, rec->id, why);
		ps->skipped++;
		return 0;
	}
	if ((url = record_text_url(ps->sc, it->info_code)) == NULL ||
	    (req = malloc(sizeof(*req))) == NULL || psrc_hold_id(ps, it->info_code) == -1) {
		free(req);
		free(url);
		record_post_free(it);
		return -1;
	}
	req->ps = ps;
	req->it = it;
	ps->outstanding++;
	if (fetch_start(ps->p->f, &(struct fetch_req){ .url = url,
	    .user_agent = ps->sc->user_agent, .headers = ps->sc->headers },
	    text_done, req) == -1) {
		ps->outstanding--;
		free(req);
		record_post_free(it);
		free(url);
		return -1;
	}
	free(url);
	return 0;
}

/* Turns a list response into text requests for the records that are new. */
static void
psrc_take_list(struct psrc *ps, const struct fetch_result *r)
{
	struct record_list list = { 0 };
	struct source_response resp;
	char err[256];

	scheduler_response(r, &resp);
	if (source_parse_list(ps->sc, &resp, r->body, r->len, &list, err,
	    sizeof(err)) == -1) {
		psrc_set_error(ps, "list %s: %s", r->url, err);
		return;
	}
	log_debug("source %s: list %s read as %s", ps->sc->name, r->url,
	    resp.charset);
	for (size_t i = 0; i < list.n; i++) {
		struct record *rec = &list.v[i];
		int known;

		if (rec->skip != NULL) {
			log_warnx("source %s: record %s skipped: %s%s", ps->sc->name,
			    rec->id && *rec->id ? rec->id : "(no id)",
			    record_skip_explain(ps->sc, rec, resp.charset, err,
			    sizeof(err)), rec->skip == record_undecoded ?
			    " of the list" : "");
			ps->skipped++;
			continue;
		}
		/* Filtered out: neither fetched nor written, but counted. */
		if (!record_title_wanted(ps->sc, rec->title)) {
			log_debug("source %s: record %s filtered out", ps->sc->name,
			    rec->id);
			ps->filtered++;
			continue;
		}
		if ((known = store_post_exists(ps->p->st, rec->id)) == -1) {
			psrc_set_error(ps, "database error");
			break;
		}
		if (known || tfind(rec->id, &ps->p->inflight, scheduler_strcmp) != NULL)
			continue;
		if (psrc_fetch_text(ps, rec) == -1) {
			psrc_set_error(ps, "record %s: out of memory", rec->id);
			break;
		}
	}
	record_list_clear(&list);
}

static void
list_done(void *arg, const struct fetch_result *r)
{
	struct psrc *ps = arg;

	if (r->cancelled)
		return;
	if (!r->ok) {
		ps->retry_after = r->retry_after;
		psrc_set_error(ps, "list %s: %s", r->url, r->error);
	} else if (r->status == 304) {
		ps->not_modified = 1;
	} else {
		if ((r->etag && !(ps->etag = strdup(r->etag))) ||
		    (r->last_modified && !(ps->last_modified = strdup(r->last_modified))))
			psrc_set_error(ps, "out of memory");
		psrc_take_list(ps, r);
	}
	if (--ps->outstanding == 0)
		psrc_finish(ps);
}

static void
psrc_start(struct psrc *ps)
{
	struct scheduler *p = ps->p;
	struct store_source s;
	char hash[17];

	if (ps->busy) {
		ps->again = 1;
		return;
	}
	ev_timer_stop(p->loop, &ps->timer);
	ps->busy = 1;
	ps->failed = ps->written = ps->skipped = ps->filtered = ps->not_modified = 0;
	ps->retry_after = -1;
	ps->gen = p->write_failures;
	if (store_source_get(p->st, ps->sc->name, &s) == -1)
		memset(&s, 0, sizeof(s));
	ps->outstanding = 1;
	log_debug("source %s: polling %s", ps->sc->name, ps->sc->list_url);
	conf_source_hash(ps->sc, hash);
	if (s.conf_hash == NULL || strcmp(s.conf_hash, hash) != 0) {
		/* Saved under another configuration of the source: a 304 would
		 * hide records the new configuration reads differently. */
		free(s.etag);
		free(s.last_modified);
		s.etag = s.last_modified = NULL;
	}
	if (fetch_start(p->f, &(struct fetch_req){ .url = ps->sc->list_url,
	    .etag = s.etag, .last_modified = s.last_modified,
	    .user_agent = ps->sc->user_agent, .headers = ps->sc->headers },
	    list_done, ps) == -1) {
		ps->outstanding = 0;
		psrc_set_error(ps, "cannot start the list request");
		psrc_finish(ps);
	}
	store_source_clear(&s);
}

static void
psrc_timer_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	psrc_start(w->data);
}

static int
scheduler_build(struct scheduler *p)
{
	if ((p->v = calloc(p->c->nsources, sizeof(*p->v))) == NULL)
		return -1;
	p->n = p->c->nsources;
	for (size_t i = 0; i < p->n; i++) {
		struct psrc *ps = &p->v[i];

		ps->p = p;
		ps->sc = &p->c->sources[i];
		ev_init(&ps->timer, psrc_timer_cb);
		ps->timer.data = ps;
	}
	return 0;
}

static void
scheduler_unbuild(struct scheduler *p)
{
	for (size_t i = 0; i < p->n; i++) {
		ev_timer_stop(p->loop, &p->v[i].timer);
		psrc_release_ids(&p->v[i]);
		free(p->v[i].ids);
		free(p->v[i].etag);
		free(p->v[i].last_modified);
		free(p->v[i].error);
	}
	free(p->v);
	p->v = NULL;
	p->n = 0;
}

void
scheduler_fetch_opts(const struct conf *c, struct fetch_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->max_transfers = c->max_transfers;
	o->max_per_host = c->max_per_host;
	o->timeout = c->timeout;
	o->user_agent = c->user_agent;
	o->max_size = UTIL_MAX_RESPONSE;
}

struct scheduler *
scheduler_create(struct ev_loop *loop, struct conf *c, struct store *st, struct fetch *f,
    struct batch *b, struct feeds *fd, int once)
{
	struct scheduler *p;

	if ((p = calloc(1, sizeof(*p))) == NULL)
		return NULL;
	p->loop = loop;
	p->c = c;
	p->st = st;
	p->f = f;
	p->batch = b;
	p->feeds = fd;
	p->once = once;
	srandom((unsigned)time(NULL) ^ (unsigned)getpid());
	if (scheduler_build(p) == -1) {
		free(p);
		return NULL;
	}
	scheduler_all_now(p);
	return p;
}

void
scheduler_destroy(struct scheduler *p)
{
	if (p == NULL)
		return;
	scheduler_unbuild(p);
	conf_destroy(p->c);
	conf_destroy(p->pending);
	free(p);
}

void
scheduler_on_wrote(struct scheduler *p, scheduler_wrote_fn *fn, void *arg)
{
	p->wrote_fn = fn;
	p->wrote_arg = arg;
}

void
scheduler_all_now(struct scheduler *p)
{
	for (size_t i = 0; i < p->n; i++)
		psrc_start(&p->v[i]);
}

int
scheduler_busy(const struct scheduler *p)
{
	for (size_t i = 0; i < p->n; i++)
		if (p->v[i].busy)
			return 1;
	return 0;
}

int
scheduler_failed(const struct scheduler *p)
{
	int n = 0;

	for (size_t i = 0; i < p->n; i++) {
		struct store_source s;

		if (store_source_get(p->st, p->v[i].sc->name, &s) == 0 && s.failures > 0)
			n++;
		store_source_clear(&s);
	}
	return n;
}

const struct conf *
scheduler_conf(const struct scheduler *p)
{
	return p->c;
}

static void
scheduler_apply(struct scheduler *p)
{
	struct conf *c = p->pending;
	struct fetch_opts fo;

	p->pending = NULL;
	scheduler_unbuild(p);
	batch_set_conf(p->batch, c);
	feeds_set_conf(p->feeds, c);
	scheduler_fetch_opts(c, &fo);
	fetch_set_opts(p->f, &fo);
	conf_destroy(p->c);
	p->c = c;
	if (scheduler_build(p) == -1) {
		log_warn("reload");
		return;
	}
	log_info("configuration %s loaded: %zu sources", c->path, p->n);
	notify_ready();
	scheduler_all_now(p);
}

void
scheduler_reload(struct scheduler *p, struct conf *c)
{
	conf_destroy(p->pending);
	p->pending = c;
	if (!scheduler_busy(p))
		scheduler_apply(p);
}

/* Called whenever a source's poll ends: feeds, reload, the end of --once. */
static void
scheduler_idle(struct scheduler *p)
{
	int n;

	if (scheduler_busy(p))
		return;
	/* The feeds of every category that changed, once for all the polls
	 * that ended together; after a failure, again after the next poll. */
	if (feeds_write(p->feeds) == -1)
		log_warnx("feeds not written; tried again after the next poll");
	n = p->posts_since_feeds;
	p->posts_since_feeds = 0;
	if (p->wrote_fn != NULL)
		p->wrote_fn(p->wrote_arg, n);
	scheduler_status(p, n);
	if (p->pending != NULL)
		scheduler_apply(p);
	else if (p->once)
		ev_break(p->loop, EVBREAK_ALL);
}
