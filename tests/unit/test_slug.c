/*
 * test_slug: slug_make, slug_is_clean and slug_reading_find against the
 * examples of the contract, hand-written cases, and the slugs the site
 * already uses (tests/fixtures/slugs-known.tsv); slug_align and
 * slug_make_prefer on the polyphones the site read its own way, and how
 * well readings learned from half of the site's slugs predict the other
 * half.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "pinyin_table.h"
#include "slug.h"

#define KNOWN_TSV	TOP_SRCDIR "/tests/fixtures/slugs-known.tsv"

/* Asserts that the slug of NAME is EXPECTED. */
static void
check_slug(const char *name, const char *expected)
{
	char *s;

	s = slug_make(name);
	assert_non_null(s);
	if (strcmp(s, expected) != 0)
		print_error("slug_make(\"%s\") = \"%s\", expected \"%s\"\n",
		    name, s, expected);
	assert_string_equal(s, expected);
	free(s);
}

static void
test_contract_examples(void **state)
{
	(void)state;
	check_slug("青岛财经日报", "qingdaocaijingribao");
	check_slug("36氪", "36ke");
	check_slug("安信国际证券（香港）", "anxinguojizhengquanxianggang");
}

static void
test_ascii_kept(void **state)
{
	(void)state;
	check_slug("Career In 投行PEVC", "CareerIntouxingPEVC");
	check_slug("abcXYZ019", "abcXYZ019");
	check_slug("21世纪经济报道  南财理财通",
	    "21shijijingjibaodaonancailicaitong");
	/* Punctuation, ASCII or not, is dropped; '-' and '_' too. */
	check_slug("a-b_c.d/e:f!", "abcdef");
	check_slug("《中国证券报》·中证网", "zhongguozhengquanbaozhongzhengwang");
	check_slug("\t新华社\r\n", "xinhuashe");
}

static void
test_fullwidth(void **state)
{
	(void)state;
	check_slug("３６氪", "36ke");
	check_slug("ＡＢＣｘｙｚ０９", "ABCxyz09");
	/* U+FF20 and U+FF3B, around the letters, are punctuation. */
	check_slug("＠Ａ［", "A");
}

static void
test_empty(void **state)
{
	(void)state;
	check_slug("", "");
	check_slug("   ", "");
	check_slug("（）【】，。", "");
	/* Non-Han letters have no reading: Latin-1, Greek, kana, hangul. */
	check_slug("éλあ한", "");
}

static void
test_invalid_utf8(void **state)
{
	(void)state;
	/* Stray bytes and a lone continuation byte. */
	check_slug("a\xff\xfe" "b\x80" "c", "abc");
	/* A truncated sequence before a valid one: only the lead is lost. */
	check_slug("\xe6" "青", "qing");
	check_slug("氪\xe6\xb0", "ke");
	/* Overlong forms of 'A', '1' and '/' must not sneak through. */
	check_slug("\xc1\x81" "x\xe0\x80\xb1" "y\xc0\xaf", "xy");
	/* A surrogate and a value past U+10FFFF. */
	check_slug("\xed\xa0\x80" "z\xf4\x90\x80\x80", "z");
}

static void
test_astral(void **state)
{
	(void)state;
	/* U+20000, kMandarin "hē"; U+20BBE, "ǹ". */
	check_slug("\xf0\xa0\x80\x80", "he");
	check_slug("A\xf0\xa0\xae\xbe" "B", "AnB");
	assert_string_equal(slug_reading_find(0x20000), "he");
}

static void
test_umlaut(void **state)
{
	(void)state;
	check_slug("女", "nv");
	check_slug("绿", "lv");
	check_slug("吕驴", "lvlv");
	assert_string_equal(slug_reading_find(0x347c), "lve");	/* lüè */
}

