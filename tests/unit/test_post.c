/*
 * test_post: the bytes of posts and category pages, against the contract
 * and the site's real post (tests/fixtures/seed-post.md).
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

#include "post.h"
#include "source.h"

#define FIXTURE(name)	TOP_SRCDIR "/tests/fixtures/" name
#define IS		"\xe3\x80\x80"	/* U+3000 */

static char *
slurp(const char *path, size_t *lenp)
{
	FILE *fp = fopen(path, "rb");
	char *buf;
	long len;

	assert_non_null(fp);
	assert_int_equal(fseek(fp, 0, SEEK_END), 0);
	len = ftell(fp);
	assert_true(len >= 0);
	rewind(fp);
	buf = malloc(len + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, len, fp), (size_t)len);
	buf[len] = '\0';
	fclose(fp);
	*lenp = len;
	return buf;
}

static void
test_seed_post(void **state)
{
	struct conf_source sc = { .name = "seed", .text_field = "text" };
	struct post p = {
		.title = "今年青岛产业政策将在这些领域发力",
		.published = "2022-03-23 10:34:11 +0800",
		.category = "qingdaocaijingribao",
		.tag = "青岛财经日报新闻",
		.link = "http://finews.zning.xyz/html_News/NewsShare.html"
		    "?infoCode=NW202203232319931992",
		.category_url = "//finews.withounder.com/category/"
		    "qingdaocaijingribao.html",
		.site_host = "finews.withounder.com",
	};
	char *body, *out, *want, *json, *text, err[256];
	size_t len, wlen, jlen;

	/* The text as the daemon gets it: through the source parser. */
	json = slurp(FIXTURE("seed-text.json"), &jlen);
	text = source_parse_text(&sc, NULL, json, jlen, err, sizeof(err));
	assert_non_null(text);
	body = post_body_make(text, NULL);
	assert_non_null(body);
	p.body = body;
	out = post_render(&p, &len);
	assert_non_null(out);
	want = slurp(FIXTURE("seed-post.md"), &wlen);
	assert_int_equal(len, wlen);
	assert_memory_equal(out, want, wlen);
	assert_int_equal(strlen(out), len);
	free(want);
	free(out);
	free(body);
	free(text);
	free(json);
	source_cleanup();
}

static void
check_body(const char *html, const char *digest, const char *want)
{
	char *got = post_body_make(html, digest);

	assert_non_null(got);
	assert_string_equal(got, want);
	free(got);
}

static void
test_ideographic_pairs(void **state)
{
	check_body("", NULL, "");
	check_body("<p>x</p>", NULL, "<p>x</p>");
	check_body("a" IS "b", NULL, "a" IS "b");
	check_body("a" IS IS "b", NULL, "ab");
	check_body("a" IS IS IS "b", NULL, "a" IS "b");
	check_body("a" IS IS IS IS "b", NULL, "ab");
	check_body(IS IS IS IS IS, NULL, IS);
	check_body(IS "a" IS, NULL, IS "a" IS);
	check_body("<p>" IS IS "x</p><p>" IS IS "y" IS "</p>", NULL,
	    "<p>x</p><p>y" IS "</p>");
	/* A truncated sequence is not an ideographic space. */
	check_body(IS "\xe3\x80", NULL, IS "\xe3\x80");
}

static void
test_digest(void **state)
{
	check_body("<p>x</p>", "没有括号的摘要", "> 没有括号的摘要\n\n<p>x</p>");
	check_body("<p>x</p>", "【标题】摘要", "> 摘要\n\n<p>x</p>");
	check_body("<p>x</p>", "【一】二【三】四", "> 四\n\n<p>x</p>");
	check_body("<p>x</p>", "【一】", "> \n\n<p>x</p>");
	check_body("<p>x</p>", "a\r\nb\nc\rd", "> a b c d\n\n<p>x</p>");
	/* The pair rule is for the body as the source sent it. */
	check_body(IS IS "<p>x</p>", "【a】" IS IS "b",
	    "> " IS IS "b\n\n<p>x</p>");
}

static void
check_title(const char *title, const char *want)
{
	char *got = post_title_escape(title);

	assert_non_null(got);
	assert_string_equal(got, want);
	free(got);
}

static void
test_title_escape(void **state)
{
	check_title("", "");
	check_title("今年青岛产业政策", "今年青岛产业政策");
	check_title("say \"hi\"", "say \\\"hi\\\"");
	check_title("a\\b", "a\\\\b");
	check_title("\\\"", "\\\\\\\"");
	check_title("a\r\nb", "a b");
	check_title("a\nb", "a b");
	check_title("a\rb", "a b");
	check_title("a\r\n\r\nb", "a  b");
	check_title("a\n\rb", "a  b");
	check_title("a\x01z", "a\\x01z");
	check_title("a\tb", "a\\x09b");
	check_title("a\x1f\x7f", "a\\x1F\\x7F");
	check_title("x\xc2\x80y", "x\\x80y");		/* U+0080, a C1 control */
	check_title("x\xc2\x85y", "x y");		/* NEL, a YAML line break */
	check_title("x\xe2\x80\xa8y", "x y");		/* LS */
	check_title("\xef\xbb\xbfx", "\\uFEFFx");	/* BOM */
	check_title("é’ 【】", "é’ 【】");
}

