/*
 * scheduler: the scheduler and the poll of one source.  See scheduler.h.
 *
 * A poll goes: admission → list request (conditional) → parse → for each
 * valid record that is neither in the store nor in flight: text request →
 * body → batch.  When the last text of a source's poll is in, its poll
 * ends once the batch that holds its last post is written and its rows
 * committed (its ticket: full batches are written by the batch's writer
 * thread, which wakes the loop, and their rows committed then if a poll
 * waits for them; the rest when every poll under way waits for it, or
 * after SCHEDULER_FLUSH_DELAY), the source's state is saved, and, once no
 * source is mid-poll, the feeds are rewritten (feeds_write).  The list's
 * validators are saved only when every new record of the list made it
 * into the store: otherwise the next poll must see the list again (not a
 * 304) to retry them.  The slug rules of record.c see the site through the
 * store (the adapter below), with a per-configuration cache of each
 * media's slug.
 *
 * Memory follows the work in hand, not the work found: a poll of lists of
 * thousands of new records must not hold a post and a queued request for
 * each at once.  A source's parsed list stays with it, with a cursor, and
 * only a window of its text requests is in flight (psrc_window: twice the
 * places of a host, enough to keep them busy while the next ones wait
 * their turn).  Each text that completes moves the cursor on (psrc_pump):
 * a record is looked up in the store and among the ids in flight only
 * when its turn comes, its post made and its request queued only then,
 * and the strings of a record the store already has are freed at once.
 *
 * Nor may a hundred sources hold their lists at once.  A source asked to
 * poll (by its timer, SIGUSR1, a --once run) is busy from then on, so the
 * round ends only once it has been polled, and waits for admission in
 * FIFO order (scheduler_admit).  It is admitted while fewer than
 * max_transfers lists are in flight and the records held (parsed, not yet
 * looked at) plus those expected of the lists in flight (the mean size of
 * the lists read so far) stay within SCHEDULER_HOLD; always when nothing
 * is held, however long its list.
 *
 * Limits alone would let slow sources hold up the others: two sources
 * whose thousands of texts come one a minute would fill the budget for
 * hours, and max_transfers lists that hang at one host would stop every
 * poll for their timeout, other hosts idle, which the fetch engine's own
 * limits never did.  So a waiting source is also admitted, limits or not,
 * when the fetch engine has a place free for its list and for its texts
 * that no waiting transfer will take (fetch_has_room), one such source at
 * a time (until its list is in, its texts taking the places): the limits
 * never keep idle a place that a waiting source could use.  Room is looked
 * at whenever one of the scheduler's requests ends, which is when places
 * free, hung ones included (at their timeout), for the first SCHEDULER_LOOK
 * in line: one whose hosts are the slow ones is passed over, as its
 * requests would only queue behind theirs, where the fetch engine made
 * them wait before.  The other way, counting each source's records only
 * up to a share of the budget, still stops everyone once max_transfers
 * sources are slow, and lets those that are not hold max_transfers whole
 * lists.  Memory stays within the budget, and about a list per host with
 * room, whatever the number of sources and records.
 *
 * A host that answers none of a poll's texts ends that poll after
 * SCHEDULER_UNANSWERED of them in a row: the feeds, on_update and a reload
 * wait for every poll under way, and its list would keep them waiting for
 * its length times the timeout.
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
#include "strset.h"
#include "util.h"

/* Texts of one poll in a row that get no response at all (a timeout, a
 * refused connection) after which the rest of its list waits for the next
 * poll: a host that answers none of them would otherwise keep the poll, and
 * with it the feeds, on_update and a reload, for the list's length times
 * the timeout. */
#ifndef SCHEDULER_UNANSWERED
#define SCHEDULER_UNANSWERED 16
#endif

/* The shortest wait before polling a source again, whatever a server says. */
#define SCHEDULER_DELAY_MIN 10.0