static void
test_syllabic_nasals(void **state)
{
	(void)state;
	assert_string_equal(slug_reading_find(0x5463), "m");		/* 呣 ḿ */
	assert_string_equal(slug_reading_find(0x55ef), "n");		/* 嗯 ń */
	assert_string_equal(slug_reading_find(0x3576), "n");		/* ň */
	assert_string_equal(slug_reading_find(0x20bbe), "n");	/* ǹ */
}

static void
test_reading(void **state)
{
	(void)state;
	assert_string_equal(slug_reading_find(0x4e00), "yi");	/* 一 */
	assert_string_equal(slug_reading_find(0x884c), "xing");	/* 行: xíng first */
	assert_string_equal(slug_reading_find(0x957f), "zhang");	/* 长 */
	assert_string_equal(slug_reading_find(0x5e84), "zhuang");	/* 庄 */
	assert_null(slug_reading_find(0));
	assert_null(slug_reading_find('A'));
	assert_null(slug_reading_find(0x3000));
	assert_null(slug_reading_find(0xffff));
	assert_null(slug_reading_find(0x110000));
	assert_null(slug_reading_find(0xffffffffu));
}

/* What slug_reading_find's binary search relies on, whatever Unihan gave: code
 * points in order, and one code point's entries distinct readings. */
static void
test_table_sorted(void **state)
{
	size_t i;

	(void)state;
	assert_true(pinyin_nentries > 20000);
	for (i = 1; i < pinyin_nentries; i++) {
		uint32_t a = pinyin_entries[i - 1], b = pinyin_entries[i];

		assert_true(PINYIN_ENTRY_CP(a) <= PINYIN_ENTRY_CP(b));
		if (PINYIN_ENTRY_CP(a) == PINYIN_ENTRY_CP(b))
			assert_true(PINYIN_ENTRY_READING(a) != PINYIN_ENTRY_READING(b));
	}
	assert_true(PINYIN_ENTRY_CP(pinyin_entries[pinyin_nentries - 1]) <=
	    0x10ffff);
}

/* The polyphones whose old readings the site kept: every candidate is
 * there, the first kMandarin reading first (the slug's). */
static void
test_readings(void **state)
{
	const char *r[8];

	(void)state;
	assert_int_equal(slug_readings_find(0x957f, r, 8), 2);	/* 长 */
	assert_string_equal(r[0], "zhang");
	assert_string_equal(r[1], "chang");
	assert_int_equal(slug_readings_find(0x90fd, r, 8), 2);	/* 都 */
	assert_string_equal(r[0], "dou");
	assert_string_equal(r[1], "du");
	assert_int_equal(slug_readings_find(0x5730, r, 8), 2);	/* 地 */
	assert_string_equal(r[0], "de");
	assert_string_equal(r[1], "di");
	assert_true(slug_readings_find(0x9752, r, 8) >= 1);	/* 青 */
	assert_string_equal(r[0], "qing");
	assert_int_equal(slug_readings_find(0x957f, r, 1), 1);
	assert_string_equal(r[0], "zhang");
	assert_int_equal(slug_readings_find('a', r, 8), 0);
}

static void
test_is_clean(void **state)
{
	(void)state;
	assert_int_equal(slug_is_clean("qingdaocaijingribao"), 1);
	assert_int_equal(slug_is_clean("36ke"), 1);
	assert_int_equal(slug_is_clean("A-b_C-9"), 1);
	assert_int_equal(slug_is_clean("-"), 1);
	assert_int_equal(slug_is_clean("_"), 1);
	assert_int_equal(slug_is_clean(""), 0);
	assert_int_equal(slug_is_clean(NULL), 0);
	assert_int_equal(slug_is_clean("a b"), 0);
	assert_int_equal(slug_is_clean("a.b"), 0);
	assert_int_equal(slug_is_clean("a/b"), 0);
	assert_int_equal(slug_is_clean("../x"), 0);
	assert_int_equal(slug_is_clean("36氪"), 0);
	assert_int_equal(slug_is_clean("caf\xc3\xa9"), 0);
	assert_int_equal(slug_is_clean("ab\n"), 0);
	assert_int_equal(slug_is_clean("安信国际证券（香港）"), 0);
}

