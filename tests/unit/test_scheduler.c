/*
 * test_scheduler: the poll of a source, from list to posts, with a fake
 * fetch engine (this file's fetch_* replace fetch.c at link time: the test
 * answers each request by hand).  The paths no end-to-end test reaches
 * deterministically: a list that does not parse (the source backs off), a
 * text that does not parse (the poll fails, the list's validators are not
 * kept, the source does not back off, the record is fetched again), a post
 * that cannot be written (the poll fails, the post is fetched again), and a
 * 304 (nothing fetched, nothing written).  Then what keeps memory to the
 * work in hand: the window of a source's text requests (never more in
 * flight, every record still fetched once, in the list's order), and the
 * admission of sources to poll (those beyond the budget of records held
 * wait, then run; a source or lists that stall do not stop those of other
 * hosts).  The list's size cap (the source's max_list_size, and the
 * message of a list refused for its size).  A source whose posts filled a
 * batch ends when the batch writer is done with them.  The scheduler is
 * built with SCHEDULER_HOLD = 64 for this test.
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
static int fake_room;		/* what fetch_has_room says, */
static const char *fake_full;	/* but for URLs that hold this */
static char asked[1024][64];	/* every URL asked for, in order */
static size_t nasked;

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
	if (nasked < sizeof(asked) / sizeof(asked[0]))
		snprintf(asked[nasked++], sizeof(asked[0]), "%s", rq->url);
	return 0;
}

