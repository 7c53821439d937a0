/*
 * test_record: the contract's record rules, both ways.  A record of each
 * kind of source (market, fast, rolling) is made into a post, rendered as
 * the post file finewsd writes, read back the way --import reads the site,
 * and must give the same record: infoCode, file id, title, published time,
 * category, tag, media, link and body.  Expected values come from the
 * contract's text (tests/fixtures/seed-post.md for the seed record).  The
 * category slug's rules run against a fake of what the site has (struct
 * record_site), and against the site's own slugs (slugs-known.tsv).
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

#include "filter.h"
#include "post.h"
#include "record.h"

#define LINK_TMPL	"http://finews.zning.xyz/html_News/NewsShare.html?infoCode={id}"

static struct conf_source sources[] = {
	{ .name = "market37", .link = LINK_TMPL, .media_field = "medianame",
	  .text_url = "http://h/NewsData/GetNewsText.do?id={id}" },
	{ .name = "fast", .link = LINK_TMPL, .media_field = "from",
	  .text_url = "http://h/t?a={id}&b={id}" },
	{ .name = "rolling", .category = "emnews", .tag = "东财滚动新闻",
	  .link_field = "url_w", .file_id_field = "id",
	  .category_url = "//finews.withounder.com/emnews/",
	  .text_url = "http://h/t?id={id}" },
};

static struct conf_category categories[] = {
	{ .media = "第一财经", .slug = "yicai" },
};

static struct conf conf = {
	.site_url = "https://finews.withounder.com",
	.site_host = "finews.withounder.com",
	.tz = "+0800", .tz_offset = 8 * 3600,
	.categories = categories, .ncategories = 1,
	.sources = sources, .nsources = 3,
};

/* A record of the strings given (NULL for none), malloc'd as parsers do. */
static void
record_fill(struct record *r, const char *id, const char *file_id,
    const char *title, const char *date, const char *media,
    const char *digest, const char *link)
{
	memset(r, 0, sizeof(*r));
	r->id = id ? strdup(id) : NULL;
	r->file_id = strdup(file_id ? file_id : id);
	r->title = title ? strdup(title) : NULL;
	r->date = date ? strdup(date) : NULL;
	r->media = media ? strdup(media) : NULL;
	r->digest = digest ? strdup(digest) : NULL;
	r->link = link ? strdup(link) : NULL;
}

/*
 * A fake of what the site has, for the slug rules: the media slugs the
 * store would hand on, the category pages PAGES (NULL-terminated), the
 * learned readings READINGS, and what the rules remembered.  FAIL names
 * the callback that fails.
 */
struct fake_reading {
	unsigned	 cp;
	const char	*reading;
};

struct fake_site {
	const char *const		*pages;
	const struct fake_reading	*readings;	/* ends with cp 0 */
	const char			*fail;
	int				 walks;		/* pages_each calls */
	int				 remembered;
	char				 last[64];	/* the last remembered slug */
};

static int
fake_media_slug(void *arg, const char *media, char **slug)
{
	struct fake_site *f = arg;

	*slug = NULL;
	if (f->fail != NULL && strcmp(f->fail, "media_slug") == 0)
		return -1;
	*slug = strcmp(media, "海峡都市报") == 0 ? strdup("haixiadushibao") :
	    strcmp(media, "第一财经") == 0 ? strdup("diyicaijing") :
	    strcmp(media, "坏的") == 0 ? strdup("bad slug/") : NULL;
	return 0;
}

static int
fake_page_exists(void *arg, const char *slug)
{
	struct fake_site *f = arg;

	if (f->fail != NULL && strcmp(f->fail, "page_exists") == 0)
		return -1;
	for (size_t i = 0; f->pages != NULL && f->pages[i] != NULL; i++)
		if (strcmp(f->pages[i], slug) == 0)
			return 1;
	return 0;
}

static int
fake_pages_each(void *arg, record_page_fn *fn, void *fnarg)
{
	struct fake_site *f = arg;

	f->walks++;
	if (f->fail != NULL && strcmp(f->fail, "pages_each") == 0)
		return -1;
	for (size_t i = 0; f->pages != NULL && f->pages[i] != NULL; i++)
		if (fn(fnarg, f->pages[i]) == -1)
			return -1;
	return 0;
}

