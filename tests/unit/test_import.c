/*
 * Unit tests of import: the real posts of the site in tests/fixtures/import
 * (the reference post, twins, early rolling posts, the broken post and the
 * site's own first post), hand-written posts for the edge cases, and the
 * failures.  Expected rows are written by hand from the contract and the
 * fixture files, never taken from import's own output.  Each test gets its
 * own scratch directory (database, captured stdout and stderr).
 */
#include "config.h"

#include <fcntl.h>
#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "conf.h"
#include "import.h"
#include "record.h"
#include "store.h"

#define SITE		TOP_SRCDIR "/tests/fixtures/import"
#define POSTS		SITE "/_posts"
#define SEED_POST	TOP_SRCDIR "/tests/fixtures/seed-post.md"

#define SEED_CODE	"NW202203232319931992"
#define TWIN_CODE	"NW202201072239307540"

struct fixture {
	char dir[64];
	char db[128];
	char site[128];		/* site_dir: import writes feeds and pages there */
	char out[128], errf[128];
	struct conf c;
	char *stdout_text;	/* what the last run printed */
	char *stderr_text;	/* what the last run logged */
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
	snprintf(f->dir, sizeof(f->dir), "/tmp/test_import.XXXXXX");
	if (mkdtemp(f->dir) == NULL) {
		free(f);
		return -1;
	}
	snprintf(f->db, sizeof(f->db), "%s/finewsd.db", f->dir);
	snprintf(f->out, sizeof(f->out), "%s/stdout", f->dir);
	snprintf(f->errf, sizeof(f->errf), "%s/stderr", f->dir);
	/* Import writes the site's feeds and missing category pages: never
	 * into the fixtures, which it reads as a copy of the site. */
	snprintf(f->site, sizeof(f->site), "%s/site", f->dir);
	f->c.database = f->db;
	f->c.site_dir = f->site;
	f->c.site_url = (char *)"https://finews.withounder.com";
	f->c.site_host = (char *)"finews.withounder.com";
	strcpy(f->c.tz, "+0800");
	f->c.tz_offset = 28800;
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	(void)nftw(f->dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	free(f->stdout_text);
	free(f->stderr_text);
	free(f);
	return 0;
}

/* The whole file PATH, NUL-terminated; fails the test when unreadable. */
static char *
slurp(const char *path)
{
	FILE *fp = fopen(path, "rb");
	char *buf;
	long n;

	assert_non_null(fp);
	assert_int_equal(fseek(fp, 0, SEEK_END), 0);
	n = ftell(fp);
	assert_true(n >= 0);
	rewind(fp);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, fp), (size_t)n);
	buf[n] = '\0';
	fclose(fp);
	return buf;
}

static void
spit(const char *path, const char *text)
{
	FILE *fp = fopen(path, "wb");

	assert_non_null(fp);
	assert_int_equal(fputs(text, fp) >= 0, 1);
	assert_int_equal(fclose(fp), 0);
}

/* Runs import_run on DIR with stdout and stderr captured into the fixture. */
static int
run(struct fixture *f, const char *dir)
{
	int out, err, so, se, rc;

	fflush(stdout);
	fflush(stderr);
	so = dup(STDOUT_FILENO);
	se = dup(STDERR_FILENO);
	out = open(f->out, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	err = open(f->errf, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(so >= 0 && se >= 0 && out >= 0 && err >= 0);
	assert_int_equal(dup2(out, STDOUT_FILENO), STDOUT_FILENO);
	assert_int_equal(dup2(err, STDERR_FILENO), STDERR_FILENO);
	rc = import_run(&f->c, dir);
	fflush(stdout);
	assert_int_equal(dup2(so, STDOUT_FILENO), STDOUT_FILENO);
	assert_int_equal(dup2(se, STDERR_FILENO), STDERR_FILENO);
	close(out);
	close(err);
	close(so);
	close(se);
	free(f->stdout_text);
	free(f->stderr_text);
	f->stdout_text = slurp(f->out);
	f->stderr_text = slurp(f->errf);
	/* Show the log of the run, to read when a test fails. */
	fputs(f->stderr_text, stderr);
	return rc;
}

/* Runs import_run on DIR, expecting success and the summary SUMMARY. */
static void
run_ok(struct fixture *f, const char *dir, const char *summary)
{
	char line[1024];

	assert_int_equal(run(f, dir), 0);
	snprintf(line, sizeof(line), "import %s: %s\n", dir, summary);
	assert_string_equal(f->stdout_text, line);
	/* The same line is logged. */
	line[strlen(line) - 1] = '\0';
	assert_non_null(strstr(f->stderr_text, line));
}

static sqlite3 *
db_open(struct fixture *f)
{
	sqlite3 *db = NULL;

	assert_int_equal(sqlite3_open_v2(f->db, &db, SQLITE_OPEN_READONLY,
	    NULL), SQLITE_OK);
	return db;
}

/*
 * The text of the first column of the one row SQL (with ?1 = ARG) gives,
 * malloc'd, or NULL for SQL NULL; fails the test when there is no row.
 */
static char *
db_text(sqlite3 *db, const char *sql, const char *arg)
{
	sqlite3_stmt *s;
	const unsigned char *v;
	char *r = NULL;

	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &s, NULL), SQLITE_OK);
	if (arg != NULL)
		assert_int_equal(sqlite3_bind_text(s, 1, arg, -1,
		    SQLITE_STATIC), SQLITE_OK);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	if ((v = sqlite3_column_text(s, 0)) != NULL)
		r = strdup((const char *)v);
	sqlite3_finalize(s);
	return r;
}

