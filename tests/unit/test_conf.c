/*
 * test_conf: conf_load on configurations written from string literals into
 * a scratch directory, and on the shipped etc/finewsd.conf.  Every error
 * message is compared with the "PATH:LINE: key: what is wrong" the contract
 * and conf.h promise, written out by hand.
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "conf.h"

#define SHIPPED_CONF	TOP_SRCDIR "/etc/finewsd.conf"
/* The contract's example configuration, copied verbatim. */
#define EXAMPLE_CONF	TOP_SRCDIR "/tests/fixtures/conf/contract-example.conf"

/* Lines 1-4. */
#define FINEWSD \
	"[finewsd]\n" \
	"database = /tmp/finewsd-test.db\n" \
	"site_dir = /tmp/finewsd-site\n" \
	"site_url = https://example.org/\n"

/* Lines 5-9 after FINEWSD. */
#define SOURCE \
	"[source s1]\n" \
	"list_url = http://127.0.0.1:8089/list?count=100\n" \
	"text_url = http://127.0.0.1:8089/text?id={id}\n" \
	"media_field = medianame\n" \
	"link = http://example.org/share?infoCode={id}\n"

/* An html source missing nothing, lines 5-14 after FINEWSD. */
#define HTML_SOURCE \
	"[source h1]\n" \
	"format = html\n" \
	"list_url = https://news.example/list.html\n" \
	"text_url = https://news.example/a/{id}.html\n" \
	"link = https://news.example/a/{id}.html\n" \
	"list_xpath = //ul[@class='list']/li\n" \
	"id_xpath = substring-after(a/@href, 'id=')\n" \
	"title_xpath = a\n" \
	"date_xpath = span[@class='time']\n" \
	"text_xpath = //div[@id='body']\n"

static char scratch[64];
static char conf_path[128];

static int
setup(void **state)
{
	(void)state;
	strcpy(scratch, "/tmp/test_conf.XXXXXX");
	if (mkdtemp(scratch) == NULL)
		return -1;
	snprintf(conf_path, sizeof(conf_path), "%s/finewsd.conf", scratch);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	unlink(conf_path);
	return rmdir(scratch);
}

static void
write_conf(const char *text)
{
	FILE *fp;

	fp = fopen(conf_path, "w");
	assert_non_null(fp);
	assert_int_equal(fputs(text, fp) >= 0, 1);
	assert_int_equal(fclose(fp), 0);
}

/* Loads TEXT, which must be valid. */
static struct conf *
load_ok(const char *text)
{
	char err[512];
	struct conf *c;

	write_conf(text);
	c = conf_load(conf_path, err, sizeof(err));
	if (c == NULL)
		print_error("unexpected error: %s\n", err);
	assert_non_null(c);
	return c;
}

/*
 * Loads TEXT, which must fail with exactly "PATH" followed by REST when
 * WHOLE, or with a message starting so otherwise.
 */
static void
check_error(const char *text, const char *rest, int whole)
{
	char err[512], want[512];
	struct conf *c;

	write_conf(text);
	snprintf(want, sizeof(want), "%s%s", conf_path, rest);
	c = conf_load(conf_path, err, sizeof(err));
	if (c != NULL) {
		print_error("loaded, expected the error %s\n", want);
		conf_destroy(c);
		fail();
	}
	if (!whole && strncmp(err, want, strlen(want)) == 0)
		return;
	assert_string_equal(err, want);
}

#define ERROR_IS(text, rest)		check_error((text), (rest), 1)
#define ERROR_STARTS(text, rest)	check_error((text), (rest), 0)

static void
test_full(void **state)
{
	struct conf *c;
	const struct conf_source *s;

	(void)state;
	c = load_ok(
	    "[finewsd]\n"
	    "database      = /var/lib/finewsd/db/finewsd.db\n"
	    "site_dir      = /var/lib/finewsd/site    ; _posts/ go here\n"
	    "site_url      = https://finews.withounder.com\n"
	    "timezone      = +0900\n"
	    "interval      = 120                      ; seconds\n"
	    "max_transfers = 16\n"
	    "max_per_host  = 2\n"
	    "timeout       = 10\n"
	    "user_agent    = test-agent/1.0 (x)\n"
	    "feed_entries  = 20\n"
	    "on_update     = /usr/bin/jekyll build\n"
	    "archive_after_days = 365\n"
	    "archive_dir   = old/posts\n"
	    "\n"
	    "[categories]                             ; optional\n"
	    "青岛财经日报 = qingdaocaijingribao\n"
	    "\n"
	    "[source market37]                        ; NAME\n"
	    "list_url      = http://api.example/information/newmarket/web/"
	    "webapi?marketType=37&count=100\n"
	    "list_items    = record                   ; key of the array\n"
	    "id_field      = infoCode\n"
	    "title_field   = title\n"
	    "date_field    = datetime\n"
	    "media_field   = medianame\n"
	    "category      =                          ; a fixed category\n"
	    "tag           =\n"
	    "text_url      = http://api.example/NewsData/GetNewsText.do?id={id}\n"
	    "text_field    = content\n"
	    "digest_field  = digest\n"
	    "link          = http://finews.zning.xyz/html_News/NewsShare.html?"
	    "infoCode={id}\n"
	    "link_field    = url_w\n"
	    "file_id_field = id\n"
	    "category_url  = https://finews.withounder.com/c/{category}.html\n"
	    "interval      = 60\n"
	    "format        = json\n"
	    "list_xpath    =\n"
	    "id_xpath      =                          ; html: likewise\n"
	    "                                         ;   date_xpath\n"
	    "text_xpath    =\n");
	assert_string_equal(c->path, conf_path);
	assert_string_equal(c->database, "/var/lib/finewsd/db/finewsd.db");
	assert_string_equal(c->site_dir, "/var/lib/finewsd/site");
	assert_string_equal(c->site_url, "https://finews.withounder.com");
	assert_string_equal(c->site_host, "finews.withounder.com");
	assert_string_equal(c->tz, "+0900");
	assert_int_equal(c->tz_offset, 9 * 3600);
	assert_int_equal(c->interval, 120);
	assert_int_equal(c->max_transfers, 16);
	assert_int_equal(c->max_per_host, 2);
	assert_int_equal(c->timeout, 10);
	assert_string_equal(c->user_agent, "test-agent/1.0 (x)");
	assert_int_equal(c->feed_entries, 20);
	assert_non_null(c->on_update);
	assert_string_equal(c->on_update[0], "/usr/bin/jekyll");
	assert_string_equal(c->on_update[1], "build");
	assert_null(c->on_update[2]);
	assert_int_equal(c->archive_after_days, 365);
	assert_string_equal(c->archive_dir, "old/posts");
	assert_int_equal(c->ncategories, 1);
	assert_string_equal(c->categories[0].media, "青岛财经日报");
	assert_string_equal(c->categories[0].slug, "qingdaocaijingribao");
	assert_int_equal(c->categories[0].line, 17);

	assert_int_equal(c->nsources, 1);
	s = &c->sources[0];
	assert_string_equal(s->name, "market37");
	assert_int_equal(s->line, 19);
	assert_string_equal(s->list_url, "http://api.example/information/"
	    "newmarket/web/webapi?marketType=37&count=100");
	assert_string_equal(s->list_items, "record");
	assert_string_equal(s->id_field, "infoCode");
	assert_string_equal(s->title_field, "title");
	assert_string_equal(s->date_field, "datetime");
	assert_string_equal(s->media_field, "medianame");
	assert_null(s->category);
	assert_null(s->tag);
	assert_string_equal(s->text_url,
	    "http://api.example/NewsData/GetNewsText.do?id={id}");
	assert_string_equal(s->text_field, "content");
	assert_string_equal(s->digest_field, "digest");
	assert_string_equal(s->link, "http://finews.zning.xyz/html_News/"
	    "NewsShare.html?infoCode={id}");
	assert_string_equal(s->link_field, "url_w");
	assert_string_equal(s->file_id_field, "id");
	assert_string_equal(s->category_url,
	    "https://finews.withounder.com/c/{category}.html");
	assert_int_equal(s->interval, 60);
	assert_int_equal(s->format, CONF_FORMAT_JSON);
	assert_null(s->list_xpath);
	assert_null(s->id_xpath);
	assert_null(s->text_xpath);
	assert_ptr_equal(conf_source_find(c, "market37"), s);
	assert_null(conf_source_find(c, "market38"));
	conf_destroy(c);
}

