/*
 * test_atom: the feeds are valid Atom (RFC 4287's schema, checked with
 * libxml2's RELAX NG validator), hold the values the contract fixes, and
 * render to the same bytes every time.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>
#include <libxml/parser.h>
#include <libxml/relaxng.h>
#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>

#include "atom.h"

#define SCHEMA		TOP_SRCDIR "/tests/fixtures/atom.rng"
#define SITE_URL	"https://finews.withounder.com"
#define SITE_HOST	"finews.withounder.com"

static const struct atom_feed cat_feed = {
	.site_url = SITE_URL,
	.site_host = SITE_HOST,
	.category = "qingdaocaijingribao",
	.title = "青岛财经日报新闻",
	.html_url = SITE_URL "/category/qingdaocaijingribao.html",
};

static const struct atom_entry cat_entries[] = {
	{
		.info_code = "NW202203232319931992",
		.href = SITE_URL "/qingdaocaijingribao/2022/03/23/NW202203232319931992.html",
		.title = "今年青岛产业政策将在这些领域发力",
		.published = "2022-03-23 10:34:11 +0800",
		.category = "qingdaocaijingribao",
		.tag = "青岛财经日报新闻",
		.media = "青岛财经日报",
		.body = "<p>青岛财经日报/首页新闻讯</p>\n <p>二</p>",
	},
	{
		.info_code = "NW202203222318000001",
		.href = SITE_URL "/qingdaocaijingribao/2022/03/22/NW202203222318000001.html",
		.title = "A & B <c>\x01 \"d\"",
		.published = "2022-03-22 08:00:00 +0800",
		.category = "qingdaocaijingribao",
		.tag = "青岛财经日报新闻",
		.media = NULL,
		.body = "<p>x < y && z\x02</p>]]>\r\n\xff\xef\xbf\xbe",
	},
	{
		.info_code = "NW202203212317000002",
		.href = SITE_URL "/qingdaocaijingribao/2022/03/21/NW202203212317000002.html",
		.title = "三",
		.published = "2022-03-21 23:59:59 +0800",
		.category = "qingdaocaijingribao",
		.tag = "青岛财经日报新闻",
		.media = "青岛财经日报",
		.body = "",
	},
};

/* Parses and validates DOC against the Atom schema; the caller frees it. */
static xmlDocPtr
parse_valid(const char *xml, size_t len)
{
	xmlRelaxNGParserCtxtPtr pctx;
	xmlRelaxNGValidCtxtPtr vctx;
	xmlRelaxNGPtr schema;
	xmlDocPtr doc;

	doc = xmlReadMemory(xml, (int)len, "feed.xml", NULL, XML_PARSE_NONET);
	assert_non_null(doc);
	pctx = xmlRelaxNGNewParserCtxt(SCHEMA);
	assert_non_null(pctx);
	schema = xmlRelaxNGParse(pctx);
	assert_non_null(schema);
	vctx = xmlRelaxNGNewValidCtxt(schema);
	assert_non_null(vctx);
	assert_int_equal(xmlRelaxNGValidateDoc(vctx, doc), 0);
	xmlRelaxNGFreeValidCtxt(vctx);
	xmlRelaxNGFree(schema);
	xmlRelaxNGFreeParserCtxt(pctx);
	return doc;
}

/* The string value of the XPath EXPR (with "a:" the Atom namespace). */
static char *
xpath_str(xmlDocPtr doc, const char *expr)
{
	xmlXPathContextPtr ctx = xmlXPathNewContext(doc);
	xmlXPathObjectPtr obj;
	char *s;

	assert_non_null(ctx);
	xmlXPathRegisterNs(ctx, BAD_CAST "a",
	    BAD_CAST "http://www.w3.org/2005/Atom");
	obj = xmlXPathEvalExpression(BAD_CAST expr, ctx);
	assert_non_null(obj);
	s = (char *)xmlXPathCastToString(obj);
	assert_non_null(s);
	xmlXPathFreeObject(obj);
	xmlXPathFreeContext(ctx);
	return s;
}

static void
check_xpath(xmlDocPtr doc, const char *expr, const char *want)
{
	char *got = xpath_str(doc, expr);

	if (strcmp(got, want) != 0)
		fail_msg("%s: got \"%s\", want \"%s\"", expr, got, want);
	xmlFree(got);
}

