/*
 * test_scheduler: the poll of a source, from list to posts, with a fake
 * fetch engine (this file's fetch_* replace fetch.c at link time: the test
 * answers each request by hand).  The paths no end-to-end test reaches
 * deterministically: a list that does not parse (the source backs off), a
 * text that does not parse (the poll fails, the list's validators are not
 * kept, the source does not back off, the record is fetched again), a post
 * that cannot be written (the poll fails, the post is fetched again), a
 * 304 (nothing fetched, nothing written), and the list's size cap (the
 * source's max_list_size, and the message of a list refused for its size).
 */
#include "config.h"

#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>
#include <ev.h>

#include "batch.h"
#include "fault.h"
#include "feeds.h"
#include "fetch.h"
#include "repair.h"
#include "scheduler.h"
#include "source.h"
#include "store.h"

/* ---------------------------------------------------------------- fake fetch */

struct req {
	char url[256];
	int conditional;
	size_t max_size;
	fetch_done_fn *cb;
	void *arg;
};

static struct req reqs[1024];
static size_t nreqs;
static int fake_fetch;

struct fetch *
fetch_create(struct ev_loop *loop, const struct fetch_opts *o)
{
	(void)loop, (void)o;
	return (struct fetch *)&fake_fetch;
}

void
fetch_destroy(struct fetch *f)
{
	(void)f;
	for (size_t i = 0; i < nreqs; i++) {
		struct fetch_result r = { .cancelled = 1, .url = reqs[i].url };

		reqs[i].cb(reqs[i].arg, &r);
	}
	nreqs = 0;
}

int
fetch_set_opts(struct fetch *f, const struct fetch_opts *o)
{
	(void)f, (void)o;
	return 0;
}

int
fetch_start(struct fetch *f, const struct fetch_req *rq, fetch_done_fn *cb,
    void *arg)
{
	(void)f;
	assert_true(nreqs < sizeof(reqs) / sizeof(reqs[0]));
	snprintf(reqs[nreqs].url, sizeof(reqs[nreqs].url), "%s", rq->url);
	reqs[nreqs].conditional = rq->etag != NULL || rq->last_modified != NULL;
	reqs[nreqs].max_size = rq->max_size;
	reqs[nreqs].cb = cb;
	reqs[nreqs].arg = arg;
	nreqs++;
	return 0;
}

int
fetch_post(struct fetch *f, const char *url, const char *form,
    fetch_done_fn *cb, void *arg)
{
	struct fetch_req rq = { .url = url };

	(void)form;
	return fetch_start(f, &rq, cb, arg);
}

/* Answers the request whose URL contains KEY with STATUS and BODY. */
static void
answer(const char *key, long status, const char *body, const char *etag)
{
	for (size_t i = 0; i < nreqs; i++) {
		if (strstr(reqs[i].url, key) == NULL)
			continue;
		struct req q = reqs[i];
		struct fetch_result r = {
			.ok = status == 200 || status == 304, .status = status,
			.body = body != NULL ? body : "", .len = body != NULL ? strlen(body) : 0,
			.error = status == 200 || status == 304 ? NULL : "HTTP 500",
			.etag = etag, .retry_after = -1, .url = q.url,
		};

		memmove(&reqs[i], &reqs[i + 1], (nreqs - i - 1) * sizeof(reqs[0]));
		nreqs--;
		q.cb(q.arg, &r);
		return;
	}
	fail_msg("no request for %s", key);
}

/* ---------------------------------------------------------------- fixture */

struct fixture {
	char dir[64], conf[96], db[96];
	struct ev_loop *loop;
	struct store *st;
	struct feeds *feeds;
	struct batch *batch;
	struct scheduler *sched;
	struct conf *c;
};

static int
rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb, (void)flag, (void)ftw;
	return remove(path);
}