static long long
db_int(sqlite3 *db, const char *sql, const char *arg)
{
	sqlite3_stmt *s;
	long long v;

	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &s, NULL), SQLITE_OK);
	if (arg != NULL)
		assert_int_equal(sqlite3_bind_text(s, 1, arg, -1,
		    SQLITE_STATIC), SQLITE_OK);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	v = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return v;
}

/* Asserts that column COL of post CODE is EXPECTED (NULL: SQL NULL). */
static void
check_col(sqlite3 *db, const char *code, const char *col, const char *expected)
{
	char sql[128], *v;

	snprintf(sql, sizeof(sql), "SELECT %s FROM posts WHERE info_code = ?1",
	    col);
	v = db_text(db, sql, code);
	if (expected == NULL)
		assert_null(v);
	else
		assert_string_equal(v, expected);
	free(v);
}

static long long
col_int(sqlite3 *db, const char *code, const char *col)
{
	char sql[128];

	snprintf(sql, sizeof(sql), "SELECT %s FROM posts WHERE info_code = ?1",
	    col);
	return db_int(db, sql, code);
}

static long long
count_posts(sqlite3 *db)
{
	return db_int(db, "SELECT count(*) FROM posts", NULL);
}

/* Imported 6: the seed, one twin, four early rolling posts (one in old_post);
 * the other twin is left alone; the site has two category pages. */
#define SITE_SUMMARY \
	"6 posts imported, 0 already known, 2 skipped, 2 media slugs learned, " \
	"1 twins and 0 copies left alone, 2 category pages"
#define POSTS_SUMMARY \
	"5 posts imported, 0 already known, 2 skipped, 2 media slugs learned, " \
	"1 twins and 0 copies left alone, 0 category pages"

static void
test_site_counts(void **state)
{
	struct fixture *f = *state;
	sqlite3 *db;

	run_ok(f, SITE, SITE_SUMMARY);
	db = db_open(f);
	assert_int_equal(count_posts(db), 6);
	/* Category pages are no posts. */
	assert_int_equal(db_int(db, "SELECT count(*) FROM posts WHERE path"
	    " LIKE 'category/%'", NULL), 0);
	assert_int_equal(db_int(db, "SELECT count(*) FROM posts WHERE source"
	    " <> 'import'", NULL), 0);
	sqlite3_close(db);
}

/* The body of the reference post, cut by hand from its bytes. */
static char *
seed_body(void)
{
	char *text = slurp(SEED_POST), *start, *end, *body;

	assert_memory_equal(text, "---\n", 4);
	start = strstr(text + 4, "\n---\n");
	assert_non_null(start);
	start += 5;
	end = strstr(start, "\n\n<http");
	assert_non_null(end);
	body = strndup(start, (size_t)(end - start));
	free(text);
	return body;
}

