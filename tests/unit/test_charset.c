/*
 * Unit tests of charset: the labels, the order of trust (configuration,
 * Content-Type, BOM, <meta>), the <meta> prescan and its traps, and the
 * conversion of GBK, GB18030, Big5, windows-1252, UTF-16 and broken UTF-8
 * into UTF-8 with marks naming where bytes did not decode.  The encoded
 * bytes were made from the UTF-8 text with Python's codecs
 * ('新闻：标准0.5个百分点'.encode('gbk'), and so on), never by finewsd.
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

#include "charset.h"
#include "utf8.h"

static void
test_resolve(void **state)
{
	char name[CHARSET_NAME_MAX];

	assert_int_equal(charset_resolve("gbk", name), 0);
	assert_string_equal(name, "GB18030");
	assert_int_equal(charset_resolve(" GB2312 ", name), 0);
	assert_string_equal(name, "GB18030");
	assert_int_equal(charset_resolve("GB18030", name), 0);
	assert_string_equal(name, "GB18030");
	assert_int_equal(charset_resolve("Big5", name), 0);
	assert_string_equal(name, "BIG5");
	assert_int_equal(charset_resolve("iso-8859-1", name), 0);
	assert_string_equal(name, "CP1252");
	assert_int_equal(charset_resolve("UTF8", name), 0);
	assert_string_equal(name, "UTF-8");
	/* Not in the table: iconv's own name, as written. */
	assert_int_equal(charset_resolve("EUC-JP", name), 0);
	assert_string_equal(name, "EUC-JP");
	assert_int_equal(charset_resolve("koi8-r", name), 0);
	assert_string_equal(name, "koi8-r");
	assert_int_equal(charset_resolve("no-such-charset", name), -1);
	assert_int_equal(charset_resolve("", name), -1);
	assert_int_equal(charset_resolve("  ", name), -1);
	/* iconv's suffixes are not names. */
	assert_int_equal(charset_resolve("UTF-8//IGNORE", name), -1);
	assert_int_equal(charset_resolve("gbk x", name), -1);
	assert_int_equal(charset_resolve(
	    "a-charset-name-far-longer-than-any-real-one", name), -1);
}

/* The charset chosen for BUF with CONFIGURED and CT; asserts success. */
static void
choose(const char *configured, const char *ct, const char *buf, int html,
    const char *want, enum charset_origin origin, size_t bom)
{
	struct charset_choice ch;
	char err[256] = "";

	if (charset_choose(configured, ct, buf, strlen(buf), html, &ch, err,
	    sizeof(err)) != 0)
		fail_msg("charset_choose: %s", err);
	assert_string_equal(ch.name, want);
	assert_int_equal(ch.origin, origin);
	assert_int_equal(ch.bom, bom);
}

static void
test_order(void **state)
{
	static const char meta[] = "<html><head><meta charset=\"big5\">";
	static const char bom_meta[] = "\xef\xbb\xbf<meta charset=gbk>";

	choose(NULL, NULL, "{}", 0, "UTF-8", CHARSET_FROM_DEFAULT, 0);
	choose(NULL, "application/json", "{}", 0, "UTF-8",
	    CHARSET_FROM_DEFAULT, 0);
	/* The configuration wins over everything the response says. */
	choose("gbk", "text/html; charset=utf-8", bom_meta, 1, "GB18030",
	    CHARSET_FROM_CONFIG, 0);
	choose("utf-8", "text/html; charset=gbk", bom_meta, 1, "UTF-8",
	    CHARSET_FROM_CONFIG, 3);
	/* Then the Content-Type, over a BOM and the page. */
	choose(NULL, "text/html; charset=GBK", meta, 1, "GB18030",
	    CHARSET_FROM_HEADER, 0);
	choose(NULL, "text/html;charset=\"gb2312\"; q=1", meta, 1, "GB18030",
	    CHARSET_FROM_HEADER, 0);
	choose(NULL, "text/html; format=x; Charset = big5", "", 1, "BIG5",
	    CHARSET_FROM_HEADER, 0);
	choose(NULL, "text/html; charset=utf-8", bom_meta, 1, "UTF-8",
	    CHARSET_FROM_HEADER, 3);
	/* Then a BOM, over the page. */
	choose(NULL, "text/html", bom_meta, 1, "UTF-8", CHARSET_FROM_BOM, 3);
	choose(NULL, NULL, "\xff\xfe<\0", 0, "UTF-16LE", CHARSET_FROM_BOM, 2);
	/* Then the page, for HTML only. */
	choose(NULL, "text/html", meta, 1, "BIG5", CHARSET_FROM_META, 0);
	choose(NULL, NULL, meta, 0, "UTF-8", CHARSET_FROM_DEFAULT, 0);
}