struct psrc {
	struct scheduler *p;
	const struct conf_source *sc;
	ev_timer timer;
	int busy;           /* a poll is under way */
	int waiting;        /* its requests are done; its posts wait for a flush */
	int queued;         /* it has posts in the batch since the last flush */
	unsigned long gen;  /* the batch ticket of its last post */
	int again;          /* a poll was asked for during this one */
	int outstanding;    /* list or text requests in flight */
	int failed;         /* this poll failed (list, text or write) */
	int hard;           /* ... and not only by texts that could not be had */
	int written;        /* posts handed to the batch in this poll */
	int skipped;
	int filtered;       /* records of the list its include/exclude dropped */
	int not_modified;   /* the list answered 304 */
	int unwritten;      /* of those, posts the batch could not write */
	int failures;       /* consecutive failed polls, as last saved */
	ev_tstamp started;  /* when this poll began */
	char *etag, *last_modified;   /* of this poll's list response */
	char *error;        /* why this poll failed */
	long retry_after;
	char **ids;         /* ids this poll has in flight */
	size_t nids, capids;
	struct record_list list;  /* the records of its list still to look at */
	size_t cursor;      /* the next of them */
	int texts;          /* text requests in flight */
	int listing;        /* its list request is in flight */
	int pumping;        /* in psrc_pump */
	int held_back;      /* it asked to poll and waits for admission */
	int spare;          /* its list, in flight, was let in on room alone */
	struct psrc *next_held; /* the next source waiting for admission */
	size_t charge;      /* what it counts against SCHEDULER_HOLD */
	int unanswered;     /* texts in a row that got no response at all */
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
	struct record_site site;   /* the store's, for the slug rules */
	struct strmap slugs;    /* media → category slug, this configuration's */
	int posts_since_feeds;
	size_t nbusy;           /* sources with busy set */
	size_t nwaiting;        /* of which waiting for the batch to be flushed */
	long long total;        /* posts in the store: counted once, then kept */
	ev_timer flush_timer;   /* the latest a waiting batch is flushed */
	ev_async written;       /* the batch's writer is done with a job */
	ev_prepare release;     /* before the loop waits: the reads' hold */
	int settling;           /* in scheduler_settle */
	int feeds_failed;       /* the last rewrite of the feeds failed */
	int round_polled;       /* polls ended since the scheduler was last idle */
	int round_failed;       /* of which failed */
	scheduler_wrote_fn *wrote_fn;
	void *wrote_arg;
	scheduler_applied_fn *applied_fn;
	void *applied_arg;
	struct metrics *metrics;  /* not owned; may be NULL */
	struct psrc *held_head, *held_tail;  /* waiting for admission, FIFO */
	size_t charged;         /* the sum of the sources' charges */
	size_t nlisting;        /* list requests in flight, */
	size_t nspare;          /* of which let in on room alone */
	size_t listed;          /* lists read since the start, */
	size_t listed_records;  /* and the records kept of them */
	int admitting;          /* in scheduler_admit */
};

static void psrc_start(struct psrc *ps);
static void scheduler_idle(struct scheduler *p);
static void scheduler_spread(struct scheduler *p);
static void scheduler_admit(struct scheduler *p);
static void psrc_pump(struct psrc *ps);

/* How long posts may wait for other sources' before they are written. */
#define SCHEDULER_FLUSH_DELAY 1.0
/* Up to this many sources, the first polls after a start all go at once. */
#define SCHEDULER_SPREAD_MIN 100
/* Records held parsed and not yet taken, across sources, beyond which no
 * more source is admitted to poll: about a megabyte.  test_scheduler
 * builds the scheduler with a smaller one. */
#ifndef SCHEDULER_HOLD
#define SCHEDULER_HOLD 4096
#endif
/* How far down the line of sources waiting for admission the fetch
 * engine's room is looked at, past those whose hosts have none. */
#define SCHEDULER_LOOK 16

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
	ps->hard = 1;
	if (ps->error != NULL)
		return;
	va_start(ap, fmt);
	if (vasprintf(&ps->error, fmt, ap) == -1)
		ps->error = NULL;
	va_end(ap);
}

/*
 * A text that could not be fetched or read fails the poll (its record is
 * tried again at the next one, the list read again in full) but is no
 * reason to back the source off: one article that keeps failing must not
 * slow every other article of its source down to one poll an hour.
 */
static void
psrc_text_failed(struct psrc *ps, const char *code, const char *why)
{
	int hard = ps->hard;

	psrc_set_error(ps, "text of %s: %s", code, why);
	ps->hard = hard;
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
	long long total = p->total;
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
	double interval = (double)ps->sc->interval;

	if (failures == 0 || !ps->hard)
		return interval + scheduler_jitter(interval);
	/* A Retry-After of 0 or in the past is no reason to hammer a host. */
	if (ps->retry_after >= 0)
		return ps->retry_after > 86400 ? 86400.0 :
		    ps->retry_after < SCHEDULER_DELAY_MIN ? SCHEDULER_DELAY_MIN :
		    (double)ps->retry_after;
	return backoff_delay(interval, failures);
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
	ps->failures = s.failures;
	delay = psrc_next_delay(ps, s.failures);
	s.last_poll = now;
	if (!ps->failed)
		s.last_success = now;
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
	/* Not inside the rows of other sources' posts, which may be open:
	 * the state would wait for their commit, unseen by --status, and
	 * go with it if it failed. */
	(void)batch_commit(p->batch);
	if (store_source_set(p->st, ps->sc->name, &s) == -1)
		log_warnx("source %s: its state could not be saved", ps->sc->name);
	/* A --once run has no next try to promise: the next run is the
	 * operator's (or a timer's) to start. */
	if (ps->failed && p->once)
		log_warnx("source %s: poll failed: %s", ps->sc->name,
		    ps->error ? ps->error : "failed");
	else if (ps->failed)
		log_warnx("source %s: poll failed: %s; next try in %.0f s", ps->sc->name,
		    ps->error ? ps->error : "failed", delay);
	store_source_clear(&s);
	if (!p->once) {
		ev_timer_stop(p->loop, &ps->timer);
		ev_timer_set(&ps->timer, delay, 0.);
		ev_timer_start(p->loop, &ps->timer);
	}
}

