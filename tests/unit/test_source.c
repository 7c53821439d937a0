/*
 * Unit tests of the source parsers: the seed responses of the contract, the
 * three kinds of JSON source, HTML sources through XPath, every skip reason,
 * whole-response failures, and the strict date and id checks of the record
 * module that the parsers apply (record_date_parse(), record_id_is_fit()).
 * Expected values are written by hand from the contract and the fixtures.
 */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <libxml/xmlerror.h>
#include <libxml/globals.h>

#include "record.h"
#include "source.h"

#define FIXTURE(name)	TOP_SRCDIR "/tests/fixtures/" name

/* The contract's market-news source. */
static struct conf_source
conf_market(void)
{
	struct conf_source sc;

	memset(&sc, 0, sizeof(sc));
	sc.name = "market37";
	sc.format = CONF_FORMAT_JSON;
	sc.list_items = "record";
	sc.id_field = "infoCode";
	sc.title_field = "title";
	sc.date_field = "datetime";
	sc.media_field = "medianame";
	sc.text_field = "text";
	return sc;
}

static struct conf_source
conf_fast(void)
{
	struct conf_source sc = conf_market();

	sc.name = "fast";
	sc.list_items = "nodeList";
	sc.id_field = "infocode";
	sc.date_field = "showtime";
	sc.media_field = "from";
	return sc;
}

static struct conf_source
conf_rolling(void)
{
	struct conf_source sc = conf_market();

	sc.name = "rolling";
	sc.list_items = "records";
	sc.date_field = "showtime";
	sc.media_field = NULL;
	sc.category = "emnews";
	sc.tag = "东财滚动新闻";
	sc.file_id_field = "id";
	sc.digest_field = "digest";
	sc.link_field = "url_w";
	return sc;
}

static struct conf_source
conf_html(void)
{
	struct conf_source sc;

	memset(&sc, 0, sizeof(sc));
	sc.name = "page";
	sc.format = CONF_FORMAT_HTML;
	sc.list_xpath = "//ul[@class='news']/li";
	sc.id_xpath = "substring-after(a/@href, 'infoCode=')";
	sc.title_xpath = "a";
	sc.date_xpath = "span[@class='time']";
	sc.media_xpath = "span[@class='media']/text()";
	sc.text_xpath = "//div[@id='content']";
	return sc;
}

static char *
read_fixture(const char *path, size_t *len)
{
	FILE *fp;
	char *buf;
	long n;

	assert_non_null(fp = fopen(path, "rb"));
	assert_int_equal(fseek(fp, 0, SEEK_END), 0);
	assert_true((n = ftell(fp)) >= 0);
	rewind(fp);
	assert_non_null(buf = malloc(n + 1));
	assert_int_equal(fread(buf, 1, n, fp), (size_t)n);
	buf[n] = '\0';
	fclose(fp);
	*len = n;
	return buf;
}

/* Parses the fixture PATH as a list of SC into OUT; asserts success. */
static void
parse_fixture(const struct conf_source *sc, const char *path,
    struct record_list *out)
{
	char err[256] = "", *buf;
	size_t len;

	buf = read_fixture(path, &len);
	if (source_parse_list(sc, NULL, buf, len, out, err, sizeof(err)) != 0)
		fail_msg("%s: %s", path, err);
	free(buf);
}

static int
parse_str(const struct conf_source *sc, const char *s, struct record_list *out,
    char *err, size_t errlen)
{
	return source_parse_list(sc, NULL, s, strlen(s), out, err, errlen);
}

static void
assert_record(const struct record *r, const char *id, const char *file_id,
    const char *title, const char *date, const char *media)
{
	assert_null(r->skip);
	assert_string_equal(r->id, id);
	assert_string_equal(r->file_id, file_id);
	assert_string_equal(r->title, title);
	assert_string_equal(r->date, date);
	if (media == NULL)
		assert_null(r->media);
	else
		assert_string_equal(r->media, media);
	assert_null(r->body);
}

static void
test_seed_list(void **state)
{
	struct conf_source sc = conf_market();
	struct record_list l = { 0 };

	parse_fixture(&sc, FIXTURE("seed-list.json"), &l);
	assert_int_equal(l.n, 1);
	assert_record(&l.v[0], "NW202203232319931992", "NW202203232319931992",
	    "今年青岛产业政策将在这些领域发力", "2022-03-23 10:34:11",
	    "青岛财经日报");
	assert_null(l.v[0].digest);
	assert_null(l.v[0].link);
	record_list_clear(&l);
	assert_null(l.v);
}

static void
test_seed_text(void **state)
{
	struct conf_source sc = conf_market();
	static const char head[] = "<p>青岛财经日报/首页新闻讯";
	static const char tail[] = "（文章来源：青岛财经日报）</p>";
	char err[256] = "", *buf, *s;
	size_t len, n;

	buf = read_fixture(FIXTURE("seed-text.json"), &len);
	s = source_parse_text(&sc, NULL, buf, len, err, sizeof(err));
	free(buf);
	assert_non_null(s);
	n = strlen(s);
	/* The decoded string of the fixture is 9370 bytes of UTF-8. */
	assert_int_equal(n, 9370);
	assert_memory_equal(s, head, sizeof(head) - 1);
	assert_string_equal(s + n - (sizeof(tail) - 1), tail);
	/* JSON escapes are decoded: a real newline and a bare quote. */
	assert_non_null(strstr(s, "</p>\n <p>"));
	assert_non_null(strstr(s, "<p class=\"em_media\">"));
	free(s);
}

static void
test_market(void **state)
{
	struct conf_source sc = conf_market();
	struct record_list l = { 0 };

	parse_fixture(&sc, FIXTURE("source/market.json"), &l);
	assert_int_equal(l.n, 3);
	assert_record(&l.v[0], "NW202205262391921712", "NW202205262391921712",
	    "券商中国：两市成交额再度突破万亿", "2022-05-26 09:30:00", "券商中国");
	/* An integer id is taken as its decimal text. */
	assert_record(&l.v[1], "202205262391921713", "202205262391921713",
	    "整数编号的快讯", "2022-05-26 09:31:05", "证券时报");
	/* Strings are kept exactly as sent. */
	assert_record(&l.v[2], "NW202205262391921714", "NW202205262391921714",
	    "  标题前后的空格原样保留  ", "2022-05-26 23:59:59", "上海证券报");
	record_list_clear(&l);
}

static void
test_fast_appends(void **state)
{
	struct conf_source market = conf_market(), fast = conf_fast();
	struct record_list l = { 0 };

	parse_fixture(&market, FIXTURE("seed-list.json"), &l);
	parse_fixture(&fast, FIXTURE("source/fast.json"), &l);
	assert_int_equal(l.n, 3);
	assert_string_equal(l.v[0].id, "NW202203232319931992");
	assert_record(&l.v[1], "NW202203240000000001", "NW202203240000000001",
	    "快讯：央行开展100亿元逆回购操作", "2022-03-24 09:15:02", "财联社");
	assert_null(l.v[1].digest);
	assert_record(&l.v[2], "NW202203240000000002", "NW202203240000000002",
	    "快讯：A股三大指数集体高开", "2022-03-24 09:25:30", "每日经济新闻");
	record_list_clear(&l);
}

