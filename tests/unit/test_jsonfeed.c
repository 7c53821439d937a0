/*
 * test_jsonfeed: the JSON writer (json.c) and the JSON Feed 1.1 renderer
 * (jsonfeed.c), checked with SQLite's JSON functions (a strict RFC 8259
 * parser that finewsd already links); and what the Atom feeds gained
 * beside them: the stylesheet instruction and the hub link.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "atom.h"
#include "json.h"
#include "jsonfeed.h"
#include "util.h"

#define SITE_URL	"https://finews.withounder.com"

static const struct atom_feed feed = {
	.site_url = SITE_URL,
	.site_host = "finews.withounder.com",
	.category = "cailianshe",
	.title = "财联社新闻",
	.html_url = SITE_URL "/category/cailianshe.html",
};

static const struct atom_entry entries[] = {
	{
		.info_code = "NW202206010000000002",
		.href = SITE_URL "/cailianshe/2022/06/01/NW202206010000000002.html",
		.title = "A \"quoted\" \\ title\n",
		.published = "2022-06-01 10:02:00 +0800",
		.category = "cailianshe",
		.tag = "财联社新闻",
		.media = "财联社",
		.body = "<p>x < y\x01 \xe2\x80\xa8 \xff</p>",
	},
	{	/* no valid time: left out, as the Atom feed leaves it out */
		.info_code = "NW202206010000000009",
		.href = SITE_URL "/x.html",
		.title = "bad",
		.published = "yesterday",
		.category = "cailianshe",
		.tag = "财联社新闻",
		.body = "",
	},
	{
		.info_code = "NW202206010000000001",
		.href = SITE_URL "/cailianshe/2022/06/01/NW202206010000000001.html",
		.title = "第一条",
		.published = "2022-06-01 10:01:00 -0000",
		.category = "cailianshe",
		.tag = "财联社新闻",
		.media = NULL,
		.body = "<p>一</p>",
	},
};