/*
 * The end of a source's poll, its posts written (or failed): save,
 * schedule.  The caller calls scheduler_idle after.
 */
static void
psrc_finish(struct psrc *ps)
{
	struct scheduler *p = ps->p;

	ps->written -= ps->unwritten;
	if (ps->unwritten > 0)
		psrc_set_error(ps, "%d of its posts could not be written",
		    ps->unwritten);
	if (ps->written > 0) {
		if (ps->filtered > 0)
			log_info("source %s: %d new %s, %d filtered", ps->sc->name,
			    ps->written, ps->written == 1 ? "post" : "posts",
			    ps->filtered);
		else
			log_info("source %s: %d new %s", ps->sc->name, ps->written,
			    ps->written == 1 ? "post" : "posts");
		p->posts_since_feeds += ps->written;
		p->total += ps->written;
	} else if (!ps->failed && ps->filtered > 0)
		log_debug("source %s: nothing new, %d filtered", ps->sc->name,
		    ps->filtered);
	else if (!ps->failed)
		log_debug("source %s: %s", ps->sc->name,
		    ps->not_modified ? "not modified" : "nothing new");
	psrc_release_ids(ps);
	ev_now_update(p->loop);
	metrics_poll(p->metrics, ps->sc->name, ev_now(p->loop) - ps->started);
	p->round_polled++;
	if (ps->failed)
		p->round_failed++;
	psrc_save(ps, ps->written);
	ps->busy = 0;
	p->nbusy--;
	free(ps->etag);
	free(ps->last_modified);
	free(ps->error);
	ps->etag = ps->last_modified = ps->error = NULL;
	if (ps->again) {
		ps->again = 0;
		psrc_start(ps);
	}
}

/*
 * Writes the batch and ends the polls that waited for it: one flush (one
 * sync, one transaction) for the posts of many polls, not one per poll.
 * A poll's state (its list's validators) is saved only after its posts
 * are on disk, so that a crash between the two fetches them again.
 */
static void
scheduler_settle(struct scheduler *p)
{
	ev_timer_stop(p->loop, &p->flush_timer);
	(void)batch_flush(p->batch);
	p->settling = 1;
	if (p->nwaiting > 0) {
		for (size_t i = 0; i < p->n; i++) {
			struct psrc *ps = &p->v[i];

			if (!ps->waiting)
				continue;
			ps->waiting = 0;
			p->nwaiting--;
			psrc_finish(ps);
		}
	}
	p->settling = 0;
	scheduler_idle(p);
}

/*
 * Ends the polls whose posts the batch has written meanwhile (the writer's
 * job, completed); when every poll under way then waits for the batch, it
 * is written now.
 */
static void
scheduler_written(struct scheduler *p)
{
	if (p->settling || p->nwaiting == 0)
		return;
	/* Polls wait for rows the writer's job may have brought. */
	(void)batch_commit(p->batch);
	p->settling = 1;
	for (size_t i = 0; i < p->n && p->nwaiting > 0; i++) {
		struct psrc *ps = &p->v[i];

		if (!ps->waiting || !batch_written(p->batch, ps->gen))
			continue;
		ps->waiting = 0;
		p->nwaiting--;
		psrc_finish(ps);
	}
	p->settling = 0;
	if (p->nwaiting == 0)
		ev_timer_stop(p->loop, &p->flush_timer);
	if (p->nwaiting > 0 && p->nbusy == p->nwaiting)
		scheduler_settle(p);
	else
		scheduler_idle(p);
}

static void
scheduler_written_cb(struct ev_loop *loop, ev_async *w, int revents)
{
	struct scheduler *p = w->data;

	(void)loop;
	(void)revents;
	(void)batch_reap(p->batch);
	scheduler_written(p);
}

static void
scheduler_release_cb(struct ev_loop *loop, ev_prepare *w, int revents)
{
	struct scheduler *p = w->data;

	(void)loop;
	(void)revents;
	store_release(p->st);
}

/* On the batch writer's thread: only wakes the loop. */
static void
scheduler_wake(void *arg)
{
	struct scheduler *p = arg;

	ev_async_send(p->loop, &p->written);
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
scheduler_flush_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void)loop;
	(void)revents;
	scheduler_settle(w->data);
}

