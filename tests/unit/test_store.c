/*
 * Unit tests of store: schema, posts, categories, media slugs, source state,
 * flags, transactions, read-only access beside a writer, and the databases
 * store_open must refuse.  Each test gets its own scratch directory.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "store.h"

static const char *self_path;   /* argv[0], re-run as a second process */

struct fixture {
	char dir[64];
	char db[128];
	struct store *st;
};

static int
rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	return remove(path);
}

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (f == NULL)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "/tmp/test_store.XXXXXX");
	if (mkdtemp(f->dir) == NULL) {
		free(f);
		return -1;
	}
	snprintf(f->db, sizeof(f->db), "%s/finewsd.db", f->dir);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	store_close(f->st);
	nftw(f->dir, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
	free(f);
	return 0;
}

/* Opens the fixture's database read-write; the test fails if it cannot. */
static struct store *
open_rw(struct fixture *f)
{
	char err[512] = "";

	f->st = store_open(f->db, err, sizeof(err));
	if (f->st == NULL)
		fail_msg("store_open: %s", err);
	return f->st;
}

static struct store_post
mkpost(const char *code, const char *category, long long published_at)
{
	struct store_post p = {
		.info_code = code,
		.source = "market37",
		.category = category,
		.tag = "青岛财经日报新闻",
		.media = "青岛财经日报",
		.title = "标题",
		.published = "2022-05-26 09:41:00 +0800",
		.published_at = published_at,
		.link = "http://finews.zning.xyz/html_News/NewsShare.html",
		.body = "<p>正文</p>",
		.path = "_posts/2022-05-26-x.md",
		.file_id = code,
		.fetched_at = 1653529300,
	};
	return p;
}

static void
add(struct store *st, const char *code, const char *category, long long t)
{
	struct store_post p = mkpost(code, category, t);

	assert_int_equal(store_post_add(st, &p), 0);
}

/* Collects the info codes a walk hands out, as "a,b,c". */
struct collect {
	char codes[1024];
	int calls;
	int stop_after;   /* 0: never stop */
};

static int
collect_post(void *arg, const struct store_post *p)
{
	struct collect *c = arg;
	size_t n = strlen(c->codes);

	snprintf(c->codes + n, sizeof(c->codes) - n, "%s%s", n ? "," : "",
	    p->info_code);
	c->calls++;
	return c->stop_after != 0 && c->calls >= c->stop_after ? -1 : 0;
}

/* Runs SQL through a connection of our own, as another writer would. */
static int
sql_exec(const char *db, const char *sql)
{
	sqlite3 *h;
	int rc;

	assert_int_equal(sqlite3_open_v2(db, &h, SQLITE_OPEN_READWRITE, NULL),
	    SQLITE_OK);
	rc = sqlite3_exec(h, sql, NULL, NULL, NULL) == SQLITE_OK ? 0 : -1;
	assert_int_equal(sqlite3_close(h), SQLITE_OK);
	return rc;
}