static void
test_category_page(void **state)
{
	static const char want[] =
	    "---\n"
	    "layout: category\n"
	    "title: 青岛财经日报新闻\n"
	    "category: qingdaocaijingribao\n"
	    "---";
	char *out;
	size_t len;

	out = post_render_category("qingdaocaijingribao", "青岛财经日报新闻",
	    &len);
	assert_non_null(out);
	assert_int_equal(len, sizeof(want) - 1);
	assert_memory_equal(out, want, len);
	free(out);

	out = post_render_category("x", "两行\n的标签", &len);
	assert_non_null(out);
	assert_string_equal(out,
	    "---\nlayout: category\ntitle: 两行 的标签\ncategory: x\n---");
	free(out);

	/* A tag that YAML would misread as a plain scalar is quoted. */
	out = post_render_category("x", "a: \"b\"", &len);
	assert_non_null(out);
	assert_string_equal(out,
	    "---\nlayout: category\ntitle: \"a: \\\"b\\\"\"\ncategory: x\n---");
	free(out);
}

static void
test_render_digest_post(void **state)
{
	static const char want[] =
	    "---\n"
	    "layout: post\n"
	    "title: \"A \\\"quoted\\\" title\"\n"
	    "date: 2022-05-26 09:01:02 +0800\n"
	    "categories: emnews\n"
	    "tags: 东财滚动新闻\n"
	    "---\n"
	    "> 摘要\n"
	    "\n"
	    "<p>正文</p>\n"
	    "\n"
	    "<http://finance.eastmoney.com/a/202205262391921712.html>\n"
	    "\n"
	    "[返回东财滚动新闻](//example.org/emnews/)｜[返回首页](//example.org/)";
	struct post p = {
		.title = "A \"quoted\"\ntitle",
		.published = "2022-05-26 09:01:02 +0800",
		.category = "emnews",
		.tag = "东财滚动新闻",
		.link = "http://finance.eastmoney.com/a/202205262391921712.html",
		.category_url = "//example.org/emnews/",
		.site_host = "example.org",
	};
	char *body, *out;
	size_t len;

	body = post_body_make("<p>" IS IS "正文</p>", "【东方财富】摘要");
	assert_non_null(body);
	p.body = body;
	out = post_render(&p, &len);
	assert_non_null(out);
	assert_int_equal(len, sizeof(want) - 1);
	assert_string_equal(out, want);
	free(out);
	free(body);

	p.body = NULL;
	errno = 0;
	assert_null(post_render(&p, &len));
	assert_int_equal(errno, EINVAL);
}

/* U+FFFE and U+FFFF are escaped as themselves (they once came out as
 * \uFFBE and \uFFBF), C1 controls and the BOM too. */
static void
test_title_noncharacters(void **state)
{
	char *t;

	(void)state;
	t = post_title_escape("a\xef\xbf\xbe" "b\xef\xbf\xbf" "c\xc2\x85" "d\xef\xbb\xbf" "e\x7f");
	assert_non_null(t);
	/* U+0085 (NEL) is a YAML line break: it becomes a space. */
	assert_string_equal(t, "a\\uFFFEb\\uFFFFc d\\uFEFFe\\x7F");
	free(t);
}

/* Slugs YAML would read as numbers, booleans or null are quoted, so that
 * Jekyll reads them as the strings they are; a slug like 36ke is not. */
static void
test_yaml_typed_values(void **state)
{
	static const char *const typed[] = {
		"123", "0x1F", "yes", "true", "OFF", "null", "~", "1.5", "-1",
		"1_000", "12:30", ".inf", "No",
	};
	char *out, want[128];
	size_t len;

	(void)state;
	for (size_t i = 0; i < sizeof(typed) / sizeof(typed[0]); i++) {
		out = post_render_category(typed[i], "标签", &len);
		assert_non_null(out);
		snprintf(want, sizeof(want),
		    "---\nlayout: category\ntitle: 标签\ncategory: \"%s\"\n---", typed[i]);
		assert_string_equal(out, want);
		free(out);
	}
	out = post_render_category("36ke", "36氪新闻", &len);
	assert_string_equal(out, "---\nlayout: category\ntitle: 36氪新闻\ncategory: 36ke\n---");
	free(out);
	out = post_render_category("yesterday", "yes", &len);
	assert_string_equal(out, "---\nlayout: category\ntitle: \"yes\"\ncategory: yesterday\n---");
	free(out);
}

/* A feed shows the body as HTML: the digest line is a quote there. */
static void
test_body_html(void **state)
{
	static const char *const cases[][2] = {
		{ "> 摘要 <b>x</b>\n\n<p>正文</p>",
		    "<blockquote><p>摘要 <b>x</b></p></blockquote>\n<p>正文</p>" },
		{ "> 只有摘要\n\n", "<blockquote><p>只有摘要</p></blockquote>\n" },
		{ "<p>正文</p>", "<p>正文</p>" },
		{ "> 没有空行\n<p>x</p>", "> 没有空行\n<p>x</p>" },
		{ ">没有空格\n\nx", ">没有空格\n\nx" },
		{ "> 没有换行", "> 没有换行" },
		{ "", "" },
	};
	char *s, *body;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_non_null(s = post_body_html(cases[i][0]));
		assert_string_equal(s, cases[i][1]);
		free(s);
	}
	/* What post_body_make writes, post_body_html reads. */
	assert_non_null(body = post_body_make("<p>t</p>", "【标题】摘要"));
	assert_non_null(s = post_body_html(body));
	assert_string_equal(s, "<blockquote><p>摘要</p></blockquote>\n<p>t</p>");
	free(s);
	free(body);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_seed_post),
		cmocka_unit_test(test_ideographic_pairs),
		cmocka_unit_test(test_digest),
		cmocka_unit_test(test_body_html),
		cmocka_unit_test(test_title_escape),
		cmocka_unit_test(test_category_page),
		cmocka_unit_test(test_render_digest_post),
		cmocka_unit_test(test_title_noncharacters),
		cmocka_unit_test(test_yaml_typed_values),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