static void
test_meta(void **state)
{
	char *big;
	size_t n;

	choose(NULL, NULL, "<META HTTP-EQUIV=\"Content-Type\" "
	    "CONTENT=\"text/html; charset=gb2312\">", 1, "GB18030",
	    CHARSET_FROM_META, 0);
	choose(NULL, NULL, "<meta content='text/html;charset=big5' "
	    "http-equiv='content-type'>", 1, "BIG5", CHARSET_FROM_META, 0);
	choose(NULL, NULL, "<meta/charset=gbk>", 1, "GB18030",
	    CHARSET_FROM_META, 0);
	/* Without http-equiv, content says nothing. */
	choose(NULL, NULL, "<meta content='text/html; charset=gbk'>", 1,
	    "UTF-8", CHARSET_FROM_DEFAULT, 0);
	/* A <meta> in a comment, an attribute or a <metal> is none. */
	choose(NULL, NULL, "<!-- <meta charset=gbk> --><p>", 1, "UTF-8",
	    CHARSET_FROM_DEFAULT, 0);
	choose(NULL, NULL, "<!--><meta charset=gbk>", 1, "GB18030",
	    CHARSET_FROM_META, 0);
	choose(NULL, NULL, "<a title='<meta charset=gbk>'>", 1, "UTF-8",
	    CHARSET_FROM_DEFAULT, 0);
	choose(NULL, NULL, "<metal charset=gbk>", 1, "UTF-8",
	    CHARSET_FROM_DEFAULT, 0);
	/* The first one counts. */
	choose(NULL, NULL, "<meta charset=big5><meta charset=gbk>", 1, "BIG5",
	    CHARSET_FROM_META, 0);
	/* A page the prescan can read is not UTF-16. */
	choose(NULL, NULL, "<meta charset=utf-16>", 1, "UTF-8",
	    CHARSET_FROM_META, 0);
	/* An unclosed comment or tag ends the prescan. */
	choose(NULL, NULL, "<!-- <meta charset=gbk>", 1, "UTF-8",
	    CHARSET_FROM_DEFAULT, 0);
	choose(NULL, NULL, "<meta charset", 1, "UTF-8", CHARSET_FROM_DEFAULT,
	    0);

	/* After 4 KB of script it is still found; after 64 KB it is not. */
	n = 4096 + 100;
	assert_non_null(big = malloc(CHARSET_SNIFF_MAX + 100));
	memset(big, 'x', CHARSET_SNIFF_MAX + 100);
	memcpy(big, "<script>", 8);
	strcpy(big + n, "<meta charset=gbk>");
	choose(NULL, NULL, big, 1, "GB18030", CHARSET_FROM_META, 0);
	big[n] = 'x';
	strcpy(big + CHARSET_SNIFF_MAX - 5, "<meta charset=gbk>");
	choose(NULL, NULL, big, 1, "UTF-8", CHARSET_FROM_DEFAULT, 0);
	free(big);
}