/* Every character's candidates fit the room slug.c gives them. */
static void
test_readings_max(void **state)
{
	size_t i, run = 1, most = 1;

	(void)state;
	for (i = 1; i < pinyin_nentries; i++) {
		run = PINYIN_ENTRY_CP(pinyin_entries[i]) ==
		    PINYIN_ENTRY_CP(pinyin_entries[i - 1]) ? run + 1 : 1;
		if (run > most)
			most = run;
	}
	assert_true(most <= SLUG_READINGS_MAX);
}

/*
 * Aligns NAME with SLUG (no preference) and checks that it aligns, with
 * NCHOICES Han characters, and that character CP took READING.
 */
static void
check_align(const char *name, const char *slug, size_t nchoices, unsigned cp,
    const char *reading)
{
	struct slug_choice out[SLUG_ALIGN_TOKENS];
	size_t n, i;

	if (slug_align(name, slug, NULL, NULL, out, SLUG_ALIGN_TOKENS, &n) != 0)
		print_error("slug_align(\"%s\", \"%s\") failed\n", name, slug);
	assert_int_equal(slug_align(name, slug, NULL, NULL, out,
	    SLUG_ALIGN_TOKENS, &n), 0);
	assert_int_equal(n, nchoices);
	for (i = 0; i < n && out[i].cp != cp; i++)
		;
	if (cp == 0)
		return;
	assert_true(i < n);
	assert_string_equal(out[i].reading, reading);
}

/* Asserts that NAME and SLUG do not align, for the reason ERR. */
static void
check_no_align(const char *name, const char *slug, int err)
{
	struct slug_choice out[SLUG_ALIGN_TOKENS];
	size_t n = 99;

	errno = 0;
	assert_int_equal(slug_align(name, slug, NULL, NULL, out,
	    SLUG_ALIGN_TOKENS, &n), -1);
	assert_int_equal(errno, err);
	assert_int_equal(n, 0);
}

/* The polyphones of the site's slugs: the reading each slug shows. */
static void
test_align_polyphones(void **state)
{
	struct slug_choice out[SLUG_ALIGN_TOKENS];
	size_t n;

	(void)state;
	check_align("长城证券", "changchengzhengquan", 4, 0x957f, "chang");
	check_align("长城证券", "zhangchengzhengquan", 4, 0x957f, "zhang");
	check_align("海峡都市报", "haixiadushibao", 5, 0x90fd, "du");
	check_align("成都日报", "chengduribao", 4, 0x90fd, "du");
	check_align("观点地产网", "guandiandichanwang", 5, 0x5730, "di");
	check_align("阿克苏地区融媒体中心", "akesudiqurongmeitizhongxin", 10,
	    0x5730, "di");
	check_align("中国银行保险报", "zhongguoyinxingbaoxianbao", 7, 0x884c,
	    "xing");
	check_align("建设银行", "jiansheyinhang", 4, 0x884c, "hang");
	/* Every character is told, in order, with its place among its
	 * candidates: 都 dū is Unihan's second. */
	assert_int_equal(slug_align("海峡都市报", "haixiadushibao", NULL, NULL,
	    out, SLUG_ALIGN_TOKENS, &n), 0);
	assert_int_equal(out[0].cp, 0x6d77);
	assert_string_equal(out[0].reading, "hai");
	assert_int_equal(out[2].cp, 0x90fd);
	assert_int_equal(out[2].rank, 1);
	assert_int_equal(out[4].rank, 0);
}

/* Letters and digits stand for themselves, whatever their case or width;
 * what the slug drops (spaces, brackets) does not matter. */