static void
test_rolling(void **state)
{
	struct conf_source sc = conf_rolling();
	struct record_list l = { 0 };

	parse_fixture(&sc, FIXTURE("source/rolling.json"), &l);
	assert_int_equal(l.n, 2);
	assert_record(&l.v[0], "NW202201072239307540", "202201072239307540",
	    "国常会：进一步加大对中小微企业的支持力度", "2022-01-07 18:02:41",
	    NULL);
	assert_string_equal(l.v[0].digest, "【国常会：进一步加大对中小微企业的支持力度】"
	    "国务院总理主持召开国务院常务会议。");
	assert_string_equal(l.v[0].link,
	    "http://finance.eastmoney.com/a/202201072239307540.html");
	/* The file id may be an integer too. */
	assert_record(&l.v[1], "NW202201072239307541", "202201072239307541",
	    "第二条滚动新闻", "2022-01-07 18:05:00", NULL);
	assert_string_equal(l.v[1].digest, "没有方括号的摘要");
	record_list_clear(&l);
}

#define D	"\"datetime\":\"2022-03-23 10:34:11\""

static void
test_skip_reasons(void **state)
{
	static const char *const want[] = {
		"item is not an object",
		"no id", "no id", "no id", "no id", "no id",
		"id unfit for a file name", "id unfit for a file name",
		"no file id", "no file id", "file id unfit for a file name",
		"no title", "no title", "no title",
		"no date", "no date", "no date",
		"bad date", "bad date",
		"no media", "no media", NULL,
	};
	static const char json[] = "{\"record\":[42,"
	    "{\"id\":\"1\",\"title\":\"t\"," D ",\"medianame\":\"m\"},"
	    "{\"infoCode\":\" \\t\\n\",\"id\":\"1\",\"title\":\"t\"," D ",\"medianame\":\"m\"},"
	    "{\"infoCode\":null,\"id\":\"1\",\"title\":\"t\"," D ",\"medianame\":\"m\"},"
	    "{\"infoCode\":1.5,\"id\":\"1\",\"title\":\"t\"," D ",\"medianame\":\"m\"},"
	    "{\"infoCode\":\"\",\"title\":\"\"},"
	    "{\"infoCode\":\"a/b\",\"id\":\"1\",\"title\":\"t\"," D ",\"medianame\":\"m\"},"
	    "{\"infoCode\":\".x\",\"id\":\"1\",\"title\":\"t\"," D ",\"medianame\":\"m\"},"
	    "{\"infoCode\":\"NW1\",\"title\":\"t\"," D ",\"medianame\":\"m\"},"
	    "{\"infoCode\":\"NW1\",\"id\":\"\",\"title\":\"t\"," D ",\"medianame\":\"m\"},"
	    "{\"infoCode\":\"NW1\",\"id\":\"../1\",\"title\":\"t\"," D ",\"medianame\":\"m\"},"
	    "{\"infoCode\":\"NW1\",\"id\":\"1\"," D ",\"medianame\":\"m\"},"
	    "{\"infoCode\":\"NW1\",\"id\":\"1\",\"title\":7," D ",\"medianame\":\"m\"},"
	    "{\"infoCode\":\"NW1\",\"id\":\"1\",\"title\":\"  \"," D ",\"medianame\":\"m\"},"
	    "{\"infoCode\":\"NW1\",\"id\":\"1\",\"title\":\"t\",\"medianame\":\"m\"},"
	    "{\"infoCode\":\"NW1\",\"id\":\"1\",\"title\":\"t\",\"datetime\":\"\",\"medianame\":\"m\"},"
	    "{\"infoCode\":\"NW1\",\"id\":\"1\",\"title\":\"t\",\"datetime\":[],\"medianame\":\"m\"},"
	    "{\"infoCode\":\"NW1\",\"id\":\"1\",\"title\":\"t\",\"datetime\":\"2022-02-30 10:00:00\",\"medianame\":\"m\"},"
	    "{\"infoCode\":\"NW1\",\"id\":\"1\",\"title\":\"t\",\"datetime\":\"2022-03-23T10:34:11\",\"medianame\":\"m\"},"
	    "{\"infoCode\":\"NW1\",\"id\":\"1\",\"title\":\"t\"," D "},"
	    "{\"infoCode\":\"NW1\",\"id\":\"1\",\"title\":\"t\"," D ",\"medianame\":\" \"},"
	    "{\"infoCode\":\"NW1\",\"id\":\"1\",\"title\":\"t\"," D ",\"medianame\":\"m\"}"
	    "]}";
	struct conf_source sc = conf_market();
	struct record_list l = { 0 };
	char err[256] = "";
	size_t i;

	sc.file_id_field = "id";
	assert_int_equal(parse_str(&sc, json, &l, err, sizeof(err)), 0);
	assert_int_equal(l.n, sizeof(want) / sizeof(want[0]));
	for (i = 0; i < l.n; i++) {
		if (want[i] == NULL)
			assert_null(l.v[i].skip);
		else if (l.v[i].skip == NULL ||
		    strcmp(l.v[i].skip, want[i]) != 0)
			fail_msg("item %zu: skip '%s', want '%s'", i,
			    l.v[i].skip ? l.v[i].skip : "(null)", want[i]);
	}
	/* The fields that could be read are kept, for the log line. */
	assert_null(l.v[0].id);
	assert_string_equal(l.v[3].file_id, "1");
	assert_string_equal(l.v[6].id, "a/b");
	assert_string_equal(l.v[11].id, "NW1");
	assert_string_equal(l.v[11].file_id, "1");
	assert_null(l.v[12].title);
	assert_string_equal(l.v[17].date, "2022-02-30 10:00:00");
	assert_record(&l.v[21], "NW1", "1", "t", "2022-03-23 10:34:11", "m");
	record_list_clear(&l);
}

/* A fixed category makes the media optional. */
static void
test_media_optional(void **state)
{
	static const char json[] = "{\"record\":["
	    "{\"infoCode\":\"NW1\",\"title\":\"t\"," D "},"
	    "{\"infoCode\":\"NW2\",\"title\":\"t\"," D ",\"medianame\":\"\"}]}";
	struct conf_source sc = conf_market();
	struct record_list l = { 0 };
	char err[256] = "";

	sc.category = "emnews";
	assert_int_equal(parse_str(&sc, json, &l, err, sizeof(err)), 0);
	assert_int_equal(l.n, 2);
	assert_record(&l.v[0], "NW1", "NW1", "t", "2022-03-23 10:34:11", NULL);
	assert_record(&l.v[1], "NW2", "NW2", "t", "2022-03-23 10:34:11", "");
	record_list_clear(&l);

	/* Without a media field nothing is asked of the media. */
	sc = conf_market();
	sc.media_field = NULL;
	assert_int_equal(parse_str(&sc, json, &l, err, sizeof(err)), 0);
	assert_int_equal(l.n, 2);
	assert_null(l.v[0].skip);
	assert_null(l.v[1].skip);
	assert_null(l.v[1].media);
	record_list_clear(&l);
}