static void
test_defaults(void **state)
{
	struct conf *c;
	const struct conf_source *s;

	(void)state;
	c = load_ok(FINEWSD SOURCE);
	assert_string_equal(c->site_url, "https://example.org");
	assert_string_equal(c->site_host, "example.org");
	assert_string_equal(c->tz, "+0800");
	assert_int_equal(c->tz_offset, 28800);
	assert_int_equal(c->interval, 300);
	assert_int_equal(c->max_transfers, 8);
	assert_int_equal(c->max_per_host, 4);
	assert_int_equal(c->timeout, 30);
	assert_string_equal(c->user_agent, "finewsd/" PACKAGE_VERSION);
	assert_int_equal(c->feed_entries, 50);
	assert_null(c->on_update);
	assert_int_equal(c->archive_after_days, 0);
	assert_string_equal(c->archive_dir, "old_post");
	assert_int_equal(c->ncategories, 0);
	assert_null(conf_category_find(c, "青岛财经日报"));
	assert_int_equal(c->nsources, 1);
	s = conf_source_find(c, "s1");
	assert_non_null(s);
	assert_int_equal(s->line, 5);
	assert_string_equal(s->list_items, "record");
	assert_string_equal(s->id_field, "infoCode");
	assert_string_equal(s->title_field, "title");
	assert_string_equal(s->date_field, "datetime");
	assert_string_equal(s->text_field, "text");
	assert_null(s->category);
	assert_null(s->tag);
	assert_null(s->digest_field);
	assert_null(s->link_field);
	assert_null(s->file_id_field);
	assert_null(s->category_url);
	assert_int_equal(s->interval, 300);
	assert_int_equal(s->format, CONF_FORMAT_JSON);
	conf_destroy(c);
}

/* Empty values are unset, and keep a default where there is one. */
static void
test_empty_values(void **state)
{
	struct conf *c;
	const struct conf_source *s;

	(void)state;
	c = load_ok(FINEWSD
	    "timezone =\n"
	    "interval = ; nothing\n"
	    "user_agent =\n"
	    "on_update =\n"
	    "archive_dir =\n"
	    SOURCE
	    "id_field =\n"
	    "list_items =\n"
	    "text_field =\n"
	    "category =\n"
	    "tag =\n"
	    "format =\n");
	assert_string_equal(c->tz, "+0800");
	assert_int_equal(c->interval, 300);
	assert_string_equal(c->user_agent, "finewsd/" PACKAGE_VERSION);
	assert_null(c->on_update);
	assert_string_equal(c->archive_dir, "old_post");
	s = &c->sources[0];
	assert_string_equal(s->id_field, "infoCode");
	assert_string_equal(s->list_items, "record");
	assert_string_equal(s->text_field, "text");
	assert_null(s->category);
	assert_null(s->tag);
	assert_int_equal(s->format, CONF_FORMAT_JSON);
	conf_destroy(c);
}

/* A source's interval defaults to the global one, wherever that stands. */
static void
test_interval_order(void **state)
{
	struct conf *c;

	(void)state;
	c = load_ok(SOURCE
	    "[source s2]\n"
	    "list_url = http://127.0.0.1/l\n"
	    "text_url = http://127.0.0.1/t/{id}\n"
	    "category = emnews\n"
	    "tag = 东财滚动新闻\n"
	    "link_field = url_w\n"
	    "interval = 30\n"
	    FINEWSD
	    "interval = 90\n");
	assert_int_equal(c->interval, 90);
	assert_int_equal(conf_source_find(c, "s1")->interval, 90);
	assert_int_equal(conf_source_find(c, "s2")->interval, 30);
	assert_int_equal(conf_source_find(c, "s2")->line, 6);
	conf_destroy(c);
}

static void
test_categories(void **state)
{
	struct conf *c;

	(void)state;
	c = load_ok(FINEWSD
	    "[categories]\n"
	    "长江证券 = changjiangzhengquan\n"
	    "; a comment\n"
	    "36氪 = 36-ke_X\n"
	    "Reuters=reuters\n"
	    SOURCE);
	assert_int_equal(c->ncategories, 3);
	assert_string_equal(c->categories[0].media, "长江证券");
	assert_int_equal(c->categories[0].line, 6);
	assert_string_equal(c->categories[1].media, "36氪");
	assert_int_equal(c->categories[1].line, 8);
	assert_string_equal(c->categories[2].media, "Reuters");
	assert_int_equal(c->categories[2].line, 9);
	assert_string_equal(conf_category_find(c, "长江证券"),
	    "changjiangzhengquan");
	assert_string_equal(conf_category_find(c, "36氪"), "36-ke_X");
	assert_string_equal(conf_category_find(c, "Reuters"), "reuters");
	assert_null(conf_category_find(c, "长城证券"));
	assert_null(conf_category_find(c, "reuters"));
	conf_destroy(c);
}