static void
test_unknown(void **state)
{
	struct charset_choice ch;
	char err[256];

	assert_int_equal(charset_choose(NULL, "text/html; charset=x-klingon",
	    "", 0, 1, &ch, err, sizeof(err)), -1);
	assert_string_equal(err, "the charset 'x-klingon' named by the "
	    "Content-Type is not one iconv knows (a source's charset key "
	    "overrides it)");
	assert_int_equal(charset_choose(NULL, NULL, "<meta charset='ut f8'>",
	    22, 1, &ch, err, sizeof(err)), -1);
	assert_string_equal(err, "the charset 'ut f8' named by a <meta> "
	    "element is not one iconv knows (a source's charset key "
	    "overrides it)");
	/* The configuration overrides it. */
	assert_int_equal(charset_choose("gbk", "text/html; charset=x-klingon",
	    "", 0, 1, &ch, err, sizeof(err)), 0);
}

/* BUF[LEN] decoded as NAME; asserts it gives WANT (a C string). */
static void
decode(const char *name, const char *buf, size_t len, size_t bom,
    const char *want)
{
	struct charset_choice ch;
	char err[256] = "", *copy;
	const char *s;
	size_t n;

	memset(&ch, 0, sizeof(ch));
	strcpy(ch.name, name);
	ch.bom = bom;
	if ((s = charset_decode(&ch, buf, len, &n, &copy, NULL, err,
	    sizeof(err))) == NULL)
		fail_msg("charset_decode %s: %s", name, err);
	assert_int_equal(n, strlen(want));
	assert_memory_equal(s, want, n);
	free(copy);
}

/* A mark for OFFSET, as charset_decode writes it (offsets below 1000). */
static const char *
mark(size_t offset)
{
	static char buf[4][64];
	static int k;
	char *b = buf[k++ % 4], digits[8];
	int n = snprintf(digits, sizeof(digits), "%zu", offset), i;

	strcpy(b, "\xef\xb7\x90");
	for (i = 0; i < n; i++) {
		char d[4] = { (char)0xef, (char)0xb7, (char)(0xa0 + digits[i] - '0'), 0 };

		strcat(b, d);
	}
	strcat(b, "\xef\xb7\x91");
	return b;
}

static void
test_decode(void **state)
{
	static const char gbk[] = "\xd0\xc2\xce\xc5\xa3\xba\xb1\xea\xd7\xbc"
	    "\x30\x2e\x35\xb8\xf6\xb0\xd9\xb7\xd6\xb5\xe3";
	static const char gb18030[] = "\xba\xba\x95\x32\x82\x36\xd7\xd6";
	static const char big5[] = "\xbb\x4f\xc6\x57\xb7\x73\xbb\x44\xa1\x41"
	    "\xa1\x75\xb4\xfa\xb8\xd5\xa1\x76";
	static const char cp1252[] = "caf\xe9 \x80" "5";
	static const char utf16[] = "\xff\xfe\x2d\x4e\x61\x00";
	char want[256];

	decode("GB18030", gbk, sizeof(gbk) - 1, 0, "新闻：标准0.5个百分点");
	decode("GB18030", gb18030, sizeof(gb18030) - 1, 0, "汉𠀀字");
	decode("BIG5", big5, sizeof(big5) - 1, 0, "臺灣新聞，「測試」");
	decode("CP1252", cp1252, sizeof(cp1252) - 1, 0, "café €5");
	decode("UTF-16LE", utf16, sizeof(utf16) - 1, 2, "中a");
	decode("UTF-8", "\xef\xbb\xbf{}", 5, 3, "{}");

	/* A 4-byte GB18030 character cut off by the end. */
	snprintf(want, sizeof(want), "汉%s", mark(2));
	decode("GB18030", "\xba\xba\x95\x32\x82", 5, 0, want);
	/* A byte GBK has no character for, between good ones. */
	snprintf(want, sizeof(want), "汉%s字", mark(2));
	decode("GB18030", "\xba\xba\xff\xd7\xd6", 5, 0, want);
	/* A run of bad bytes is one mark, at its first byte. */
	snprintf(want, sizeof(want), "a%sb%sc", mark(1), mark(5));
	decode("GB18030", "a\xff\xff\xff" "b\xff" "c", 7, 0, want);
	/* GB18030 encodes the reserved noncharacters: they are marked too. */
	snprintf(want, sizeof(want), "a%sb", mark(1));
	decode("GB18030", "\x61\x84\x30\xfa\x32\x62", 6, 0, want);

	/* UTF-8: maximal subparts, a run of them one mark. */
	snprintf(want, sizeof(want), "中%s文%s", mark(3), mark(8));
	decode("UTF-8", "中\xe4\xb8" "文\xff\xfe", 10, 0, want);
	snprintf(want, sizeof(want), "%sx", mark(0));
	decode("UTF-8", "\xef\xb7\x90" "x", 4, 0, want);
	/* The offsets count the BOM. */
	snprintf(want, sizeof(want), "a%s", mark(4));
	decode("UTF-8", "\xef\xbb\xbf" "a\xc0", 5, 3, want);
}