static void
test_nested_items(void **state)
{
	static const char json[] = "{\"data\":{\"total\":1,\"list\":["
	    "{\"infoCode\":\"NW9\",\"title\":\"嵌套\"," D ",\"medianame\":\"m\"}]},"
	    "\"record\":\"not an array\"}";
	struct conf_source sc = conf_market();
	struct record_list l = { 0 };
	char err[256] = "";

	sc.list_items = "data.list";
	assert_int_equal(parse_str(&sc, json, &l, err, sizeof(err)), 0);
	assert_int_equal(l.n, 1);
	assert_record(&l.v[0], "NW9", "NW9", "嵌套", "2022-03-23 10:34:11", "m");
	record_list_clear(&l);

	sc.list_items = "data.missing";
	assert_int_equal(parse_str(&sc, json, &l, err, sizeof(err)), -1);
	assert_string_equal(err, "no array 'data.missing' in the response");
	sc.list_items = "data.total.x";
	assert_int_equal(parse_str(&sc, json, &l, err, sizeof(err)), -1);
	sc.list_items = "data";
	assert_int_equal(parse_str(&sc, json, &l, err, sizeof(err)), -1);
	assert_string_equal(err, "no array 'data' in the response");
	/* An empty array is a response with nothing in it, not a failure. */
	sc.list_items = "record";
	assert_int_equal(parse_str(&sc, "{\"record\":[]}", &l, err,
	    sizeof(err)), 0);
	assert_int_equal(l.n, 0);
}

static void
test_bad_responses(void **state)
{
	struct conf_source sc = conf_market();
	struct record_list l = { 0 };
	char err[256];

	/* A failing response leaves the records already in the list alone. */
	parse_fixture(&sc, FIXTURE("seed-list.json"), &l);
	assert_int_equal(l.n, 1);

	err[0] = '\0';
	assert_int_equal(parse_str(&sc, "{\"record\": [", &l, err,
	    sizeof(err)), -1);
	assert_string_equal(err, "the response is not valid JSON");
	assert_int_equal(l.n, 1);

	err[0] = '\0';
	assert_int_equal(parse_str(&sc, "{\"items\": []}", &l, err,
	    sizeof(err)), -1);
	assert_string_equal(err, "no array 'record' in the response");

	err[0] = '\0';
	assert_int_equal(parse_str(&sc, "[{\"infoCode\":\"NW1\"}]", &l, err,
	    sizeof(err)), -1);
	assert_string_equal(err, "the response is not a JSON object");

	err[0] = '\0';
	assert_int_equal(source_parse_list(&sc, NULL, "", 0, &l, err, sizeof(err)), -1);
	assert_true(err[0] != '\0');
	assert_int_equal(source_parse_list(&sc, NULL, NULL, 0, &l, err, sizeof(err)), -1);

	/* Trailing garbage after the object is a broken response too. */
	assert_int_equal(parse_str(&sc, "{\"record\":[]} x", &l, err,
	    sizeof(err)), -1);
	/* An error buffer is optional. */
	assert_int_equal(parse_str(&sc, "nope", &l, NULL, 0), -1);
	assert_int_equal(l.n, 1);
	assert_string_equal(l.v[0].id, "NW202203232319931992");
	record_list_clear(&l);
}

static char *
text_of(const struct conf_source *sc, const char *s, char *err, size_t errlen)
{
	return source_parse_text(sc, NULL, s, strlen(s), err, errlen);
}

static void
test_text(void **state)
{
	struct conf_source sc = conf_market();
	char err[256], *s;

	assert_non_null(s = text_of(&sc, "{\"content\":\"<p>x</p>\"}", err,
	    sizeof(err)));
	assert_string_equal(s, "<p>x</p>");
	free(s);
	/* The configured key wins over the fallback. */
	assert_non_null(s = text_of(&sc, "{\"content\":\"b\",\"text\":\"a\"}",
	    err, sizeof(err)));
	assert_string_equal(s, "a");
	free(s);
	assert_non_null(s = text_of(&sc, "{\"text\":null,\"content\":\"c\"}",
	    err, sizeof(err)));
	assert_string_equal(s, "c");
	free(s);
	assert_non_null(s = text_of(&sc, "{\"text\":\"\"}", err, sizeof(err)));
	assert_string_equal(s, "");
	free(s);

	err[0] = '\0';
	assert_null(text_of(&sc, "{\"text\":5}", err, sizeof(err)));
	assert_string_equal(err, "'text' in the response is not a string");
	err[0] = '\0';
	assert_null(text_of(&sc, "{\"text\":[\"a\"]}", err, sizeof(err)));
	assert_true(err[0] != '\0');
	err[0] = '\0';
	assert_null(text_of(&sc, "{\"body\":\"a\"}", err, sizeof(err)));
	assert_string_equal(err, "no 'text' in the response");
	err[0] = '\0';
	assert_null(text_of(&sc, "{\"text\":", err, sizeof(err)));
	assert_string_equal(err, "the response is not valid JSON");
	assert_null(text_of(&sc, "\"text\"", err, sizeof(err)));
	assert_string_equal(err, "the response is not a JSON object");
	assert_null(text_of(&sc, "[{\"text\":\"a\"}]", err, sizeof(err)));
	assert_string_equal(err, "the response is not a JSON object");
	assert_null(text_of(&sc, "", err, sizeof(err)));
	assert_string_equal(err, "the response is not valid JSON");

	/* Another key; and the default when none is set. */
	sc.text_field = "body";
	assert_non_null(s = text_of(&sc, "{\"body\":\"<p>b</p>\"}", err,
	    sizeof(err)));
	assert_string_equal(s, "<p>b</p>");
	free(s);
	sc.text_field = NULL;
	assert_non_null(s = text_of(&sc, "{\"text\":\"t\"}", err, sizeof(err)));
	assert_string_equal(s, "t");
	free(s);
}