static void
test_seed_row(void **state)
{
	struct fixture *f = *state;
	long long before = time(NULL), after;
	char *body = seed_body();
	sqlite3 *db;

	run_ok(f, POSTS, POSTS_SUMMARY);
	after = time(NULL);
	db = db_open(f);
	check_col(db, SEED_CODE, "info_code", SEED_CODE);
	check_col(db, SEED_CODE, "source", "import");
	check_col(db, SEED_CODE, "category", "qingdaocaijingribao");
	check_col(db, SEED_CODE, "tag", "青岛财经日报新闻");
	check_col(db, SEED_CODE, "media", "青岛财经日报");
	check_col(db, SEED_CODE, "title", "今年青岛产业政策将在这些领域发力");
	check_col(db, SEED_CODE, "published", "2022-03-23 10:34:11 +0800");
	check_col(db, SEED_CODE, "link", "http://finews.zning.xyz/html_News/"
	    "NewsShare.html?infoCode=NW202203232319931992");
	check_col(db, SEED_CODE, "body", body);
	check_col(db, SEED_CODE, "path",
	    "_posts/2022-03-23-NW202203232319931992.md");
	check_col(db, SEED_CODE, "file_id", SEED_CODE);
	/* 2022-03-23 02:34:11 UTC. */
	assert_int_equal(col_int(db, SEED_CODE, "published_at"), 1648002851);
	assert_true(col_int(db, SEED_CODE, "fetched_at") >= before);
	assert_true(col_int(db, SEED_CODE, "fetched_at") <= after);
	/* The body is the article as finewsd writes it: no trailing blank. */
	assert_true(strncmp(body, "<p>青岛财经日报/首页新闻讯", 10) == 0);
	assert_string_equal(body + strlen(body) - 4, "</p>");
	sqlite3_close(db);
	free(body);
}

static void
test_twins(void **state)
{
	struct fixture *f = *state;
	sqlite3 *db;
	char *body;

	run_ok(f, SITE, SITE_SUMMARY);
	db = db_open(f);
	assert_int_equal(db_int(db, "SELECT count(*) FROM posts WHERE"
	    " info_code LIKE '%202201072239307540' OR"
	    " file_id LIKE '%202201072239307540'", NULL), 1);
	/* Sorted order: "2022-01-07-2…" comes before "2022-01-07-N…". */
	check_col(db, TWIN_CODE, "file_id", "202201072239307540");
	check_col(db, TWIN_CODE, "category", "emnews");
	check_col(db, TWIN_CODE, "tag", "东财滚动新闻");
	check_col(db, TWIN_CODE, "media", NULL);
	check_col(db, TWIN_CODE, "path",
	    "_posts/2022-01-07-202201072239307540.md");
	check_col(db, TWIN_CODE, "link",
	    "http://finance.eastmoney.com/news/1353,202201072239307540.html");
	check_col(db, TWIN_CODE, "published", "2022-01-07 08:14:19 +0800");
	assert_int_equal(col_int(db, TWIN_CODE, "published_at"), 1641514459);
	body = db_text(db, "SELECT body FROM posts WHERE info_code = ?1",
	    TWIN_CODE);
	assert_true(strncmp(body, "> 券商中国获悉，1月5日，", 20) == 0);
	assert_non_null(strstr(body, "（券商中国）\n\n<p>资管新规"));
	assert_string_equal(body + strlen(body) - 4, "</p>");
	free(body);
	sqlite3_close(db);
}

static void
test_media_slugs(void **state)
{
	struct fixture *f = *state;
	char err[256], *slug;
	struct store *st;
	sqlite3 *db;

	run_ok(f, SITE, SITE_SUMMARY);
	db = db_open(f);
	assert_int_equal(db_int(db, "SELECT count(*) FROM media_slugs", NULL),
	    2);
	sqlite3_close(db);
	st = store_open(f->db, err, sizeof(err));
	assert_non_null(st);
	/* Only the twin that was not stored tells this one. */
	assert_int_equal(store_media_slug_get(st, "券商中国", &slug), 0);
	assert_string_equal(slug, "quanshangzhongguo");
	free(slug);
	assert_int_equal(store_media_slug_get(st, "青岛财经日报", &slug), 0);
	assert_string_equal(slug, "qingdaocaijingribao");
	free(slug);
	/* A rolling post has no media. */
	assert_int_equal(store_media_slug_get(st, "东财滚动", &slug), 0);
	assert_null(slug);
	store_close(st);
}