static int
fake_reading(void *arg, unsigned cp, char **reading)
{
	struct fake_site *f = arg;

	*reading = NULL;
	if (f->fail != NULL && strcmp(f->fail, "reading") == 0)
		return -1;
	for (size_t i = 0; f->readings != NULL && f->readings[i].cp != 0; i++)
		if (f->readings[i].cp == cp) {
			*reading = strdup(f->readings[i].reading);
			break;
		}
	return 0;
}

static void
fake_remember(void *arg, const char *media, const char *slug)
{
	struct fake_site *f = arg;

	(void)media;
	f->remembered++;
	snprintf(f->last, sizeof(f->last), "%s", slug);
}

/* A record_site over the fake F; WALK_ONLY leaves page_exists out, so that
 * rule 2 must walk the pages. */
static struct record_site
fake_site_make(struct fake_site *f, int walk_only)
{
	struct record_site site = {
		.media_slug = fake_media_slug,
		.page_exists = walk_only ? NULL : fake_page_exists,
		.pages_each = fake_pages_each,
		.reading = fake_reading,
		.remember = fake_remember,
		.arg = f,
	};

	return site;
}

struct want {
	const char *info_code, *file_id, *category, *tag, *media, *link, *path;
	const char *published;
	long long at;
	const char *body;	/* after the body rule */
};

/*
 * Makes the post of R (source SC, text HTML), checks it against W, renders
 * it and reads it back.
 */
static void
roundtrip(const struct conf_source *sc, struct record *r, const char *html,
    const struct want *w)
{
	const char *title = NULL, *why;
	char *title_copy, *buf, *media, *slash, fid[300], code[300], pub[32];
	struct record_post *p;
	struct post_file pf;
	struct post post;
	long long at;
	size_t len;

	struct fake_site f = { 0 };
	struct record_site site = fake_site_make(&f, 0);

	title_copy = strdup(r->title);
	p = record_post_make(&conf, sc, r, &site, &why);
	assert_non_null(p);
	assert_null(why);
	assert_null(r->id);	/* the record's strings moved into the post */
	assert_string_equal(p->info_code, w->info_code);
	assert_string_equal(p->file_id, w->file_id);
	assert_string_equal(p->category, w->category);
	assert_string_equal(p->tag, w->tag);
	if (w->media == NULL)
		assert_null(p->media);
	else
		assert_string_equal(p->media, w->media);
	assert_string_equal(p->link, w->link);
	assert_string_equal(p->path, w->path);
	assert_string_equal(p->published, w->published);
	assert_true(p->published_at == w->at);
	p->body = post_body_make(html, p->digest);
	assert_string_equal(p->body, w->body);

	memset(&post, 0, sizeof(post));
	post.title = p->title;
	post.published = p->published;
	post.category = p->category;
	post.tag = p->tag;
	post.body = p->body;
	post.link = p->link;
	post.category_url = record_category_url(&conf, sc, p->category, 0);
	post.site_host = conf.site_host;
	buf = post_render(&post, &len);
	assert_non_null(buf);

	/* Read back as --import reads the site. */
	assert_null(post_parse(buf, len, &pf));
	slash = strrchr(p->path, '/');
	assert_null(record_name_parse(slash + 1, fid, code, sizeof(code)));
	assert_string_equal(code, p->info_code);
	assert_string_equal(fid, p->file_id);
	assert_string_equal(pf.layout, "post");
	title = pf.title;
	assert_string_equal(title, title_copy);
	assert_null(record_published_parse(&conf, pf.date, pub, &at));
	assert_string_equal(pub, p->published);
	assert_true(at == p->published_at);
	assert_string_equal(pf.categories, p->category);
	assert_string_equal(pf.tags, p->tag);
	assert_string_equal(pf.body, p->body);
	assert_string_equal(pf.link, p->link);
	media = record_media_of(&conf, pf.categories, pf.tags);
	if (p->media == NULL)
		assert_null(media);
	else
		assert_string_equal(media, p->media);
	free(media);
	free(buf);
	free((char *)post.category_url);
	free(title_copy);
	record_post_free(p);
}