static void
test_on_update(void **state)
{
	struct conf *c;

	(void)state;
	c = load_ok(FINEWSD
	    "on_update = /usr/local/bin/rebuild  --site\t/srv/www   -q\n"
	    SOURCE);
	assert_non_null(c->on_update);
	assert_string_equal(c->on_update[0], "/usr/local/bin/rebuild");
	assert_string_equal(c->on_update[1], "--site");
	assert_string_equal(c->on_update[2], "/srv/www");
	assert_string_equal(c->on_update[3], "-q");
	assert_null(c->on_update[4]);
	conf_destroy(c);

	c = load_ok(FINEWSD "on_update = touch ; a comment\n" SOURCE);
	assert_string_equal(c->on_update[0], "touch");
	assert_null(c->on_update[1]);
	conf_destroy(c);
}

/*
 * A relative path is refused, naming the line, the key and the value: it
 * would mean one file from a shell and another under systemd.
 */
static void
test_relative_paths(void **state)
{
	(void)state;
	ERROR_IS("[finewsd]\ndatabase = d.db\nsite_dir = /srv/site\n"
	    "site_url = https://example.org/\n" SOURCE,
	    ":2: database: not an absolute path: d.db");
	ERROR_IS("[finewsd]\ndatabase = /srv/d.db\nsite_dir = ./site\n"
	    "site_url = https://example.org/\n" SOURCE,
	    ":3: site_dir: not an absolute path: ./site");
	ERROR_IS(FINEWSD "metrics_file = m/finewsd.prom\n" SOURCE,
	    ":5: metrics_file: not an absolute path: m/finewsd.prom");
	ERROR_IS(FINEWSD "metrics_file = ~/finewsd.prom\n" SOURCE,
	    ":5: metrics_file: not an absolute path: ~/finewsd.prom");
	/* metrics_file is written at run time: a folder is refused at once,
	 * a path that cannot be written yet is not. */
	ERROR_IS(FINEWSD "metrics_file = /tmp\n" SOURCE,
	    ":5: metrics_file: a folder, not a file: /tmp");
	conf_destroy(load_ok(FINEWSD "metrics_file = /nonexistent/x.prom\n"
	    SOURCE));
}

static void
test_site_url(void **state)
{
	struct conf *c;

	(void)state;
	c = load_ok("[finewsd]\n"
	    "database = /srv/d.db\n"
	    "site_dir = /srv/site\n"
	    "site_url = http://news.example:8080/\n"
	    SOURCE);
	assert_string_equal(c->site_url, "http://news.example:8080");
	assert_string_equal(c->site_host, "news.example:8080");
	conf_destroy(c);

	c = load_ok("[finewsd]\n"
	    "database = /srv/d.db\n"
	    "site_dir = /srv/site\n"
	    "site_url = https://example.org/news/\n"
	    SOURCE);
	assert_string_equal(c->site_url, "https://example.org/news");
	assert_string_equal(c->site_host, "example.org");
	conf_destroy(c);

	c = load_ok("[finewsd]\n"
	    "database = /srv/d.db\n"
	    "site_dir = /srv/site\n"
	    "site_url = https://example.org\n"
	    SOURCE);
	assert_string_equal(c->site_url, "https://example.org");
	conf_destroy(c);
}

static void
test_timezone(void **state)
{
	struct conf *c;

	(void)state;
	c = load_ok(FINEWSD "timezone = -0330\n" SOURCE);
	assert_string_equal(c->tz, "-0330");
	assert_int_equal(c->tz_offset, -(3 * 3600 + 30 * 60));
	conf_destroy(c);
	c = load_ok(FINEWSD "timezone = +1400\n" SOURCE);
	assert_int_equal(c->tz_offset, 14 * 3600);
	conf_destroy(c);
	c = load_ok(FINEWSD "timezone = +0000\n" SOURCE);
	assert_string_equal(c->tz, "+0000");
	assert_int_equal(c->tz_offset, 0);
	conf_destroy(c);
	c = load_ok(FINEWSD "timezone = -1159\n" SOURCE);
	assert_int_equal(c->tz_offset, -(11 * 3600 + 59 * 60));
	conf_destroy(c);

	c = load_ok(FINEWSD "timezone = +1459\n" SOURCE);
	assert_int_equal(c->tz_offset, 14 * 3600 + 59 * 60);
	conf_destroy(c);
	/* Kept as written: the posts' date lines carry it. */
	c = load_ok(FINEWSD "timezone = -0000\n" SOURCE);
	assert_string_equal(c->tz, "-0000");
	assert_int_equal(c->tz_offset, 0);
	conf_destroy(c);

	ERROR_IS(FINEWSD "timezone = +1500\n" SOURCE,
	    ":5: timezone: not a UTC offset +HHMM or -HHMM: +1500");
	ERROR_IS(FINEWSD "timezone = -1500\n" SOURCE,
	    ":5: timezone: not a UTC offset +HHMM or -HHMM: -1500");
	ERROR_IS(FINEWSD "timezone = +2300\n" SOURCE,
	    ":5: timezone: not a UTC offset +HHMM or -HHMM: +2300");
	ERROR_IS(FINEWSD "timezone = +08000\n" SOURCE,
	    ":5: timezone: not a UTC offset +HHMM or -HHMM: +08000");
	ERROR_IS(FINEWSD "timezone = +0a00\n" SOURCE,
	    ":5: timezone: not a UTC offset +HHMM or -HHMM: +0a00");
	ERROR_IS(FINEWSD "timezone = +0860\n" SOURCE,
	    ":5: timezone: not a UTC offset +HHMM or -HHMM: +0860");
	ERROR_IS(FINEWSD "timezone = 0800\n" SOURCE,
	    ":5: timezone: not a UTC offset +HHMM or -HHMM: 0800");
	ERROR_IS(FINEWSD "timezone = +08:00\n" SOURCE,
	    ":5: timezone: not a UTC offset +HHMM or -HHMM: +08:00");
	ERROR_IS(FINEWSD "timezone = +800\n" SOURCE,
	    ":5: timezone: not a UTC offset +HHMM or -HHMM: +800");
}