static void
test_align_literals(void **state)
{
	(void)state;
	check_align("36氪", "36ke", 1, 0x6c2a, "ke");
	check_align("３６氪", "36KE", 1, 0x6c2a, "ke");
	check_align("FT中文网", "FTzhongwenwang", 3, 0x4e2d, "zhong");
	check_align("FT中文网", "ftzhongwenwang", 3, 0x4e2d, "zhong");
	check_align("ft中文网", "FTZhongWenWang", 3, 0x6587, "wen");
	check_align("Career In 投行PEVC", "Career In touxingPEVC", 2, 0x884c,
	    "xing");
	check_align("安信国际证券（香港）", "anxinguojizhengquan(xianggang)", 8,
	    0x6e2f, "gang");
	check_align("21世纪经济报道  南财理财通",
	    "21shijijingjibaodao  nancailicaitong", 11, 0, NULL);
	check_align("ABC", "abc", 0, 0, NULL);
}

/* What does not align says so. */
static void
test_align_refused(void **state)
{
	struct slug_choice out[2];
	char big[SLUG_ALIGN_CHARS + 2];
	size_t n;

	(void)state;
	check_no_align("第一财经", "yicai", EINVAL);
	check_no_align("长城证券", "changchengzhengquanx", EINVAL);
	check_no_align("长城证券", "changchengzhengqua", EINVAL);
	check_no_align("36氪", "37ke", EINVAL);
	check_no_align("36氪", "ke", EINVAL);
	check_no_align("", "", EINVAL);
	check_no_align("——", "--", EINVAL);
	check_no_align("长城", "", EINVAL);
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	check_no_align("长城", big, E2BIG);
	big[SLUG_ALIGN_TOKENS + 1] = '\0';
	check_no_align(big, big, E2BIG);
	big[SLUG_ALIGN_TOKENS] = '\0';
	check_align(big, big, 0, 0, NULL);
	/* More Han characters than OUT holds. */
	errno = 0;
	assert_int_equal(slug_align("长城证券", "changchengzhengquan", NULL,
	    NULL, out, 2, &n), -1);
	assert_int_equal(errno, E2BIG);
}

/* A test's preferences: 长 chang, 都 du, and a reading 行 does not have. */
static const char *
prefer_site(void *arg, unsigned cp)
{
	int *asked = arg;

	if (asked != NULL)
		(*asked)++;
	return cp == 0x957f ? "chang" : cp == 0x90fd ? "du" :
	    cp == 0x884c ? "bogus" : NULL;
}

/* A test's preferences: 並 (bìng, bàn, bàng) read bang, 佮 (gé, è) ge. */
static const char *
prefer_bang(void *arg, unsigned cp)
{
	(void)arg;
	return cp == 0x4e26 ? "bang" : cp == 0x4f6e ? "ge" : NULL;
}

/*
 * "bange" is 並佮 read ban + ge or bang + e: where two alignments exist,
 * the first character's preferred reading wins, then Unihan's order; the
 * second character takes what is left.
 */
static void
test_align_prefer(void **state)
{
	struct slug_choice out[SLUG_ALIGN_TOKENS];
	size_t n;

	(void)state;
	assert_int_equal(slug_align("並佮", "bange", NULL, NULL, out,
	    SLUG_ALIGN_TOKENS, &n), 0);
	assert_int_equal(n, 2);
	assert_string_equal(out[0].reading, "ban");
	assert_int_equal(out[0].rank, 1);
	assert_string_equal(out[1].reading, "ge");
	assert_int_equal(slug_align("並佮", "bange", prefer_bang, NULL, out,
	    SLUG_ALIGN_TOKENS, &n), 0);
	assert_string_equal(out[0].reading, "bang");
	assert_int_equal(out[0].rank, 0);
	assert_string_equal(out[1].reading, "e");
	/* 佮's preference (ge) loses to 並's, which comes first. */
	assert_int_equal(out[1].rank, 1);
	/* A preference that does not fit the slug is passed over. */
	assert_int_equal(slug_align("长城", "zhangcheng", prefer_site, NULL,
	    out, SLUG_ALIGN_TOKENS, &n), 0);
	assert_string_equal(out[0].reading, "zhang");
	assert_int_equal(out[0].rank, 1);
	assert_int_equal(slug_align("长城", "changcheng", prefer_site, NULL,
	    out, SLUG_ALIGN_TOKENS, &n), 0);
	assert_string_equal(out[0].reading, "chang");
	assert_int_equal(out[0].rank, 0);
}