/* A key path for the article, with the "content" fallback at the top. */
static void
test_text_path(void **state)
{
	struct conf_source sc = conf_market();
	char err[256], *s;

	sc.text_field = "data.text";
	assert_non_null(s = text_of(&sc, "{\"data\":{\"text\":\"<p>d</p>\"},"
	    "\"text\":\"top\"}", err, sizeof(err)));
	assert_string_equal(s, "<p>d</p>");
	free(s);
	assert_non_null(s = text_of(&sc, "{\"data\":{\"text\":null},"
	    "\"content\":\"c\"}", err, sizeof(err)));
	assert_string_equal(s, "c");
	free(s);
	err[0] = '\0';
	assert_null(text_of(&sc, "{\"data\":\"x\",\"text\":\"top\"}", err,
	    sizeof(err)));
	assert_string_equal(err, "no 'data.text' in the response");
	/* A key with characters of SQLite's path syntax is still one key. */
	sc.text_field = "a[0] $b";
	assert_non_null(s = text_of(&sc, "{\"a[0] $b\":\"odd\"}", err,
	    sizeof(err)));
	assert_string_equal(s, "odd");
	free(s);
	/* The key a\b, as JSON writes it. */
	sc.text_field = "a\\b";
	assert_non_null(s = text_of(&sc, "{\"a\\\\b\":\"slash\"}", err,
	    sizeof(err)));
	assert_string_equal(s, "slash");
	free(s);
	/* A key with a '"' cannot be looked up: it is missing. */
	sc.text_field = "a\"b";
	assert_null(text_of(&sc, "{\"a\\\"b\":\"q\"}", err, sizeof(err)));
	assert_string_equal(err, "no 'a\"b' in the response");
}

/*
 * Strings come out decoded and as valid UTF-8.  A NUL byte in the response
 * refuses the whole response; a lone surrogate escape or a "\u0000" (which
 * SQLite would cut the string at) skips the record holding it, or refuses
 * the article; raw bytes that do not decode as UTF-8 skip the record (or
 * refuse the article, errno EILSEQ) whose string holds them, naming their
 * offset.
 */
static void
test_json_bytes(void **state)
{
	static const char nul[] = "{\"text\":\"a\"}\0 junk";
	static const char nul_list[] = "{\"record\":[]}\0{";
	struct conf_source sc = conf_market();
	struct record_list l = { 0 };
	char err[256], *s;

	err[0] = '\0';
	assert_null(source_parse_text(&sc, NULL, nul, sizeof(nul) - 1, err,
	    sizeof(err)));
	assert_string_equal(err, "the response is not valid JSON: "
	    "it holds a NUL byte");
	err[0] = '\0';
	assert_int_equal(source_parse_list(&sc, NULL, nul_list, sizeof(nul_list) - 1,
	    &l, err, sizeof(err)), -1);
	assert_string_equal(err, "the response is not valid JSON: "
	    "it holds a NUL byte");

	assert_non_null(s = text_of(&sc, "{\"text\":\"\\u4e2d\\u6587 "
	    "\\ud83d\\ude00 \\\"q\\\" \\\\ \\/ \\t\"}", err, sizeof(err)));
	assert_string_equal(s, "中文 \xf0\x9f\x98\x80 \"q\" \\ / \t");
	free(s);
	/* An escaped NUL would cut the article short: refused. */
	assert_null(text_of(&sc, "{\"text\":\"a\\u0000b\"}", err, sizeof(err)));
	assert_string_equal(err, "'text' in the response holds a NUL character "
	    "(\\u0000)");

	err[0] = '\0';
	errno = 0;
	assert_null(text_of(&sc, "{\"text\":\"\xff\"}", err, sizeof(err)));
	assert_int_equal(errno, EILSEQ);
	assert_string_equal(err, "bytes that do not decode as UTF-8 at offset 9");
	err[0] = '\0';
	errno = 0;
	assert_null(text_of(&sc, "{\"text\":\"\\ud800x\"}", err, sizeof(err)));
	assert_int_not_equal(errno, EILSEQ);
	assert_string_equal(err, "'text' in the response: a field is not valid "
	    "UTF-8 (a lone surrogate or a stray byte)");
	/* Whatever the case of its hex digits, and after a valid pair. */
	assert_null(text_of(&sc, "{\"text\":\"\\ud83d\\ude00 \\uDFFF\"}", err,
	    sizeof(err)));
	assert_string_equal(err, "'text' in the response: a field is not valid "
	    "UTF-8 (a lone surrogate or a stray byte)");
	/* An escaped backslash before "uD800" is text, not a surrogate. */
	assert_non_null(s = text_of(&sc, "{\"text\":\"\\\\uD800\"}", err,
	    sizeof(err)));
	assert_string_equal(s, "\\uD800");
	free(s);
	/* Overlong and surrogate forms are invalid UTF-8 too. */
	assert_null(text_of(&sc, "{\"text\":\"\xc0\xaf\"}", err, sizeof(err)));
	assert_string_equal(err, "bytes that do not decode as UTF-8 at offset 9");
	assert_null(text_of(&sc, "{\"text\":\"\xed\xa0\x80\"}", err,
	    sizeof(err)));
	assert_null(text_of(&sc, "{\"text\":\"ab\xe4\xb8\"}", err, sizeof(err)));
	assert_string_equal(err, "bytes that do not decode as UTF-8 at offset 11");
	assert_null(text_of(&sc, "{\"text\":\"\xf4\x90\x80\x80\"}", err,
	    sizeof(err)));
	/* What is not read is not checked. */
	assert_non_null(s = text_of(&sc, "{\"other\":\"\xff\",\"text\":\"t\"}",
	    err, sizeof(err)));
	assert_string_equal(s, "t");
	free(s);

	parse_fixture(&sc, FIXTURE("seed-list.json"), &l);
	err[0] = '\0';
	assert_int_equal(parse_str(&sc, "{\"record\":[{\"infoCode\":\"NW1\","
	    "\"title\":\"\xe4\xb8\"," D ",\"medianame\":\"m\"},"
	    "{\"infoCode\":\"NW2\",\"title\":\"t\"," D ",\"medianame\":\"m\"}]}",
	    &l, err, sizeof(err)), 0);
	assert_int_equal(l.n, 3);
	assert_ptr_equal(l.v[1].skip, record_undecoded);
	assert_int_equal(l.v[1].skip_at, 38);
	assert_string_equal(l.v[1].id, "NW1");
	assert_record(&l.v[2], "NW2", "NW2", "t", "2022-03-23 10:34:11", "m");
	assert_int_equal(parse_str(&sc, "{\"record\":[{\"infoCode\":\"NW1\","
	    "\"title\":\"t\"," D ",\"medianame\":\"m\",\"x\":\"\xff\"}]}", &l,
	    err, sizeof(err)), 0);
	assert_int_equal(l.n, 4);
	assert_record(&l.v[3], "NW1", "NW1", "t", "2022-03-23 10:34:11", "m");
	/* One lone surrogate or "\u0000" costs its record alone: "nul\u0000/x"
	 * is never read as "nul", another record's id maybe. */
	assert_int_equal(parse_str(&sc, "{\"record\":["
	    "{\"infoCode\":\"NW1\",\"title\":\"\\ud83d\"," D ",\"medianame\":\"m\"},"
	    "{\"infoCode\":\"nul\\u0000/x\",\"title\":\"t\"," D ",\"medianame\":\"m\"},"
	    "{\"infoCode\":\"NW2\",\"title\":\"t\"," D ",\"medianame\":\"m\"}]}",
	    &l, err, sizeof(err)), 0);
	assert_int_equal(l.n, 7);
	assert_non_null(l.v[4].skip);
	assert_string_equal(l.v[4].skip, "a field is not valid UTF-8 (a lone "
	    "surrogate or a stray byte)");
	assert_non_null(l.v[5].skip);
	assert_string_equal(l.v[5].skip, "a field holds a NUL character (\\u0000)");
	assert_record(&l.v[6], "NW2", "NW2", "t", "2022-03-23 10:34:11", "m");
	record_list_clear(&l);
}

