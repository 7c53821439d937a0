/*
 * test_slug: slug_make, slug_is_clean and slug_reading_find against the
 * examples of the contract, hand-written cases, and the slugs the site
 * already uses (tests/fixtures/slugs-known.tsv).
 */
#include "config.h"

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
		cmocka_unit_test(test_known_slugs),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