/* More sources and categories than the arrays first make room for. */
static void
test_many(void **state)
{
	char text[16384], name[32];
	const struct conf_source *s;
	struct conf *c;
	size_t n = 0;
	int i;

	(void)state;
	n += snprintf(text + n, sizeof(text) - n, FINEWSD "[categories]\n");
	for (i = 0; i < 40; i++)
		n += snprintf(text + n, sizeof(text) - n, "media%d = slug%d\n", i,
		    i);
	for (i = 0; i < 40; i++)
		n += snprintf(text + n, sizeof(text) - n, "[source s%d]\n"
		    "list_url = http://127.0.0.1/l\n"
		    "text_url = http://127.0.0.1/t?id={id}\n"
		    "media_field = m\nlink_field = l\n", i);
	assert_true(n < sizeof(text));
	c = load_ok(text);
	assert_int_equal(c->ncategories, 40);
	assert_int_equal(c->nsources, 40);
	for (i = 0; i < 40; i++) {
		snprintf(name, sizeof(name), "media%d", i);
		assert_non_null(conf_category_find(c, name));
		snprintf(name, sizeof(name), "s%d", i);
		assert_non_null(s = conf_source_find(c, name));
		assert_int_equal(s->line, 46 + 5 * i);
	}
	assert_string_equal(conf_category_find(c, "media39"), "slug39");
	conf_destroy(c);
}

/* Comments, a BOM, CRLF line ends, indentation and "key: value". */
static void
test_syntax_variants(void **state)
{
	struct conf *c;

	(void)state;
	c = load_ok("\xef\xbb\xbf; a comment first\r\n"
	    "# another\r\n"
	    "  [finewsd]   ; header comment\r\n"
	    "  database = /db\r\n"
	    "\tsite_dir=/site\r\n"
	    "    site_url: https://example.org\r\n"
	    "    interval = 60   ; seconds\r\n"
	    "[source s1]\n"
	    "list_url = http://127.0.0.1/l?a=b;c\n"
	    "text_url = http://127.0.0.1/t/{id}\n"
	    "media_field = medianame\n"
	    "link_field = url\n");
	assert_string_equal(c->database, "/db");
	assert_string_equal(c->site_dir, "/site");
	assert_int_equal(c->interval, 60);
	assert_int_equal(c->sources[0].line, 8);
	assert_string_equal(c->sources[0].list_url, "http://127.0.0.1/l?a=b;c");
	conf_destroy(c);
}

static void
test_html_source(void **state)
{
	struct conf *c;
	const struct conf_source *s;

	(void)state;
	c = load_ok(FINEWSD HTML_SOURCE "category = world\ntag = World\n");
	s = conf_source_find(c, "h1");
	assert_non_null(s);
	assert_int_equal(s->format, CONF_FORMAT_HTML);
	assert_string_equal(s->list_xpath, "//ul[@class='list']/li");
	assert_string_equal(s->id_xpath, "substring-after(a/@href, 'id=')");
	assert_string_equal(s->title_xpath, "a");
	assert_string_equal(s->date_xpath, "span[@class='time']");
	assert_string_equal(s->text_xpath, "//div[@id='body']");
	assert_null(s->media_xpath);
	conf_destroy(c);

	c = load_ok(FINEWSD HTML_SOURCE "media_xpath = span[2]\n");
	assert_string_equal(c->sources[0].media_xpath, "span[2]");
	conf_destroy(c);
}

static void
test_category_url(void **state)
{
	struct conf *c;

	(void)state;
	c = load_ok(FINEWSD SOURCE
	    "category_url = //finews.withounder.com/emnews/\n");
	assert_string_equal(c->sources[0].category_url,
	    "//finews.withounder.com/emnews/");
	conf_destroy(c);
	c = load_ok(FINEWSD SOURCE
	    "category_url = //example.org/category/{category}.html\n");
	assert_string_equal(c->sources[0].category_url,
	    "//example.org/category/{category}.html");
	conf_destroy(c);
	ERROR_STARTS(FINEWSD SOURCE "category_url = /category/{category}\n",
	    ":10: category_url: bad URL (");
	ERROR_IS(FINEWSD SOURCE "category_url = ftp://example.org/{category}\n",
	    ":10: category_url: not an http or https URL: "
	    "ftp://example.org/{category}");
}

static void
test_shipped(void **state)
{
	char err[512], line[1024];
	struct conf *c;
	const struct conf_source *s;
	FILE *fp;
	const char *names[] = { "market37", "market38", "market39", "fast45",
	    "rolling102" };
	size_t i;

	(void)state;
	fp = fopen(SHIPPED_CONF, "r");
	assert_non_null(fp);
	while (fgets(line, sizeof(line), fp) != NULL)
		assert_true(strlen(line) <= 200 && strchr(line, '\n') != NULL);
	fclose(fp);

	c = conf_load(SHIPPED_CONF, err, sizeof(err));
	if (c == NULL)
		print_error("%s\n", err);
	assert_non_null(c);
	assert_string_equal(c->database, "/var/lib/finewsd/db/finewsd.db");
	assert_string_equal(c->site_dir, "/var/lib/finewsd/site");
	assert_string_equal(c->site_url, "https://finews.withounder.com");
	assert_string_equal(c->site_host, "finews.withounder.com");
	assert_string_equal(c->tz, "+0800");
	assert_int_equal(c->interval, 300);
	assert_int_equal(c->feed_entries, 50);
	assert_int_equal(c->max_list_size, 8L << 20);
	assert_string_equal(c->user_agent, "finewsd/" PACKAGE_VERSION);
	assert_null(c->on_update);
	assert_int_equal(c->nsources, 5);
	for (i = 0; i < 5; i++) {
		s = conf_source_find(c, names[i]);
		assert_non_null(s);
		assert_int_equal(s->interval, 300);
		assert_int_equal(s->max_list_size, 8L << 20);
		assert_int_equal(s->format, CONF_FORMAT_JSON);
		assert_non_null(strstr(s->text_url, "GetNewsText.do?id={id}"));
	}
	/* The site's own slugs come from --import (media slugs, pages,
	 * readings: test_record's test_known_pages, test_import's
	 * test_readings_learned), not from [categories]. */
	assert_int_equal(c->ncategories, 0);
	assert_null(conf_category_find(c, "海峡都市报"));
	assert_null(conf_category_find(c, "长城证券"));

	s = conf_source_find(c, "market38");
	assert_non_null(strstr(s->list_url,
	    "/information/newmarket/web/webapi?marketType=38&count=100"));
	assert_string_equal(s->list_items, "record");
	assert_string_equal(s->media_field, "medianame");
	assert_string_equal(s->link, "http://finews.zning.xyz/html_News/"
	    "NewsShare.html?infoCode={id}");
	assert_null(s->category);

	s = conf_source_find(c, "fast45");
	assert_non_null(strstr(s->list_url,
	    "/web/webapi?type=45&count=100&newsid=1"));
	assert_string_equal(s->list_items, "nodeList");
	assert_string_equal(s->id_field, "infocode");
	assert_string_equal(s->date_field, "showtime");
	assert_string_equal(s->media_field, "from");

	s = conf_source_find(c, "rolling102");
	assert_non_null(strstr(s->list_url,
	    "/web/webapi?type=102&count=100&newsid=1"));
	assert_string_equal(s->list_items, "records");
	assert_string_equal(s->id_field, "infoCode");
	assert_string_equal(s->file_id_field, "id");
	assert_string_equal(s->date_field, "showtime");
	assert_string_equal(s->digest_field, "digest");
	assert_string_equal(s->link_field, "url_w");
	assert_null(s->link);
	assert_null(s->media_field);
	assert_string_equal(s->category, "emnews");
	assert_string_equal(s->tag, "东财滚动新闻");
	assert_string_equal(s->category_url, "//finews.withounder.com/emnews/");
	conf_destroy(c);
}