static void
test_market(void **state)
{
	struct record r;
	const struct want w = {
		.info_code = "NW202203232319931992",
		.file_id = "NW202203232319931992",
		.category = "qingdaocaijingribao", .tag = "青岛财经日报新闻",
		.media = "青岛财经日报",
		.link = "http://finews.zning.xyz/html_News/NewsShare.html"
		    "?infoCode=NW202203232319931992",
		.path = "_posts/2022-03-23-NW202203232319931992.md",
		.published = "2022-03-23 10:34:11 +0800",
		.at = 1648002851,	/* date -d '2022-03-23 10:34:11 +0800' +%s */
		.body = "<p>正文 \"引号\" \\ 反斜杠</p>",
	};

	(void)state;
	record_fill(&r, "NW202203232319931992", NULL, "今年青岛产业政策将在这些领域发力",
	    "2022-03-23 10:34:11", "青岛财经日报", NULL, NULL);
	roundtrip(&sources[0], &r, "<p>正文 \"引号\" \\ 反斜杠</p>", &w);
}

static void
test_fast(void **state)
{
	struct record r;
	const struct want w = {
		.info_code = "NW202401162984601234",
		.file_id = "NW202401162984601234",
		.category = "yicai", .tag = "第一财经新闻", .media = "第一财经",
		.link = "http://finews.zning.xyz/html_News/NewsShare.html"
		    "?infoCode=NW202401162984601234",
		.path = "_posts/2024-01-16-NW202401162984601234.md",
		.published = "2024-01-16 09:20:31 +0800",
		.at = 1705368031,
		/* Pairs of U+3000 go, left to right; three leave one. */
		.body = "<p>\xe3\x80\x80利率</p>\n\n<p>x</p>",
	};

	(void)state;
	record_fill(&r, "NW202401162984601234", NULL,
	    "海外策略 \"降息\" 展望 C:\\reports", "2024-01-16 09:20:31", "第一财经",
	    NULL, NULL);
	roundtrip(&sources[1], &r,
	    "<p>\xe3\x80\x80\xe3\x80\x80\xe3\x80\x80利率</p>\n\n<p>x</p>", &w);
}

static void
test_rolling(void **state)
{
	struct record r;
	const struct want w = {
		.info_code = "NW202401162984655555",
		.file_id = "202401162984655555",
		.category = "emnews", .tag = "东财滚动新闻", .media = NULL,
		.link = "http://finance.eastmoney.com/a/202401162984655555.html",
		.path = "_posts/2024-01-16-202401162984655555.md",
		.published = "2024-01-16 10:01:02 +0800",
		.at = 1705370462,
		.body = "> 据不完全统计，已有多家中小银行下调存款利率。\n\n<p>近期。</p>",
	};

	(void)state;
	record_fill(&r, "NW202401162984655555", "202401162984655555",
	    "多家银行下调存款利率", "2024-01-16 10:01:02", NULL,
	    "【多家银行】【财经早参】据不完全统计，已有多家中小银行下调存款利率。",
	    "http://finance.eastmoney.com/a/202401162984655555.html");
	roundtrip(&sources[2], &r, "<p>近期。</p>", &w);
}

/* Asserts that the slug of MEDIA with SITE is EXPECTED. */
static void
check_slug(const char *media, const struct record_site *site,
    const char *expected)
{
	char *s = record_slug(&conf, media, site);

	assert_non_null(s);
	if (strcmp(s, expected) != 0)
		print_error("record_slug(\"%s\") = \"%s\", expected \"%s\"\n",
		    media, s, expected);
	assert_string_equal(s, expected);
	free(s);
}

/*
 * The rules in their order: [categories], then the site's own slug unless
 * it could break a URL, then a page the site has, then pinyin with the
 * learned readings, then plain pinyin.
 */
static void
test_slug_order(void **state)
{
	static const char *const pages[] = { "haixiadoushibao", "chengduribao",
	    NULL };
	static const struct fake_reading du[] = { { 0x90fd, "du" }, { 0, NULL } };
	struct fake_site f = { .pages = pages };
	struct record_site site = fake_site_make(&f, 0);

	(void)state;
	check_slug("第一财经", &site, "yicai");
	check_slug("海峡都市报", &site, "haixiadushibao");
	assert_int_equal(f.remembered, 0);
	check_slug("坏的", &site, "huaide");
	assert_int_equal(f.remembered, 1);
	assert_string_equal(f.last, "huaide");
	/* A page the site has wins over Unihan's first reading (dōu)... */
	check_slug("成都日报", &site, "chengduribao");
	assert_string_equal(f.last, "chengduribao");
	/* ... and so does a learned reading, when no page fits. */
	f.pages = NULL;
	check_slug("成都日报", &site, "chengdouribao");
	f.readings = du;
	check_slug("成都日报", &site, "chengduribao");
	check_slug("都市快报", &site, "dushikuaibao");
	/* Without a site: [categories], then plain pinyin. */
	check_slug("第一财经", NULL, "yicai");
	check_slug("海峡都市报", NULL, "haixiadoushibao");
	check_slug("36氪", NULL, "36ke");
	assert_int_equal(f.remembered, 5);
}