/* The text of SQL applied to DOC (bound as ?1), or "(null)". */
static char *
sql_text(const char *doc, const char *sql)
{
	static char out[4096];
	sqlite3 *db;
	sqlite3_stmt *s;

	assert_int_equal(sqlite3_open(":memory:", &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &s, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_bind_text(s, 1, doc, -1, SQLITE_STATIC), SQLITE_OK);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	snprintf(out, sizeof(out), "%s", sqlite3_column_type(s, 0) == SQLITE_NULL ?
	    "(null)" : (const char *)sqlite3_column_text(s, 0));
	sqlite3_finalize(s);
	sqlite3_close(db);
	return out;
}

static void
test_json_strings(void **state)
{
	struct sbuf b = { 0 };
	char *s;

	(void)state;
	json_add_str(&b, "a\"b\\c\n\t\x01 \xe2\x80\xa8 \xc3 \xe4\xb8\xad");
	sbuf_str(&b, " ");
	json_add_str_null(&b, NULL);
	s = sbuf_finish(&b, NULL);
	assert_string_equal(s, "\"a\\\"b\\\\c\\n\\t\\u0001 \\u2028 \xef\xbf\xbd "
	    "\xe4\xb8\xad\" null");
	free(s);

	memset(&b, 0, sizeof(b));
	json_add_str(&b, "x\"\\\x1f\xe4\xb8\xad\xff");
	s = sbuf_finish(&b, NULL);
	assert_string_equal(sql_text(s, "SELECT json_valid(?1)"), "1");
	assert_string_equal(sql_text(s, "SELECT json_extract(?1, '$')"),
	    "x\"\\\x1f\xe4\xb8\xad\xef\xbf\xbd");
	free(s);
}

static void
test_jsonfeed(void **state)
{
	struct atom_feed f = feed;
	size_t len;
	char *doc, *doc2, *id;

	(void)state;
	doc = jsonfeed_render(&f, entries, 3, &len);
	assert_non_null(doc);
	assert_int_equal(strlen(doc), len);
	assert_string_equal(sql_text(doc, "SELECT json_valid(?1)"), "1");
	assert_string_equal(sql_text(doc, "SELECT ?1 ->> '$.version'"),
	    "https://jsonfeed.org/version/1.1");
	assert_string_equal(sql_text(doc, "SELECT ?1 ->> '$.title'"), "财联社新闻");
	assert_string_equal(sql_text(doc, "SELECT ?1 ->> '$.feed_url'"),
	    SITE_URL "/feeds/cailianshe.json");
	assert_string_equal(sql_text(doc, "SELECT ?1 ->> '$.home_page_url'"),
	    SITE_URL "/category/cailianshe.html");
	assert_string_equal(sql_text(doc, "SELECT json_array_length(?1, '$.items')"), "2");
	assert_string_equal(sql_text(doc, "SELECT ?1 -> '$.hubs'"), "(null)");
	/* The same id as the Atom entry; the time as the Atom feed writes it. */
	id = atom_entry_id(feed.site_host, &entries[0]);
	assert_string_equal(sql_text(doc, "SELECT ?1 ->> '$.items[0].id'"), id);
	free(id);
	assert_string_equal(sql_text(doc, "SELECT ?1 ->> '$.items[0].date_published'"),
	    "2022-06-01T10:02:00+08:00");
	assert_string_equal(sql_text(doc, "SELECT ?1 ->> '$.items[1].date_published'"),
	    "2022-06-01T10:01:00-00:00");
	assert_string_equal(sql_text(doc, "SELECT ?1 ->> '$.items[0].title'"),
	    "A \"quoted\" \\ title\n");
	assert_string_equal(sql_text(doc, "SELECT ?1 ->> '$.items[0].content_html'"),
	    "<p>x < y\x01 \xe2\x80\xa8 \xef\xbf\xbd</p>");
	assert_string_equal(sql_text(doc, "SELECT ?1 ->> '$.items[0].url'"),
	    entries[0].href);
	assert_string_equal(sql_text(doc, "SELECT ?1 ->> '$.items[0].authors[0].name'"),
	    "财联社");
	/* Without a media, the tag stands in, as in the Atom feed. */
	assert_string_equal(sql_text(doc, "SELECT ?1 ->> '$.items[1].authors[0].name'"),
	    "财联社新闻");
	assert_string_equal(sql_text(doc, "SELECT ?1 ->> '$.items[1].tags[0]'"),
	    "财联社新闻");
	/* Pure: the same input gives the same bytes. */
	doc2 = jsonfeed_render(&f, entries, 3, NULL);
	assert_string_equal(doc, doc2);
	free(doc2);
	free(doc);

	f.category = NULL;
	f.hub = "https://hub.example/";
	doc = jsonfeed_render(&f, entries, 0, NULL);
	assert_non_null(doc);
	assert_string_equal(sql_text(doc, "SELECT json_valid(?1)"), "1");
	assert_string_equal(sql_text(doc, "SELECT ?1 ->> '$.feed_url'"),
	    SITE_URL "/feeds/all.json");
	assert_string_equal(sql_text(doc, "SELECT ?1 ->> '$.hubs[0].type'"), "WebSub");
	assert_string_equal(sql_text(doc, "SELECT ?1 ->> '$.hubs[0].url'"),
	    "https://hub.example/");
	assert_string_equal(sql_text(doc, "SELECT json_array_length(?1, '$.items')"), "0");
	free(doc);
}

/* The Atom feed: the stylesheet instruction right after the declaration,
 * escaped as a pseudo-attribute, and the hub link. */
static void
test_atom_stylesheet_hub(void **state)
{
	struct atom_feed f = feed;
	char *doc;

	(void)state;
	doc = atom_render(&f, entries, 3, NULL);
	assert_non_null(doc);
	assert_null(strstr(doc, "xml-stylesheet"));
	assert_null(strstr(doc, "rel=\"hub\""));
	free(doc);
	f.stylesheet = "feed.xsl?a=\"1\"&b=<2>";
	f.hub = "https://hub.example/?a=1&b=2";
	doc = atom_render(&f, entries, 3, NULL);
	assert_non_null(doc);
	{
		static const char head[] =
		    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		    "<?xml-stylesheet type=\"text/xsl\" href=\"feed.xsl?a=&quot;1&quot;"
		    "&amp;b=&lt;2&gt;\"?>\n<feed";

		if (strncmp(doc, head, sizeof(head) - 1) != 0)
			fail_msg("the feed begins: %.200s", doc);
	}
	assert_non_null(strstr(doc,
	    "<link rel=\"hub\" href=\"https://hub.example/?a=1&amp;b=2\"/>"));
	free(doc);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_json_strings),
		cmocka_unit_test(test_jsonfeed),
		cmocka_unit_test(test_atom_stylesheet_hub),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