/*
 * A source's requests are all done.  Its posts still in the batch are
 * written when the batch is full, when no other source has requests in
 * flight, or after SCHEDULER_FLUSH_DELAY, whichever comes first; with
 * nothing of it in the batch its poll ends now.
 */
static void
psrc_done(struct psrc *ps)
{
	struct scheduler *p = ps->p;

	/* Its rows are written: committed now, not four batches later. */
	if (ps->queued && batch_uncommitted(p->batch, ps->gen))
		(void)batch_commit(p->batch);
	if (!ps->queued || batch_written(p->batch, ps->gen)) {
		psrc_finish(ps);
		if (!p->settling)
			scheduler_idle(p);
		return;
	}
	ps->waiting = 1;
	p->nwaiting++;
	if (p->settling)
		return;
	if (p->nbusy == p->nwaiting)
		scheduler_settle(p);
	else if (!ev_is_active(&p->flush_timer)) {
		ev_timer_set(&p->flush_timer, SCHEDULER_FLUSH_DELAY, 0.);
		ev_timer_start(p->loop, &p->flush_timer);
	}
}

/* What comes next for a record left out now, in the words of the mode. */
static const char *
scheduler_next(const struct scheduler *p)
{
	return p->once ? "run" : "poll";
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
	/* Its place goes to the next record of the list at once. */
	ps->texts--;
	if (r->ok || r->status != 0)
		ps->unanswered = 0;
	else if (++ps->unanswered == SCHEDULER_UNANSWERED &&
	    ps->cursor < ps->list.n) {
		log_warnx("source %s: %d texts in a row got no response; the "
		    "%zu records left wait for the next %s", ps->sc->name,
		    ps->unanswered, ps->list.n - ps->cursor,
		    scheduler_next(ps->p));
		psrc_set_error(ps, "%d texts in a row got no response",
		    ps->unanswered);
		ps->cursor = ps->list.n;
	}
	psrc_pump(ps);
	metrics_request(ps->p->metrics, ps->sc->name, METRICS_TEXT,
	    r->ok ? METRICS_OK : METRICS_FAILED, r->bytes, r->seconds);
	scheduler_response(r, &resp);
	if (!r->ok) {
		log_warnx("source %s: record %s: text %s: %s; tried again at the next %s",
		    ps->sc->name, it->info_code, r->url, r->error, scheduler_next(ps->p));
		psrc_text_failed(ps, it->info_code, r->error);
		record_post_free(it);
	} else if ((html = source_parse_text(ps->sc, &resp, r->body, r->len, err,
	    sizeof(err))) == NULL && errno == EILSEQ) {
		/* Bytes that do not decode: skipped, not a failure of the source. */
		log_warnx("source %s: record %s skipped: text %s: %s", ps->sc->name,
		    it->info_code, r->url, err);
		ps->skipped++;
		record_post_free(it);
	} else if (html == NULL) {
		log_warnx("source %s: record %s: text %s: %s; tried again at the next %s",
		    ps->sc->name, it->info_code, r->url, err, scheduler_next(ps->p));
		psrc_text_failed(ps, it->info_code, err);
		record_post_free(it);
	} else {
		unsigned long done = batch_done(ps->p->batch);

		ps->written++;
		ps->queued = 1;
		ps->gen = batch_ticket(ps->p->batch);
		(void)batch_add(ps->p->batch, it, html);
		/* The writer's previous job was just completed: the polls that
		 * waited for it end (this one's too, when this was its last
		 * text). */
		if (batch_done(ps->p->batch) != done && ps->p->nwaiting > 0) {
			free(html);
			if (--ps->outstanding == 0)
				psrc_done(ps);
			scheduler_written(ps->p);
			return;
		}
	}
	free(html);
	if (--ps->outstanding == 0)
		psrc_done(ps);
}

/*
 * The site as the store knows it, for the slug rules (struct record_site):
 * the media slugs --import learned, the category pages, the learned
 * readings.  A media's slug, once found or derived, is kept in p->slugs
 * for the life of the configuration, so that a list of a hundred records
 * of a new media costs one derivation; a reload drops them all, since a
 * new [categories] or what an import learned meanwhile may change them.
 */
static int
scheduler_media_slug(void *arg, const char *media, char **slug)
{
	struct scheduler *p = arg;
	const char *s;

	if ((s = strmap_get(&p->slugs, media)) != NULL) {
		*slug = strdup(s);
		return *slug != NULL ? 0 : -1;
	}
	if (store_media_slug_get(p->st, media, slug) == -1)
		return -1;
	/* A failure to remember only costs a lookup next time. */
	if (*slug != NULL)
		(void)strmap_set(&p->slugs, media, *slug);
	return 0;
}

static int
scheduler_page_exists(void *arg, const char *slug)
{
	struct scheduler *p = arg;

	return store_page_exists(p->st, slug);
}