/* Runs a one-integer query through a connection of our own. */
static long long
sql_int(const char *db, const char *sql)
{
	sqlite3 *h;
	sqlite3_stmt *s;
	long long v;

	assert_int_equal(sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL),
	    SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(h, sql, -1, &s, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	v = sqlite3_column_int64(s, 0);
	assert_int_equal(sqlite3_finalize(s), SQLITE_OK);
	assert_int_equal(sqlite3_close(h), SQLITE_OK);
	return v;
}

static void
test_open_schema(void **state)
{
	static const struct {
		const char *name, *type;
		int notnull, pk;
	} want[] = {
		{ "info_code", "TEXT", 0, 1 },
		{ "source", "TEXT", 1, 0 },
		{ "category", "TEXT", 1, 0 },
		{ "tag", "TEXT", 1, 0 },
		{ "media", "TEXT", 0, 0 },
		{ "title", "TEXT", 1, 0 },
		{ "published", "TEXT", 1, 0 },
		{ "link", "TEXT", 0, 0 },
		{ "body", "TEXT", 1, 0 },
		{ "path", "TEXT", 1, 0 },
		{ "fetched_at", "INTEGER", 1, 0 },
	};
	struct fixture *f = *state;
	sqlite3 *h;
	sqlite3_stmt *s;
	size_t i;

	open_rw(f);
	assert_int_equal(sqlite3_open_v2(f->db, &h, SQLITE_OPEN_READONLY, NULL),
	    SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(h,
	    "SELECT name, type, \"notnull\", pk FROM pragma_table_info('posts')"
	    " ORDER BY cid", -1, &s, NULL), SQLITE_OK);
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		assert_int_equal(sqlite3_step(s), SQLITE_ROW);
		assert_string_equal(sqlite3_column_text(s, 0), want[i].name);
		assert_string_equal(sqlite3_column_text(s, 1), want[i].type);
		assert_int_equal(sqlite3_column_int(s, 2), want[i].notnull);
		assert_int_equal(sqlite3_column_int(s, 3), want[i].pk);
	}
	sqlite3_finalize(s);
	/* A new database has 16 KiB pages: a row with its article on one. */
	assert_int_equal(sqlite3_prepare_v2(h, "PRAGMA page_size", -1, &s,
	    NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	assert_int_equal(sqlite3_column_int(s, 0), 16384);
	sqlite3_finalize(s);
	assert_int_equal(sqlite3_prepare_v2(h, "PRAGMA journal_mode", -1, &s,
	    NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	assert_string_equal(sqlite3_column_text(s, 0), "wal");
	sqlite3_finalize(s);
	assert_int_equal(sqlite3_close(h), SQLITE_OK);

	assert_int_equal(sql_int(f->db, "PRAGMA user_version"), 4);
	assert_int_equal(sql_int(f->db, "SELECT count(*) FROM sqlite_schema"
	    " WHERE type = 'table' AND name IN ('posts', 'categories',"
	    " 'media_slugs', 'sources', 'flags', 'pages', 'readings')"), 7);
	assert_int_equal(sql_int(f->db, "SELECT count(*) FROM sqlite_schema"
	    " WHERE type = 'index' AND name IN ('posts_category_time',"
	    " 'posts_time', 'posts_source', 'posts_path')"), 4);
}

static void
test_add_exists(void **state)
{
	struct fixture *f = *state;
	struct store *st = open_rw(f);
	struct store_post p = mkpost("NW1", "qingdao", 100);

	assert_int_equal(store_post_exists(st, "NW1"), 0);
	assert_int_equal(store_posts_count(st, NULL), 0);
	assert_int_equal(store_post_add(st, &p), 0);
	p.info_code = "NW2";
	p.source = "fast45";
	assert_int_equal(store_post_add(st, &p), 0);
	assert_int_equal(store_post_exists(st, "NW1"), 1);
	assert_int_equal(store_post_exists(st, "NW2"), 1);
	assert_int_equal(store_post_exists(st, "NW3"), 0);
	assert_int_equal(store_posts_count(st, NULL), 2);
	assert_int_equal(store_posts_count(st, "market37"), 1);
	assert_int_equal(store_posts_count(st, "fast45"), 1);
	assert_int_equal(store_posts_count(st, "nosuch"), 0);
}

static int
check_first(void *arg, const struct store_post *p)
{
	assert_string_equal(p->title, "first");
	(*(int *)arg)++;
	return 0;
}

static int
collect_path(void *arg, const char *code, const char *path)
{
	char *buf = arg;

	strcat(buf, code);
	strcat(buf, "=");
	strcat(buf, path);
	strcat(buf, ";");
	return 0;
}

static int
check_got(void *arg, const struct store_post *p)
{
	assert_string_equal(p->info_code, "NW2");
	assert_string_equal(p->body, "<p>正文</p>");
	(*(int *)arg)++;
	return 0;
}

/* The cheap walk of paths, and one post read back whole by its code. */
static void
test_paths_and_get(void **state)
{
	struct fixture *f = *state;
	struct store *st = open_rw(f);
	struct store_post p = mkpost("NW1", "qingdao", 100);
	char buf[256] = "";
	int n = 0;

	p.path = "_posts/a.md";
	assert_int_equal(store_post_add(st, &p), 0);
	p = mkpost("NW2", "qingdao", 200);
	p.path = "_archive/b.md";
	assert_int_equal(store_post_add(st, &p), 0);
	assert_int_equal(store_paths_each(st, collect_path, buf), 0);
	assert_true(strcmp(buf, "NW1=_posts/a.md;NW2=_archive/b.md;") == 0 ||
	    strcmp(buf, "NW2=_archive/b.md;NW1=_posts/a.md;") == 0);
	assert_int_equal(store_post_get(st, "NW2", check_got, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(store_post_get(st, "NW404", check_got, &n), 0);
	assert_int_equal(n, 1);
}

static void
test_duplicate(void **state)
{
	struct fixture *f = *state;
	struct store *st = open_rw(f);
	struct store_post p = mkpost("NW123", "qingdao", 100);
	int n = 0;

	p.title = "first";
	assert_int_equal(store_post_add(st, &p), 0);
	p.title = "second";
	assert_int_equal(store_post_add(st, &p), -1);
	assert_int_equal(store_posts_count(st, NULL), 1);
	assert_int_equal(store_posts_newest(st, NULL, 100, check_first, &n), 0);
	assert_int_equal(n, 1);
	/* The failed insert leaves its statement ready for the next one. */
	p.info_code = "NW124";
	assert_int_equal(store_post_add(st, &p), 0);
}

static void
test_rollback(void **state)
{
	struct fixture *f = *state;
	struct store *st = open_rw(f);

	store_rollback(st);   /* no transaction open: must be harmless */
	assert_int_equal(store_begin(st), 0);
	add(st, "NW1", "a", 1);
	add(st, "NW2", "a", 2);
	assert_int_equal(store_post_exists(st, "NW1"), 1);
	store_rollback(st);
	assert_int_equal(store_post_exists(st, "NW1"), 0);
	assert_int_equal(store_posts_count(st, NULL), 0);
	assert_int_equal(sql_int(f->db, "SELECT count(*) FROM categories"), 0);
	store_rollback(st);

	assert_int_equal(store_begin(st), 0);
	add(st, "NW3", "a", 3);
	assert_int_equal(store_commit(st), 0);
	assert_int_equal(sql_int(f->db, "SELECT count(*) FROM posts"), 1);
	/* A batch whose second post is a duplicate is undone as a whole. */
	assert_int_equal(store_begin(st), 0);
	add(st, "NW4", "a", 4);
	{
		struct store_post p = mkpost("NW3", "a", 3);

		assert_int_equal(store_post_add(st, &p), -1);
	}
	store_rollback(st);
	assert_int_equal(store_post_exists(st, "NW4"), 0);
	assert_int_equal(store_post_exists(st, "NW3"), 1);
}

static void
test_newest(void **state)
{
	struct fixture *f = *state;
	struct store *st = open_rw(f);
	struct collect c;

	/* Inserted out of order; B and C share a time, so info_code decides. */
	add(st, "A", "x", 100);
	add(st, "D", "y", 400);
	add(st, "B", "x", 300);
	add(st, "E", "x", 50);
	add(st, "C", "x", 300);
	add(st, "F", "y", 200);

	memset(&c, 0, sizeof(c));
	assert_int_equal(store_posts_newest(st, "x", 10, collect_post, &c), 0);
	assert_string_equal(c.codes, "C,B,A,E");
	memset(&c, 0, sizeof(c));
	assert_int_equal(store_posts_newest(st, "x", 2, collect_post, &c), 0);
	assert_string_equal(c.codes, "C,B");
	memset(&c, 0, sizeof(c));
	assert_int_equal(store_posts_newest(st, "y", 10, collect_post, &c), 0);
	assert_string_equal(c.codes, "D,F");
	memset(&c, 0, sizeof(c));
	assert_int_equal(store_posts_newest(st, NULL, 10, collect_post, &c), 0);
	assert_string_equal(c.codes, "D,C,B,F,A,E");
	memset(&c, 0, sizeof(c));
	assert_int_equal(store_posts_newest(st, NULL, 3, collect_post, &c), 0);
	assert_string_equal(c.codes, "D,C,B");
	memset(&c, 0, sizeof(c));
	assert_int_equal(store_posts_newest(st, "none", 3, collect_post, &c), 0);
	assert_string_equal(c.codes, "");

	/* A callback that says stop ends the walk with -1, and it can rerun. */
	memset(&c, 0, sizeof(c));
	c.stop_after = 2;
	assert_int_equal(store_posts_newest(st, NULL, 10, collect_post, &c), -1);
	assert_string_equal(c.codes, "D,C");
	memset(&c, 0, sizeof(c));
	assert_int_equal(store_posts_newest(st, NULL, 1, collect_post, &c), 0);
	assert_string_equal(c.codes, "D");
}

static int
check_fields(void *arg, const struct store_post *p)
{
	struct store_post *want = arg;

	assert_string_equal(p->info_code, want->info_code);
	assert_string_equal(p->source, want->source);
	assert_string_equal(p->category, want->category);
	assert_string_equal(p->tag, want->tag);
	assert_null(p->media);
	assert_string_equal(p->title, want->title);
	assert_string_equal(p->published, want->published);
	assert_int_equal(p->published_at, want->published_at);
	assert_null(p->link);
	assert_string_equal(p->body, want->body);
	assert_string_equal(p->path, want->path);
	assert_string_equal(p->file_id, want->file_id);
	assert_int_equal(p->fetched_at, want->fetched_at);
	want->fetched_at = -1;   /* seen */
	return 0;
}

static void
test_reopen_fields(void **state)
{
	struct fixture *f = *state;
	struct store_post p = {
		.info_code = "202205262391921712",
		.source = "roll102",
		.category = "emnews",
		.tag = "东财滚动新闻",
		.media = NULL,
		.title = "a \"quoted\" title",
		.published = "2022-05-26 09:41:00 +0800",
		.published_at = 1653529260,
		.link = NULL,
		.body = "> digest\n\n<p>text</p>",
		.path = "_posts/2022-05-26-2391921712.md",
		.file_id = "2391921712",
		.fetched_at = 1653529301,
	};
	struct store_post want = p;

	open_rw(f);
	assert_int_equal(store_post_add(f->st, &p), 0);
	store_close(f->st);
	open_rw(f);
	assert_int_equal(store_post_exists(f->st, "202205262391921712"), 1);
	assert_int_equal(store_posts_newest(f->st, NULL, 100, check_fields, &want), 0);
	assert_int_equal(want.fetched_at, -1);
}

static void
test_older_and_set_path(void **state)
{
	struct fixture *f = *state;
	struct store *st = open_rw(f);
	struct store_post p;
	struct collect c;

	p = mkpost("OLD1", "x", 100);
	p.path = "_posts/2020-01-01-OLD1.md";
	assert_int_equal(store_post_add(st, &p), 0);
	p = mkpost("OLD2", "x", 150);
	p.path = "_posts/archive/2020-01-02-OLD2.md";
	assert_int_equal(store_post_add(st, &p), 0);
	p = mkpost("NEW1", "x", 500);
	p.path = "_posts/2024-01-01-NEW1.md";
	assert_int_equal(store_post_add(st, &p), 0);
	/* '%' and '_' in a prefix are plain characters, not wildcards. */
	p = mkpost("ODD1", "x", 120);
	p.path = "_postsX2020.md";
	assert_int_equal(store_post_add(st, &p), 0);

	memset(&c, 0, sizeof(c));
	assert_int_equal(store_posts_older(st, 200, "_posts/", collect_post, &c),
	    0);
	assert_string_equal(c.codes, "OLD1,OLD2");
	memset(&c, 0, sizeof(c));
	assert_int_equal(store_posts_older(st, 200, "_posts_", collect_post, &c),
	    0);
	assert_string_equal(c.codes, "");
	memset(&c, 0, sizeof(c));
	assert_int_equal(store_posts_older(st, 200, "%", collect_post, &c), 0);
	assert_string_equal(c.codes, "");
	memset(&c, 0, sizeof(c));
	assert_int_equal(store_posts_older(st, 100, "", collect_post, &c), 0);
	assert_string_equal(c.codes, "");

	assert_int_equal(store_post_move(st, "OLD1",
	    "_posts/archive/2020-01-01-OLD1.md", "/c/2020/01/01/OLD1.html"), 0);
	assert_int_equal(store_post_move(st, "NOSUCH", "x", NULL), -1);
	memset(&c, 0, sizeof(c));
	assert_int_equal(store_posts_older(st, 1000, "_posts/archive/",
	    collect_post, &c), 0);
	assert_string_equal(c.codes, "OLD1,OLD2");
}

struct nest {
	struct store *st;
	int inner;
};

static int
nested_walk(void *arg, const struct store_post *p)
{
	struct nest *n = arg;
	struct collect c;

	memset(&c, 0, sizeof(c));
	n->inner = store_posts_newest(n->st, NULL, 100, collect_post, &c);
	/* A different statement may run while the walk is on. */
	assert_int_equal(store_post_exists(n->st, p->info_code), 1);
	return 0;
}

static void
test_nested_walk_refused(void **state)
{
	struct fixture *f = *state;
	struct nest n = { open_rw(f), 0 };

	add(n.st, "A", "x", 1);
	assert_int_equal(store_posts_newest(n.st, NULL, 100, nested_walk, &n), 0);
	assert_int_equal(n.inner, -1);
}

static int
collect_category(void *arg, const char *slug, const char *tag)
{
	struct collect *c = arg;
	size_t n = strlen(c->codes);

	snprintf(c->codes + n, sizeof(c->codes) - n, "%s%s=%s", n ? "," : "",
	    slug, tag);
	return 0;
}

static void
test_categories(void **state)
{
	struct fixture *f = *state;
	struct store *st = open_rw(f);
	struct store_post p;
	struct collect c;

	p = mkpost("1", "zeta", 1);
	p.tag = "Z1";
	assert_int_equal(store_post_add(st, &p), 0);
	p = mkpost("2", "alpha", 2);
	p.tag = "A1";
	assert_int_equal(store_post_add(st, &p), 0);
	p = mkpost("3", "zeta", 3);
	p.tag = "Z2";
	assert_int_equal(store_post_add(st, &p), 0);

	memset(&c, 0, sizeof(c));
	assert_int_equal(store_categories_each(st, collect_category, &c), 0);
	assert_string_equal(c.codes, "alpha=A1,zeta=Z1");
}

static int
collect_page(void *arg, const char *slug)
{
	char *buf = arg;

	strcat(buf, slug);
	strcat(buf, " ");
	return 0;
}

static int
collect_reading(void *arg, unsigned cp, const char *reading, long long votes)
{
	char *buf = arg;

	sprintf(buf + strlen(buf), "%X:%s:%lld ", cp, reading, votes);
	return 0;
}

/* Category pages: the imported ones and the categories of posts. */
static void
test_pages(void **state)
{
	struct fixture *f = *state;
	struct store *st = open_rw(f);
	char buf[256] = "";

	assert_int_equal(store_page_exists(st, "chengduribao"), 0);
	assert_int_equal(store_page_add(st, "chengduribao"), 0);
	assert_int_equal(store_page_add(st, "chengduribao"), 0);
	assert_int_equal(store_page_exists(st, "chengduribao"), 1);
	assert_int_equal(store_pages_each(st, collect_page, buf), 0);
	assert_string_equal(buf, "chengduribao ");
	assert_int_equal(sql_exec(f->db, "INSERT INTO categories VALUES ('emnews', 'x')"), 0);
	assert_int_equal(store_page_exists(st, "emnews"), 1);
	buf[0] = '\0';
	assert_int_equal(store_pages_each(st, collect_page, buf), 0);
	assert_string_equal(buf, "chengduribao emnews ");
}

/* Votes for readings: the most voted wins, a tie is no choice. */
static void
test_readings(void **state)
{
	struct fixture *f = *state;
	struct store *st = open_rw(f);
	char *r = (char *)"junk", buf[256] = "";

	assert_int_equal(store_reading_get(st, 0x957f, &r), 0);
	assert_null(r);
	assert_int_equal(store_reading_add(st, 0x957f, "chang"), 0);
	assert_int_equal(store_reading_get(st, 0x957f, &r), 0);
	assert_string_equal(r, "chang");
	free(r);
	assert_int_equal(store_reading_add(st, 0x957f, "zhang"), 0);
	assert_int_equal(store_reading_get(st, 0x957f, &r), 0);
	assert_null(r);
	assert_int_equal(store_reading_add(st, 0x957f, "chang"), 0);
	assert_int_equal(store_reading_get(st, 0x957f, &r), 0);
	assert_string_equal(r, "chang");
	free(r);
	assert_int_equal(store_reading_add(st, 0x90fd, "du"), 0);
	assert_int_equal(store_readings_each(st, collect_reading, buf), 0);
	assert_string_equal(buf, "90FD:du:1 957F:chang:2 957F:zhang:1 ");
}

static void
test_media_slugs(void **state)
{
	struct fixture *f = *state;
	struct store *st = open_rw(f);
	char *slug = (char *)"junk";

	assert_int_equal(store_media_slug_get(st, "青岛财经日报", &slug), 0);
	assert_null(slug);
	assert_int_equal(store_media_slug_set(st, "青岛财经日报", "qdcj"), 0);
	assert_int_equal(store_media_slug_get(st, "青岛财经日报", &slug), 0);
	assert_string_equal(slug, "qdcj");
	free(slug);
	assert_int_equal(store_media_slug_set(st, "青岛财经日报",
	    "qingdaocaijingribao"), 0);
	assert_int_equal(store_media_slug_get(st, "青岛财经日报", &slug), 0);
	assert_string_equal(slug, "qingdaocaijingribao");
	free(slug);
	assert_int_equal(store_media_slug_get(st, "36氪", &slug), 0);
	assert_null(slug);
}

static void
test_source_state(void **state)
{
	struct fixture *f = *state;
	struct store *st = open_rw(f);
	struct store_source s, got;

	memset(&got, 0xff, sizeof(got));
	assert_int_equal(store_source_get(st, "market37", &got), 0);
	assert_null(got.etag);
	assert_null(got.last_modified);
	assert_null(got.result);
	assert_int_equal(got.last_poll, 0);
	assert_int_equal(got.next_poll, 0);
	assert_int_equal(got.failures, 0);
	assert_int_equal(got.posts, 0);

	memset(&s, 0, sizeof(s));
	s.etag = NULL;
	s.last_modified = (char *)"Thu, 26 May 2022 01:41:00 GMT";
	s.last_poll = 1653529300;
	s.next_poll = 1653529600;
	s.result = (char *)"timeout after 30 s";
	s.failures = 3;
	s.posts = 1234567890123LL;
	assert_int_equal(store_source_set(st, "market37", &s), 0);
	assert_int_equal(store_source_get(st, "market37", &got), 0);
	assert_null(got.etag);
	assert_string_equal(got.last_modified, "Thu, 26 May 2022 01:41:00 GMT");
	assert_int_equal(got.last_poll, 1653529300);
	assert_int_equal(got.next_poll, 1653529600);
	assert_string_equal(got.result, "timeout after 30 s");
	assert_int_equal(got.failures, 3);
	assert_int_equal(got.posts, 1234567890123LL);
	store_source_clear(&got);
	assert_null(got.result);

	s.etag = (char *)"\"abc\"";
	s.last_modified = NULL;
	s.result = (char *)"ok";
	s.failures = 0;
	assert_int_equal(store_source_set(st, "market37", &s), 0);
	assert_int_equal(store_source_get(st, "market37", &got), 0);
	assert_string_equal(got.etag, "\"abc\"");
	assert_null(got.last_modified);
	assert_string_equal(got.result, "ok");
	assert_int_equal(got.failures, 0);
	store_source_clear(&got);
	store_source_clear(NULL);
	/* A source's state is committed lazily; every other commit stays
	 * durable, and inside a transaction nothing changes. */
	assert_int_equal(store_durable(st), 1);
	assert_int_equal(store_begin(st), 0);
	assert_int_equal(store_source_set(st, "market37", &s), 0);
	assert_int_equal(store_durable(st), 1);
	assert_int_equal(store_commit(st), 0);
	assert_int_equal(store_durable(st), 1);
}

static void
test_flags(void **state)
{
	struct fixture *f = *state;
	struct store *st = open_rw(f);
	long long v = 42;

	assert_int_equal(store_flag_get(st, "feeds_dirty", &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(store_flag_set(st, "feeds_dirty", 1), 0);
	assert_int_equal(store_flag_get(st, "feeds_dirty", &v), 0);
	assert_int_equal(v, 1);
	assert_int_equal(store_flag_set(st, "feeds_dirty", -5000000000LL), 0);
	assert_int_equal(store_flag_get(st, "feeds_dirty", &v), 0);
	assert_int_equal(v, -5000000000LL);
	assert_int_equal(store_flag_get(st, "other", &v), 0);
	assert_int_equal(v, 0);
}

/* In a second process: how many posts a read-only handle sees, or 255. */
static int
child_count(const char *db)
{
	char err[512];
	struct store *ro;
	long long n;

	if ((ro = store_open_readonly(db, err, sizeof(err))) == NULL)
		return 255;
	n = store_posts_count(ro, NULL);
	store_close(ro);
	return n < 0 || n > 200 ? 255 : (int)n;
}

static int
count_in_child(const char *db)
{
	int status;
	pid_t pid = fork();

	assert_true(pid != -1);
	if (pid == 0) {
		/*
		 * A fresh process image: a child of fork may not use SQLite
		 * state inherited from a parent with the database open.
		 */
		execl(self_path, self_path, "--count-readonly", db, (char *)NULL);
		_exit(254);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	return WEXITSTATUS(status);
}

static void
test_readonly_beside_writer(void **state)
{
	struct fixture *f = *state;
	struct store *st = open_rw(f), *ro;
	char err[512] = "";
	long long v;

	add(st, "NW1", "x", 1);
	assert_int_equal(store_begin(st), 0);
	add(st, "NW2", "x", 2);
	add(st, "NW3", "x", 3);
	assert_int_equal(store_commit(st), 0);
	assert_int_equal(store_begin(st), 0);
	add(st, "NW4", "x", 4);   /* not committed: nobody else sees it */

	assert_int_equal(count_in_child(f->db), 3);
	ro = store_open_readonly(f->db, err, sizeof(err));
	if (ro == NULL)
		fail_msg("store_open_readonly: %s", err);
	assert_int_equal(store_posts_count(ro, NULL), 3);
	assert_int_equal(store_post_exists(ro, "NW4"), 0);
	assert_int_equal(store_commit(st), 0);
	assert_int_equal(store_post_exists(ro, "NW4"), 1);
	assert_int_equal(count_in_child(f->db), 4);

	/* The reader cannot write, and the writer is not blocked by it. */
	assert_int_equal(store_flag_set(ro, "x", 1), -1);
	assert_int_equal(store_flag_set(st, "x", 2), 0);
	assert_int_equal(store_flag_get(ro, "x", &v), 0);
	assert_int_equal(v, 2);
	store_close(ro);
}

/*
 * A first open that fails once it has made the file (here: a file size
 * limit, as a full disk would) leaves no database or WAL.  The lock file
 * stays, empty (store_lock says why: removing it would let two writers
 * in).
 */
static void
test_failed_create_discarded(void **state)
{
	struct fixture *f = *state;
	static const char *const suffixes[] = { "", "-wal", "-shm" };
	char err[512] = "", path[512];
	struct rlimit old, none = { 0, 0 };
	void (*oldsig)(int);
	struct store *st;

	assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
	oldsig = signal(SIGXFSZ, SIG_IGN);
	/* No byte at all (the lock's pid fails), then the pid but no page. */
	for (int limit = 0; limit <= 256; limit += 256) {
		none.rlim_cur = (rlim_t)limit;
		none.rlim_max = old.rlim_max;
		assert_int_equal(setrlimit(RLIMIT_FSIZE, &none), 0);
		st = store_open(f->db, err, sizeof(err));
		assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
		assert_null(st);
		assert_true(strncmp(err, "database ", 9) == 0);
		for (size_t i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++) {
			snprintf(path, sizeof(path), "%s%s", f->db, suffixes[i]);
			if (access(path, F_OK) == 0)
				fail_msg("limit %d: %s left behind (%s)", limit,
				    path, err);
		}
		snprintf(path, sizeof(path), "%s.lock", f->db);
		assert_int_equal(access(path, F_OK), 0);
	}
	signal(SIGXFSZ, oldsig);
	/* The next start makes it whole. */
	assert_non_null(st = store_open(f->db, err, sizeof(err)));
	store_close(st);
}

/* A database path that is the operator's symlink to a folder not there
 * (a volume not mounted yet) is not the open's to remove. */
static void
test_failed_open_keeps_symlink(void **state)
{
	struct fixture *f = *state;
	char target[600], err[512] = "";
	struct stat sb;

	snprintf(target, sizeof(target), "%s/gone/finewsd.db", f->dir);
	assert_int_equal(symlink(target, f->db), 0);
	assert_null(store_open(f->db, err, sizeof(err)));
	if (lstat(f->db, &sb) == -1)
		fail_msg("the symlink %s was removed (%s)", f->db, err);
	assert_int_equal(unlink(f->db), 0);
}

static void
test_readonly_refuses(void **state)
{
	struct fixture *f = *state;
	char err[512] = "", want[512];
	sqlite3 *h;

	assert_null(store_open_readonly(f->db, err, sizeof(err)));
	assert_true(strncmp(err, "database ", 9) == 0);
	assert_int_equal(access(f->db, F_OK), -1);   /* not created */

	assert_int_equal(sqlite3_open(f->db, &h), SQLITE_OK);
	assert_int_equal(sqlite3_exec(h, "CREATE TABLE t (x)", NULL, NULL,
	    NULL), SQLITE_OK);
	assert_int_equal(sqlite3_close(h), SQLITE_OK);
	assert_null(store_open_readonly(f->db, err, sizeof(err)));
	snprintf(want, sizeof(want),
	    "database %s: not a finewsd database or empty", f->db);
	assert_string_equal(err, want);
}

static void
test_newer_version_refused(void **state)
{
	struct fixture *f = *state;
	char err[512] = "", want[512];
	sqlite3 *h;

	assert_int_equal(sqlite3_open(f->db, &h), SQLITE_OK);
	assert_int_equal(sqlite3_exec(h, "CREATE TABLE posts (x);"
	    "PRAGMA user_version = 99", NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_close(h), SQLITE_OK);

	snprintf(want, sizeof(want), "database %s: schema version 99 is newer "
	    "than this finewsd (4)", f->db);
	assert_null(store_open(f->db, err, sizeof(err)));
	assert_string_equal(err, want);
	err[0] = '\0';
	assert_null(store_open_readonly(f->db, err, sizeof(err)));
	assert_string_equal(err, want);
	/* Refusing changed nothing. */
	assert_int_equal(sql_int(f->db, "PRAGMA user_version"), 99);
	assert_int_equal(sql_int(f->db, "SELECT count(*) FROM sqlite_schema"),
	    1);
}

/*
 * A database of schema version 1 (written by hand: the first release's
 * sources table, without conf_hash) is brought to version 2 on open, and
 * what it held is kept.
 */
static void
test_migrate_from_1(void **state)
{
	struct fixture *f = *state;
	struct store_source src;
	struct store *st;
	char err[512] = "";
	sqlite3 *h;

	assert_int_equal(sqlite3_open(f->db, &h), SQLITE_OK);
	assert_int_equal(sqlite3_exec(h,
	    "CREATE TABLE posts (info_code TEXT PRIMARY KEY, source TEXT NOT NULL,"
	    " category TEXT NOT NULL, tag TEXT NOT NULL, media TEXT,"
	    " title TEXT NOT NULL, published TEXT NOT NULL, link TEXT,"
	    " body TEXT NOT NULL, path TEXT NOT NULL, fetched_at INTEGER NOT NULL,"
	    " file_id TEXT NOT NULL, published_at INTEGER NOT NULL);"
	    "CREATE TABLE categories (slug TEXT PRIMARY KEY, tag TEXT NOT NULL);"
	    "CREATE TABLE media_slugs (media TEXT PRIMARY KEY, slug TEXT NOT NULL);"
	    "CREATE TABLE sources (name TEXT PRIMARY KEY, etag TEXT,"
	    " last_modified TEXT, last_poll INTEGER NOT NULL DEFAULT 0,"
	    " next_poll INTEGER NOT NULL DEFAULT 0, result TEXT,"
	    " failures INTEGER NOT NULL DEFAULT 0, posts INTEGER NOT NULL DEFAULT 0);"
	    "CREATE TABLE flags (key TEXT PRIMARY KEY, value INTEGER NOT NULL);"
	    "INSERT INTO sources (name, etag, posts) VALUES ('m37', '\"v1\"', 7);"
	    "PRAGMA user_version = 1", NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_close(h), SQLITE_OK);

	/* Read-only, as --status reads it beside an older daemon: the state
	 * of a schema without last_success is still read. */
	st = store_open_readonly(f->db, err, sizeof(err));
	assert_non_null(st);
	assert_int_equal(store_source_get(st, "m37", &src), 0);
	assert_int_equal(src.posts, 7);
	assert_int_equal(src.last_success, 0);
	store_source_clear(&src);
	store_close(st);

	st = store_open(f->db, err, sizeof(err));
	assert_non_null(st);
	assert_int_equal(sql_int(f->db, "PRAGMA user_version"), 4);
	assert_int_equal(sql_int(f->db, "SELECT count(*) FROM sqlite_schema"
	    " WHERE type = 'index' AND name = 'posts_path'"), 1);
	assert_int_equal(store_source_get(st, "m37", &src), 0);
	assert_string_equal(src.etag, "\"v1\"");
	assert_int_equal(src.posts, 7);
	assert_int_equal(src.last_success, 0);
	assert_null(src.conf_hash);
	/* last_success is kept like the rest of the state. */
	src.last_success = 1700000000;
	assert_int_equal(store_source_set(st, "m37", &src), 0);
	store_source_clear(&src);
	assert_int_equal(store_source_get(st, "m37", &src), 0);
	assert_int_equal(src.last_success, 1700000000);
	store_source_clear(&src);
	store_close(st);
}

static void
test_not_a_database(void **state)
{
	struct fixture *f = *state;
	static const char junk[] =
	    "this is a text file, long enough to fill a sqlite header "
	    "and then some more bytes so that the header check fails\n";
	char err[512] = "";
	FILE *fp;

	assert_non_null(fp = fopen(f->db, "w"));
	assert_int_equal(fwrite(junk, 1, sizeof(junk) - 1, fp),
	    sizeof(junk) - 1);
	assert_int_equal(fclose(fp), 0);

	assert_null(store_open(f->db, err, sizeof(err)));
	assert_true(strncmp(err, "database ", 9) == 0);
	assert_non_null(strstr(err, "not a database"));
	err[0] = '\0';
	assert_null(store_open_readonly(f->db, err, sizeof(err)));
	assert_non_null(strstr(err, "not a database"));
	/* A NULL error buffer is allowed. */
	assert_null(store_open(f->db, NULL, 0));
}

static long long
file_size(const char *path)
{
	struct stat sb;

	return stat(path, &sb) == 0 ? (long long)sb.st_size : -1;
}

/* Commits N posts of 8 KiB bodies from FIRST on, one transaction. */
static void
add_big(struct store *st, int first, int n)
{
	static char body[8192];
	char code[32];

	memset(body, 'x', sizeof(body) - 1);
	assert_int_equal(store_begin(st), 0);
	for (int i = first; i < first + n; i++) {
		struct store_post p;

		snprintf(code, sizeof(code), "C%06d", i);
		p = mkpost(code, "c", i);
		p.body = body;
		assert_int_equal(store_post_add(st, &p), 0);
	}
	assert_int_equal(store_commit(st), 0);
}

/*
 * With store_hold the reads share one transaction: another connection's
 * write is not seen until store_release, or until a write of the store's
 * own ends the hold; without it, each read sees the latest.
 */
static void
test_hold(void **state)
{
	struct fixture *f = *state;
	struct store *st = open_rw(f);

	store_hold(st, 1);
	assert_int_equal(store_page_exists(st, "a"), 0);   /* holds from here */
	assert_int_equal(sql_exec(f->db, "INSERT INTO pages VALUES ('a')"), 0);
	assert_int_equal(store_page_exists(st, "a"), 0);
	store_release(st);
	assert_int_equal(store_page_exists(st, "a"), 1);
	/* A write of its own runs outside the hold, and ends it. */
	assert_int_equal(sql_exec(f->db, "INSERT INTO pages VALUES ('b')"), 0);
	assert_int_equal(store_flag_set(st, "x", 1), 0);
	assert_int_equal(store_page_exists(st, "b"), 1);
	assert_int_equal(sql_exec(f->db, "INSERT INTO pages VALUES ('c')"), 0);
	assert_int_equal(store_begin(st), 0);
	assert_int_equal(store_page_exists(st, "c"), 1);
	assert_int_equal(store_page_add(st, "d"), 0);
	assert_int_equal(store_commit(st), 0);
	/* Off: each read on its own. */
	assert_int_equal(store_page_exists(st, "d"), 1);
	store_hold(st, 0);
	assert_int_equal(sql_exec(f->db, "INSERT INTO pages VALUES ('e')"), 0);
	assert_int_equal(store_page_exists(st, "e"), 1);
	/* Closing while held is fine. */
	store_hold(st, 1);
	assert_int_equal(store_page_exists(st, "e"), 1);
}

/* Waits up to 5 s for the database file to pass SIZE bytes. */
static int
grows_past(const char *path, long long size)
{
	for (int i = 0; i < 500; i++) {
		if (file_size(path) > size)
			return 1;
		usleep(10000);
	}
	return 0;
}

/*
 * The checkpointer's thread copies the WAL into the database file once a
 * commit leaves 256 pages there, and not before; a commit that leaves
 * 1,000 copies them itself at once; closed, the store checkpoints by
 * itself again.
 */
static void
test_checkpointer(void **state)
{
	struct fixture *f = *state;
	struct store *st = open_rw(f);
	struct store_ckpt *ck;
	long long before;

	assert_non_null(ck = store_ckpt_open(st));
	before = file_size(f->db);
	add_big(st, 0, 40);		/* ~40 pages of 16 KiB */
	usleep(100000);
	assert_int_equal(file_size(f->db), before);   /* not worth it yet */
	add_big(st, 40, 300);		/* ~300 pages more: past 256 */
	assert_true(grows_past(f->db, before + 340 * 8192));
	/* 1,200 pages in one commit: copied before the commit returns. */
	before = file_size(f->db);
	add_big(st, 340, 1200);
	assert_true(file_size(f->db) > before + 1200 * 8192);
	assert_int_equal(store_posts_count(st, NULL), 1540);
	store_ckpt_close(ck);
	store_ckpt_close(NULL);
	/* Closed: SQLite's automatic checkpoint again, at 1,000 pages. */
	before = file_size(f->db);
	add_big(st, 1540, 1200);
	assert_true(file_size(f->db) > before + 1200 * 8192);
}

static void
test_close_null(void **state)
{
	store_close(NULL);
}

int
main(int argc, char *argv[])
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_open_schema, setup, teardown),
		cmocka_unit_test_setup_teardown(test_migrate_from_1, setup, teardown),
		cmocka_unit_test_setup_teardown(test_paths_and_get, setup, teardown),
		cmocka_unit_test_setup_teardown(test_add_exists, setup, teardown),
		cmocka_unit_test_setup_teardown(test_duplicate, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rollback, setup, teardown),
		cmocka_unit_test_setup_teardown(test_newest, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reopen_fields, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_older_and_set_path, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_nested_walk_refused, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_categories, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pages, setup, teardown),
		cmocka_unit_test_setup_teardown(test_readings, setup, teardown),
		cmocka_unit_test_setup_teardown(test_media_slugs, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_source_state, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_flags, setup, teardown),
		cmocka_unit_test_setup_teardown(test_readonly_beside_writer,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_failed_create_discarded,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_failed_open_keeps_symlink,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_readonly_refuses, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_newer_version_refused,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_not_a_database, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_checkpointer, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_hold, setup, teardown),
		cmocka_unit_test(test_close_null),
	};

	if (argc == 3 && strcmp(argv[1], "--count-readonly") == 0)
		return child_count(argv[2]);
	self_path = argv[0];
	return cmocka_run_group_tests(tests, NULL, NULL);
}