/*
 * Rule 2 walks the pages (without page_exists, or when the preferred slug
 * has none) and takes the one read closest to the preferred reading.
 */
static void
test_slug_pages(void **state)
{
	static const char *const pages[] = { "zhangchengzhengquan",
	    "changchengzhengquan", "chengdu ribao", "FTzhongwenwang", "--",
	    "changjiangzhengquan", "zhangjiang-zhengquan", NULL };
	static const struct fake_reading chang[] = { { 0x957f, "chang" },
	    { 0, NULL } };
	struct fake_site f = { .pages = pages };
	struct record_site walk = fake_site_make(&f, 1);
	struct record_site site = fake_site_make(&f, 0);

	(void)state;
	/* Both spell 长城证券: Unihan's first (zhǎng) is closer. */
	check_slug("长城证券", &walk, "zhangchengzhengquan");
	assert_int_equal(f.walks, 1);
	f.readings = chang;
	check_slug("长城证券", &walk, "changchengzhengquan");
	/* The preferred slug has a page: no walk. */
	check_slug("长城证券", &site, "changchengzhengquan");
	assert_int_equal(f.walks, 2);
	/* Not chang, yet a page: a page beats the learned reading, and a
	 * clean page with a '-' counts too. */
	check_slug("长江证券", &walk, "changjiangzhengquan");
	f.readings = NULL;
	check_slug("长江证券", &walk, "zhangjiang-zhengquan");
	/* A page whose slug would break a URL is no category. */
	check_slug("成都日报", &walk, "chengdouribao");
	/* Letters match whatever their case; the page keeps its own. */
	check_slug("ft中文网", &walk, "FTzhongwenwang");
	/* A name with no letter matches no page ("--" spells nothing). */
	check_slug("——", &walk, "");
}

/* A failure of the site is no slug: the record waits for the next poll. */
static void
test_slug_site_fails(void **state)
{
	static const char *const pages[] = { "chengduribao", NULL };
	static const char *const fails[] = { "media_slug", "page_exists",
	    "pages_each", "reading" };
	struct fake_site f = { .pages = pages };
	struct record_site site = fake_site_make(&f, 0);
	struct record_site walk = fake_site_make(&f, 1);
	struct record r;
	const char *why;

	(void)state;
	for (size_t i = 0; i < sizeof(fails) / sizeof(fails[0]); i++) {
		f.fail = fails[i];
		errno = 0;
		assert_null(record_slug(&conf, "长城证券",
		    strcmp(fails[i], "pages_each") == 0 ? &walk : &site));
		assert_int_equal(errno, EIO);
	}
	/* [categories] asks nothing of the site. */
	check_slug("第一财经", &site, "yicai");
	f.fail = "media_slug";
	record_fill(&r, "A1", NULL, "t", "2022-02-03 10:00:00", "财联社", NULL,
	    NULL);
	assert_null(record_post_make(&conf, &sources[0], &r, &site, &why));
	assert_string_equal(why, RECORD_WHY_SITE);
	record_clear(&r);
	assert_int_equal(f.remembered, 0);
}

/*
 * The site's own pages (rule 2) against tests/fixtures/slugs-known.tsv:
 * with a page for each clean slug of the file, no learned reading and no
 * [categories], every media gets the slug the site has; the dirty one, whose
 * page would break a URL, gets its pinyin, which is the site's slug cut
 * down to letters.  The four names [categories] used to fix are among them.
 */