static void
test_contract_example(void **state)
{
	char err[512];
	struct conf *c;
	const struct conf_source *s;

	(void)state;
	c = conf_load(EXAMPLE_CONF, err, sizeof(err));
	if (c == NULL)
		print_error("%s\n", err);
	assert_non_null(c);
	assert_string_equal(c->site_dir, "/var/lib/finewsd/site");
	assert_string_equal(c->user_agent, "finewsd/<version>");
	assert_null(c->on_update);
	assert_int_equal(c->ncategories, 1);
	assert_int_equal(c->categories[0].line, 15);
	assert_string_equal(conf_category_find(c, "青岛财经日报"),
	    "qingdaocaijingribao");
	assert_int_equal(c->nsources, 1);
	s = conf_source_find(c, "market37");
	assert_non_null(s);
	assert_int_equal(s->line, 17);
	assert_string_equal(s->list_url, "http://HOST/information/newmarket/"
	    "web/webapi?marketType=37&count=100");
	assert_string_equal(s->text_url,
	    "http://HOST/NewsData/GetNewsText.do?id={id}");
	assert_string_equal(s->media_field, "medianame");
	assert_null(s->category);
	assert_null(s->tag);
	assert_null(s->digest_field);
	assert_null(s->category_url);
	assert_null(s->list_xpath);
	assert_int_equal(s->interval, 300);
	conf_destroy(c);
}

static void
test_error_keys(void **state)
{
	(void)state;
	ERROR_IS(FINEWSD "colour = red\n" SOURCE,
	    ":5: colour: unknown key in [finewsd]");
	ERROR_IS(FINEWSD SOURCE "medianame = x\n",
	    ":10: medianame: unknown key in [source s1]");
	ERROR_IS(FINEWSD "timeout = 5\n" "timeout = 6\n" SOURCE,
	    ":6: timeout: duplicate key (first at line 5)");
	/* An empty value still counts as given. */
	ERROR_IS(FINEWSD SOURCE "tag =\ntag = x\n",
	    ":11: tag: duplicate key (first at line 10)");
	ERROR_IS("database = /db\n" FINEWSD SOURCE,
	    ":1: database: key outside any section");
	ERROR_IS(FINEWSD "[categories]\nA = a\nB = b\nA = c\n" SOURCE,
	    ":8: A: duplicate key (first at line 6)");
	ERROR_IS(FINEWSD "[categories]\n新华社 = xin hua\n" SOURCE,
	    ":6: 新华社: not a slug of [A-Za-z0-9_-]: xin hua");
	ERROR_IS(FINEWSD SOURCE "category = 新闻\n",
	    ":10: category: not a slug of [A-Za-z0-9_-]: 新闻");
	ERROR_IS(FINEWSD SOURCE "format = xml\n",
	    ":10: format: not json or html: xml");
	ERROR_IS(FINEWSD "archive_dir = ../old\n" SOURCE,
	    ":5: archive_dir: not a path below site_dir: ../old");
	ERROR_IS(FINEWSD "archive_dir = a/../../old\n" SOURCE,
	    ":5: archive_dir: not a path below site_dir: a/../../old");
	ERROR_IS(FINEWSD "archive_dir = /srv/old\n" SOURCE,
	    ":5: archive_dir: not a path below site_dir: /srv/old");
	/* site_dir itself is not below it either. */
	ERROR_IS(FINEWSD "archive_dir = .\n" SOURCE,
	    ":5: archive_dir: not a path below site_dir: .");
	ERROR_IS(FINEWSD "archive_dir = ././/\n" SOURCE,
	    ":5: archive_dir: not a path below site_dir: ././/");
	ERROR_IS(FINEWSD "syntax error here\n" SOURCE,
	    ":5: syntax error: expected [section], key = value or a comment");
	/* Only the first error counts, whichever finds it. */
	ERROR_IS(FINEWSD "interval = x\n" "bogus\n" SOURCE,
	    ":5: interval: not a whole number: x");
	ERROR_IS(FINEWSD "bogus\n" "interval = x\n" SOURCE,
	    ":5: syntax error: expected [section], key = value or a comment");
}

static void
test_error_numbers(void **state)
{
	(void)state;
	ERROR_IS(FINEWSD "interval = abc\n" SOURCE,
	    ":5: interval: not a whole number: abc");
	ERROR_IS(FINEWSD "interval = 5x\n" SOURCE,
	    ":5: interval: not a whole number: 5x");
	ERROR_IS(FINEWSD "interval = 5 x\n" SOURCE,
	    ":5: interval: not a whole number: 5 x");
	ERROR_IS(FINEWSD "interval = 1.5\n" SOURCE,
	    ":5: interval: not a whole number: 1.5");
	ERROR_IS(FINEWSD "interval = 0\n" SOURCE,
	    ":5: interval: out of range 1..604800: 0");
	ERROR_IS(FINEWSD "interval = -5\n" SOURCE,
	    ":5: interval: out of range 1..604800: -5");
	ERROR_IS(FINEWSD "max_transfers = 1025\n" SOURCE,
	    ":5: max_transfers: out of range 1..1024: 1025");
	ERROR_IS(FINEWSD "max_per_host = 0\n" SOURCE,
	    ":5: max_per_host: out of range 1..1024: 0");
	ERROR_IS(FINEWSD "timeout = 99999999999999999999999\n" SOURCE,
	    ":5: timeout: out of range 1..3600: 99999999999999999999999");
	ERROR_IS(FINEWSD "feed_entries = 10001\n" SOURCE,
	    ":5: feed_entries: out of range 1..10000: 10001");
	ERROR_IS(FINEWSD "archive_after_days = 36501\n" SOURCE,
	    ":5: archive_after_days: out of range 0..36500: 36501");
	ERROR_IS(FINEWSD SOURCE "interval = 1m\n",
	    ":10: interval: not a whole number: 1m");
}