static void
test_decode_shapes(void **state)
{
	struct charset_choice ch = { "UTF-8", CHARSET_FROM_DEFAULT, 0 };
	static const char ok[] = "{\"a\":\"中文\"}";
	static const char bomx[] = "\xef\xbb\xbfx";
	char err[256], *copy, *junk;
	const char *s;
	size_t n, marks;

	/* Valid UTF-8 is not copied. */
	assert_ptr_equal(charset_decode(&ch, ok, sizeof(ok) - 1, &n, &copy,
	    &marks, err, sizeof(err)), ok);
	assert_int_equal(marks, 0);
	assert_null(copy);
	assert_int_equal(n, sizeof(ok) - 1);
	ch.bom = 3;
	assert_ptr_equal(charset_decode(&ch, bomx, 4, &n, &copy, NULL, err,
	    sizeof(err)), bomx + 3);
	assert_null(copy);
	assert_int_equal(n, 1);
	ch.bom = 0;

	/* Too many bad runs: the response as a whole does not decode. */
	assert_non_null(junk = malloc(2 * (CHARSET_MARKS_MAX + 1)));
	for (size_t i = 0; i < CHARSET_MARKS_MAX + 1; i++) {
		junk[2 * i] = 'a';
		junk[2 * i + 1] = (char)0xff;
	}
	errno = 0;
	assert_null(charset_decode(&ch, junk, 2 * (CHARSET_MARKS_MAX + 1), &n,
	    &copy, NULL, err, sizeof(err)));
	assert_int_equal(errno, EILSEQ);
	assert_string_equal(err, "more than 100 runs of bytes that do not "
	    "decode as UTF-8, the first at offset 1");
	/* One fewer is fine. */
	assert_non_null(s = charset_decode(&ch, junk, 2 * CHARSET_MARKS_MAX,
	    &n, &copy, &marks, err, sizeof(err)));
	assert_int_equal(marks, CHARSET_MARKS_MAX);
	free(copy);
	free(junk);

	strcpy(ch.name, "no-such-charset");
	errno = 0;
	assert_null(charset_decode(&ch, "x", 1, &n, &copy, NULL, err,
	    sizeof(err)));
	assert_int_equal(errno, EINVAL);
	/* An empty response is empty text. */
	strcpy(ch.name, "GB18030");
	assert_non_null(s = charset_decode(&ch, "", 0, &n, &copy, NULL, err,
	    sizeof(err)));
	assert_int_equal(n, 0);
	free(copy);
}

/*
 * 1 when UTF-8 takes U[N] as it is: valid (by utf8.c, a decoder of its
 * own) and without a reserved noncharacter U+FDD0..U+FDEF.
 */
static int
taken_as_is(const unsigned char *u, size_t n)
{
	struct charset_choice ch = { "UTF-8", CHARSET_FROM_DEFAULT, 0 };
	char err[256], *copy;
	const char *s;
	size_t len;

	s = charset_decode(&ch, (const char *)u, n, &len, &copy, NULL, err,
	    sizeof(err));
	free(copy);
	return s == (const char *)u;
}