static void
test_early_posts(void **state)
{
	struct fixture *f = *state;
	const char *empty = "NW202112082206870651", *nolinks =
	    "NW202112082206704122", *nooffset = "NW202112082206735975",
	    *old = "NW202112082206672930";
	sqlite3 *db;

	run_ok(f, SITE, SITE_SUMMARY);
	db = db_open(f);
	/* The empty "<>" link, no offset, "../emnews/" back links. */
	check_col(db, empty, "link", NULL);
	check_col(db, empty, "title", "财政部两期国债中标结果出炉（12-08）");
	check_col(db, empty, "published", "2021-12-08 11:39:16 +0800");
	assert_int_equal(col_int(db, empty, "published_at"), 1638934756);
	check_col(db, empty, "body", "\n2021年12月8日讯，财政部2年期续发国债"
	    "中标利率为2.4576%，边际利率为2.4823%，全场倍数为3.7，边际倍数为2.2。"
	    "(东方财富Choice数据)");
	check_col(db, empty, "category", "emnews");
	check_col(db, empty, "media", NULL);
	check_col(db, empty, "file_id", "202112082206870651");
	/* No back links and no newline at the end of the file. */
	check_col(db, nolinks, "link",
	    "http://finance.eastmoney.com/news/1344,202112082206704122.html");
	check_col(db, nolinks, "body", "\n摩根士丹利分析师Katy Huberty维持了对"
	    "苹果的“增持”评级，并将该股目标价从164美元上调至200美元(较最新"
	    "收盘价高近17%)，和韦德布什给出的目标价并列华尔街最高。");
	check_col(db, nolinks, "title",
	    "华尔街最高！大摩上调苹果目标价至200美元 VR和自动驾驶将发力");
	assert_int_equal(col_int(db, nolinks, "published_at"), 1638929957);
	check_col(db, nooffset, "published", "2021-12-08 10:39:01 +0800");
	assert_int_equal(col_int(db, nooffset, "published_at"), 1638931141);
	/* Outside _posts: the path is where the file is in the site. */
	check_col(db, old, "path", "old_post/2021-12-08-202112082206672930.md");
	check_col(db, old, "body",
	    "\n离岸人民币兑美元升至6.3512，为2018年以来最高水平。");
	assert_int_equal(col_int(db, old, "published_at"), 1638931578);
	sqlite3_close(db);
}

static void
test_idempotent(void **state)
{
	struct fixture *f = *state;
	sqlite3 *db;

	run_ok(f, SITE, SITE_SUMMARY);
	run_ok(f, SITE, "0 posts imported, 6 already known, 2 skipped, "
	    "0 media slugs learned, 1 twins and 0 copies left alone, "
	    "2 category pages");
	db = db_open(f);
	assert_int_equal(count_posts(db), 6);
	assert_int_equal(db_int(db, "SELECT count(*) FROM media_slugs", NULL),
	    2);
	sqlite3_close(db);
}

static void
test_broken_skipped(void **state)
{
	struct fixture *f = *state;
	sqlite3 *db;

	run_ok(f, POSTS, POSTS_SUMMARY);
	assert_non_null(strstr(f->stderr_text, "import " POSTS
	    "/-202205262391921712.md: skipped: "));
	assert_non_null(strstr(f->stderr_text, "import " POSTS
	    "/2021-12-01-init.md: skipped: "));
	db = db_open(f);
	assert_int_equal(db_int(db, "SELECT count(*) FROM posts WHERE"
	    " info_code LIKE '%202205262391921712' OR info_code LIKE '%init'"
	    " OR title = '' OR published = '' OR category = 'sitenews'",
	    NULL), 0);
	sqlite3_close(db);
}

/*
 * Posts outside site_dir keep their place in the copy of the site they come
 * from: a post of old_post/ stays there (its page is /old_post/<file>.html,
 * which must not move), a post of _posts/ stays in _posts/.
 */
static void
test_outside_site(void **state)
{
	struct fixture *f = *state;
	sqlite3 *db;

	f->c.site_dir = f->dir;
	run_ok(f, SITE, SITE_SUMMARY);
	db = db_open(f);
	check_col(db, "NW202112082206672930", "path",
	    "old_post/2021-12-08-202112082206672930.md");
	check_col(db, SEED_CODE, "path",
	    "_posts/2022-03-23-NW202203232319931992.md");
	sqlite3_close(db);
}

/* A date without offset is in the configured timezone. */
static void
test_timezone(void **state)
{
	struct fixture *f = *state;
	sqlite3 *db;

	strcpy(f->c.tz, "+0900");
	f->c.tz_offset = 32400;
	run_ok(f, SITE, SITE_SUMMARY);
	db = db_open(f);
	check_col(db, "NW202112082206735975", "published",
	    "2021-12-08 10:39:01 +0900");
	assert_int_equal(col_int(db, "NW202112082206735975", "published_at"),
	    1638931141 - 3600);
	/* A post's own offset wins. */
	check_col(db, SEED_CODE, "published", "2022-03-23 10:34:11 +0800");
	assert_int_equal(col_int(db, SEED_CODE, "published_at"), 1648002851);
	sqlite3_close(db);
}