/* metrics_file, websub_hub and formats: their defaults, values and errors. */
static void
test_operator_keys(void **state)
{
	struct conf *c;

	(void)state;
	c = load_ok(FINEWSD SOURCE);
	assert_null(c->metrics_file);
	assert_null(c->websub_hub);
	assert_int_equal(c->formats, CONF_FEED_ATOM);
	conf_destroy(c);
	c = load_ok(FINEWSD "metrics_file = /var/lib/finewsd/finewsd.prom\n"
	    "websub_hub = https://pubsubhubbub.appspot.com/\n"
	    "formats = atom, json\n" SOURCE);
	assert_string_equal(c->metrics_file, "/var/lib/finewsd/finewsd.prom");
	assert_string_equal(c->websub_hub, "https://pubsubhubbub.appspot.com/");
	assert_int_equal(c->formats, CONF_FEED_ATOM | CONF_FEED_JSON);
	conf_destroy(c);
	c = load_ok(FINEWSD "formats = json atom\n" SOURCE);
	assert_int_equal(c->formats, CONF_FEED_ATOM | CONF_FEED_JSON);
	conf_destroy(c);
	ERROR_IS(FINEWSD "formats = json\n" SOURCE,
	    ":5: formats: atom cannot be left out (the Atom feeds are always "
	    "written): json");
	ERROR_IS(FINEWSD "formats = atom rss\n" SOURCE,
	    ":5: formats: not atom or json: rss");
	ERROR_STARTS(FINEWSD "websub_hub = ftp://hub.example/\n" SOURCE,
	    ":5: websub_hub:");
}

static void
test_error_urls(void **state)
{
	(void)state;
	ERROR_IS("[finewsd]\ndatabase = /d\nsite_dir = /s\n"
	    "site_url = ftp://example.org/\n" SOURCE,
	    ":4: site_url: not an http or https URL: ftp://example.org/");
	ERROR_STARTS("[finewsd]\ndatabase = /d\nsite_dir = /s\n"
	    "site_url = example.org\n" SOURCE,
	    ":4: site_url: bad URL (");
	ERROR_STARTS(FINEWSD "[source s1]\nlist_url = http://exa mple/\n",
	    ":6: list_url: bad URL (");
	ERROR_IS(FINEWSD "[source s1]\nlist_url = file:///etc/passwd\n",
	    ":6: list_url: not an http or https URL: file:///etc/passwd");
	ERROR_IS(FINEWSD "[source s1]\ntext_url = http://a.example/text\n",
	    ":6: text_url: no {id} in http://a.example/text");
	ERROR_IS(FINEWSD "[source s1]\nlink = http://a.example/share\n",
	    ":6: link: no {id} in http://a.example/share");
	ERROR_STARTS(FINEWSD "[source s1]\ntext_url = http://{id}:99999/\n",
	    ":6: text_url: bad URL (");
	ERROR_IS(FINEWSD "[source s1]\ntext_url = gopher://a/{id}\n",
	    ":6: text_url: not an http or https URL: gopher://a/{id}");
}

static void
test_error_sections(void **state)
{
	(void)state;
	ERROR_IS(FINEWSD "[foo]\n" SOURCE, ":5: [foo]: unknown section");
	ERROR_IS(FINEWSD "[sources x]\n" SOURCE,
	    ":5: [sources x]: unknown section");
	ERROR_IS(FINEWSD "[source a.b]\n",
	    ":5: [source a.b]: bad source name: use letters, digits, '-' "
	    "and '_'");
	ERROR_IS(FINEWSD "[source]\n",
	    ":5: [source]: bad source name: use letters, digits, '-' and '_'");
	ERROR_IS(FINEWSD SOURCE SOURCE,
	    ":10: [source s1]: duplicate source (first at line 5)");
	ERROR_IS(FINEWSD SOURCE FINEWSD,
	    ":10: [finewsd]: duplicate section (first at line 1)");
	ERROR_IS(FINEWSD, ": no [source NAME] section");
	ERROR_IS(SOURCE, ": no [finewsd] section");
	ERROR_IS("[finewsd]\ndatabase = /d\nsite_dir = /s\n" SOURCE,
	    ":1: [finewsd]: missing key site_url");
	ERROR_IS("[finewsd]\nsite_url = http://x.example/\n" SOURCE,
	    ":1: [finewsd]: missing key database");
	/* An empty value is no value. */
	ERROR_IS("[finewsd]\ndatabase = /d\nsite_dir =\n"
	    "site_url = http://x.example/\n" SOURCE,
	    ":1: [finewsd]: missing key site_dir");
}

static void
test_error_sources(void **state)
{
	(void)state;
	/* A section without keys still counts and is reported. */
	ERROR_IS(FINEWSD "[source market37]\n",
	    ":5: [source market37]: missing key list_url");
	ERROR_IS(FINEWSD SOURCE "\n[source market37]\n; nothing\n",
	    ":11: [source market37]: missing key list_url");
	ERROR_IS(FINEWSD "[source s1]\nlist_url = http://a/\n",
	    ":5: [source s1]: missing key text_url");
	ERROR_IS(FINEWSD "[source s1]\nlist_url = http://a/\n"
	    "text_url = http://a/{id}\nlink = http://a/{id}\n",
	    ":5: [source s1]: missing key media_field or category");
	ERROR_IS(FINEWSD "[source s1]\nlist_url = http://a/\n"
	    "text_url = http://a/{id}\nlink = http://a/{id}\ncategory = c\n",
	    ":5: [source s1]: missing key tag (a fixed category without "
	    "media needs one)");
	ERROR_IS(FINEWSD "[source s1]\nlist_url = http://a/\n"
	    "text_url = http://a/{id}\nmedia_field = m\n",
	    ":5: [source s1]: missing key link or link_field");
	ERROR_IS(FINEWSD "[source s1]\nlist_url = http://a/\n"
	    "text_url = http://a/{id}\nmedia_field = m\nlink_field = u\n"
	    "format = html\nlist_xpath = //li\n",
	    ":5: [source s1]: missing key id_xpath");
	ERROR_IS(FINEWSD HTML_SOURCE "media_field = m\n",
	    ":5: [source h1]: missing key media_xpath or category");
	ERROR_IS(FINEWSD "[source h1]\nformat = html\n"
	    "list_url = https://n.example/\ntext_url = https://n.example/{id}\n"
	    "list_xpath = //li\nid_xpath = a/@href\ntitle_xpath = a\n"
	    "date_xpath = span\ntext_xpath = //div\nmedia_xpath = b\n"
	    "link_field = u\n",
	    ":5: [source h1]: missing key link");
	/* Columns count from 1; 7 is just past the end of "//div[". */
	ERROR_IS(FINEWSD SOURCE "list_xpath = //div[\n",
	    ":10: list_xpath: XPath syntax error at column 7: //div[");
	ERROR_IS(FINEWSD HTML_SOURCE "media_xpath = span[@class=\n",
	    ":15: media_xpath: XPath syntax error at column 13: span[@class=");
	ERROR_IS(FINEWSD SOURCE
	    "id_xpath = substring-after(a/@href, 'x'))\n",
	    ":10: id_xpath: XPath syntax error at column 30: "
	    "substring-after(a/@href, 'x'))");
	ERROR_IS(FINEWSD HTML_SOURCE "[source h2]\ntext_xpath = //a/\n",
	    ":16: text_xpath: XPath syntax error at column 5: //a/");
}