static int
scheduler_pages_each(void *arg, record_page_fn *fn, void *fnarg)
{
	struct scheduler *p = arg;

	return store_pages_each(p->st, fn, fnarg);
}

static int
scheduler_reading(void *arg, unsigned cp, char **reading)
{
	struct scheduler *p = arg;

	return store_reading_get(p->st, cp, reading);
}

static void
scheduler_remember(void *arg, const char *media, const char *slug)
{
	struct scheduler *p = arg;

	log_debug("media %s: category %s", media, slug);
	(void)strmap_set(&p->slugs, media, slug);
}

/*
 * Starts the text request of the new record REC, whose strings its post
 * takes; 0, or -1 when memory ran out (the poll's error set).
 */
static int
psrc_fetch_text(struct psrc *ps, struct record *rec)
{
	const char *why = NULL;
	struct text_req *req = NULL;
	struct record_post *it;
	char *url;

	if ((it = record_post_make(ps->p->c, ps->sc, rec, &ps->p->site, &why)) == NULL) {
		log_warnx("source %s: record %s skipped: %s", ps->sc->name, rec->id, why);
		/* The database failed, not the record: the poll must fail, so
		 * that the next one sees the list again (not a 304). */
		if (strcmp(why, RECORD_WHY_SITE) == 0)
			psrc_set_error(ps, "record %s: %s", rec->id, why);
		ps->skipped++;
		return 0;
	}
	if ((url = record_text_url(ps->sc, it->info_code)) == NULL ||
	    (req = malloc(sizeof(*req))) == NULL || psrc_hold_id(ps, it->info_code) == -1)
		goto fail;
	req->ps = ps;
	req->it = it;
	ps->outstanding++;
	ps->texts++;
	if (fetch_start(ps->p->f, &(struct fetch_req){ .url = url,
	    .user_agent = ps->sc->user_agent, .headers = ps->sc->headers },
	    text_done, req) == -1) {
		ps->outstanding--;
		ps->texts--;
		goto fail;
	}
	free(url);
	return 0;
fail:
	/* The record's strings are the post's now: its id is named from it. */
	psrc_set_error(ps, "record %s: out of memory", it->info_code);
	free(req);
	free(url);
	record_post_free(it);
	return -1;
}

/* The most text requests of one source in flight at once: twice the places
 * of a host, so that the next ones wait in the fetch engine's queue when a
 * place frees. */
static int
psrc_window(const struct psrc *ps)
{
	const struct conf *c = ps->p->c;

	/* Both limits are 1 to 1024 (conf.c). */
	return 2 * (int)(c->max_per_host < c->max_transfers ? c->max_per_host :
	    c->max_transfers);
}

/*
 * The records a list not yet read is expected to hold: the mean of the
 * lists read so far, and at first half the budget, so that the first
 * polls of a run send two lists, then as many as that mean allows.
 */
static size_t
scheduler_list_estimate(const struct scheduler *p)
{
	if (p->listed == 0)
		return SCHEDULER_HOLD / 2;
	return (p->listed_records + p->listed - 1) / p->listed;
}

/* Brings PS's charge up to date: the records its list holds still to be
 * looked at, or the estimate of its list while that is in flight. */
static void
psrc_recharge(struct psrc *ps)
{
	struct scheduler *p = ps->p;
	size_t charge = ps->listing ? scheduler_list_estimate(p) :
	    ps->list.n - ps->cursor;

	p->charged = p->charged - ps->charge + charge;
	ps->charge = charge;
}

/*
 * Moves PS's cursor on until its window of text requests is full or its
 * list is at its end: a record already in the store or in flight is
 * dropped, a new one has its text requested.  A list at its end is freed.
 * Then sources waiting for admission may have room.
 */
static void
psrc_pump(struct psrc *ps)
{
	int window = psrc_window(ps);

	/* A request that fails at once calls back from inside fetch_start:
	 * the loop below goes on where that call left it. */
	if (ps->pumping)
		return;
	ps->pumping = 1;
	while (ps->texts < window && ps->cursor < ps->list.n) {
		struct record *rec = &ps->list.v[ps->cursor++];
		int known;

		if ((known = store_post_exists(ps->p->st, rec->id)) == -1) {
			psrc_set_error(ps, "database error");
			ps->cursor = ps->list.n;
		} else if (!known && tfind(rec->id, &ps->p->inflight,
		    scheduler_strcmp) == NULL && psrc_fetch_text(ps, rec) == -1)
			ps->cursor = ps->list.n;
		record_clear(rec);
	}
	if (ps->cursor == ps->list.n) {
		record_list_clear(&ps->list);
		ps->cursor = 0;
	}
	ps->pumping = 0;
	psrc_recharge(ps);
	scheduler_admit(ps->p);
}