static void
test_known_pages(void **state)
{
	static char rows[128][2][512];
	static const char *pages[129];
	struct fake_site f = { .pages = pages };
	struct record_site site = fake_site_make(&f, 0);
	char line[512], *tab, *end, *s;
	size_t n = 0, np = 0;
	int agree = 0;
	FILE *fp;

	(void)state;
	fp = fopen(TOP_SRCDIR "/tests/fixtures/slugs-known.tsv", "r");
	assert_non_null(fp);
	while (fgets(line, sizeof(line), fp) != NULL && n < 128) {
		line[strcspn(line, "\r\n")] = '\0';
		if ((tab = strchr(line, '\t')) == NULL)
			continue;
		*tab++ = '\0';
		if ((end = strchr(tab, '\t')) != NULL)
			*end++ = '\0';
		snprintf(rows[n][0], sizeof(rows[n][0]), "%s", line);
		snprintf(rows[n][1], sizeof(rows[n][1]), "%s", tab);
		if (end == NULL || strcmp(end, "dirty") != 0)
			pages[np++] = rows[n][1];
		n++;
	}
	fclose(fp);
	pages[np] = NULL;
	assert_int_equal(n, 80);
	for (size_t i = 0; i < n; i++) {
		s = record_slug(&conf, rows[i][0], &site);
		assert_non_null(s);
		if (strcmp(s, rows[i][1]) == 0)
			agree++;
		else
			print_error("%s: site \"%s\", ours \"%s\"\n", rows[i][0],
			    rows[i][1], s);
		free(s);
	}
	printf("slugs-known.tsv: with the site's pages, %d of %zu agree with "
	    "the site\n", agree, n);
	assert_int_equal(agree, 80);
	/* Only the names whose plain pinyin has no page walk the pages:
	 * 长城证券, 长江证券, 观点地产网 and the dirty one (海峡都市报 has a
	 * slug of its own in the fake). */
	assert_int_equal(f.walks, 4);
}

static void
test_make_refused(void **state)
{
	struct record r;
	const char *why;

	(void)state;
	record_fill(&r, "A1", NULL, "t", "2022-02-30 10:00:00", "财联社", NULL, NULL);
	assert_null(record_post_make(&conf, &sources[0], &r, NULL, &why));
	assert_string_equal(why, "bad date");
	record_clear(&r);
	record_fill(&r, "A1", NULL, "t", "2022-02-03 10:00:00", "——", NULL, NULL);
	assert_null(record_post_make(&conf, &sources[0], &r, NULL, &why));
	assert_string_equal(why, "the media name gives an empty category slug");
	record_clear(&r);
	/* A rolling record without its url_w has no link. */
	record_fill(&r, "NW1", "1", "t", "2022-02-03 10:00:00", NULL, NULL, NULL);
	assert_null(record_post_make(&conf, &sources[2], &r, NULL, &why));
	assert_string_equal(why, "no link");
	record_clear(&r);
}

static void
test_text_url(void **state)
{
	char *u;

	(void)state;
	u = record_text_url(&sources[0], "NW 1/中");
	assert_string_equal(u, "http://h/NewsData/GetNewsText.do?id=NW%201%2F%E4%B8%AD");
	free(u);
	/* Every {id} is filled, as every other template is. */
	u = record_text_url(&sources[1], "x&y");
	assert_string_equal(u, "http://h/t?a=x%26y&b=x%26y");
	free(u);
}

static void
test_category_url(void **state)
{
	char *u;

	(void)state;
	u = record_category_url(&conf, &sources[0], "yicai", 0);
	assert_string_equal(u, "//finews.withounder.com/category/yicai.html");
	free(u);
	u = record_category_url(&conf, &sources[0], "yicai", 1);
	assert_string_equal(u, "https://finews.withounder.com/category/yicai.html");
	free(u);
	/* A fixed category's own page, found without its source. */
	u = record_category_url(&conf, NULL, "emnews", 1);
	assert_string_equal(u, "https://finews.withounder.com/emnews/");
	free(u);
}