static void
test_make_prefer(void **state)
{
	char *s;
	int asked = 0;

	(void)state;
	s = slug_make_prefer("长城证券", prefer_site, &asked);
	assert_string_equal(s, "changchengzhengquan");
	free(s);
	/* Only the characters with several readings are asked about: 长 and
	 * 券 (quàn, xuàn), not 城 nor 证. */
	assert_int_equal(asked, 2);
	s = slug_make_prefer("成都日报", prefer_site, NULL);
	assert_string_equal(s, "chengduribao");
	free(s);
	/* A preference that is no candidate counts for nothing. */
	s = slug_make_prefer("中国银行", prefer_site, NULL);
	assert_string_equal(s, "zhongguoyinxing");
	free(s);
	s = slug_make_prefer("Ａ长3", prefer_site, NULL);
	assert_string_equal(s, "Achang3");
	free(s);
	/* Without a preference it is slug_make. */
	s = slug_make_prefer("长城证券", NULL, NULL);
	assert_string_equal(s, "zhangchengzhengquan");
	free(s);
	s = slug_make_prefer("", prefer_site, NULL);
	assert_string_equal(s, "");
	free(s);
}

static void
test_candidate_find(void **state)
{
	(void)state;
	assert_string_equal(slug_candidate_find(0x957f, "chang"), "chang");
	assert_string_equal(slug_candidate_find(0x957f, "zhang"), "zhang");
	assert_null(slug_candidate_find(0x957f, "zhan"));
	assert_null(slug_candidate_find(0x957f, ""));
	assert_null(slug_candidate_find('a', "a"));
}

/*
 * Names whose first Unihan reading today is not the one the site's slug was
 * made with, and the slug we derive instead.
 */
static const struct {
	const char *name, *site, *ours;
} known_diff[] = {
	{ "海峡都市报", "haixiadushibao", "haixiadoushibao" },		/* dōu */
	{ "观点地产网", "guandiandichanwang", "guandiandechanwang" },	/* de */
	{ "长城证券", "changchengzhengquan", "zhangchengzhengquan" },	/* zhǎng */
	{ "长江证券", "changjiangzhengquan", "zhangjiangzhengquan" },
};
#define NKNOWN_DIFF	(sizeof(known_diff) / sizeof(known_diff[0]))

/* Checks one fixture row; returns 1 when our slug is the site's. */
static int
check_known_row(const char *name, const char *site, int *seen)
{
	char *s;
	size_t i;
	int agree;

	s = slug_make(name);
	assert_non_null(s);
	agree = strcmp(s, site) == 0;
	for (i = 0; i < NKNOWN_DIFF; i++)
		if (strcmp(name, known_diff[i].name) == 0)
			break;
	if (i < NKNOWN_DIFF) {
		assert_string_equal(site, known_diff[i].site);
		assert_string_equal(s, known_diff[i].ours);
		seen[i]++;
	} else {
		if (!agree)
			print_error("%s: site \"%s\", ours \"%s\"\n",
			    name, site, s);
		assert_string_equal(s, site);
	}
	free(s);
	return agree;
}