/*
 * Reads a list response into PS's list, keeping the records that may be
 * new: those that are unfit or filtered out are logged, counted and freed
 * now, and the list shrunk to what is left, which psrc_pump takes in turn.
 */
static void
psrc_take_list(struct psrc *ps, const struct fetch_result *r)
{
	struct record_list *list = &ps->list;
	struct source_response resp;
	char err[256];
	size_t kept = 0;

	scheduler_response(r, &resp);
	if (source_parse_list(ps->sc, &resp, r->body, r->len, list, err,
	    sizeof(err)) == -1) {
		psrc_set_error(ps, "list %s: %s", r->url, err);
		return;
	}
	log_debug("source %s: list %s read as %s", ps->sc->name, r->url,
	    resp.charset);
	for (size_t i = 0; i < list->n; i++) {
		struct record *rec = &list->v[i];

		if (rec->skip != NULL) {
			log_warnx("source %s: record %s skipped: %s%s", ps->sc->name,
			    rec->id && *rec->id ? rec->id : "(no id)",
			    record_skip_explain(ps->sc, rec, resp.charset, err,
			    sizeof(err)), rec->skip == record_undecoded ?
			    " of the list" : "");
			ps->skipped++;
			record_clear(rec);
			continue;
		}
		/* Filtered out: neither fetched nor written, but counted. */
		if (!record_title_wanted(ps->sc, rec->title)) {
			log_debug("source %s: record %s filtered out", ps->sc->name,
			    rec->id);
			ps->filtered++;
			record_clear(rec);
			continue;
		}
		if (kept != i) {
			list->v[kept] = *rec;
			memset(rec, 0, sizeof(*rec));
		}
		kept++;
	}
	list->n = kept;
	record_list_shrink(list);
	ps->cursor = 0;
	ps->unanswered = 0;
	ps->p->listed++;
	ps->p->listed_records += kept;
}

/* PS's list request is over (its charge comes with psrc_pump's). */
static void
psrc_listed(struct psrc *ps)
{
	ps->listing = 0;
	ps->p->nlisting--;
	ps->p->nspare -= ps->spare;
	ps->spare = 0;
}

static void
list_done(void *arg, const struct fetch_result *r)
{
	struct psrc *ps = arg;

	if (r->cancelled)
		return;
	psrc_listed(ps);
	metrics_request(ps->p->metrics, ps->sc->name, METRICS_LIST,
	    !r->ok ? METRICS_FAILED : r->status == 304 ? METRICS_NOT_MODIFIED :
	    METRICS_OK, r->bytes, r->seconds);
	if (!r->ok) {
		ps->retry_after = r->retry_after;
		psrc_set_error(ps, "list %s: %s%s", r->url, r->error, r->too_large ?
		    "; max_list_size raises the limit" : "");
	} else if (r->status == 304) {
		ps->not_modified = 1;
	} else {
		if ((r->etag && !(ps->etag = strdup(r->etag))) ||
		    (r->last_modified && !(ps->last_modified = strdup(r->last_modified))))
			psrc_set_error(ps, "out of memory");
		psrc_take_list(ps, r);
	}
	/* Its first texts, or, with none to fetch, room for another source. */
	psrc_pump(ps);
	if (--ps->outstanding == 0)
		psrc_done(ps);
}

/* Sends PS's list request: the start of its poll proper. */
static void
psrc_request_list(struct psrc *ps)
{
	struct scheduler *p = ps->p;
	struct store_source s;
	char hash[17];

	ps->started = ev_now(p->loop);
	if (store_source_get(p->st, ps->sc->name, &s) == -1)
		memset(&s, 0, sizeof(s));
	ps->outstanding = 1;
	ps->listing = 1;
	p->nlisting++;
	p->nspare += ps->spare;
	psrc_recharge(ps);
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
	    .user_agent = ps->sc->user_agent, .headers = ps->sc->headers,
	    .max_size = (size_t)ps->sc->max_list_size }, list_done, ps) == -1) {
		ps->outstanding = 0;
		psrc_listed(ps);
		psrc_recharge(ps);
		psrc_set_error(ps, "cannot start the list request");
		psrc_done(ps);
	}
	store_source_clear(&s);
}

/* 1 when the fetch engine would start PS's list and its texts at once. */
static int
psrc_has_room(const struct psrc *ps)
{
	return fetch_has_room(ps->p->f, ps->sc->list_url) &&
	    fetch_has_room(ps->p->f, ps->sc->text_url);
}

/*
 * The waiting source to admit now, taken out of the line, or NULL: the
 * first in line, within the budget and the lists in flight; else, when no
 * list let in on room alone is in flight, the first of the next
 * SCHEDULER_LOOK whose hosts have room, so that sources waiting for a slow
 * host do not hold up those of another.
 */