static void
test_path(void **state)
{
	static const char want[] = "_posts/2022-03-23-NW202203232319931992.md";
	char buf[64];

	(void)state;
	assert_int_equal(record_post_path(buf, sizeof(buf),
	    "2022-03-23 10:34:11 +0800", "NW202203232319931992"), 0);
	assert_string_equal(buf, want);
	/* Exactly enough room, then one byte short. */
	assert_int_equal(record_post_path(buf, sizeof(want),
	    "2022-03-23 10:34:11 +0800", "NW202203232319931992"), 0);
	assert_string_equal(buf, want);
	assert_int_equal(record_post_path(buf, sizeof(want) - 1,
	    "2022-03-23 10:34:11 +0800", "NW202203232319931992"), -1);
	assert_int_equal(record_post_path(buf, sizeof(buf),
	    "2022-05-26 09:01:02 +0800", "202205262391921712"), 0);
	assert_string_equal(buf, "_posts/2022-05-26-202205262391921712.md");
	/* Never "_posts/-<id>.md", never a path out of _posts/. */
	assert_int_equal(record_post_path(buf, sizeof(buf), "", "x"), -1);
	assert_int_equal(record_post_path(buf, sizeof(buf), "2022-3-23 1", "x"), -1);
	assert_int_equal(record_post_path(buf, sizeof(buf), "2022-03-23 10:34:11 +0800", ""), -1);
	assert_int_equal(record_post_path(buf, sizeof(buf), "2022-03-23 10:34:11 +0800", "a/b"), -1);
	assert_int_equal(record_post_path(buf, sizeof(buf), "2022-03-23 10:34:11 +0800", ".x"), -1);
	assert_int_equal(record_post_path(buf, sizeof(buf), "2022-03-23 10:34:11 +0800", "a\nb"), -1);
}

static void
test_name_parse(void **state)
{
	char fid[64], code[64];

	(void)state;
	assert_null(record_name_parse("2022-05-26-202205262391921712.md", fid, code, sizeof(code)));
	assert_string_equal(fid, "202205262391921712");
	assert_string_equal(code, "NW202205262391921712");
	assert_null(record_name_parse("2022-03-23-NW202203232319931992.md", fid, code, sizeof(code)));
	assert_string_equal(code, "NW202203232319931992");
	assert_non_null(record_name_parse("-202205262391921712.md", fid, code, sizeof(code)));
	assert_non_null(record_name_parse("2021-12-01-.md", fid, code, sizeof(code)));
	assert_non_null(record_name_parse("2021-12-01-x.txt", fid, code, sizeof(code)));
	assert_non_null(record_name_parse("2021-12-01-.x.md", fid, code, sizeof(code)));
	/* An id that would not fit the buffers is refused, not cut. */
	assert_non_null(record_name_parse("2021-12-01-0123456789012345678901234567890123456789"
	    "0123456789012345678901234567890123.md", fid, code, sizeof(code)));
}

static void
test_published_parse(void **state)
{
	char pub[32];
	long long at;

	(void)state;
	assert_null(record_published_parse(&conf, "2022-03-23 10:34:11", pub, &at));
	assert_string_equal(pub, "2022-03-23 10:34:11 +0800");
	assert_true(at == 1648002851);
	assert_null(record_published_parse(&conf, "2022-03-23 02:34:11 +0000", pub, &at));
	assert_string_equal(pub, "2022-03-23 02:34:11 +0000");
	assert_true(at == 1648002851);
	assert_string_equal(record_published_parse(&conf, "+0800", pub, &at), "no date");
	assert_string_equal(record_published_parse(&conf, NULL, pub, &at), "no date");
	assert_string_equal(record_published_parse(&conf, "2022-03-23", pub, &at), "bad date");
	assert_string_equal(record_published_parse(&conf, "2022-03-23 10:34:11+0800", pub, &at), "bad date");
	assert_string_equal(record_published_parse(&conf, "2022-03-23 10:34:11 +2000", pub, &at), "bad date");
	assert_string_equal(record_published_parse(&conf, "1969-12-31 23:59:59", pub, &at), "bad date");
}