static void
test_error_lines(void **state)
{
	char text[1024], err[256], want[256];
	struct conf *c;
	size_t n;

	(void)state;
	/* 199 bytes before the newline fit; 200 do not. */
	n = snprintf(text, sizeof(text), "%s%s; ", FINEWSD, SOURCE);
	memset(text + n, 'x', 197);
	strcpy(text + n + 197, "\n");
	c = load_ok(text);
	conf_destroy(c);
	memset(text + n, 'x', 198);
	strcpy(text + n + 198, "\n");
	ERROR_IS(text, ":10: line longer than 199 bytes");
	/* Also when it is the last line and has no newline. */
	memset(text + n, 'x', 250);
	text[n + 250] = '\0';
	ERROR_IS(text, ":10: line longer than 199 bytes");
	/* A long value, not a comment, is not cut in two either. */
	n = snprintf(text, sizeof(text), "%slist_url = http://a.example/", FINEWSD
	    "[source s1]\n");
	memset(text + n, 'a', 250);
	strcpy(text + n + 250, "\n");
	ERROR_IS(text, ":6: line longer than 199 bytes");

	/* A file that cannot be read has no line to name. */
	assert_int_equal(unlink(conf_path), 0);
	assert_null(conf_load(conf_path, err, sizeof(err)));
	snprintf(want, sizeof(want), "%s: No such file or directory",
	    conf_path);
	assert_string_equal(err, want);
	assert_null(conf_load(scratch, err, sizeof(err)));
	snprintf(want, sizeof(want), "%s: Is a directory", scratch);
	assert_string_equal(err, want);
}

/* The keys of issue 8: charsets, dates, filters, requests. */
static void
test_issue8_keys(void **state)
{
	struct conf *c;
	const struct conf_source *s;
	char h1[17], h2[17];

	(void)state;
	c = load_ok(FINEWSD SOURCE
	    "charset = GBK\n"
	    "date_format = %Y年%m月%d日 %H:%M\n"
	    "timezone = +0900\n"
	    "include = 债|股\n"
	    "exclude = ^广告\n"
	    "headers = Referer: https://news.example/\n"
	    "headers = Cookie: a=1; b=2\n"
	    "headers = X-Token: abc\n"
	    "user_agent = Mozilla/5.0 (finewsd)\n");
	s = &c->sources[0];
	assert_string_equal(s->charset, "GBK");
	assert_string_equal(s->date_format, "%Y年%m月%d日 %H:%M");
	assert_int_equal(s->has_tz, 1);
	assert_string_equal(s->tz, "+0900");
	assert_int_equal(s->tz_offset, 9 * 3600);
	assert_string_equal(s->include, "债|股");
	assert_non_null(s->include_re);
	assert_non_null(s->exclude_re);
	assert_non_null(s->headers);
	assert_string_equal(s->headers[0], "Referer: https://news.example/");
	assert_string_equal(s->headers[1], "Cookie: a=1; b=2");
	assert_string_equal(s->headers[2], "X-Token: abc");
	assert_null(s->headers[3]);
	assert_string_equal(s->user_agent, "Mozilla/5.0 (finewsd)");
	/* The global timezone is untouched by a source's. */
	assert_string_equal(c->tz, "+0800");
	conf_source_hash(s, h1);
	conf_destroy(c);

	/* Unset, they keep a source's fingerprint as it was. */
	c = load_ok(FINEWSD SOURCE);
	s = &c->sources[0];
	assert_null(s->charset);
	assert_null(s->date_format);
	assert_int_equal(s->has_tz, 0);
	assert_null(s->include_re);
	assert_null(s->headers);
	assert_null(s->user_agent);
	conf_source_hash(s, h2);
	assert_string_not_equal(h1, h2);
	/* FNV-1a over the keys of before issue 8, computed apart. */
	assert_string_equal(h2, "e2fb7591e16395f5");
	conf_destroy(c);

	c = load_ok(FINEWSD SOURCE "date_format = unix_ms\n");
	assert_string_equal(c->sources[0].date_format, "unix_ms");
	conf_destroy(c);
}