static int
setup_with(void **state, const char *more)
{
	struct fixture *f = calloc(1, sizeof(*f));
	char err[512];
	FILE *fp;

	if (f == NULL)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "/tmp/test_scheduler.XXXXXX");
	if (mkdtemp(f->dir) == NULL)
		return -1;
	snprintf(f->conf, sizeof(f->conf), "%s/finewsd.conf", f->dir);
	snprintf(f->db, sizeof(f->db), "%s/finewsd.db", f->dir);
	if ((fp = fopen(f->conf, "w")) == NULL)
		return -1;
	fprintf(fp, "[finewsd]\ndatabase = %s\nsite_dir = %s/site\n"
	    "site_url = https://finews.withounder.com\ninterval = 600\n\n"
	    "[source s]\nlist_url = http://127.0.0.1:9/list\nlist_items = record\n"
	    "id_field = infoCode\ntitle_field = title\ndate_field = datetime\n"
	    "media_field = medianame\ntext_url = http://127.0.0.1:9/text?id={id}\n"
	    "text_field = text\nlink = http://x/{id}\n%s", f->db, f->dir, more);
	fclose(fp);
	if ((f->c = conf_load(f->conf, err, sizeof(err))) == NULL) {
		fprintf(stderr, "%s\n", err);
		return -1;
	}
	f->loop = ev_loop_new(EVFLAG_AUTO);
	if ((f->st = store_open(f->db, err, sizeof(err))) == NULL ||
	    (f->feeds = feeds_create(f->c, f->st)) == NULL ||
	    (f->batch = batch_create(f->c, f->st, f->feeds)) == NULL ||
	    repair_run(f->c, f->st, f->feeds) == -1)
		return -1;
	nreqs = 0;
	fault_arm(NULL);
	f->sched = scheduler_create(f->loop, f->c,
	    f->st, fetch_create(f->loop, NULL), f->batch, f->feeds, 0);
	if (f->sched == NULL)
		return -1;
	*state = f;
	return 0;
}

static int
setup(void **state)
{
	return setup_with(state, "");
}