static struct psrc *
scheduler_next_admitted(struct scheduler *p)
{
	struct psrc **at = &p->held_head, *prev = NULL, *ps;
	int spare = 0;

	if (*at == NULL)
		return NULL;
	if (p->nlisting >= (size_t)p->c->max_transfers || (p->charged > 0 &&
	    p->charged + scheduler_list_estimate(p) > SCHEDULER_HOLD)) {
		if (p->nspare > 0 || !fetch_has_room(p->f, NULL))
			return NULL;
		for (int i = 1; !psrc_has_room(*at); i++) {
			if (i == SCHEDULER_LOOK || (*at)->next_held == NULL)
				return NULL;
			prev = *at;
			at = &prev->next_held;
		}
		spare = 1;
	}
	ps = *at;
	*at = ps->next_held;
	if (p->held_tail == ps)
		p->held_tail = prev;
	ps->next_held = NULL;
	ps->held_back = 0;
	ps->spare = spare;
	return ps;
}

/* Starts the polls of the sources waiting for admission while there is
 * room. */
static void
scheduler_admit(struct scheduler *p)
{
	struct psrc *ps;

	/* A list request that fails at once ends its poll from inside this
	 * loop, and may ask for another: the loop takes it in its turn. */
	if (p->admitting)
		return;
	p->admitting = 1;
	while ((ps = scheduler_next_admitted(p)) != NULL)
		psrc_request_list(ps);
	p->admitting = 0;
}

/* PS asks to poll: it is busy from now on, and waits for its turn. */
static void
psrc_start(struct psrc *ps)
{
	struct scheduler *p = ps->p;

	/* One that has not sent its list yet will see what is new now. */
	if (ps->busy) {
		if (!ps->held_back)
			ps->again = 1;
		return;
	}
	ev_timer_stop(p->loop, &ps->timer);
	ps->busy = 1;
	p->nbusy++;
	ps->failed = ps->hard = ps->written = ps->skipped = ps->filtered = 0;
	ps->not_modified = 0;
	ps->queued = 0;
	ps->retry_after = -1;
	ps->unwritten = 0;
	ps->held_back = 1;
	if (p->held_tail != NULL)
		p->held_tail->next_held = ps;
	else
		p->held_head = ps;
	p->held_tail = ps;
	scheduler_admit(p);
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
		record_list_clear(&p->v[i].list);
		free(p->v[i].ids);
		free(p->v[i].etag);
		free(p->v[i].last_modified);
		free(p->v[i].error);
	}
	free(p->v);
	p->v = NULL;
	p->n = 0;
	p->nbusy = p->nwaiting = 0;
	p->held_head = p->held_tail = NULL;
	p->charged = p->nlisting = p->nspare = 0;
}

/* A post of source SOURCE could not be written: its poll fails, so that its
 * list is read again in full and the post fetched again. */
static void
scheduler_unwritten(void *arg, const char *source, const char *info_code)
{
	struct scheduler *p = arg;

	(void)info_code;
	for (size_t i = 0; i < p->n; i++)
		if (strcmp(p->v[i].sc->name, source) == 0) {
			p->v[i].unwritten++;
			return;
		}
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
	batch_on_fail(b, scheduler_unwritten, p);
	p->once = once;
	p->site.media_slug = scheduler_media_slug;
	p->site.page_exists = scheduler_page_exists;
	p->site.pages_each = scheduler_pages_each;
	p->site.reading = scheduler_reading;
	p->site.remember = scheduler_remember;
	p->site.arg = p;
	srandom((unsigned)time(NULL) ^ (unsigned)getpid());
	ev_init(&p->flush_timer, scheduler_flush_cb);
	p->flush_timer.data = p;
	if ((p->total = store_posts_count(p->st, NULL)) < 0)
		p->total = 0;
	if (scheduler_build(p) == -1) {
		free(p);
		return NULL;
	}
	ev_async_init(&p->written, scheduler_written_cb);
	p->written.data = p;
	ev_async_start(loop, &p->written);
	ev_unref(loop);   /* the loop of --once ends when the polls do */
	/* The records of one turn of the loop share a read transaction. */
	store_hold(st, 1);
	ev_prepare_init(&p->release, scheduler_release_cb);
	p->release.data = p;
	ev_prepare_start(loop, &p->release);
	ev_unref(loop);
	batch_on_written(b, scheduler_wake, p);
	scheduler_spread(p);
	return p;
}