/* What each JSON type of an item or a field gives. */
static void
test_json_types(void **state)
{
	static const char json[] = " {\"record\":[\"s\",null,true,1.5,[1],{},"
	    "{\"infoCode\":-5,\"title\":\"t\"," D ",\"medianame\":\"m\"},"
	    "{\"infoCode\":99999999999999999999,\"title\":\"t\"," D ",\"medianame\":\"m\"},"
	    "{\"infoCode\":true,\"title\":\"t\"," D ",\"medianame\":\"m\"},"
	    "{\"infoCode\":{\"a\":\"NW1\"},\"title\":\"t\"," D ",\"medianame\":\"m\"},"
	    "{\"infoCode\":\"NW1\",\"title\":\"t\"," D ",\"medianame\":7},"
	    "{\"infoCode\":\"NW1\",\"title\":\"t\"," D ",\"medianame\":[\"m\"]},"
	    "{\"infoCode\":9223372036854775807,\"title\":\"t\"," D ",\"medianame\":\"m\"}"
	    "]}\n";
	struct conf_source sc = conf_market();
	struct record_list l = { 0 };
	char err[256] = "";
	size_t i;

	assert_int_equal(parse_str(&sc, json, &l, err, sizeof(err)), 0);
	assert_int_equal(l.n, 13);
	for (i = 0; i < 5; i++)
		assert_string_equal(l.v[i].skip, "item is not an object");
	assert_string_equal(l.v[5].skip, "no id");
	assert_record(&l.v[6], "-5", "-5", "t", "2022-03-23 10:34:11", "m");
	/* Past 64 bits an integer id is no id, not a rounded one. */
	assert_string_equal(l.v[7].skip, "no id");
	assert_null(l.v[7].id);
	assert_string_equal(l.v[8].skip, "no id");
	assert_string_equal(l.v[9].skip, "no id");
	assert_string_equal(l.v[10].skip, "no media");
	assert_null(l.v[10].media);
	assert_string_equal(l.v[11].skip, "no media");
	assert_record(&l.v[12], "9223372036854775807", "9223372036854775807",
	    "t", "2022-03-23 10:34:11", "m");
	record_list_clear(&l);
}

/* Keys are looked up as they are, whatever characters they hold. */
static void
test_json_keys(void **state)
{
	static const char json[] = "{\"re[c] $x\":{\"a\\\\b\":["
	    "{\"info.code\":\"NW1\",\"info\":{\"code\":\"no\"},\"title\":\"t\","
	    D ",\"medianame\":\"m\"}]},\"q\\\"k\":[]}";
	struct conf_source sc = conf_market();
	struct record_list l = { 0 };
	char err[256] = "";

	sc.list_items = "re[c] $x.a\\b";
	sc.id_field = "info.code";
	assert_int_equal(parse_str(&sc, json, &l, err, sizeof(err)), 0);
	assert_int_equal(l.n, 1);
	assert_record(&l.v[0], "NW1", "NW1", "t", "2022-03-23 10:34:11", "m");
	record_list_clear(&l);

	/* SQLite cannot name a key with a '"' in it. */
	sc.list_items = "q\"k";
	assert_int_equal(parse_str(&sc, json, &l, err, sizeof(err)), -1);
	assert_string_equal(err, "no array 'q\"k' in the response");
	sc.list_items = "re[c] $x.a\\b";
	sc.title_field = "ti\"tle";
	assert_int_equal(parse_str(&sc, json, &l, err, sizeof(err)), 0);
	assert_string_equal(l.v[0].skip, "no title");
	record_list_clear(&l);
	sc.list_items = NULL;
	assert_int_equal(parse_str(&sc, json, &l, err, sizeof(err)), -1);
	assert_string_equal(err, "no array '' in the response");
}

/* Nesting past SQLite's depth limit is refused, not a crash. */
static void
test_json_deep(void **state)
{
	struct conf_source sc = conf_market();
	struct record_list l = { 0 };
	enum { DEEP = 100000 };
	char err[256] = "", *buf;
	size_t n;

	assert_non_null(buf = malloc(2 * DEEP + 64));
	n = (size_t)sprintf(buf, "{\"record\":[],\"x\":");
	memset(buf + n, '[', DEEP);
	memset(buf + n + DEEP, ']', DEEP);
	n += 2 * DEEP;
	buf[n++] = '}';
	assert_int_equal(source_parse_list(&sc, NULL, buf, n, &l, err, sizeof(err)),
	    -1);
	assert_string_equal(err, "the response is not valid JSON");
	assert_null(source_parse_text(&sc, NULL, buf, n, err, sizeof(err)));
	/* Moderate nesting is fine. */
	n = (size_t)sprintf(buf, "{\"record\":[],\"x\":");
	memset(buf + n, '[', 100);
	memset(buf + n + 100, ']', 100);
	n += 200;
	buf[n++] = '}';
	assert_int_equal(source_parse_list(&sc, NULL, buf, n, &l, err, sizeof(err)),
	    0);
	assert_int_equal(l.n, 0);
	free(buf);
}

/*
 * Lists past the default 8 MiB, as max_list_size lets through: a 12 MiB
 * JSON list and a 12 MiB HTML page are read whole.  An HTML page holding a
 * text longer than libxml2 reads (10,000,000 bytes) is refused: libxml2
 * would stop there and hand back the page as far as it got.
 */