static int
reserved_in(const unsigned char *u, size_t n)
{
	for (size_t i = 0; i + 3 <= n; i++)
		if (u[i] == 0xef && u[i + 1] == 0xb7 && u[i + 2] >= 0x90 &&
		    u[i + 2] <= 0xaf)
			return 1;
	return 0;
}

/* 1 when charset_decode's take of U[N] as UTF-8 is utf8_is_valid's. */
static void
check_sequence(const unsigned char *u, size_t n)
{
	int want = utf8_is_valid(u, n) && !reserved_in(u, n);

	if (taken_as_is(u, n) != want)
		fail_msg("%02x %02x %02x %02x, %zu bytes: %d, want %d", u[1],
		    n > 2 ? u[2] : 0, n > 3 ? u[3] : 0, n > 4 ? u[4] : 0,
		    n - 1, !want, want);
}

/*
 * The UTF-8 side's fast scan against utf8_is_valid: every lead byte of 2
 * and 3 with every second byte, a lead of 4 with the edges of the ranges
 * (continuation bytes, the narrowed second bytes, the reserved third
 * bytes), and after them the same edges; each sequence after an ASCII
 * byte, whole and cut short by the end.
 */
static void
test_decode_every_sequence(void **state)
{
	static const unsigned char edge[] = { 0x00, 0x41, 0x7f, 0x80, 0x8f,
	    0x90, 0x91, 0x9f, 0xa0, 0xaf, 0xb0, 0xb7, 0xbf, 0xc0, 0xff };
	const size_t ne = sizeof(edge);
	unsigned char u[5] = { 'x' };

	for (unsigned a = 0x80; a < 0xf0; a++)
		for (unsigned b = 0; b <= 0xff; b++)
			for (size_t i = 0; i < ne; i++) {
				u[1] = (unsigned char)a;
				u[2] = (unsigned char)b;
				u[3] = edge[i];
				for (size_t k = 2; k <= 4; k++)
					check_sequence(u, k);
			}
	for (unsigned a = 0xf0; a <= 0xff; a++)
		for (size_t i = 0; i < ne * ne * ne; i++) {
			u[1] = (unsigned char)a;
			u[2] = edge[i / (ne * ne)];
			u[3] = edge[i / ne % ne];
			u[4] = edge[i % ne];
			for (size_t k = 2; k <= 5; k++)
				check_sequence(u, k);
		}
}

static void
test_mark_find(void **state)
{
	char s[256];
	size_t off;

	assert_int_equal(charset_mark_find("中文 plain", 10, &off), 0);
	assert_int_equal(charset_mark_find("", 0, &off), 0);
	snprintf(s, sizeof(s), "标题%s尾", mark(123));
	assert_int_equal(charset_mark_find(s, strlen(s), &off), 1);
	assert_int_equal(off, 123);
	/* The first one counts. */
	snprintf(s, sizeof(s), "%s%s", mark(7), mark(3));
	assert_int_equal(charset_mark_find(s, strlen(s), &off), 1);
	assert_int_equal(off, 7);
	/* A mark cut short, or a lone reserved character, names nothing. */
	assert_int_equal(charset_mark_find("\xef\xb7\x90\xef\xb7\xa1", 6,
	    &off), 1);
	assert_int_equal(off, (size_t)-1);
	assert_int_equal(charset_mark_find("x\xef\xb7\xa5", 4, &off), 1);
	assert_int_equal(off, (size_t)-1);
	/* Its bytes, cut short by the end, are none. */
	assert_int_equal(charset_mark_find("x\xef\xb7", 3, &off), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_resolve),
		cmocka_unit_test(test_order),
		cmocka_unit_test(test_meta),
		cmocka_unit_test(test_unknown),
		cmocka_unit_test(test_decode),
		cmocka_unit_test(test_decode_shapes),
		cmocka_unit_test(test_decode_every_sequence),
		cmocka_unit_test(test_mark_find),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