static void
test_category_feed(void **state)
{
	xmlDocPtr doc;
	char *out;
	size_t len;

	out = atom_render(&cat_feed, cat_entries, 3, &len);
	assert_non_null(out);
	assert_int_equal(strlen(out), len);
	assert_memory_equal(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>",
	    38);
	doc = parse_valid(out, len);
	check_xpath(doc, "/a:feed/a:id",
	    SITE_URL "/feeds/qingdaocaijingribao.xml");
	check_xpath(doc, "/a:feed/a:title", "青岛财经日报新闻");
	check_xpath(doc, "/a:feed/a:updated", "2022-03-23T10:34:11+08:00");
	check_xpath(doc, "/a:feed/a:link[@rel='self']/@href",
	    SITE_URL "/feeds/qingdaocaijingribao.xml");
	check_xpath(doc, "/a:feed/a:link[@rel='self']/@type",
	    "application/atom+xml");
	check_xpath(doc, "/a:feed/a:link[@rel='alternate']/@href",
	    SITE_URL "/category/qingdaocaijingribao.html");
	check_xpath(doc, "/a:feed/a:generator", "finewsd");
	check_xpath(doc, "count(/a:feed/a:entry)", "3");

	check_xpath(doc, "/a:feed/a:entry[1]/a:id",
	    "tag:finews.withounder.com,2022-03-23:NW202203232319931992");
	check_xpath(doc, "/a:feed/a:entry[1]/a:title",
	    "今年青岛产业政策将在这些领域发力");
	check_xpath(doc, "/a:feed/a:entry[1]/a:published",
	    "2022-03-23T10:34:11+08:00");
	check_xpath(doc, "/a:feed/a:entry[1]/a:updated",
	    "2022-03-23T10:34:11+08:00");
	check_xpath(doc, "/a:feed/a:entry[1]/a:link[@rel='alternate']/@href",
	    SITE_URL "/qingdaocaijingribao/2022/03/23/"
	    "NW202203232319931992.html");
	check_xpath(doc, "/a:feed/a:entry[1]/a:link/@type", "text/html");
	check_xpath(doc, "/a:feed/a:entry[1]/a:category/@term",
	    "qingdaocaijingribao");
	check_xpath(doc, "/a:feed/a:entry[1]/a:category/@label",
	    "青岛财经日报新闻");
	check_xpath(doc, "/a:feed/a:entry[1]/a:author/a:name", "青岛财经日报");
	check_xpath(doc, "/a:feed/a:entry[1]/a:content/@type", "html");
	check_xpath(doc, "/a:feed/a:entry[1]/a:content",
	    "<p>青岛财经日报/首页新闻讯</p>\n <p>二</p>");

	/* Control characters dropped, bad UTF-8 made U+FFFD, the rest kept. */
	check_xpath(doc, "/a:feed/a:entry[2]/a:title", "A & B <c> \"d\"");
	check_xpath(doc, "/a:feed/a:entry[2]/a:content",
	    "<p>x < y && z</p>]]>\r\n\xef\xbf\xbd\xef\xbf\xbd");
	check_xpath(doc, "/a:feed/a:entry[2]/a:author/a:name",
	    "青岛财经日报新闻");
	check_xpath(doc, "/a:feed/a:entry[2]/a:id",
	    "tag:finews.withounder.com,2022-03-22:NW202203222318000001");
	check_xpath(doc, "/a:feed/a:entry[3]/a:published",
	    "2022-03-21T23:59:59+08:00");
	check_xpath(doc, "/a:feed/a:entry[3]/a:content", "");
	xmlFreeDoc(doc);
	free(out);
}

/*
 * Each byte of an invalid sequence becomes its own U+FFFD (a truncated
 * three-byte sequence gives two), U+FFFE and U+FFFF one each; DEL and
 * characters past U+FFFF are XML 1.0 characters and stay.
 */