void
scheduler_destroy(struct scheduler *p)
{
	if (p == NULL)
		return;
	ev_timer_stop(p->loop, &p->flush_timer);
	batch_on_written(p->batch, NULL, NULL);
	batch_on_fail(p->batch, NULL, NULL);
	ev_ref(p->loop);
	ev_async_stop(p->loop, &p->written);
	ev_ref(p->loop);
	ev_prepare_stop(p->loop, &p->release);
	store_hold(p->st, 0);
	scheduler_unbuild(p);
	strmap_clear(&p->slugs);
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
scheduler_on_applied(struct scheduler *p, scheduler_applied_fn *fn, void *arg)
{
	p->applied_fn = fn;
	p->applied_arg = arg;
}

void
scheduler_set_metrics(struct scheduler *p, struct metrics *m)
{
	p->metrics = m;
}

void
scheduler_all_now(struct scheduler *p)
{
	for (size_t i = 0; i < p->n; i++)
		psrc_start(&p->v[i]);
}

/*
 * The first polls after a start or a reload: a --once run, and a daemon of
 * up to SCHEDULER_SPREAD_MIN sources, polls every source now (one round,
 * one feeds rewrite, one on_update); a daemon of more spreads them over the
 * shortest interval, source by source in their order, so that thousands of
 * sources do not send their lists together and then nothing for the rest
 * of the interval.  SIGUSR1 (all_now) still polls every source at once.
 */
static void
scheduler_spread(struct scheduler *p)
{
	double step, interval = 0;

	if (p->once || p->n <= SCHEDULER_SPREAD_MIN) {
		scheduler_all_now(p);
		return;
	}
	for (size_t i = 0; i < p->n; i++)
		if (i == 0 || (double)p->v[i].sc->interval < interval)
			interval = (double)p->v[i].sc->interval;
	step = interval / (double)p->n;
	psrc_start(&p->v[0]);
	for (size_t i = 1; i < p->n; i++) {
		ev_timer_set(&p->v[i].timer, step * (double)i, 0.);
		ev_timer_start(p->loop, &p->v[i].timer);
	}
}

int
scheduler_busy(const struct scheduler *p)
{
	return p->nbusy > 0;
}

int
scheduler_reload_pending(const struct scheduler *p)
{
	return p->pending != NULL;
}

int
scheduler_failed(const struct scheduler *p)
{
	int n = 0;

	/* From memory: reading every source's row after every poll made a
	 * cycle over thousands of sources quadratic. */
	for (size_t i = 0; i < p->n; i++)
		if (p->v[i].failures > 0)
			n++;
	return n;
}

int
scheduler_feeds_failed(const struct scheduler *p)
{
	return p->feeds_failed;
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
	/* The batch under the old configuration was flushed above. */
	if (p->applied_fn != NULL)
		p->applied_fn(p->applied_arg);
	strmap_clear(&p->slugs);
	if (scheduler_build(p) == -1) {
		log_warn("reload");
		return;
	}
	log_info("configuration %s loaded: %zu sources", c->path, p->n);
	notify_ready();
	scheduler_spread(p);
}

void
scheduler_reload(struct scheduler *p, struct conf *c)
{
	conf_destroy(p->pending);
	p->pending = c;
	if (!scheduler_busy(p))
		scheduler_apply(p);
}

/*
 * One info line per round of polls (the polls that ended together, or the
 * whole of a --once run), whatever it found: the operator sees that polling
 * goes on even when nothing is new, without a line per source.
 */
static void
scheduler_log_round(struct scheduler *p, int written)
{
	char failed[48] = "";

	if (p->round_polled == 0)
		return;
	if (p->round_failed > 0)
		snprintf(failed, sizeof(failed), ", %d failed", p->round_failed);
	if (written > 0)
		log_info("poll of %d %s: %d new %s%s", p->round_polled,
		    p->round_polled == 1 ? "source" : "sources", written,
		    written == 1 ? "post" : "posts", failed);
	else
		log_info("poll of %d %s: nothing new%s", p->round_polled,
		    p->round_polled == 1 ? "source" : "sources", failed);
	p->round_polled = p->round_failed = 0;
}

/* Called whenever a source's poll ends: feeds, reload, the end of --once. */
static void
scheduler_idle(struct scheduler *p)
{
	int n;

	if (scheduler_busy(p))
		return;
	/* The polls ended once their rows were committed; any left over (a
	 * poll's failure ends it sooner) are committed before the feeds read
	 * the store and the archive begins a transaction of its own. */
	(void)batch_commit(p->batch);
	/* The feeds of every category that changed, once for all the polls
	 * that ended together; after a failure, again after the next poll. */
	p->feeds_failed = feeds_write(p->feeds) == -1;
	if (p->feeds_failed)
		log_warnx("feeds not written; tried again after the next poll");
	n = p->posts_since_feeds;
	p->posts_since_feeds = 0;
	scheduler_log_round(p, n);
	(void)metrics_write(p->metrics, p->c, p->st);
	if (p->wrote_fn != NULL)
		p->wrote_fn(p->wrote_arg, n);
	scheduler_status(p, n);
	if (p->pending != NULL)
		scheduler_apply(p);
	else if (p->once)
		ev_break(p->loop, EVBREAK_ALL);
}