static void
test_known_slugs(void **state)
{
	char line[512], *name, *site, *end;
	int seen[NKNOWN_DIFF] = { 0 };
	int rows = 0, agree = 0;
	size_t i;
	FILE *fp;

	(void)state;
	fp = fopen(KNOWN_TSV, "r");
	assert_non_null(fp);
	while (fgets(line, sizeof(line), fp) != NULL) {
		assert_non_null(strchr(line, '\n'));
		line[strcspn(line, "\r\n")] = '\0';
		if (line[0] == '\0')
			continue;
		name = line;
		site = strchr(line, '\t');
		assert_non_null(site);
		*site++ = '\0';
		if ((end = strchr(site, '\t')) != NULL)
			*end = '\0';
		assert_true(slug_is_clean(site));
		agree += check_known_row(name, site, seen);
		rows++;
	}
	assert_int_equal(ferror(fp), 0);
	fclose(fp);
	for (i = 0; i < NKNOWN_DIFF; i++)
		assert_int_equal(seen[i], 1);
	printf("slugs-known.tsv: %d of %d agree with the site\n", agree, rows);
	assert_int_equal(rows, 80);
	assert_int_equal(agree, 76);
}

/*
 * The evaluation of learned readings: learn from some rows of
 * slugs-known.tsv as --import learns from the site's posts (align each
 * media with its slug, one vote for the reading each character with
 * several candidates took), then make the slugs of the other rows with the
 * readings learned, and count the rows that come out as the site has them.
 */
#define KNOWN_ROWS	128
#define VOTES_MAX	1024

struct known {
	char	 name[512], site[512];
};

struct votes {
	struct {
		unsigned	 cp;
		const char	*reading;
		int		 n;
	} v[VOTES_MAX];
	size_t	 n;
};

/* Reads slugs-known.tsv into ROWS; the number of rows. */
static size_t
known_load(struct known *rows)
{
	char line[512], *tab, *end;
	size_t n = 0;
	FILE *fp;

	fp = fopen(KNOWN_TSV, "r");
	assert_non_null(fp);
	while (fgets(line, sizeof(line), fp) != NULL) {
		line[strcspn(line, "\r\n")] = '\0';
		if (line[0] == '\0')
			continue;
		assert_true(n < KNOWN_ROWS);
		tab = strchr(line, '\t');
		assert_non_null(tab);
		*tab++ = '\0';
		if ((end = strchr(tab, '\t')) != NULL)
			*end = '\0';
		snprintf(rows[n].name, sizeof(rows[n].name), "%s", line);
		snprintf(rows[n].site, sizeof(rows[n].site), "%s", tab);
		n++;
	}
	fclose(fp);
	return n;
}

/* The reading with the most votes for CP; NULL for none or a tie, as the
 * store answers. */
static const char *
votes_prefer(void *arg, unsigned cp)
{
	const struct votes *vs = arg;
	const char *best = NULL;
	int most = 0, tie = 0;

	for (size_t i = 0; i < vs->n; i++) {
		if (vs->v[i].cp != cp)
			continue;
		if (vs->v[i].n > most) {
			most = vs->v[i].n;
			best = vs->v[i].reading;
			tie = 0;
		} else if (vs->v[i].n == most)
			tie = 1;
	}
	return tie ? NULL : best;
}

static void
votes_add(struct votes *vs, unsigned cp, const char *reading)
{
	size_t i;

	for (i = 0; i < vs->n; i++)
		if (vs->v[i].cp == cp && strcmp(vs->v[i].reading, reading) == 0)
			break;
	if (i == vs->n) {
		assert_true(vs->n < VOTES_MAX);
		vs->v[vs->n].cp = cp;
		vs->v[vs->n].reading = reading;
		vs->v[vs->n++].n = 0;
	}
	vs->v[i].n++;
}

/* Learns from ROW; 0, or -1 when its media and slug do not align. */
static int
votes_learn(struct votes *vs, const struct known *row)
{
	struct slug_choice out[SLUG_ALIGN_TOKENS];
	const char *cand[SLUG_READINGS_MAX];
	size_t n;

	if (slug_align(row->name, row->site, votes_prefer, vs, out,
	    SLUG_ALIGN_TOKENS, &n) == -1)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (slug_readings_find(out[i].cp, cand, SLUG_READINGS_MAX) > 1)
			votes_add(vs, out[i].cp, out[i].reading);
	return 0;
}