/* The pages Jekyll makes of the site's files, where feed entries link. */
static void
test_page_url(void **state)
{
	char *u;

	(void)state;
	/* A post in _posts/: Jekyll's default permalink, the categories
	 * lowercased (FTzhongwenwang is served at /ftzhongwenwang/). */
	u = record_page_url("FTzhongwenwang", "2024-01-01 00:30:00 +0800", "NW1",
	    "_posts/2024-01-01-NW1.md", NULL);
	assert_string_equal(u, "/ftzhongwenwang/2024/01/01/NW1.html");
	free(u);
	/* "categories: a b" is two categories to Jekyll: two folders. */
	u = record_page_url("21shijijingjibaodao 21caijingAPP",
	    "2022-01-07 10:00:00 +0800", "NW2", "_posts/2022-01-07-NW2.md", NULL);
	assert_string_equal(u, "/21shijijingjibaodao/21caijingapp/2022/01/07/NW2.html");
	free(u);
	/* A file outside _posts/ is a page of its own. */
	u = record_page_url("emnews", "2021-12-08 10:00:00 +0800", "202112082206672930",
	    "old_post/2021-12-08-202112082206672930.md", NULL);
	assert_string_equal(u, "/old_post/2021-12-08-202112082206672930.html");
	free(u);
	/* A permalink wins: an archived post keeps its address. */
	u = record_page_url("emnews", "2021-12-08 10:00:00 +0800", "1",
	    "old_post/2021-12-08-1.md", "/emnews/2021/12/08/1.html");
	assert_string_equal(u, "/emnews/2021/12/08/1.html");
	free(u);
	/* What a URL cannot hold as it is, is percent-encoded. */
	u = record_page_url("a", "2021-12-08 10:00:00 +0800", "x y#",
	    "_posts/2021-12-08-x y#.md", NULL);
	assert_string_equal(u, "/a/2021/12/08/x%20y%23.html");
	free(u);
}

/* The five shapes of issue 8, each at its source's timezone. */
static void
test_source_dates(void **state)
{
	struct conf_source sc = { .name = "s" };
	long long t;

	/* 2024-06-03 10:05:00 in Beijing. */
	const long long want = 1717380300;

	sc.date_format = "%Y年%m月%d日 %H:%M";
	assert_int_equal(record_source_date(&sc, "2024年06月03日 10:05", 8 * 3600,
	    &t), 0);
	assert_true(t == want);
	sc.date_format = "%Y/%m/%d %H:%M";
	assert_int_equal(record_source_date(&sc, "2024/06/03 10:05", 8 * 3600,
	    &t), 0);
	assert_true(t == want);
	sc.date_format = "unix";
	assert_int_equal(record_source_date(&sc, "1717380300", 8 * 3600, &t), 0);
	assert_true(t == want);
	assert_int_equal(record_source_date(&sc, "1717380300000", 0, &t), -1);
	sc.date_format = "unix_ms";
	assert_int_equal(record_source_date(&sc, "1717380300999", 0, &t), 0);
	assert_true(t == want);
	assert_int_equal(record_source_date(&sc, "-1", 0, &t), -1);
	assert_int_equal(record_source_date(&sc, "17173803e3", 0, &t), -1);
	/* The default shape without seconds, at the source's own zone. */
	sc.date_format = NULL;
	sc.has_tz = 1;
	sc.tz_offset = 0;
	assert_int_equal(record_source_date(&sc, "2024-06-03 02:05", 8 * 3600,
	    &t), 0);
	assert_true(t == want);
	/* An offset in the date wins over both zones. */
	sc.date_format = "%F %T%z";
	assert_int_equal(record_source_date(&sc, "2024-06-03 11:05:00+09:00",
	    8 * 3600, &t), 0);
	assert_true(t == want);
	sc.date_format = "%F";
	assert_int_equal(record_source_date(&sc, "1969-12-31", 0, &t), -1);
}

/* A post shows its time at the site's zone, whatever the source's. */
static void
test_source_date_post(void **state)
{
	struct conf_source sc = sources[0];
	struct record r;
	struct record_post *p;
	const char *why;

	sc.has_tz = 1;
	sc.tz_offset = 0;
	sc.date_format = "%Y/%m/%d %H:%M";
	record_fill(&r, "NW1", NULL, "t", "2024/06/03 18:30", "第一财经", NULL,
	    NULL);
	assert_non_null(p = record_post_make(&conf, &sc, &r, NULL, &why));
	assert_string_equal(p->published, "2024-06-04 02:30:00 +0800");
	assert_string_equal(p->path, "_posts/2024-06-04-NW1.md");
	record_post_free(p);

	/* The default shape keeps its text, seconds added when missing. */
	record_fill(&r, "NW2", NULL, "t", "2024-06-03 10:05", "第一财经", NULL,
	    NULL);
	assert_non_null(p = record_post_make(&conf, &sources[0], &r, NULL,
	    &why));
	assert_string_equal(p->published, "2024-06-03 10:05:00 +0800");
	record_post_free(p);
}