static void
test_big_lists(void **state)
{
	struct conf_source sc = conf_market();
	struct record_list l = { 0 };
	/* Records of 6 KiB each (a field that no key reads): size, not the
	 * number of records, is what this is about, and valgrind runs it. */
	enum { SIZE = 12 << 20, PAD = 6 << 10, BIG_TEXT = 11000000 };
	char err[256] = "", id[32], title[64], *buf, *pad;
	size_t n = 0, i;

	(void)state;
	assert_non_null(buf = malloc(SIZE + 2 * PAD));
	assert_non_null(pad = malloc(PAD + 1));
	memset(pad, 'x', PAD);
	pad[PAD] = '\0';
	n += (size_t)sprintf(buf + n, "{\"record\": [");
	for (i = 0; n < SIZE; i++)
		n += (size_t)sprintf(buf + n, "%s{\"infoCode\": \"NW%08zu\", "
		    "\"title\": \"大列表里的新闻 %zu\", \"datetime\": "
		    "\"2024-06-01 10:00:00\", \"medianame\": \"财联社\", "
		    "\"pad\": \"%s\"}", i == 0 ? "" : ", ", i, i, pad);
	n += (size_t)sprintf(buf + n, "]}");
	assert_int_equal(source_parse_list(&sc, NULL, buf, n, &l, err,
	    sizeof(err)), 0);
	assert_int_equal(l.n, i);
	snprintf(id, sizeof(id), "NW%08zu", i - 1);
	snprintf(title, sizeof(title), "大列表里的新闻 %zu", i - 1);
	assert_record(&l.v[l.n - 1], id, id, title, "2024-06-01 10:00:00",
	    "财联社");
	record_list_clear(&l);

	sc = conf_html();
	n = (size_t)sprintf(buf, "<html><body><ul class=\"news\">");
	for (i = 0; n < SIZE; i++)
		n += (size_t)sprintf(buf + n, "<li><a href=\"/a?infoCode=NW%08zu\">"
		    "新闻 %zu</a><span class=\"time\">2024-06-01 10:00:00</span>"
		    "<span class=\"media\">财联社</span><p>%s</p></li>\n", i, i,
		    pad);
	n += (size_t)sprintf(buf + n, "</ul></body></html>");
	assert_int_equal(source_parse_list(&sc, NULL, buf, n, &l, err,
	    sizeof(err)), 0);
	assert_int_equal(l.n, i);
	snprintf(id, sizeof(id), "NW%08zu", i - 1);
	snprintf(title, sizeof(title), "新闻 %zu", i - 1);
	assert_record(&l.v[l.n - 1], id, id, title, "2024-06-01 10:00:00",
	    "财联社");
	record_list_clear(&l);

	n = (size_t)sprintf(buf, "<html><body><script>");
	memset(buf + n, 'x', BIG_TEXT);
	n += BIG_TEXT;
	n += (size_t)sprintf(buf + n, "</script><ul class=\"news\"><li><a "
	    "href=\"/a?infoCode=NW1\">新闻</a><span class=\"time\">"
	    "2024-06-01 10:00:00</span><span class=\"media\">财联社</span>"
	    "</li></ul></body></html>");
	assert_int_equal(source_parse_list(&sc, NULL, buf, n, &l, err,
	    sizeof(err)), -1);
	assert_string_equal(err, "the HTML page cannot be read whole: a text "
	    "in it is longer than the 10,000,000 bytes libxml2 reads, or "
	    "memory ran out");
	assert_int_equal(l.n, 0);
	free(pad);
	free(buf);
}

/* The connection closes and opens again; closing twice is harmless. */
static void
test_cleanup(void **state)
{
	struct conf_source sc = conf_market();
	struct record_list l = { 0 };
	char err[256] = "", *s;

	source_cleanup();
	source_cleanup();
	assert_non_null(s = text_of(&sc, "{\"text\":\"again\"}", err,
	    sizeof(err)));
	assert_string_equal(s, "again");
	free(s);
	source_cleanup();
	parse_fixture(&sc, FIXTURE("seed-list.json"), &l);
	assert_int_equal(l.n, 1);
	record_list_clear(&l);
}

/*
 * The configuration admits only the formats of the dispatch table, but a
 * caller may build a source by hand: a format without a row is refused,
 * with a message, and the list left as it was.
 */
static void
test_unknown_format(void **state)
{
	struct conf_source sc = conf_market();
	struct record_list l = { 0 };
	char err[256] = "";

	parse_fixture(&sc, FIXTURE("seed-list.json"), &l);
	assert_int_equal(l.n, 1);
	sc.format = (enum conf_format)99;
	assert_int_equal(source_parse_list(&sc, NULL, "{\"record\":[]}", 13, &l, err,
	    sizeof(err)), -1);
	assert_string_equal(err, "unknown source format 99");
	assert_int_equal(l.n, 1);
	err[0] = '\0';
	assert_null(source_parse_text(&sc, NULL, "{\"text\":\"x\"}", 12, err,
	    sizeof(err)));
	assert_string_equal(err, "unknown source format 99");
	record_list_clear(&l);
}

static void
test_html_list(void **state)
{
	struct conf_source sc = conf_html();
	struct record_list l = { 0 };

	parse_fixture(&sc, FIXTURE("source/list.html"), &l);
	assert_int_equal(l.n, 5);
	/* A string-valued id; a node-valued title, stripped of layout. */
	assert_record(&l.v[0], "NW202203232319931992", "NW202203232319931992",
	    "今年青岛产业政策将在这些领域发力", "2022-03-23 10:34:11",
	    "青岛财经日报");
	/* An element's string value joins its text; entities decoded. */
	assert_record(&l.v[1], "NW202203232319931993", "NW202203232319931993",
	    "A & B 股走势", "2022-03-23 10:40:00", "财联社");
	assert_string_equal(l.v[2].skip, "bad date");
	assert_string_equal(l.v[2].id, "NW202203232319931994");
	assert_string_equal(l.v[3].skip, "no media");
	assert_null(l.v[3].media);
	assert_string_equal(l.v[4].skip, "no id");
	assert_string_equal(l.v[4].id, "");
	assert_null(l.v[4].title);
	assert_null(l.v[0].digest);
	assert_null(l.v[0].link);
	record_list_clear(&l);

	sc.category = "news";
	parse_fixture(&sc, FIXTURE("source/list.html"), &l);
	assert_null(l.v[3].skip);
	record_list_clear(&l);

	/* A list expression that matches nothing gives no records. */
	sc.list_xpath = "//ol/li";
	parse_fixture(&sc, FIXTURE("source/list.html"), &l);
	assert_int_equal(l.n, 0);
}

static void
test_html_bad_xpath(void **state)
{
	struct conf_source sc = conf_html();
	struct record_list l = { 0 };
	char err[256], *buf;
	size_t len;

	parse_fixture(&sc, FIXTURE("seed-list.json"), &l);
	assert_int_equal(l.n, 0);
	sc = conf_market();
	parse_fixture(&sc, FIXTURE("seed-list.json"), &l);
	assert_int_equal(l.n, 1);

	buf = read_fixture(FIXTURE("source/list.html"), &len);
	sc = conf_html();
	sc.id_xpath = "substring-after(a/@href,";
	err[0] = '\0';
	assert_int_equal(source_parse_list(&sc, NULL, buf, len, &l, err,
	    sizeof(err)), -1);
	assert_non_null(strstr(err, "substring-after(a/@href,"));

	/* It compiles, but count() of a string fails at run time. */
	sc = conf_html();
	sc.title_xpath = "count('x')";
	err[0] = '\0';
	assert_int_equal(source_parse_list(&sc, NULL, buf, len, &l, err,
	    sizeof(err)), -1);
	assert_non_null(strstr(err, "count('x')"));
	assert_int_equal(l.n, 1);

	sc = conf_html();
	sc.list_xpath = "string(//li)";
	assert_int_equal(source_parse_list(&sc, NULL, buf, len, &l, err,
	    sizeof(err)), -1);
	assert_int_equal(l.n, 1);
	free(buf);
	record_list_clear(&l);
}