/* A slug the database already has is kept. */
static void
test_known_slug_kept(void **state)
{
	struct fixture *f = *state;
	char err[256], *slug;
	struct store *st;

	st = store_open(f->db, err, sizeof(err));
	assert_non_null(st);
	assert_int_equal(store_media_slug_set(st, "券商中国", "qszg"), 0);
	store_close(st);
	run_ok(f, SITE, "6 posts imported, 0 already known, 2 skipped, "
	    "1 media slugs learned, 1 twins and 0 copies left alone, "
	    "2 category pages");
	st = store_open(f->db, err, sizeof(err));
	assert_non_null(st);
	assert_int_equal(store_media_slug_get(st, "券商中国", &slug), 0);
	assert_string_equal(slug, "qszg");
	free(slug);
	store_close(st);
}

/* Writes TEXT into the scratch folder as NAME (folders made as needed). */
static void
put(struct fixture *f, const char *name, const char *text)
{
	char path[512], *slash;

	snprintf(path, sizeof(path), "%s/site/%s", f->dir, name);
	for (slash = strchr(path + strlen(f->dir) + 1, '/'); slash != NULL;
	    slash = strchr(slash + 1, '/')) {
		*slash = '\0';
		(void)mkdir(path, 0700);
		*slash = '/';
	}
	spit(path, text);
}

#define FRONT(title, date, cat, tag)					\
	"---\nlayout: post\ntitle: " title "\ndate: " date		\
	"\ncategories: " cat "\ntags: " tag "\n---\n"
#define BACK	"\n\n[返回测试新闻](//h/category/ceshi.html)｜[返回首页](//h/)"