static void
test_clean(void **state)
{
	struct atom_entry e = cat_entries[0];
	xmlDocPtr doc;
	char *out;
	size_t len;

	e.title = "a\xe4\xb8" "b\x7f\xef\xbf\xbe\xef\xbf\xbf\xf0\x9f\x98\x80\x0b"
	    "\xed\xa0\x80";
	e.tag = "\xc0\xafx\xf4\x90\x80\x80";
	out = atom_render(&cat_feed, &e, 1, &len);
	assert_non_null(out);
	doc = parse_valid(out, len);
	check_xpath(doc, "/a:feed/a:entry/a:title", "a\xef\xbf\xbd\xef\xbf\xbd"
	    "b\x7f\xef\xbf\xbd\xef\xbf\xbd\xf0\x9f\x98\x80"
	    "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
	check_xpath(doc, "/a:feed/a:entry/a:category/@label",
	    "\xef\xbf\xbd\xef\xbf\xbdx\xef\xbf\xbd\xef\xbf\xbd"
	    "\xef\xbf\xbd\xef\xbf\xbd");
	xmlFreeDoc(doc);
	free(out);
}

static void
test_empty_feed(void **state)
{
	xmlDocPtr doc;
	char *out;
	size_t len;

	out = atom_render(&cat_feed, NULL, 0, &len);
	assert_non_null(out);
	doc = parse_valid(out, len);
	check_xpath(doc, "/a:feed/a:updated", "1970-01-01T00:00:00Z");
	check_xpath(doc, "count(/a:feed/a:entry)", "0");
	xmlFreeDoc(doc);
	free(out);
}

static void
test_all_feed(void **state)
{
	static const struct atom_feed all = {
		.site_url = "http://localhost:4000",
		.site_host = "localhost:4000",
		.category = NULL,
		.title = "财经新闻",
		.html_url = "http://localhost:4000/",
	};
	struct atom_entry e[3];
	xmlDocPtr doc;
	char *out;
	size_t len;

	memcpy(e, cat_entries, sizeof(e));
	e[0].category = "emnews";
	e[0].tag = "东财滚动新闻";
	e[0].info_code = "a b/ü";
	e[0].href = "http://localhost:4000/emnews/2022/05/26/202205262391921712.html";
	e[0].published = "2022-05-26 09:01:02 -0130";
	e[1].published = "2022-05-26 11:00:00 +0000";  /* the newest */
	e[2].published = "2022-02-30 10:00:00 +0800";  /* left out */
	out = atom_render(&all, e, 3, &len);
	assert_non_null(out);
	doc = parse_valid(out, len);
	check_xpath(doc, "/a:feed/a:id", "http://localhost:4000/feeds/all.xml");
	check_xpath(doc, "/a:feed/a:link[@rel='self']/@href",
	    "http://localhost:4000/feeds/all.xml");
	check_xpath(doc, "/a:feed/a:updated", "2022-05-26T11:00:00+00:00");
	check_xpath(doc, "count(/a:feed/a:entry)", "2");
	check_xpath(doc, "/a:feed/a:entry[1]/a:id",
	    "tag:localhost,2022-05-26:a%20b%2F%C3%BC");
	check_xpath(doc, "/a:feed/a:entry[1]/a:published",
	    "2022-05-26T09:01:02-01:30");
	check_xpath(doc, "/a:feed/a:entry[1]/a:link/@href",
	    "http://localhost:4000/emnews/2022/05/26/202205262391921712.html");
	check_xpath(doc, "/a:feed/a:entry[1]/a:category/@term", "emnews");
	check_xpath(doc, "/a:feed/a:entry[2]/a:category/@term",
	    "qingdaocaijingribao");
	xmlFreeDoc(doc);
	free(out);
}

/*
 * The entry links to the page it is handed (record_page_url makes it: Jekyll
 * lowercases the category in a permalink), while the term (and the category
 * page, which Jekyll serves as written) keeps its case.
 */
static void
test_link_lowercase(void **state)
{
	static const struct atom_feed f = {
		.site_url = "https://finews.withounder.com",
		.site_host = "finews.withounder.com",
		.category = "FTzhongwenwang",
		.title = "FT中文网新闻",
		.html_url = "https://finews.withounder.com/category/FTzhongwenwang.html",
	};
	struct atom_entry e = cat_entries[0];
	xmlDocPtr doc;
	char *out;
	size_t len;

	e.category = "FTzhongwenwang";
	e.tag = "FT中文网新闻";
	e.href = "https://finews.withounder.com/ftzhongwenwang/2024/01/01/NW1.html";
	e.published = "2024-01-01 00:30:00 +0800";
	out = atom_render(&f, &e, 1, &len);
	assert_non_null(out);
	doc = parse_valid(out, len);
	check_xpath(doc, "/a:feed/a:entry[1]/a:link/@href",
	    "https://finews.withounder.com/ftzhongwenwang/2024/01/01/NW1.html");
	check_xpath(doc, "/a:feed/a:entry[1]/a:category/@term", "FTzhongwenwang");
	check_xpath(doc, "/a:feed/a:link[@rel='self']/@href",
	    "https://finews.withounder.com/feeds/FTzhongwenwang.xml");
	xmlFreeDoc(doc);
	free(out);
}

static void
test_deterministic(void **state)
{
	char *a, *b;
	size_t alen, blen;

	a = atom_render(&cat_feed, cat_entries, 3, &alen);
	b = atom_render(&cat_feed, cat_entries, 3, &blen);
	assert_non_null(a);
	assert_non_null(b);
	assert_int_equal(alen, blen);
	assert_memory_equal(a, b, alen);
	free(a);
	free(b);
}

static void
test_opml(void **state)
{
	static const struct atom_outline o[] = {
		{ "qingdaocaijingribao", "青岛财经日报新闻",
		    SITE_URL "/category/qingdaocaijingribao.html" },
		{ "emnews", "东财滚动新闻 & <更多>", SITE_URL "/emnews/" },
	};
	xmlDocPtr doc;
	char *out;
	size_t len;

	out = atom_render_opml(SITE_URL, "财经新闻", o, 2, &len);
	assert_non_null(out);
	assert_memory_equal(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>",
	    38);
	doc = xmlReadMemory(out, (int)len, "index.opml", NULL, XML_PARSE_NONET);
	assert_non_null(doc);
	check_xpath(doc, "/opml/@version", "2.0");
	check_xpath(doc, "/opml/head/title", "财经新闻");
	check_xpath(doc, "count(/opml/body/outline)", "2");
	check_xpath(doc, "/opml/body/outline[1]/@type", "rss");
	check_xpath(doc, "/opml/body/outline[1]/@text", "青岛财经日报新闻");
	check_xpath(doc, "/opml/body/outline[1]/@title", "青岛财经日报新闻");
	check_xpath(doc, "/opml/body/outline[1]/@xmlUrl",
	    SITE_URL "/feeds/qingdaocaijingribao.xml");
	check_xpath(doc, "/opml/body/outline[1]/@htmlUrl",
	    SITE_URL "/category/qingdaocaijingribao.html");
	check_xpath(doc, "/opml/body/outline[2]/@text", "东财滚动新闻 & <更多>");
	check_xpath(doc, "/opml/body/outline[2]/@xmlUrl",
	    SITE_URL "/feeds/emnews.xml");
	xmlFreeDoc(doc);
	free(out);
}

/*
 * An entry published at IN shows WANT as its published and updated times,
 * and so does the feed; with WANT NULL, IN is not a valid time and the
 * entry is left out.
 */
static void
check_time(const char *in, const char *want)
{
	struct atom_entry e = cat_entries[0];
	xmlDocPtr doc;
	char *out;
	size_t len;

	e.published = in;
	out = atom_render(&cat_feed, &e, 1, &len);
	assert_non_null(out);
	doc = parse_valid(out, len);
	if (want == NULL) {
		check_xpath(doc, "count(/a:feed/a:entry)", "0");
		check_xpath(doc, "/a:feed/a:updated", "1970-01-01T00:00:00Z");
	} else {
		check_xpath(doc, "/a:feed/a:entry/a:published", want);
		check_xpath(doc, "/a:feed/a:entry/a:updated", want);
		check_xpath(doc, "/a:feed/a:updated", want);
	}
	xmlFreeDoc(doc);
	free(out);
}

static void
test_time(void **state)
{
	check_time("2022-03-23 10:34:11 +0800", "2022-03-23T10:34:11+08:00");
	check_time("2022-03-23 10:34:11 +0000", "2022-03-23T10:34:11+00:00");
	/* The sign is kept as written: -00:00 is "offset unknown". */
	check_time("2022-03-23 10:34:11 -0000", "2022-03-23T10:34:11-00:00");
	check_time("1999-12-31 23:59:59 -0530", "1999-12-31T23:59:59-05:30");
	check_time("2024-02-29 00:00:00 +0800", "2024-02-29T00:00:00+08:00");
	check_time("2000-02-29 00:00:00 +0800", "2000-02-29T00:00:00+08:00");
	check_time("1900-02-29 00:00:00 +0800", NULL);
	check_time("2023-02-29 00:00:00 +0800", NULL);
	check_time("2022-04-31 00:00:00 +0800", NULL);
	check_time("2022-13-01 00:00:00 +0800", NULL);
	check_time("2022-00-01 00:00:00 +0800", NULL);
	check_time("2022-03-00 00:00:00 +0800", NULL);
	check_time("2022-03-23 24:00:00 +0800", NULL);
	check_time("2022-03-23 10:60:00 +0800", NULL);
	check_time("2022-03-23 10:34:60 +0800", NULL);
	check_time("2022-03-23 10:34:11 +2400", NULL);
	check_time("2022-03-23 10:34:11 +0860", NULL);
	check_time("2022-03-23 10:34:11 0800", NULL);
	check_time("2022-03-23 10:34:11 +08:00", NULL);
	check_time("2022-03-23 10:34:11 +0800 ", NULL);
	check_time("2022-03-23T10:34:11 +0800", NULL);
	check_time("2022-03-23 10:34:11", NULL);
	check_time("2022-3-23 10:34:11 +0800", NULL);
	check_time("2022-03-23 10:34:1a +0800", NULL);
	check_time("", NULL);
	check_time(NULL, NULL);
}

/*
 * The feed's updated time is the newest entry's by the clock, not by the
 * text: 09:00 at -0130 is after 10:00 at +0000.
 */
static void
test_updated_newest(void **state)
{
	struct atom_entry e[3];
	xmlDocPtr doc;
	char *out;
	size_t len;

	memcpy(e, cat_entries, sizeof(e));
	e[0].published = "2022-05-26 10:00:00 +0000";
	e[1].published = "2022-05-26 09:00:00 -0130";	/* 10:30 UTC */
	e[2].published = "2022-05-26 18:29:59 +0800";	/* 10:29:59 UTC */
	out = atom_render(&cat_feed, e, 3, &len);
	assert_non_null(out);
	doc = parse_valid(out, len);
	check_xpath(doc, "/a:feed/a:updated", "2022-05-26T09:00:00-01:30");
	xmlFreeDoc(doc);
	free(out);
}

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* A poll renders each feed once: 50 entries of 10 KB must be quick. */
static void
test_speed(void **state)
{
	struct atom_entry e[50];
	char *body, *out;
	double t0, best = 1e9;
	size_t len;

	body = malloc(10249);
	assert_non_null(body);
	for (int i = 0; i < 10248; i++)
		body[i] = "<p>青岛&财经</p>\n"[i % 21];
	body[10248] = '\0';
	for (int i = 0; i < 50; i++) {
		e[i] = cat_entries[0];
		e[i].body = body;
	}
	for (int run = 0; run < 5; run++) {
		t0 = now_ms();
		out = atom_render(&cat_feed, e, 50, &len);
		assert_non_null(out);
		if (now_ms() - t0 < best)
			best = now_ms() - t0;
		free(out);
	}
	print_message("50 entries x 10 KB: %.2f ms\n", best);
	/*
	 * An optimized build takes about 3 ms.  The bound is loose because
	 * sanitizer and valgrind builds run this too; it catches a quadratic
	 * slip, not a few percent.
	 */
	assert_true(best < 1000.0);
	free(body);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_category_feed),
		cmocka_unit_test(test_clean),
		cmocka_unit_test(test_empty_feed),
		cmocka_unit_test(test_all_feed),
		cmocka_unit_test(test_link_lowercase),
		cmocka_unit_test(test_deterministic),
		cmocka_unit_test(test_opml),
		cmocka_unit_test(test_time),
		cmocka_unit_test(test_updated_newest),
		cmocka_unit_test(test_speed),
	};
	int rc;

	rc = cmocka_run_group_tests(tests, NULL, NULL);
	xmlCleanupParser();
	return rc;
}