int
fetch_has_room(const struct fetch *f, const char *url)
{
	(void)f;
	return fake_room && (url == NULL || fake_full == NULL ||
	    strstr(url, fake_full) == NULL);
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

/* The requests in flight whose URL contains KEY. */
static size_t
in_flight(const char *key)
{
	size_t n = 0;

	for (size_t i = 0; i < nreqs; i++)
		if (strstr(reqs[i].url, key) != NULL)
			n++;
	return n;
}

/* The requests ever made whose URL contains KEY. */
static size_t
ever_asked(const char *key)
{
	size_t n = 0;

	for (size_t i = 0; i < nasked; i++)
		if (strstr(asked[i], key) != NULL)
			n++;
	return n;
}

/* Answers the oldest request whose URL contains KEY with a text. */
static void
answer_text(const char *key)
{
	answer(key, 200, "{\"text\": \"<p>正文</p>\"}", NULL);
}

/* A list of the records PREFIX<FROM> to PREFIX<TO> (3 digits), then PREFIX<DUP>
 * again when DUP is not 0, into BUF[SIZE]. */
static const char *
make_list(char *buf, size_t size, const char *prefix, int from, int to, int dup)
{
	size_t n = (size_t)snprintf(buf, size, "{\"record\": [");

	for (int i = from; i <= to + (dup != 0); i++) {
		int id = i <= to ? i : dup;

		n += (size_t)snprintf(buf + n, size - n, "%s{\"infoCode\": \"%s%03d\","
		    " \"title\": \"t%d\", \"datetime\": \"2024-01-15 %02d:%02d:00\","
		    " \"medianame\": \"财联社\"}", i > from ? "," : "", prefix, id, id,
		    10 + id / 60, id % 60);
		assert_true(n < size);
	}
	snprintf(buf + n, size - n, "]}");
	return buf;
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

/* The one source of most tests. */
static const char one_source[] =
    "[source s]\nlist_url = http://127.0.0.1:9/list\nlist_items = record\n"
    "id_field = infoCode\ntitle_field = title\ndate_field = datetime\n"
    "media_field = medianame\ntext_url = http://127.0.0.1:9/text?id={id}\n"
    "text_field = text\nlink = http://x/{id}\n";

/* Three sources, on hosts of their own: /list1 with its texts at /t1?id=,
 * and so on; at most 2 transfers per host, so a window of 4 texts. */
static const char three_sources[] =
    "max_per_host = 2\n\n"
    "[source s1]\nlist_url = http://127.0.0.1:1/list1\nmedia_field = medianame\n"
    "text_url = http://127.0.0.1:1/t1?id={id}\nlink = http://x/{id}\n\n"
    "[source s2]\nlist_url = http://127.0.0.1:2/list2\nmedia_field = medianame\n"
    "text_url = http://127.0.0.1:2/t2?id={id}\nlink = http://x/{id}\n\n"
    "[source s3]\nlist_url = http://127.0.0.1:3/list3\nmedia_field = medianame\n"
    "text_url = http://127.0.0.1:3/t3?id={id}\nlink = http://x/{id}\n";

/* Four: s3 shares s1's host. */
static const char four_sources[] =
    "max_per_host = 2\n\n"
    "[source s1]\nlist_url = http://127.0.0.1:1/list1\nmedia_field = medianame\n"
    "text_url = http://127.0.0.1:1/t1?id={id}\nlink = http://x/{id}\n\n"
    "[source s2]\nlist_url = http://127.0.0.1:2/list2\nmedia_field = medianame\n"
    "text_url = http://127.0.0.1:2/t2?id={id}\nlink = http://x/{id}\n\n"
    "[source s3]\nlist_url = http://127.0.0.1:1/list3\nmedia_field = medianame\n"
    "text_url = http://127.0.0.1:1/t3?id={id}\nlink = http://x/{id}\n\n"
    "[source s4]\nlist_url = http://127.0.0.1:4/list4\nmedia_field = medianame\n"
    "text_url = http://127.0.0.1:4/t4?id={id}\nlink = http://x/{id}\n";

/* Two lists at most in flight, one transfer per host (a window of 2):
 * s1 and s2 on one host, s3 and s4 each on its own. */
static const char hung_sources[] =
    "max_transfers = 2\nmax_per_host = 1\n\n"
    "[source s1]\nlist_url = http://127.0.0.1:1/list1\nmedia_field = medianame\n"
    "text_url = http://127.0.0.1:1/t1?id={id}\nlink = http://x/{id}\n\n"
    "[source s2]\nlist_url = http://127.0.0.1:1/list2\nmedia_field = medianame\n"
    "text_url = http://127.0.0.1:1/t2?id={id}\nlink = http://x/{id}\n\n"
    "[source s3]\nlist_url = http://127.0.0.1:3/list3\nmedia_field = medianame\n"
    "text_url = http://127.0.0.1:3/t3?id={id}\nlink = http://x/{id}\n\n"
    "[source s4]\nlist_url = http://127.0.0.1:4/list4\nmedia_field = medianame\n"
    "text_url = http://127.0.0.1:4/t4?id={id}\nlink = http://x/{id}\n";

/* A fixture whose configuration ends with SOURCES. */
static int
setup_with(void **state, const char *sources)
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
	    "site_url = https://finews.withounder.com\ninterval = 600\n%s",
	    f->db, f->dir, sources);
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
	nreqs = nasked = 0;
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
	return setup_with(state, one_source);
}

static int
setup_three(void **state)
{
	return setup_with(state, three_sources);
}

static int
setup_four(void **state)
{
	return setup_with(state, four_sources);
}

/* The fetch engine has room from the start, but at the first host. */
static int
setup_hung(void **state)
{
	fake_room = 1;
	fake_full = ":1/";
	return setup_with(state, hung_sources);
}