static void
test_edge_cases(void **state)
{
	struct fixture *f = *state;
	char dir[128], err[256], *slug;
	struct store *st;
	sqlite3 *db;

	snprintf(dir, sizeof(dir), "%s/site", f->dir);
	put(f, "2022-06-01-ESC1.md", FRONT("\"say \\\"hi\\\" \\\\ back\"",
	    "2022-06-01 12:00:00 -0130", "some slug", "某某新闻")
	    "<p>a</p>\n\n<https://e.x/1>" BACK);
	/* Comes after ESC1, whose slug settled this media's. */
	put(f, "2022-06-01-ESC2.md", FRONT("\"t\"", "2022-06-01 12:00:00",
	    "mm", "某某新闻") "<p>b</p>\n\n<https://e.x/0>" BACK);
	put(f, "2022-06-01-PLAIN.md", FRONT("plain title: yes",
	    "2022-06-01 12:00:00", "ceshi", "测试新闻")
	    "<p>x</p>\n\n\n<https://e.x/2>\n");
	put(f, "sub/2022-06-04-SUB.md", FRONT("\"in a folder\"",
	    "2022-06-04 00:00:00 +0800", "other", "测试新闻")
	    "<p>y</p>\n\n<//e.x/3>" BACK "\n");
	put(f, "2022-06-02-LAYOUT.md", "---\nlayout: page\ntitle: \"t\"\n"
	    "date: 2022-06-02 10:00:00\ncategories: c\ntags: t\n---\nb\n\n<>");
	put(f, "2022-06-02-NOFM.md", "<p>no front matter</p>\n\n<https://e.x/>");
	put(f, "2022-06-02-BADDATE.md", FRONT("\"t\"",
	    "2022-02-30 10:00:00 +0800", "c", "t") "b\n\n<https://e.x/4>");
	put(f, "2022-06-05-BR.md", FRONT("\"t\"", "2022-06-05 10:00:00",
	    "c", "t") "<p>b</p>\n<br>" BACK);
	put(f, "2022-06-06-.x.md", FRONT("\"t\"", "2022-06-06 10:00:00",
	    "c", "t") "b\n\n<https://e.x/5>");
	put(f, "2022-06-07-QUOTE.md", FRONT("\"not closed", "2022-06-07 10:00:00",
	    "c", "t") "b\n\n<https://e.x/6>");
	put(f, "2022-06-08-CAT.md", FRONT("\"t\"", "2022-06-08 10:00:00",
	    "../x", "t") "b\n\n<https://e.x/7>");
	put(f, "notes.txt", "not a post");
	put(f, ".hidden/2022-06-03-HID.md", FRONT("\"hidden\"",
	    "2022-06-03 10:00:00", "c", "t") "b\n\n<https://e.x/8>");
	run_ok(f, dir, "4 posts imported, 0 already known, 7 skipped, "
	    "1 media slugs learned, 0 twins and 0 copies left alone, "
	    "0 category pages");
	db = db_open(f);
	assert_int_equal(count_posts(db), 4);
	check_col(db, "ESC1", "title", "say \"hi\" \\ back");
	check_col(db, "ESC1", "published", "2022-06-01 12:00:00 -0130");
	/* 2022-06-01 13:30:00 UTC. */
	assert_int_equal(col_int(db, "ESC1", "published_at"), 1654090200);
	check_col(db, "ESC1", "body", "<p>a</p>");
	check_col(db, "ESC1", "media", "某某");
	check_col(db, "ESC1", "category", "some slug");
	check_col(db, "PLAIN", "title", "plain title: yes");
	check_col(db, "PLAIN", "published", "2022-06-01 12:00:00 +0800");
	/* finewsd writes body "\n\n<link>": the body's own newline stays. */
	check_col(db, "PLAIN", "body", "<p>x</p>\n");
	check_col(db, "PLAIN", "link", "https://e.x/2");
	check_col(db, "SUB", "link", "//e.x/3");
	check_col(db, "SUB", "body", "<p>y</p>");
	/* DIR is site_dir here: the path is where the file is. */
	check_col(db, "SUB", "path", "sub/2022-06-04-SUB.md");
	sqlite3_close(db);
	/* Said once per media. */
	slug = strstr(f->stderr_text, "media 某某 uses slug some slug,");
	assert_non_null(slug);
	assert_null(strstr(slug + 1, "media 某某"));
	assert_non_null(strstr(f->stderr_text, "LAYOUT.md: skipped: "));
	assert_non_null(strstr(f->stderr_text, "NOFM.md: skipped: "));
	assert_non_null(strstr(f->stderr_text, "BADDATE.md: skipped: "));
	assert_non_null(strstr(f->stderr_text, "BR.md: skipped: "));
	assert_non_null(strstr(f->stderr_text, ".x.md: skipped: "));
	assert_non_null(strstr(f->stderr_text, "QUOTE.md: skipped: "));
	assert_non_null(strstr(f->stderr_text, "CAT.md: skipped: "));
	assert_null(strstr(f->stderr_text, "HID"));
	assert_null(strstr(f->stderr_text, "notes.txt"));
	st = store_open(f->db, err, sizeof(err));
	assert_non_null(st);
	/* The first post of a media settles its slug. */
	assert_int_equal(store_media_slug_get(st, "测试", &slug), 0);
	assert_string_equal(slug, "ceshi");
	free(slug);
	assert_int_equal(store_media_slug_get(st, "某某", &slug), 0);
	assert_null(slug);
	store_close(st);
}

/* The site as the store knows it, for record_slug: what the daemon's
 * scheduler hands on, without its cache. */
static int
site_media_slug(void *arg, const char *media, char **slug)
{
	return store_media_slug_get(arg, media, slug);
}

static int
site_page_exists(void *arg, const char *slug)
{
	return store_page_exists(arg, slug);
}

static int
site_pages_each(void *arg, record_page_fn *fn, void *fnarg)
{
	return store_pages_each(arg, fn, fnarg);
}

static int
site_reading(void *arg, unsigned cp, char **reading)
{
	return store_reading_get(arg, cp, reading);
}

/* Asserts that the learned reading of CP is EXPECTED (NULL: none). */
static void
check_reading(struct store *st, unsigned cp, const char *expected)
{
	char *r;

	assert_int_equal(store_reading_get(st, cp, &r), 0);
	if (expected == NULL)
		assert_null(r);
	else
		assert_string_equal(r, expected);
	free(r);
}

static int
count_reading(void *arg, unsigned cp, const char *reading, long long votes)
{
	long long *n = arg;

	(void)cp;
	(void)reading;
	*n += votes;
	return 0;
}

/*
 * The slugs of the site's posts teach the readings the site chose, per
 * character: 都 du from 成都日报, 地 di from 阿克苏地区融媒体中心, 长 chang
 * from 长江证券; then media the site never named get them (都市快报,
 * 观点地产网, 长城证券), with no [categories] entry.
 */