/* A bad date is logged with its value and the shape expected. */
static void
test_skip_explain(void **state)
{
	struct conf_source sc = sources[0];
	struct record r;
	char buf[256];

	record_fill(&r, "NW1", NULL, "t", "2024-06-03T10:05", "m", NULL, NULL);
	r.skip = record_check(&sc, &r, 0, 1);
	assert_string_equal(r.skip, "bad date");
	assert_string_equal(record_skip_explain(&sc, &r, "UTF-8", buf,
	    sizeof(buf)), "bad date '2024-06-03T10:05', expected "
	    "YYYY-MM-DD HH:MM:SS");
	sc.date_format = "%Y年%m月%d日 %H:%M";
	assert_string_equal(record_skip_explain(&sc, &r, "UTF-8", buf,
	    sizeof(buf)), "bad date '2024-06-03T10:05', expected "
	    "%Y年%m月%d日 %H:%M");
	sc.date_format = "unix_ms";
	assert_string_equal(record_skip_explain(&sc, &r, "UTF-8", buf,
	    sizeof(buf)), "bad date '2024-06-03T10:05', expected "
	    "Unix milliseconds");
	r.skip = record_undecoded;
	r.skip_at = 77;
	assert_string_equal(record_skip_explain(&sc, &r, "GB18030", buf,
	    sizeof(buf)), "bytes that do not decode as GB18030 at offset 77");
	r.skip = "no media";
	assert_string_equal(record_skip_explain(&sc, &r, "GB18030", buf,
	    sizeof(buf)), "no media");
	record_clear(&r);
}

/* include and exclude, each alone and both. */
static void
test_title_wanted(void **state)
{
	struct conf_source sc = { .name = "s" };
	char err[256];

	assert_int_equal(record_title_wanted(&sc, "任何标题"), 1);
	assert_int_equal(record_title_wanted(&sc, NULL), 0);
	assert_non_null(sc.include_re = filter_compile("债|股", err,
	    sizeof(err)));
	assert_int_equal(record_title_wanted(&sc, "专项债发行"), 1);
	assert_int_equal(record_title_wanted(&sc, "天气预报"), 0);
	assert_non_null(sc.exclude_re = filter_compile("^广告", err,
	    sizeof(err)));
	assert_int_equal(record_title_wanted(&sc, "专项债发行"), 1);
	assert_int_equal(record_title_wanted(&sc, "广告：买股"), 0);
	filter_free(sc.include_re);
	sc.include_re = NULL;
	assert_int_equal(record_title_wanted(&sc, "天气预报"), 1);
	assert_int_equal(record_title_wanted(&sc, "广告"), 0);
	filter_free(sc.exclude_re);
}

/* A list shrunk to its records keeps them; an empty one gives back all. */
static void
test_list_shrink(void **state)
{
	struct record_list l = { 0 };

	(void)state;
	assert_int_equal(record_list_reserve(&l, 100), 0);
	for (int i = 0; i < 3; i++)
		assert_non_null(record_list_push(&l)->id = strdup("NW1"));
	record_list_shrink(&l);
	assert_int_equal(l.n, 3);
	assert_int_equal(l.cap, 3);
	assert_string_equal(l.v[2].id, "NW1");
	record_list_truncate(&l, 0);
	record_list_shrink(&l);
	assert_null(l.v);
	assert_int_equal(l.cap, 0);
	record_list_clear(&l);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_market),
		cmocka_unit_test(test_fast),
		cmocka_unit_test(test_rolling),
		cmocka_unit_test(test_slug_order),
		cmocka_unit_test(test_slug_pages),
		cmocka_unit_test(test_slug_site_fails),
		cmocka_unit_test(test_known_pages),
		cmocka_unit_test(test_make_refused),
		cmocka_unit_test(test_text_url),
		cmocka_unit_test(test_category_url),
		cmocka_unit_test(test_path),
		cmocka_unit_test(test_name_parse),
		cmocka_unit_test(test_published_parse),
		cmocka_unit_test(test_page_url),
		cmocka_unit_test(test_source_dates),
		cmocka_unit_test(test_source_date_post),
		cmocka_unit_test(test_skip_explain),
		cmocka_unit_test(test_title_wanted),
		cmocka_unit_test(test_list_shrink),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