/* Two sources, s and t, on other URLs. */
static int
setup2(void **state)
{
	return setup_with(state, "\n[source s]\nlist_url = http://127.0.0.1:9/list\n"
	    "list_items = record\nid_field = infoCode\ntitle_field = title\n"
	    "date_field = datetime\nmedia_field = medianame\n"
	    "text_url = http://127.0.0.1:9/text?id={id}\ntext_field = text\n"
	    "link = http://x/{id}\n\n[source t]\nlist_url = http://127.0.0.1:9/tlist\n"
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
	fake_room = 0;
	fake_full = NULL;
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

/* "NW<i>", and "<prefix>NW<i>", in static buffers. */
static const char *
code_of(int i)
{
	static char b[32];

	snprintf(b, sizeof(b), "NW%d", i);
	return b;
}

static const char *
url_of(const char *prefix, int i)
{
	static char b[64];

	snprintf(b, sizeof(b), "%s%s", prefix, code_of(i));
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
	assert_int_equal(store_post_exists(f->st, code_of(BATCH_SIZE - 1)), 1);
	assert_int_equal(store_post_exists(f->st, code_of(BATCH_SIZE)), 0);
	assert_true(scheduler_busy(f->sched));
	answer(url_of("ttext?id=", BATCH_SIZE), 200, TEXT, NULL);
	answer(url_of("ttext?id=", BATCH_SIZE + 1), 200, TEXT, NULL);
	assert_int_equal(store_post_exists(f->st, code_of(BATCH_SIZE + 1)), 1);
	assert_false(scheduler_busy(f->sched));
	assert_int_equal(store_source_get(f->st, "t", &s), 0);
	assert_string_equal(s.etag, "\"t1\"");
	store_source_clear(&s);
	assert_int_equal(scheduler_failed(f->sched), 0);
	free(ls);
	free(lt);
}

/*
 * A source's texts go out a window at a time (twice max_per_host: 8), in
 * the list's order, each answer letting the next one out; every new record
 * is fetched once, a duplicate in the list and a record already stored not
 * at all.
 */
static void
test_window(void **state)
{
	struct fixture *f = *state;
	char list[8192], id[16];
	size_t most = 0;

	answer("/list", 200, make_list(list, sizeof(list), "A", 1, 20, 7), "\"v1\"");
	assert_int_equal(in_flight("?id="), 8);
	while (nreqs > 0) {
		if (in_flight("?id=") > most)
			most = in_flight("?id=");
		answer_text("?id=");
	}
	assert_int_equal(most, 8);
	assert_int_equal(ever_asked("?id="), 20);
	for (int i = 1; i <= 20; i++) {
		snprintf(id, sizeof(id), "A%03d", i);
		assert_non_null(strstr(asked[i], id));	/* asked[0]: the list */
		assert_int_equal(store_post_exists(f->st, id), 1);
	}
	assert_int_equal(scheduler_failed(f->sched), 0);
	/* A015 to A020 are stored already: only A021 to A030 are fetched. */
	scheduler_all_now(f->sched);
	answer("/list", 200, make_list(list, sizeof(list), "A", 15, 30, 0), "\"v2\"");
	assert_int_equal(in_flight("?id="), 8);
	while (nreqs > 0)
		answer_text("?id=");
	assert_int_equal(ever_asked("?id="), 30);
	assert_int_equal(ever_asked("id=A015"), 1);
	assert_int_equal(store_post_exists(f->st, "A030"), 1);
	assert_int_equal(scheduler_failed(f->sched), 0);
}

/*
 * A host that answers none of a poll's texts (no HTTP response at all)
 * ends the poll after 16 of them in a row, a response of any status
 * counting again from zero; the rest of the list waits for the next poll,
 * which fetches every record the first did not write.
 */
static void
test_unanswered(void **state)
{
	struct fixture *f = *state;
	char list[16384];

	answer("/list", 200, make_list(list, sizeof(list), "A", 1, 100, 0), "\"v1\"");
	for (int i = 0; i < 15; i++)
		answer("?id=", 0, NULL, NULL);
	answer("?id=", 500, NULL, NULL);	/* an answer: the count starts again */
	for (int i = 0; i < 15; i++)
		answer("?id=", 0, NULL, NULL);
	assert_int_equal(ever_asked("?id="), 8 + 31);
	answer("?id=", 0, NULL, NULL);		/* the 16th in a row */
	assert_int_equal(ever_asked("?id="), 8 + 31);
	while (nreqs > 0)
		answer("?id=", 0, NULL, NULL);
	assert_int_equal(ever_asked("?id="), 8 + 31);
	assert_int_equal(scheduler_failed(f->sched), 1);
	assert_int_equal(store_post_exists(f->st, "A001"), 0);
	/* The next poll fetches them all. */
	scheduler_all_now(f->sched);
	answer("/list", 200, make_list(list, sizeof(list), "A", 1, 100, 0), "\"v1\"");
	while (nreqs > 0)
		answer_text("?id=");
	assert_int_equal(ever_asked("?id="), 8 + 31 + 100);
	assert_int_equal(store_post_exists(f->st, "A100"), 1);
	assert_int_equal(scheduler_failed(f->sched), 0);
}

/* The poll of source NAME ended without failing. */
static void
assert_polled(struct fixture *f, const char *name)
{
	struct store_source s;

	assert_int_equal(store_source_get(f->st, name, &s), 0);
	assert_true(s.last_poll > 0);
	assert_int_equal(s.failures, 0);
	store_source_clear(&s);
}

/*
 * With a budget of 64 records held, the first two lists go out (32 each
 * expected at first); the third waits until the records the two hold have
 * been taken down, then runs; a source asked to poll again while it waits
 * is polled once, one mid-poll right after its poll.  Every record of the
 * three is fetched once and written.
 */
static void
test_admission(void **state)
{
	struct fixture *f = *state;
	char list[8192], id[16];
	int answered = 0;

	assert_int_equal(in_flight("/list1"), 1);
	assert_int_equal(in_flight("/list2"), 1);
	assert_int_equal(ever_asked("/list3"), 0);
	answer("/list1", 200, make_list(list, sizeof(list), "B", 1, 40, 0), NULL);
	assert_int_equal(in_flight("/t1"), 4);
	answer("/list2", 200, make_list(list, sizeof(list), "C", 1, 40, 0), NULL);
	assert_int_equal(in_flight("/t2"), 4);
	assert_int_equal(ever_asked("/list3"), 0);
	/* SIGUSR1 now: s1 and s2 poll again after this poll, s3 just once. */
	scheduler_all_now(f->sched);
	while (ever_asked("/list3") == 0) {
		assert_true(in_flight("/t1") <= 4 && in_flight("/t2") <= 4);
		answer_text("?id=");
		answered++;
	}
	/* 72 records held, 40 expected of the third list: 48 had to go. */
	assert_int_equal(answered, 48);
	answer("/list3", 200, make_list(list, sizeof(list), "D", 1, 40, 0), NULL);
	while (in_flight("?id=") > 0) {
		assert_true(in_flight("/t3") <= 4);
		answer_text("?id=");
	}
	for (int i = 1; i <= 40; i++) {
		snprintf(id, sizeof(id), "D%03d", i);
		assert_int_equal(store_post_exists(f->st, id), 1);
		id[0] = 'B';
		assert_int_equal(store_post_exists(f->st, id), 1);
	}
	/* The polls asked for by the signal: nothing new. */
	answer("/list1", 304, NULL, NULL);
	answer("/list2", 304, NULL, NULL);
	assert_int_equal(nreqs, 0);
	assert_int_equal(ever_asked("/list1"), 2);
	assert_int_equal(ever_asked("/list3"), 1);
	assert_int_equal(ever_asked("?id="), 120);
	assert_false(scheduler_busy(f->sched));
	assert_polled(f, "s1");
	assert_polled(f, "s2");
	assert_polled(f, "s3");
}

/*
 * s1 stalls, its records held and its texts never answered.  The budget
 * keeps s3 and s4 waiting while s2 runs.  Once the fetch engine has room
 * that no waiting transfer takes, s4 is admitted all the same and polls to
 * its end, s1 still stalled; not s3, first in line but on s1's host, where
 * there is none: it runs once s1 has let go of its records.
 */
static void
test_stalled(void **state)
{
	struct fixture *f = *state;
	char list[8192];

	answer("/list1", 200, make_list(list, sizeof(list), "B", 1, 40, 0), NULL);
	answer("/list2", 200, make_list(list, sizeof(list), "C", 1, 40, 0), NULL);
	while (ever_asked("/t2") < 40 || in_flight("/t2") > 1)
		answer_text("/t2");
	assert_int_equal(ever_asked("/list3") + ever_asked("/list4"), 0);
	fake_room = 1;
	fake_full = ":1/";
	answer_text("/t2");
	assert_int_equal(in_flight("/list4"), 1);
	assert_int_equal(ever_asked("/list3"), 0);
	answer("/list4", 200, make_list(list, sizeof(list), "D", 1, 40, 0), NULL);
	while (in_flight("/t4") > 0)
		answer_text("/t4");
	/* Their posts wait for the others' a second (the flush timer), then
	 * are written and their polls end, s1 still mid-poll. */
	ev_run(f->loop, EVRUN_ONCE);
	assert_polled(f, "s2");
	assert_polled(f, "s4");
	assert_int_equal(store_post_exists(f->st, "C040"), 1);
	assert_int_equal(store_post_exists(f->st, "D040"), 1);
	assert_int_equal(in_flight("/t1"), 4);
	assert_int_equal(ever_asked("/t1"), 4);
	assert_int_equal(ever_asked("/list3"), 0);
	/* s1 comes back to life; s3 gets its turn. */
	fake_room = 0;
	while (ever_asked("/list3") == 0)
		answer_text("/t1");
	answer("/list3", 200, make_list(list, sizeof(list), "E", 1, 40, 0), NULL);
	while (nreqs > 0)
		answer_text("?id=");
	assert_int_equal(store_post_exists(f->st, "B040"), 1);
	assert_int_equal(store_post_exists(f->st, "E040"), 1);
	assert_polled(f, "s1");
	assert_polled(f, "s3");
	assert_false(scheduler_busy(f->sched));
}

/*
 * The lists of s1 and s2 hang at their host, as many as may be in flight.
 * s3, whose host has room, is let in all the same; s4 once s3's list is in
 * (one source let in on room alone at a time).  Both poll to their end
 * while the two lists still hang.
 */
static void
test_hung_lists(void **state)
{
	struct fixture *f = *state;
	char list[8192];

	assert_int_equal(in_flight("/list1"), 1);
	assert_int_equal(in_flight("/list2"), 1);
	assert_int_equal(in_flight("/list3"), 1);
	assert_int_equal(ever_asked("/list4"), 0);
	answer("/list3", 200, make_list(list, sizeof(list), "E", 1, 40, 0), NULL);
	assert_int_equal(in_flight("/t3"), 2);
	assert_int_equal(in_flight("/list4"), 1);
	answer("/list4", 200, make_list(list, sizeof(list), "F", 1, 40, 0), NULL);
	while (in_flight("?id=") > 0)
		answer_text("?id=");
	ev_run(f->loop, EVRUN_ONCE);
	assert_polled(f, "s3");
	assert_polled(f, "s4");
	assert_int_equal(store_post_exists(f->st, "E040"), 1);
	assert_int_equal(store_post_exists(f->st, "F040"), 1);
	assert_true(scheduler_busy(f->sched));
	answer("/list1", 304, NULL, NULL);
	answer("/list2", 304, NULL, NULL);
	assert_int_equal(nreqs, 0);
	assert_false(scheduler_busy(f->sched));
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
		cmocka_unit_test_setup_teardown(test_window, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unanswered, setup, teardown),
		cmocka_unit_test_setup_teardown(test_admission, setup_three, teardown),
		cmocka_unit_test_setup_teardown(test_stalled, setup_four, teardown),
		cmocka_unit_test_setup_teardown(test_hung_lists, setup_hung, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