static void
test_readings_learned(void **state)
{
	struct fixture *f = *state;
	struct record_site site = { .media_slug = site_media_slug,
	    .page_exists = site_page_exists, .pages_each = site_pages_each,
	    .reading = site_reading };
	char dir[128], err[256], *slug;
	long long votes = 0;
	struct store *st;

	snprintf(dir, sizeof(dir), "%s/site", f->dir);
	put(f, "2022-06-01-R1.md", FRONT("\"t\"", "2022-06-01 12:00:00",
	    "chengduribao", "成都日报新闻") "<p>a</p>\n\n<https://e.x/1>" BACK);
	/* A second post of the media in the same run votes no more. */
	put(f, "2022-06-01-R2.md", FRONT("\"t\"", "2022-06-01 12:00:00",
	    "chengduribao", "成都日报新闻") "<p>a</p>\n\n<https://e.x/2>" BACK);
	put(f, "2022-06-01-R3.md", FRONT("\"t\"", "2022-06-01 12:00:00",
	    "akesudiqurongmeitizhongxin", "阿克苏地区融媒体中心新闻")
	    "<p>a</p>\n\n<https://e.x/3>" BACK);
	put(f, "2022-06-01-R4.md", FRONT("\"t\"", "2022-06-01 12:00:00",
	    "changjiangzhengquan", "长江证券新闻") "<p>a</p>\n\n<https://e.x/4>"
	    BACK);
	/* A hand-made slug is no reading: nothing learned from it. */
	put(f, "2022-06-01-R5.md", FRONT("\"t\"", "2022-06-01 12:00:00",
	    "yicai", "第一财经新闻") "<p>a</p>\n\n<https://e.x/5>" BACK);
	run_ok(f, dir, "5 posts imported, 0 already known, 0 skipped, "
	    "4 media slugs learned, 0 twins and 0 copies left alone, "
	    "0 category pages");
	st = store_open(f->db, err, sizeof(err));
	assert_non_null(st);
	site.arg = st;
	check_reading(st, 0x90fd, "du");	/* 都 */
	check_reading(st, 0x5730, "di");	/* 地 */
	check_reading(st, 0x957f, "chang");	/* 长 */
	check_reading(st, 0x5238, "quan");	/* 券: Unihan's first, kept */
	check_reading(st, 0x6210, NULL);	/* 成: one reading, no vote */
	check_reading(st, 0x8d22, NULL);	/* 财 of yicai */
	assert_int_equal(store_readings_each(st, count_reading, &votes), 0);
	/* What has more than one candidate reading: 都 du; 阿 a, 地 di, 区
	 * qu, 体 ti; 长 chang, 券 quan. */
	assert_int_equal(votes, 7);
	slug = record_slug(&f->c, "都市快报", &site);
	assert_string_equal(slug, "dushikuaibao");
	free(slug);
	slug = record_slug(&f->c, "观点地产网", &site);
	assert_string_equal(slug, "guandiandichanwang");
	free(slug);
	slug = record_slug(&f->c, "长城证券", &site);
	assert_string_equal(slug, "changchengzhengquan");
	free(slug);
	/* The four names the shipped configuration used to fix by hand. */
	slug = record_slug(&f->c, "海峡都市报", &site);
	assert_string_equal(slug, "haixiadushibao");
	free(slug);
	slug = record_slug(&f->c, "长江证券", &site);
	assert_string_equal(slug, "changjiangzhengquan");
	free(slug);
	/* Without what the site taught, today's first readings. */
	slug = record_slug(&f->c, "都市快报", NULL);
	assert_string_equal(slug, "doushikuaibao");
	free(slug);
	store_close(st);
	/* Another run votes again, once per media. */
	run_ok(f, dir, "0 posts imported, 5 already known, 0 skipped, "
	    "0 media slugs learned, 0 twins and 0 copies left alone, "
	    "4 category pages");
	st = store_open(f->db, err, sizeof(err));
	assert_non_null(st);
	votes = 0;
	assert_int_equal(store_readings_each(st, count_reading, &votes), 0);
	assert_int_equal(votes, 14);
	check_reading(st, 0x90fd, "du");
	store_close(st);
}