static void
test_html_text(void **state)
{
	struct conf_source sc = conf_html();
	char err[256] = "", *buf, *s;
	size_t len;

	buf = read_fixture(FIXTURE("source/article.html"), &len);
	assert_non_null(s = source_parse_text(&sc, NULL, buf, len, err, sizeof(err)));
	assert_string_equal(s, "<p>第一段，含 &amp; 符号。</p>"
	    "<p><b>加粗</b><br>换行</p><img src=\"/x.png\" alt=\"pic\">");
	free(s);

	sc.text_xpath = "//div[@id='foot']";
	assert_non_null(s = source_parse_text(&sc, NULL, buf, len, err, sizeof(err)));
	assert_string_equal(s, "页脚");
	free(s);

	sc.text_xpath = "//div[@id='missing']";
	assert_null(source_parse_text(&sc, NULL, buf, len, err, sizeof(err)));
	assert_string_equal(err, "text_xpath matched nothing");
	sc.text_xpath = "string(//div)";
	assert_null(source_parse_text(&sc, NULL, buf, len, err, sizeof(err)));
	assert_string_equal(err, "text_xpath matched nothing");
	sc.text_xpath = "//div[";
	err[0] = '\0';
	assert_null(source_parse_text(&sc, NULL, buf, len, err, sizeof(err)));
	assert_non_null(strstr(err, "//div["));
	free(buf);
}

/*
 * Bytes of an HTML page that do not decode (here cut-off UTF-8 characters)
 * skip the record whose field holds them, at their offset, and refuse an
 * article that holds them (errno EILSEQ); elsewhere in the page they do no
 * harm.  The string literals are split after each hex escape so that a
 * following letter is not read as one more hex digit.
 */
static void
test_html_utf8(void **state)
{
	static const char list[] =
	    "<ul class='news'>"
	    /* A cut-off 3-byte character between valid ones in the title. */
	    "<li><a href='?infoCode=NW1'>\xe4\xb8\xad\xe4\xb8<b>\xe6\x96\x87</b>"
	    "</a><span class='time'>2022-03-23 10:34:11</span>"
	    "<span class='media'>m</span></li>"
	    /* A cut-off 4-byte one in the media, at the end of its text. */
	    "<li><a href='?infoCode=NW2'>t</a>"
	    "<span class='time'>2022-03-23 10:40:00</span>"
	    "<span class='media'>M\xf0\x9f\x98</span></li>"
	    /* One in the id. */
	    "<li><a href='?infoCode=NW\xff" "3'>t</a>"
	    "<span class='time'>2022-03-23 10:40:00</span>"
	    "<span class='media'>M</span></li>"
	    /* One outside every field. */
	    "<li><a href='?infoCode=NW4'>t</a>\xff"
	    "<span class='time'>2022-03-23 10:40:00</span>"
	    "<span class='media'>M</span></li>"
	    "</ul>";
	static const char article[] =
	    "<html><body><div id='content'><p>a\xe4\xb8</p>"
	    "<b>b</b></div></body></html>";
	static const char attr[] =
	    "<html><body><div id='content'><a href='/\xff'>a</a>"
	    "</div></body></html>";
	static const char outside[] =
	    "<html><body>\xff<div id='content'><p>a</p></div></body></html>";
	struct conf_source sc = conf_html();
	struct record_list l = { 0 };
	char err[256] = "", *s;

	assert_int_equal(parse_str(&sc, list, &l, err, sizeof(err)), 0);
	assert_int_equal(l.n, 4);
	assert_ptr_equal(l.v[0].skip, record_undecoded);
	assert_int_equal(l.v[0].skip_at, 48);
	assert_string_equal(l.v[0].id, "NW1");
	assert_ptr_equal(l.v[1].skip, record_undecoded);
	assert_int_equal(l.v[1].skip_at, 241);
	/* An id that does not decode names nothing. */
	assert_ptr_equal(l.v[2].skip, record_undecoded);
	assert_int_equal(l.v[2].skip_at, 281);
	assert_null(l.v[2].id);
	assert_null(l.v[2].file_id);
	assert_record(&l.v[3], "NW4", "NW4", "t", "2022-03-23 10:40:00", "M");
	record_list_clear(&l);

	errno = 0;
	assert_null(source_parse_text(&sc, NULL, article, sizeof(article) - 1,
	    err, sizeof(err)));
	assert_int_equal(errno, EILSEQ);
	assert_string_equal(err, "bytes that do not decode as UTF-8 at offset 34");
	/* In an attribute, which the serializer would percent-encode. */
	errno = 0;
	assert_null(source_parse_text(&sc, NULL, attr, sizeof(attr) - 1, err,
	    sizeof(err)));
	assert_int_equal(errno, EILSEQ);
	assert_string_equal(err, "bytes that do not decode as UTF-8 at offset 40");
	assert_non_null(s = source_parse_text(&sc, NULL, outside,
	    sizeof(outside) - 1, err, sizeof(err)));
	assert_string_equal(s, "<p>a</p>");
	free(s);
}

static int xml_calls;

static void
xml_count(void *ctx, const char *msg, ...)
{
	xml_calls++;
}

/*
 * libxml2 stays silent during a parse, even of broken markup and a broken
 * expression, and the handler the program set is back afterwards.
 */
static void
test_html_quiet(void **state)
{
	static const char junk[] = "<html><body><div id=content><p>\xff\xfe<<b>&bogus;</i></tr>";
	struct conf_source sc = conf_html();
	struct record_list l = { 0 };
	char err[256], *s;

	xmlSetGenericErrorFunc(NULL, xml_count);
	xml_calls = 0;
	assert_int_equal(source_parse_list(&sc, NULL, junk, sizeof(junk) - 1, &l,
	    err, sizeof(err)), 0);
	assert_int_equal(l.n, 0);
	sc.list_xpath = "//li[";
	assert_int_equal(source_parse_list(&sc, NULL, junk, sizeof(junk) - 1, &l,
	    err, sizeof(err)), -1);
	/* The article is parsed, and refused for its bytes \xff\xfe. */
	sc.text_xpath = "//div[@id='content']";
	errno = 0;
	s = source_parse_text(&sc, NULL, junk, sizeof(junk) - 1, err, sizeof(err));
	assert_null(s);
	assert_int_equal(errno, EILSEQ);
	sc.text_xpath = "//div[@id=";
	assert_null(source_parse_text(&sc, NULL, junk, sizeof(junk) - 1, err,
	    sizeof(err)));
	assert_int_equal(xml_calls, 0);
	assert_true(xmlGenericError == xml_count);
	xmlSetGenericErrorFunc(NULL, NULL);
}