static void
test_issue8_errors(void **state)
{
	(void)state;
	ERROR_IS(FINEWSD SOURCE "charset = klingon\n",
	    ":10: charset: not a charset iconv knows (gbk, gb18030, big5, "
	    "utf-8, iso-8859-1, ...): klingon");
	ERROR_IS(FINEWSD SOURCE "charset = utf-8//IGNORE\n",
	    ":10: charset: not a charset iconv knows (gbk, gb18030, big5, "
	    "utf-8, iso-8859-1, ...): utf-8//IGNORE");
	ERROR_IS(FINEWSD SOURCE "date_format = %Y-%m-%d %Q\n",
	    ":10: date_format: unknown directive %Q (known: %Y %y %m %d %H %M "
	    "%S %F %T %z %s %%): %Y-%m-%d %Q");
	ERROR_IS(FINEWSD SOURCE "date_format = %H:%M\n",
	    ":10: date_format: names no day (it needs %Y, %m and %d, or %s): "
	    "%H:%M");
	ERROR_IS(FINEWSD SOURCE "timezone = Asia/Shanghai\n",
	    ":10: timezone: not a UTC offset +HHMM or -HHMM: Asia/Shanghai");
	ERROR_IS(FINEWSD SOURCE "include = (专项债\n",
	    ":10: include: bad regular expression (missing closing "
	    "parenthesis at offset 10): (专项债");
	ERROR_IS(FINEWSD SOURCE "exclude = [a-\n",
	    ":10: exclude: bad regular expression (missing terminating ] for "
	    "character class at offset 3): [a-");
	ERROR_IS(FINEWSD SOURCE "headers = Referer https://x/\n",
	    ":10: headers: not a header line 'Name: value': Referer https://x/");
	ERROR_IS(FINEWSD SOURCE "headers = Cookie:\n",
	    ":10: headers: not a header line 'Name: value': Cookie:");
	ERROR_IS(FINEWSD SOURCE "headers = Bad Name: x\n",
	    ":10: headers: not a header line 'Name: value': Bad Name: x");
	ERROR_IS(FINEWSD SOURCE "user_agent = a\nuser_agent = b\n",
	    ":11: user_agent: duplicate key (first at line 10)");
}

/*
 * max_list_size: 8 MiB unless set, in [finewsd] for every source and in a
 * [source] for its own, bytes or K/M/G (powers of 1024); out of range or
 * not a size, the error names the file, the line, the key and the value.
 */
static void
test_max_list_size(void **state)
{
	static const struct {
		const char *value;
		long bytes;
	} good[] = {
		{ "65536", 65536 }, { "64K", 65536 }, { "64k", 65536 },
		{ "8388608", 8L << 20 }, { "16M", 16L << 20 },
		{ "16m", 16L << 20 }, { "1000000", 1000000 },
		{ "512M", 512L << 20 }, { "524288K", 512L << 20 },
		{ "0016M", 16L << 20 },
	};
	static const char *const bad[] = {
		"16MB", "16 M", "16MiB", "M", "-1M", "+16M", "1.5M", "0x100000",
		"16T", "sixteen", "16M;",
	};
	struct conf *c;
	char text[1024], h1[17], h2[17];

	(void)state;
	c = load_ok(FINEWSD SOURCE);
	assert_int_equal(c->max_list_size, 8L << 20);
	assert_int_equal(c->sources[0].max_list_size, 8L << 20);
	conf_source_hash(&c->sources[0], h1);
	conf_destroy(c);

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		snprintf(text, sizeof(text), FINEWSD SOURCE
		    "max_list_size = %s\n", good[i].value);
		c = load_ok(text);
		assert_int_equal(c->max_list_size, 8L << 20);
		assert_int_equal(c->sources[0].max_list_size, good[i].bytes);
		/* It decides nothing of how the list is read. */
		conf_source_hash(&c->sources[0], h2);
		assert_string_equal(h1, h2);
		conf_destroy(c);
	}

	/* The global value, wherever it stands, is that of every source
	 * without its own; empty, the key is unset. */
	c = load_ok(SOURCE "max_list_size = 100M\n"
	    "[source s2]\n"
	    "list_url = http://127.0.0.1/l\n"
	    "text_url = http://127.0.0.1/t/{id}\n"
	    "category = emnews\n"
	    "tag = 东财滚动新闻\n"
	    "link_field = url_w\n"
	    "max_list_size =\n"
	    FINEWSD
	    "max_list_size = 256M\n");
	assert_int_equal(c->max_list_size, 256L << 20);
	assert_int_equal(conf_source_find(c, "s1")->max_list_size, 100L << 20);
	assert_int_equal(conf_source_find(c, "s2")->max_list_size, 256L << 20);
	conf_destroy(c);
	c = load_ok(FINEWSD "max_list_size =\n" SOURCE);
	assert_int_equal(c->max_list_size, 8L << 20);
	assert_int_equal(c->sources[0].max_list_size, 8L << 20);
	conf_destroy(c);

	ERROR_IS(FINEWSD SOURCE "max_list_size = 1G\n",
	    ":10: max_list_size: out of range 64K..512M (65536..536870912 "
	    "bytes): 1G");
	ERROR_IS(FINEWSD "max_list_size = 513M\n" SOURCE,
	    ":5: max_list_size: out of range 64K..512M (65536..536870912 "
	    "bytes): 513M");
	ERROR_IS(FINEWSD "max_list_size = 65535\n" SOURCE,
	    ":5: max_list_size: out of range 64K..512M (65536..536870912 "
	    "bytes): 65535");
	ERROR_IS(FINEWSD "max_list_size = 63K\n" SOURCE,
	    ":5: max_list_size: out of range 64K..512M (65536..536870912 "
	    "bytes): 63K");
	ERROR_IS(FINEWSD "max_list_size = 0\n" SOURCE,
	    ":5: max_list_size: out of range 64K..512M (65536..536870912 "
	    "bytes): 0");
	ERROR_IS(FINEWSD "max_list_size = 99999999999999999999999\n" SOURCE,
	    ":5: max_list_size: out of range 64K..512M (65536..536870912 "
	    "bytes): 99999999999999999999999");
	ERROR_IS(FINEWSD "max_list_size = 17179869184G\n" SOURCE,
	    ":5: max_list_size: out of range 64K..512M (65536..536870912 "
	    "bytes): 17179869184G");
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char want[256];

		snprintf(text, sizeof(text), FINEWSD SOURCE
		    "max_list_size = %s\n", bad[i]);
		snprintf(want, sizeof(want), ":10: max_list_size: not a size (a "
		    "number of bytes, or one followed by K, M or G): %s", bad[i]);
		ERROR_IS(text, want);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_full, setup, teardown),
		cmocka_unit_test_setup_teardown(test_relative_paths, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_defaults, setup, teardown),
		cmocka_unit_test_setup_teardown(test_empty_values, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_interval_order, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_categories, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_on_update, setup, teardown),
		cmocka_unit_test_setup_teardown(test_site_url, setup, teardown),
		cmocka_unit_test_setup_teardown(test_timezone, setup, teardown),
		cmocka_unit_test_setup_teardown(test_many, setup, teardown),
		cmocka_unit_test_setup_teardown(test_syntax_variants, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_html_source, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_category_url, setup,
		    teardown),
		cmocka_unit_test(test_shipped),
		cmocka_unit_test(test_contract_example),
		cmocka_unit_test_setup_teardown(test_error_keys, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_error_numbers, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_operator_keys, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_error_urls, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_error_sections, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_error_sources, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_error_lines, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_issue8_keys, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_max_list_size, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_issue8_errors, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