/* Paths inside site_dir are relative to it, whatever folder holds them. */
static void
test_relative_path(void **state)
{
	struct fixture *f = *state;
	char dir[128], site[128];
	sqlite3 *db;

	snprintf(site, sizeof(site), "%s/site", f->dir);
	put(f, "_archive/2022/2022-06-09-ARC.md", FRONT("\"t\"",
	    "2022-06-09 10:00:00", "c", "t") "b\n\n<https://e.x/9>");
	f->c.site_dir = site;
	snprintf(dir, sizeof(dir), "%s/site/_archive", f->dir);
	run_ok(f, dir, "1 posts imported, 0 already known, 0 skipped, "
	    "0 media slugs learned, 0 twins and 0 copies left alone, "
	    "0 category pages");
	db = db_open(f);
	check_col(db, "ARC", "path", "_archive/2022/2022-06-09-ARC.md");
	check_col(db, "ARC", "media", NULL);
	sqlite3_close(db);
}

static int
exists(const char *dir, const char *rel)
{
	char path[512];
	struct stat sb;

	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	return stat(path, &sb) == 0;
}

/*
 * Import leaves a complete site: every category's feed, all.xml, the OPML
 * list, and a page for each category that had none (the site's own pages
 * kept as they are); a post in _posts/ and old_post/ is one row; a post
 * whose file names its page (permalink:) keeps it.
 */
static void
test_complete_site(void **state)
{
	struct fixture *f = *state;
	char *page;
	sqlite3 *db;

	put(f, "_posts/2022-06-01-A1.md", FRONT("\"a\"", "2022-06-01 12:00:00",
	    "ceshi", "测试新闻") "<p>a</p>\n\n<https://e.x/1>" BACK);
	put(f, "old_post/2022-06-01-A1.md", FRONT("\"a\"", "2022-06-01 12:00:00",
	    "ceshi", "测试新闻") "<p>a</p>\n\n<https://e.x/1>" BACK);
	put(f, "old_post/2022-06-02-B2.md", "---\nlayout: post\ntitle: \"b\"\n"
	    "date: 2022-06-02 12:00:00 +0800\ncategories: emnews\ntags: 东财滚动新闻\n"
	    "permalink: /emnews/2022/06/02/B2.html\n---\n<p>b</p>\n\n<https://e.x/2>");
	put(f, "category/ceshi.html", "the site's own page");
	run_ok(f, f->site, "2 posts imported, 0 already known, 0 skipped, "
	    "1 media slugs learned, 0 twins and 1 copies left alone, "
	    "1 category pages");
	assert_true(exists(f->site, "feeds/ceshi.xml"));
	assert_true(exists(f->site, "feeds/emnews.xml"));
	assert_true(exists(f->site, "feeds/all.xml"));
	assert_true(exists(f->site, "feeds/index.opml"));
	assert_true(exists(f->site, "category/emnews.html"));
	{
		char path[512];

		snprintf(path, sizeof(path), "%s/category/ceshi.html", f->site);
		page = slurp(path);
		assert_string_equal(page, "the site's own page");
		free(page);
	}
	db = db_open(f);
	assert_int_equal(count_posts(db), 2);
	check_col(db, "A1", "path", "_posts/2022-06-01-A1.md");
	check_col(db, "A1", "url", NULL);
	check_col(db, "B2", "path", "old_post/2022-06-02-B2.md");
	check_col(db, "B2", "url", "/emnews/2022/06/02/B2.html");
	assert_int_equal(db_int(db, "SELECT count(*) FROM pages", NULL), 1);
	sqlite3_close(db);
	assert_non_null(strstr(f->stderr_text, "a copy of _posts/2022-06-01-A1.md"));
}

static void
test_failures(void **state)
{
	struct fixture *f = *state;
	char bad[256];

	assert_int_equal(run(f, "/nonexistent/finewsd-import"), 1);
	assert_string_equal(f->stdout_text, "");
	assert_int_equal(run(f, SEED_POST), 1);
	snprintf(bad, sizeof(bad), "%s/no/such/folder/finewsd.db", f->dir);
	f->c.database = bad;
	assert_int_equal(run(f, SITE), 1);
	assert_string_equal(f->stdout_text, "");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_site_counts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_seed_row, setup, teardown),
		cmocka_unit_test_setup_teardown(test_twins, setup, teardown),
		cmocka_unit_test_setup_teardown(test_media_slugs, setup, teardown),
		cmocka_unit_test_setup_teardown(test_early_posts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_idempotent, setup, teardown),
		cmocka_unit_test_setup_teardown(test_broken_skipped, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_outside_site, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_timezone, setup, teardown),
		cmocka_unit_test_setup_teardown(test_known_slug_kept, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_edge_cases, setup, teardown),
		cmocka_unit_test_setup_teardown(test_readings_learned, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_relative_path, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_complete_site, setup, teardown),
		cmocka_unit_test_setup_teardown(test_failures, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