static void
assert_date(const char *s, long off, long long want)
{
	long long t = 12345;

	if (record_date_parse(s, off, &t) != 0)
		fail_msg("'%s' does not parse", s);
	assert_int_equal(t, want);
}

static void
assert_bad_date(const char *s)
{
	long long t = 12345;

	if (record_date_parse(s, 0, &t) != -1)
		fail_msg("'%s' parses", s);
	assert_int_equal(t, 12345);
}

static void
test_date(void **state)
{
	assert_date("2022-03-23 10:34:11", 8 * 3600, 1648002851);
	assert_date("2022-03-23 02:34:11", 0, 1648002851);
	assert_date("2022-01-07 18:02:41", 28800, 1641549761);
	assert_date("1970-01-01 00:00:00", 0, 0);
	assert_date("1970-01-01 00:00:00", 28800, -28800);
	assert_date("2024-02-29 00:00:00", 0, 1709164800);
	assert_date("2000-02-29 12:00:00", 0, 951825600);
	assert_date("9999-12-31 23:59:59", 0, 253402300799LL);
	assert_date("2022-03-23 10:34:11", -5 * 3600, 1648049651);

	assert_bad_date("2023-02-29 00:00:00");
	assert_bad_date("2100-02-29 00:00:00");
	assert_bad_date("2022-04-31 00:00:00");
	assert_bad_date("2022-13-01 00:00:00");
	assert_bad_date("2022-00-01 00:00:00");
	assert_bad_date("2022-01-00 00:00:00");
	assert_bad_date("2022-03-23 24:00:00");
	assert_bad_date("2022-03-23 23:60:00");
	assert_bad_date("2022-03-23 23:59:60");
	assert_bad_date("1969-12-31 23:59:59");
	assert_bad_date("2022-03-23 10:34:11 ");
	assert_bad_date("2022-03-23 10:34:11x");
	assert_bad_date(" 2022-03-23 10:34:11");
	assert_bad_date("2022-03-23T10:34:11");
	assert_bad_date("2022-3-23 10:34:11");
	/* Seconds left out are 0 (issue 8); minutes are not optional. */
	assert_date("2022-03-23 10:34", 8 * 3600, 1648002840);
	assert_bad_date("2022-03-23 10");
	assert_bad_date("2022-03-23 10:34:");
	assert_bad_date("2022-03-23");
	assert_bad_date("+022-03-23 10:34:11");
	assert_bad_date("2022-03-23 10:3a:11");
	assert_bad_date("");
	assert_bad_date(NULL);
}

static void
test_id_is_fit(void **state)
{
	char longid[202];

	assert_int_equal(record_id_is_fit("NW202203232319931992"), 1);
	assert_int_equal(record_id_is_fit("202201072239307540"), 1);
	assert_int_equal(record_id_is_fit("a.b"), 1);
	assert_int_equal(record_id_is_fit("a\\b"), 1);
	assert_int_equal(record_id_is_fit("中文"), 1);
	assert_int_equal(record_id_is_fit("-5"), 1);
	assert_int_equal(record_id_is_fit(""), 0);
	assert_int_equal(record_id_is_fit(NULL), 0);
	assert_int_equal(record_id_is_fit("."), 0);
	assert_int_equal(record_id_is_fit(".."), 0);
	assert_int_equal(record_id_is_fit(".hidden"), 0);
	assert_int_equal(record_id_is_fit("a/b"), 0);
	assert_int_equal(record_id_is_fit("/"), 0);
	assert_int_equal(record_id_is_fit("a\tb"), 0);
	assert_int_equal(record_id_is_fit("a\nb"), 0);
	assert_int_equal(record_id_is_fit("ab\x7f"), 0);
	assert_int_equal(record_id_is_fit("\x1f"), 0);
	/* Past 200 bytes the post's file name would not fit in NAME_MAX. */
	memset(longid, 'x', 200);
	longid[200] = '\0';
	assert_int_equal(record_id_is_fit(longid), 1);
	longid[200] = 'x';
	longid[201] = '\0';
	assert_int_equal(record_id_is_fit(longid), 0);
}

/* Closes the parsers' SQLite connection, for a leak-free valgrind run. */
static int
teardown(void **state)
{
	source_cleanup();
	return 0;
}

/* A source whose dates are Unix times may send them as JSON numbers. */
static void
test_json_unix_dates(void **state)
{
	struct conf_source sc = conf_market();
	struct record_list l = { 0 };
	char err[256];
	static const char json[] = "{\"record\":["
	    "{\"infoCode\":\"NW1\",\"title\":\"t\",\"datetime\":1717380300000,"
	    "\"medianame\":\"m\"},"
	    "{\"infoCode\":\"NW2\",\"title\":\"t\",\"datetime\":\"1717380300000\","
	    "\"medianame\":\"m\"},"
	    "{\"infoCode\":\"NW3\",\"title\":\"t\",\"datetime\":1.5,"
	    "\"medianame\":\"m\"}]}";

	sc.date_format = "unix_ms";
	assert_int_equal(parse_str(&sc, json, &l, err, sizeof(err)), 0);
	assert_int_equal(l.n, 3);
	assert_record(&l.v[0], "NW1", "NW1", "t", "1717380300000", "m");
	assert_record(&l.v[1], "NW2", "NW2", "t", "1717380300000", "m");
	assert_string_equal(l.v[2].skip, "no date");
	record_list_clear(&l);
	/* Elsewhere a number is no date. */
	sc.date_format = NULL;
	assert_int_equal(parse_str(&sc, json, &l, err, sizeof(err)), 0);
	assert_string_equal(l.v[0].skip, "no date");
	assert_string_equal(l.v[1].skip, "bad date");
	record_list_clear(&l);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_seed_list),
		cmocka_unit_test(test_seed_text),
		cmocka_unit_test(test_market),
		cmocka_unit_test(test_fast_appends),
		cmocka_unit_test(test_rolling),
		cmocka_unit_test(test_skip_reasons),
		cmocka_unit_test(test_media_optional),
		cmocka_unit_test(test_nested_items),
		cmocka_unit_test(test_bad_responses),
		cmocka_unit_test(test_text),
		cmocka_unit_test(test_text_path),
		cmocka_unit_test(test_json_bytes),
		cmocka_unit_test(test_json_unix_dates),
		cmocka_unit_test(test_json_types),
		cmocka_unit_test(test_json_keys),
		cmocka_unit_test(test_json_deep),
		cmocka_unit_test(test_cleanup),
		cmocka_unit_test(test_unknown_format),
		cmocka_unit_test(test_html_list),
		cmocka_unit_test(test_html_bad_xpath),
		cmocka_unit_test(test_html_text),
		cmocka_unit_test(test_big_lists),
		cmocka_unit_test(test_html_utf8),
		cmocka_unit_test(test_html_quiet),
		cmocka_unit_test(test_date),
		cmocka_unit_test(test_id_is_fit),
	};

	return cmocka_run_group_tests(tests, NULL, teardown);
}