/* The rows whose index modulo 2 is TEST (all with TEST -1) that agree with
 * the site, with the readings of VS or without (VS NULL). */
static int
votes_score(const struct known *rows, size_t n, int test, struct votes *vs)
{
	int agree = 0;
	char *s;

	for (size_t i = 0; i < n; i++) {
		if (test >= 0 && (int)(i % 2) != test)
			continue;
		s = vs != NULL ? slug_make_prefer(rows[i].name, votes_prefer, vs) :
		    slug_make(rows[i].name);
		assert_non_null(s);
		agree += strcmp(s, rows[i].site) == 0;
		free(s);
	}
	return agree;
}

/* Learns from the rows whose index modulo 2 is TRAIN (all with -1) and
 * scores the others (all with -1). */
static void
votes_evaluate(const struct known *rows, size_t n, int train, int *without,
    int *with, int *tested)
{
	struct votes *vs = calloc(1, sizeof(*vs));
	int test = train < 0 ? -1 : 1 - train;

	assert_non_null(vs);
	for (size_t i = 0; i < n; i++)
		if (train < 0 || (int)(i % 2) == train)
			assert_int_equal(votes_learn(vs, &rows[i]), 0);
	*without = votes_score(rows, n, test, NULL);
	*with = votes_score(rows, n, test, vs);
	*tested = train < 0 ? (int)n : (int)(n / 2 + (test == 0 ? n % 2 : 0));
	free(vs);
}

static void
test_learned_readings(void **state)
{
	static struct known rows[KNOWN_ROWS];
	static const char *const half[] = { "odd", "even" };
	int without, with, tested;
	size_t n;

	(void)state;
	n = known_load(rows);
	assert_int_equal(n, 80);
	/* Rows 1, 3, ... of the file are indexes 0, 2, ...: "odd" rows. */
	for (int train = 0; train < 2; train++) {
		votes_evaluate(rows, n, train, &without, &with, &tested);
		printf("slugs-known.tsv: learning from the %s rows, %d of the "
		    "%d %s rows agree with the site without learned readings, "
		    "%d with\n", half[train], without, tested, half[1 - train],
		    with);
		/* 长城证券 and 长江证券 teach each other 长 chang; 都 and 地
		 * are each in one name only. */
		assert_int_equal(without, train == 0 ? 37 : 39);
		assert_int_equal(with, train == 0 ? 38 : 40);
	}
	votes_evaluate(rows, n, -1, &without, &with, &tested);
	printf("slugs-known.tsv: learning from all %d rows, %d agree without "
	    "learned readings, %d with\n", tested, without, with);
	assert_int_equal(without, 76);
	assert_int_equal(with, 80);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_contract_examples),
		cmocka_unit_test(test_ascii_kept),
		cmocka_unit_test(test_fullwidth),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_invalid_utf8),
		cmocka_unit_test(test_astral),
		cmocka_unit_test(test_umlaut),
		cmocka_unit_test(test_syllabic_nasals),
		cmocka_unit_test(test_reading),
		cmocka_unit_test(test_table_sorted),
		cmocka_unit_test(test_readings),
		cmocka_unit_test(test_is_clean),
		cmocka_unit_test(test_readings_max),
		cmocka_unit_test(test_align_polyphones),
		cmocka_unit_test(test_align_literals),
		cmocka_unit_test(test_align_refused),
		cmocka_unit_test(test_align_prefer),
		cmocka_unit_test(test_make_prefer),
		cmocka_unit_test(test_candidate_find),
		cmocka_unit_test(test_known_slugs),
		cmocka_unit_test(test_learned_readings),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