/* A second source, t, on other URLs. */
static int
setup2(void **state)
{
	return setup_with(state, "\n[source t]\nlist_url = http://127.0.0.1:9/tlist\n"
	    "list_items = record\nid_field = infoCode\ntitle_field = title\n"
	    "date_field = datetime\nmedia_field = medianame\n"
	    "text_url = http://127.0.0.1:9/ttext?id={id}\ntext_field = text\n"
	    "link = http://x/{id}\n");
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	fault_arm(NULL);
	fetch_destroy(NULL);
	scheduler_destroy(f->sched);
	batch_destroy(f->batch);
	feeds_destroy(f->feeds);
	store_close(f->st);
	ev_loop_destroy(f->loop);
	source_cleanup();
	(void)nftw(f->dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	free(f);
	return 0;
}

#define LIST2 "{\"record\": [" \
	"{\"infoCode\": \"NW1\", \"title\": \"一\", \"datetime\": \"2024-01-15 10:00:00\", \"medianame\": \"财联社\"}," \
	"{\"infoCode\": \"NW2\", \"title\": \"二\", \"datetime\": \"2024-01-15 10:01:00\", \"medianame\": \"财联社\"}]}"
#define TEXT "{\"text\": \"<p>正文</p>\"}"

static void
source_state(struct fixture *f, struct store_source *s)
{
	assert_int_equal(store_source_get(f->st, "s", s), 0);
}

/* A full poll: the list, then both texts; the validators are kept. */
static void
test_poll(void **state)
{
	struct fixture *f = *state;
	struct store_source s;

	assert_int_equal(nreqs, 1);
	answer("/list", 200, LIST2, "\"v1\"");
	assert_int_equal(nreqs, 2);
	answer("id=NW1", 200, TEXT, NULL);
	answer("id=NW2", 200, TEXT, NULL);
	assert_int_equal(store_post_exists(f->st, "NW1"), 1);
	assert_int_equal(store_post_exists(f->st, "NW2"), 1);
	source_state(f, &s);
	assert_int_equal(s.failures, 0);
	assert_string_equal(s.etag, "\"v1\"");
	assert_true(s.next_poll - s.last_poll >= 600);
	store_source_clear(&s);
	/* The next poll is conditional, and a 304 fetches no text. */
	scheduler_all_now(f->sched);
	assert_int_equal(nreqs, 1);
	assert_true(reqs[0].conditional);
	answer("/list", 304, NULL, NULL);
	assert_int_equal(nreqs, 0);
	assert_int_equal(scheduler_failed(f->sched), 0);
}

/* A list that does not parse fails the poll and backs the source off. */
static void
test_bad_list(void **state)
{
	struct fixture *f = *state;
	struct store_source s;

	answer("/list", 200, "{not json", NULL);
	assert_int_equal(nreqs, 0);
	source_state(f, &s);
	assert_int_equal(s.failures, 1);
	assert_true(s.next_poll - s.last_poll <= 31);
	store_source_clear(&s);
	assert_int_equal(scheduler_failed(f->sched), 1);
}

/*
 * The list is asked for with the source's max_list_size (8 MiB unless set),
 * a text with the engine's cap; a list refused for its size fails the poll
 * with a message that names the URL, the limit and the key that raises it.
 */
static void
test_list_size(void **state)
{
	struct fixture *f = *state;
	struct store_source s;
	struct fetch_result r = { .status = 200, .body = "", .retry_after = -1,
	    .too_large = 1, .error = "response larger than 8 MiB (8388608 bytes)" };
	struct req q;

	assert_int_equal(nreqs, 1);
	assert_int_equal(reqs[0].max_size, 8 << 20);
	answer("/list", 200, LIST2, NULL);
	assert_int_equal(nreqs, 2);
	assert_int_equal(reqs[0].max_size, 0);
	assert_int_equal(reqs[1].max_size, 0);
	answer("id=NW1", 200, TEXT, NULL);
	answer("id=NW2", 200, TEXT, NULL);

	scheduler_all_now(f->sched);
	assert_int_equal(nreqs, 1);
	q = reqs[0];
	nreqs = 0;
	r.url = q.url;
	q.cb(q.arg, &r);
	source_state(f, &s);
	assert_int_equal(s.failures, 1);
	assert_string_equal(s.result, "list http://127.0.0.1:9/list: response "
	    "larger than 8 MiB (8388608 bytes); max_list_size raises the limit");
	store_source_clear(&s);
}

/* A text that does not parse fails the poll, but the source keeps its
 * interval; the list is read again in full, the record fetched again. */
static void
test_bad_text(void **state)
{
	struct fixture *f = *state;
	struct store_source s;

	answer("/list", 200, LIST2, "\"v1\"");
	answer("id=NW1", 200, TEXT, NULL);
	answer("id=NW2", 200, "<html>not json", NULL);
	assert_int_equal(store_post_exists(f->st, "NW1"), 1);
	assert_int_equal(store_post_exists(f->st, "NW2"), 0);
	source_state(f, &s);
	assert_int_equal(s.failures, 1);
	assert_null(s.etag);
	assert_true(s.next_poll - s.last_poll >= 600);
	store_source_clear(&s);
	scheduler_all_now(f->sched);
	assert_false(reqs[0].conditional);
	answer("/list", 200, LIST2, "\"v1\"");
	assert_int_equal(nreqs, 1);		/* NW2 only */
	answer("id=NW2", 200, TEXT, NULL);
	assert_int_equal(store_post_exists(f->st, "NW2"), 1);
	assert_int_equal(scheduler_failed(f->sched), 0);
}

/* A post that cannot be written fails the poll; it is fetched again. */
static void
test_unwritten(void **state)
{
	struct fixture *f = *state;
	struct store_source s;

	answer("/list", 200, LIST2, "\"v1\"");
	fault_arm("rename:fail:1");
	answer("id=NW1", 200, TEXT, NULL);
	answer("id=NW2", 200, TEXT, NULL);
	/* The batch failed, then each post alone: both written. */
	assert_int_equal(store_post_exists(f->st, "NW1"), 1);
	assert_int_equal(store_post_exists(f->st, "NW2"), 1);
	source_state(f, &s);
	assert_int_equal(s.failures, 0);
	store_source_clear(&s);
	/* Now one post fails on its own too: its poll fails. */
	scheduler_all_now(f->sched);
	answer("/list", 200, "{\"record\": [{\"infoCode\": \"NW3\", \"title\": \"三\","
	    " \"datetime\": \"2024-01-15 10:03:00\", \"medianame\": \"财联社\"}]}", "\"v2\"");
	fault_arm("rename:fail:1");
	answer("id=NW3", 200, TEXT, NULL);
	assert_int_equal(store_post_exists(f->st, "NW3"), 0);
	source_state(f, &s);
	assert_int_equal(s.failures, 1);
	assert_null(s.etag);
	store_source_clear(&s);
}


/* A list of N records NW<from>.. as JSON, malloc'd. */
static char *
list_of(int from, int n)
{
	size_t cap = 64 + (size_t)n * 128, len;
	char *b = malloc(cap);

	assert_non_null(b);
	len = (size_t)snprintf(b, cap, "{\"record\": [");
	for (int i = from; i < from + n; i++)
		len += (size_t)snprintf(b + len, cap - len, "%s{\"infoCode\": \"NW%d\", "
		    "\"title\": \"t\", \"datetime\": \"2024-01-15 10:00:00\", "
		    "\"medianame\": \"财联社\"}", i > from ? "," : "", i);
	snprintf(b + len, cap - len, "]}");
	return b;
}

/*
 * A source whose posts filled a batch ends when the batch's writer thread
 * is done with them, without waiting for another source still fetching
 * (nor for the flush timer): its state is saved then, the other's later.
 */
static void
test_writer_ends_poll(void **state)
{
	struct fixture *f = *state;
	char *ls = list_of(0, BATCH_SIZE), *lt = list_of(BATCH_SIZE, 2);
	struct store_source s;
	ev_tstamp t0;

	assert_int_equal(nreqs, 2);
	answer("/list", 200, ls, "\"s1\"");
	answer("/tlist", 200, lt, "\"t1\"");
	/* Every text of s; t's two wait. */
	while (nreqs > 2) {
		size_t i = 0;

		while (strstr(reqs[i].url, "/text?") == NULL)
			i++;
		answer(reqs[i].url, 200, TEXT, NULL);
	}
	assert_true(scheduler_busy(f->sched));
	ev_now_update(f->loop);
	t0 = ev_now(f->loop);
	for (int i = 0; i < 1000; i++) {
		source_state(f, &s);
		if (s.etag != NULL)
			break;
		store_source_clear(&s);
		ev_run(f->loop, EVRUN_ONCE);
	}
	assert_non_null(s.etag);
	assert_string_equal(s.etag, "\"s1\"");
	store_source_clear(&s);
	ev_now_update(f->loop);
	assert_true(ev_now(f->loop) - t0 < 0.9);	/* not the flush timer */
	assert_int_equal(store_post_exists(f->st, "NW0"), 1);
	assert_int_equal(store_post_exists(f->st, "NW511"), 1);
	assert_int_equal(store_post_exists(f->st, "NW512"), 0);
	assert_true(scheduler_busy(f->sched));
	answer("ttext?id=NW512", 200, TEXT, NULL);
	answer("ttext?id=NW513", 200, TEXT, NULL);
	assert_int_equal(store_post_exists(f->st, "NW513"), 1);
	assert_false(scheduler_busy(f->sched));
	assert_int_equal(store_source_get(f->st, "t", &s), 0);
	assert_string_equal(s.etag, "\"t1\"");
	store_source_clear(&s);
	assert_int_equal(scheduler_failed(f->sched), 0);
	free(ls);
	free(lt);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_poll, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_list, setup, teardown),
		cmocka_unit_test_setup_teardown(test_list_size, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_text, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unwritten, setup, teardown),
		cmocka_unit_test_setup_teardown(test_writer_ends_poll, setup2, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
