/*
 * test_util: the shared layer under the parsers and writers: util (error
 * messages, growable arrays, the byte buffer, white space, paths, URL
 * escaping), utf8 (scanning, validation, decoding, encoding, repair), tmpl,
 * datetime and strset's map.  Expected values are written by hand or computed apart from
 * the program (Python's UTF-8 decoder, urllib.parse.quote(),
 * calendar.timegm()), never copied from its output; URL escaping is also
 * held against libcurl's own curl_easy_escape(), which it must equal.
 */
#include "config.h"

#include <errno.h>
#include <malloc.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <curl/curl.h>

#include "datetime.h"
#include "fault.h"
#include "strset.h"
#include "tmpl.h"
#include "utf8.h"
#include "util.h"

#define U(s)	((const unsigned char *)(s))

/* util: err_set */

static void
test_err_set(void **state)
{
	char buf[16];

	err_set(buf, sizeof(buf), "%s: %d", "line", 42);
	assert_string_equal(buf, "line: 42");
	/* A message longer than the buffer is cut, and still terminated. */
	err_set(buf, 5, "%s-%d", "abc", 42);
	assert_string_equal(buf, "abc-");
	/* No buffer, or one of no size: nothing is written, nothing fails. */
	memcpy(buf, "untouched", 10);
	err_set(buf, 0, "%s", "x");
	assert_string_equal(buf, "untouched");
	err_set(NULL, 10, "%s", "x");
	err_set(NULL, 0, "%s", "x");
}

/* util: vec_reserve / VEC_RESERVE */

static void
test_vec_growth(void **state)
{
	int *v = NULL, *before;
	size_t cap = 0;

	assert_int_equal(VEC_RESERVE(v, cap, 0), 0);
	assert_null(v);
	assert_int_equal(cap, 0);
	/* The first growth makes room for 16, then the capacity doubles. */
	assert_int_equal(VEC_RESERVE(v, cap, 1), 0);
	assert_non_null(v);
	assert_int_equal(cap, 16);
	for (int i = 0; i < 16; i++)
		v[i] = i;
	before = v;
	assert_int_equal(VEC_RESERVE(v, cap, 16), 0);
	assert_ptr_equal(v, before);
	assert_int_equal(cap, 16);
	assert_int_equal(VEC_RESERVE(v, cap, 17), 0);
	assert_int_equal(cap, 32);
	assert_int_equal(VEC_RESERVE(v, cap, 100), 0);
	assert_int_equal(cap, 128);
	/* What was there survives the moves. */
	for (int i = 0; i < 16; i++)
		assert_int_equal(v[i], i);
	v[127] = 7;
	free(v);
}

static void
test_vec_overflow(void **state)
{
	int *v = NULL, *before;
	size_t cap = 0;
	char *p = NULL;
	size_t pcap = 0;

	assert_int_equal(VEC_RESERVE(v, cap, 4), 0);
	before = v;
	/* NEED * SIZE past SIZE_MAX is refused, the array left as it was. */
	errno = 0;
	assert_int_equal(VEC_RESERVE(v, cap, SIZE_MAX / sizeof(int) + 1), -1);
	assert_int_equal(errno, ENOMEM);
	assert_ptr_equal(v, before);
	assert_int_equal(cap, 16);
	errno = 0;
	assert_int_equal(VEC_RESERVE(v, cap, SIZE_MAX), -1);
	assert_int_equal(errno, ENOMEM);
	assert_ptr_equal(v, before);
	assert_int_equal(cap, 16);
	free(v);
	/* An element of no size is refused too. */
	assert_int_equal(vec_reserve(&p, &pcap, 1, 0), -1);
	assert_null(p);
	assert_int_equal(pcap, 0);
}

/*
 * One element of 2^60 + 1 bytes fits in a size_t, but the 16 of the first
 * growth do not: 16 * (2^60 + 1) wraps around to 16 bytes.  The reserve
 * must fail (no machine has that memory) rather than hand out 16 bytes for
 * 16 such elements.  The sanitizers abort on so large a request instead of
 * returning NULL, so the case runs only outside them.
 */
#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define TEST_UTIL_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define TEST_UTIL_ASAN 1
#endif

static void
test_vec_huge_element(void **state)
{
#ifndef TEST_UTIL_ASAN
	const size_t size = ((size_t)1 << (sizeof(size_t) * 8 - 4)) + 1;
	char *p = NULL;
	size_t cap = 0;

	if (vec_reserve(&p, &cap, 1, size) == 0) {
		assert_true(cap <= SIZE_MAX / size);
		free(p);
	} else {
		assert_null(p);
		assert_int_equal(cap, 0);
	}
#else
	skip();
#endif
}

/* util: sbuf */

static void
test_sbuf(void **state)
{
	struct sbuf b = { 0 };
	size_t len = 99;
	char *s;

	sbuf_add(&b, "abcdef", 3);
	sbuf_str(&b, "-");
	sbuf_printf(&b, "%d/%s", 42, "中");
	sbuf_add(&b, "x\0y", 3);
	s = sbuf_finish(&b, &len);
	assert_non_null(s);
	assert_int_equal(len, 3 + 1 + 2 + 1 + 3 + 3);
	assert_memory_equal(s, "abc-42/\xe4\xb8\xadx\0y", len + 1);
	free(s);
	/* finish hands the bytes over and leaves the buffer empty. */
	assert_null(b.p);
	assert_int_equal(b.len, 0);
	assert_int_equal(b.cap, 0);
	free(sbuf_finish(&b, NULL));
}

/* finish_fit hands out the same bytes in a block of their size. */
static void
test_sbuf_fit(void **state)
{
	struct sbuf b = { 0 };
	size_t len = 99;
	char *s;

	for (int i = 0; i < 1000; i++)
		sbuf_str(&b, "正文");
	assert_true(b.cap > 6000 + 64);	/* slack the fit takes away */
	s = sbuf_finish_fit(&b, &len);
	assert_non_null(s);
	assert_int_equal(len, 6000);
	assert_int_equal(strlen(s), 6000);
	assert_memory_equal(s + 5994, "正文", 7);
	assert_true(malloc_usable_size(s) < 6000 + 64);
	assert_null(b.p);
	free(s);
	s = sbuf_finish_fit(&b, &len);
	assert_string_equal(s, "");
	assert_int_equal(len, 0);
	free(s);
}

static void
test_sbuf_empty(void **state)
{
	struct sbuf b = { 0 };
	size_t len = 99;
	char *s;

	s = sbuf_finish(&b, &len);
	assert_non_null(s);
	assert_string_equal(s, "");
	assert_int_equal(len, 0);
	free(s);
	sbuf_add(&b, "", 0);
	sbuf_str(&b, "");
	s = sbuf_finish(&b, &len);
	assert_string_equal(s, "");
	assert_int_equal(len, 0);
	free(s);
}

static void
test_sbuf_failure(void **state)
{
	struct sbuf b = { 0 };

	/* A length past SIZE_MAX fails without allocating, and it sticks. */
	sbuf_str(&b, "kept until the failure");
	sbuf_add(&b, "x", SIZE_MAX);
	assert_int_equal(b.err, 1);
	sbuf_str(&b, "ignored");
	sbuf_printf(&b, "%s", "ignored");
	errno = 0;
	assert_null(sbuf_finish(&b, NULL));
	assert_int_equal(errno, ENOMEM);
	assert_null(b.p);
	assert_int_equal(b.err, 0);
	/* clear frees what a buffer holds, and accepts an empty one. */
	sbuf_str(&b, "abandoned");
	sbuf_clear(&b);
	assert_null(b.p);
	assert_int_equal(b.len, 0);
	sbuf_clear(&b);
}

/* util: white space, strings, paths */

static void
test_str_space(void **state)
{
	const char *p;
	size_t n = 99;

	assert_true(str_is_space(' ') && str_is_space('\t') &&
	    str_is_space('\n') && str_is_space('\r') && str_is_space('\f') &&
	    str_is_space('\v'));
	assert_false(str_is_space('\0'));
	assert_false(str_is_space('x'));
	assert_false(str_is_space(0xa0));

	assert_true(str_is_blank(NULL));
	assert_true(str_is_blank(""));
	assert_true(str_is_blank(" \t\n\r\f\v"));
	assert_false(str_is_blank(" x "));
	/* Only ASCII white space counts: a no-break space is text. */
	assert_false(str_is_blank("\xc2\xa0"));
	assert_false(str_is_blank("\xe3\x80\x80"));

	p = str_strip("  \t a b \r\n", &n);
	assert_int_equal(n, 3);
	assert_memory_equal(p, "a b", 3);
	p = str_strip("ab", &n);
	assert_int_equal(n, 2);
	assert_string_equal(p, "ab");
	p = str_strip("", &n);
	assert_int_equal(n, 0);
	p = str_strip(" \t\n ", &n);
	assert_int_equal(n, 0);
	assert_string_equal(p, "");
	p = str_strip("\xc2\xa0x\xc2\xa0", &n);
	assert_int_equal(n, 5);
}

static void
test_str_dup_path(void **state)
{
	char *s;

	assert_null(str_dup_null(NULL));
	s = str_dup_null("中文");
	assert_string_equal(s, "中文");
	free(s);
	s = path_join("/var/lib/site", "_posts/2022-03-23-NW1.md");
	assert_string_equal(s, "/var/lib/site/_posts/2022-03-23-NW1.md");
	free(s);
	s = path_join("", "a");
	assert_string_equal(s, "/a");
	free(s);
}

/* util: url_escape */

/* Asserts that url_escape(S) is WANT, and is what libcurl makes of S. */
static void
assert_escape(const char *s, const char *want)
{
	char *mine, *curls;

	mine = url_escape(s);
	assert_non_null(mine);
	assert_string_equal(mine, want);
	/* libcurl 7.82 and later take no handle here; configure asks 7.85. */
	curls = curl_easy_escape(NULL, s, 0);
	assert_non_null(curls);
	assert_string_equal(mine, curls);
	curl_free(curls);
	free(mine);
}

static void
test_url_escape(void **state)
{
	assert_escape("a b/中", "a%20b%2F%E4%B8%AD");
	assert_escape("", "");
	assert_escape("AZaz09-._~", "AZaz09-._~");
	assert_escape("!*'();:@&=+$,/?#[]%",
	    "%21%2A%27%28%29%3B%3A%40%26%3D%2B%24%2C%2F%3F%23%5B%5D%25");
	assert_escape("tab\there\nnl", "tab%09here%0Anl");
	assert_escape("\x7f\x80\xff", "%7F%80%FF");
	assert_escape("NW202203232319931992", "NW202203232319931992");
	assert_escape("\xf0\x9f\x98\x80", "%F0%9F%98%80");
}

/* utf8 */

/* Asserts that utf8_scan() of S[N] gives LEN and VALID. */
static void
assert_scan(const char *s, size_t n, size_t len, int valid)
{
	int v = -1;

	assert_int_equal(utf8_scan(U(s), n, &v), len);
	assert_int_equal(v, valid);
}

static void
test_utf8_scan(void **state)
{
	assert_scan("A", 1, 1, 1);
	assert_scan("\xc2\x80", 2, 2, 1);
	assert_scan("\xdf\xbf", 2, 2, 1);
	assert_scan("\xe0\xa0\x80", 3, 3, 1);
	assert_scan("\xe4\xb8\xad", 3, 3, 1);
	assert_scan("\xed\x9f\xbf", 3, 3, 1);
	assert_scan("\xee\x80\x80", 3, 3, 1);
	assert_scan("\xf0\x90\x80\x80", 4, 4, 1);
	assert_scan("\xf0\x9f\x98\x80", 4, 4, 1);
	assert_scan("\xf4\x8f\xbf\xbf", 4, 4, 1);
	/* Only the first sequence is measured. */
	assert_scan("\xe4\xb8\xad\xe6\x96\x87", 6, 3, 1);

	/*
	 * Maximal subparts, as Unicode's recommended practice counts them
	 * (one U+FFFD each; Python's decoder agrees): an overlong form, a
	 * surrogate or a code point past U+10FFFF stops at its lead byte.
	 */
	assert_scan("\xc0\x80", 2, 1, 0);
	assert_scan("\xc1\xbf", 2, 1, 0);
	assert_scan("\xe0\x80\x80", 3, 1, 0);
	assert_scan("\xed\xa0\x80", 3, 1, 0);
	assert_scan("\xed\xbf\xbf", 3, 1, 0);
	assert_scan("\xf0\x8f\xbf\xbf", 4, 1, 0);
	assert_scan("\xf4\x90\x80\x80", 4, 1, 0);
	assert_scan("\xf5\x80\x80\x80", 4, 1, 0);
	assert_scan("\xff", 1, 1, 0);
	assert_scan("\x80", 1, 1, 0);
	assert_scan("\xbf\x80", 2, 1, 0);
	/* A cut-off sequence is one subpart, however far it got. */
	assert_scan("\xc2", 1, 1, 0);
	assert_scan("\xe4\xb8", 2, 2, 0);
	assert_scan("\xe4\xb8\x41", 3, 2, 0);
	assert_scan("\xe4\x41", 2, 1, 0);
	assert_scan("\xf0\x9f\x98", 3, 3, 0);
	assert_scan("\xf0\x9f\x98\x41", 4, 3, 0);
	assert_scan("\xf0\x9f\x41", 3, 2, 0);
	/* N bounds the sequence even where more bytes follow. */
	assert_scan("\xe4\xb8\xad", 2, 2, 0);
	/* A NUL byte ends a sequence like any non-continuation byte. */
	assert_scan("\xe4\x00", 2, 1, 0);
	assert_scan("\xe4\xb8\x00", 3, 2, 0);
}

static void
test_utf8_is_valid(void **state)
{
	assert_true(utf8_is_valid(U(""), 0));
	assert_true(utf8_is_valid(U("plain ASCII"), 11));
	assert_true(utf8_is_valid(U("青岛财经日报"), strlen("青岛财经日报")));
	assert_true(utf8_is_valid(U("a\xf0\x9f\x98\x80z"), 6));
	/* A NUL byte is ASCII. */
	assert_true(utf8_is_valid(U("a\0b"), 3));
	/* The length bounds the check: the cut is the caller's. */
	assert_true(utf8_is_valid(U("ab\xff"), 2));

	assert_false(utf8_is_valid(U("ab\xff"), 3));
	assert_false(utf8_is_valid(U("\xc0\x80"), 2));
	assert_false(utf8_is_valid(U("x\xed\xa0\x80"), 4));
	assert_false(utf8_is_valid(U("\xf4\x90\x80\x80"), 4));
	assert_false(utf8_is_valid(U("中文\xe4\xb8"), 8));
	assert_false(utf8_is_valid(U("中"), 2));
	assert_false(utf8_is_valid(U("\x80"), 1));
}

/* Asserts that utf8_decode() of S[N] gives code point CP in LEN bytes. */
static void
assert_decode(const char *s, size_t n, uint32_t cp, size_t len)
{
	uint32_t got = 0xdeadbeef;

	assert_int_equal(utf8_decode(U(s), n, &got), len);
	assert_int_equal(got, cp);
}

static void
test_utf8_decode(void **state)
{
	uint32_t cp = 0xdeadbeef;

	assert_decode("A", 1, 0x41, 1);
	assert_decode("\x00", 1, 0, 1);
	assert_decode("\x7f", 1, 0x7f, 1);
	assert_decode("\xc2\x80", 2, 0x80, 2);
	assert_decode("\xc2\xa9", 2, 0xa9, 2);
	assert_decode("\xdf\xbf", 2, 0x7ff, 2);
	assert_decode("\xe0\xa0\x80", 3, 0x800, 3);
	assert_decode("\xe4\xb8\xad", 3, 0x4e2d, 3);
	assert_decode("\xed\x9f\xbf", 3, 0xd7ff, 3);
	assert_decode("\xee\x80\x80", 3, 0xe000, 3);
	assert_decode("\xef\xbf\xbf", 3, 0xffff, 3);
	assert_decode("\xf0\x90\x80\x80", 4, 0x10000, 4);
	assert_decode("\xf0\x9f\x98\x80", 4, 0x1f600, 4);
	assert_decode("\xf4\x8f\xbf\xbf", 4, 0x10ffff, 4);
	/* Only the first character. */
	assert_decode("\xe4\xb8\xad\xe6\x96\x87", 6, 0x4e2d, 3);

	/* Not a valid sequence: 0, and *CP as it was. */
	assert_int_equal(utf8_decode(U("\xc0\x80"), 2, &cp), 0);
	assert_int_equal(utf8_decode(U("\xed\xa0\x80"), 3, &cp), 0);
	assert_int_equal(utf8_decode(U("\xf4\x90\x80\x80"), 4, &cp), 0);
	assert_int_equal(utf8_decode(U("\xe4\xb8"), 2, &cp), 0);
	assert_int_equal(utf8_decode(U("\x80"), 1, &cp), 0);
	assert_int_equal(cp, 0xdeadbeef);
}

/* Asserts that CP encodes as WANT[N] (N 0: not at all). */
static void
assert_encode(uint32_t cp, const char *want, size_t n)
{
	unsigned char out[4];
	uint32_t back;

	assert_int_equal(utf8_encode(cp, out), n);
	if (n == 0)
		return;
	assert_memory_equal(out, want, n);
	assert_int_equal(utf8_decode(out, n, &back), n);
	assert_int_equal(back, cp);
}

static void
test_utf8_encode(void **state)
{
	(void)state;
	assert_encode(0x41, "A", 1);
	assert_encode(0, "\x00", 1);
	assert_encode(0x7f, "\x7f", 1);
	assert_encode(0x80, "\xc2\x80", 2);
	assert_encode(0x7ff, "\xdf\xbf", 2);
	assert_encode(0x800, "\xe0\xa0\x80", 3);
	assert_encode(0x90fd, "都", 3);
	assert_encode(0xd7ff, "\xed\x9f\xbf", 3);
	assert_encode(0xe000, "\xee\x80\x80", 3);
	assert_encode(0xffff, "\xef\xbf\xbf", 3);
	assert_encode(0x10000, "\xf0\x90\x80\x80", 4);
	assert_encode(0x20000, "\xf0\xa0\x80\x80", 4);
	assert_encode(0x10ffff, "\xf4\x8f\xbf\xbf", 4);
	assert_encode(0xd800, NULL, 0);
	assert_encode(0xdfff, NULL, 0);
	assert_encode(0x110000, NULL, 0);
	assert_encode(0xffffffff, NULL, 0);
}

/* Asserts that utf8_dup_repair() of S[N] is WANT. */
static void
assert_repair(const char *s, size_t n, const char *want)
{
	char *d = utf8_dup_repair(s, n);

	assert_non_null(d);
	assert_string_equal(d, want);
	free(d);
}

static void
test_utf8_repair(void **state)
{
	assert_repair("", 0, "");
	assert_repair("青岛 news", strlen("青岛 news"), "青岛 news");
	assert_repair("a\xe4\xb8" "b", 4, "a" UTF8_FFFD "b");
	assert_repair("\xed\xa0\x80", 3, UTF8_FFFD UTF8_FFFD UTF8_FFFD);
	assert_repair("\xc0\x80", 2, UTF8_FFFD UTF8_FFFD);
	assert_repair("\xf0\x9f\x98", 3, UTF8_FFFD);
	assert_repair("\xf0\x9f\x98\x41", 4, UTF8_FFFD "A");
	assert_repair("\xf4\x90\x80\x80", 4,
	    UTF8_FFFD UTF8_FFFD UTF8_FFFD UTF8_FFFD);
	assert_repair("\xff\xfe", 2, UTF8_FFFD UTF8_FFFD);
	/* The copy stops at a NUL byte, and at N. */
	assert_repair("ab\0cd", 5, "ab");
	assert_repair("abcdef", 3, "abc");
	/* N cutting a character leaves its start invalid. */
	assert_repair("中文", 4, "中" UTF8_FFFD);
}

/* tmpl */

/* Asserts that tmpl_fill(T, KEY, VAL) is WANT. */
static void
assert_fill(const char *t, const char *key, const char *val,
    const char *want)
{
	char *s = tmpl_fill(t, key, val);

	assert_non_null(s);
	assert_string_equal(s, want);
	free(s);
}

static void
test_tmpl_fill(void **state)
{
	assert_fill("http://h/GetNewsText.do?id={id}", "{id}", "NW1",
	    "http://h/GetNewsText.do?id=NW1");
	/* Every occurrence, left to right. */
	assert_fill("{id}/{id}.html?x={id}", "{id}", "7", "7/7.html?x=7");
	assert_fill("{id}{id}", "{id}", "ab", "abab");
	/* None: the template as it is. */
	assert_fill("//site/category/x.html", "{id}", "7",
	    "//site/category/x.html");
	assert_fill("", "{id}", "7", "");
	/* A value shorter, empty, or holding the key itself (no rescan). */
	assert_fill("a{category}b", "{category}", "", "ab");
	assert_fill("<{id}>", "{id}", "{id}{id}", "<{id}{id}>");
	assert_fill("{i{id}d}", "{id}", "x", "{ixd}");
	/* An empty key names nothing. */
	assert_fill("a{id}b", "", "x", "a{id}b");
	assert_fill("/{category}.html", "{category}", "财经", "/财经.html");
}

/* datetime */

static void
assert_local(const char *s, int y, int mo, int d, int h, int mi, int sec)
{
	struct datetime dt;

	memset(&dt, 0x55, sizeof(dt));
	if (datetime_parse_local(s, &dt) != 0)
		fail_msg("'%s' does not parse", s);
	assert_int_equal(dt.y, y);
	assert_int_equal(dt.mo, mo);
	assert_int_equal(dt.d, d);
	assert_int_equal(dt.h, h);
	assert_int_equal(dt.mi, mi);
	assert_int_equal(dt.s, sec);
	assert_int_equal(dt.offset, 0);
}

static void
assert_bad_local(const char *s)
{
	struct datetime dt;

	if (datetime_parse_local(s, &dt) != -1)
		fail_msg("'%s' parses", s != NULL ? s : "(null)");
}

static void
test_parse_local(void **state)
{
	assert_local("2022-03-23 10:34:11", 2022, 3, 23, 10, 34, 11);
	assert_local("1970-01-01 00:00:00", 1970, 1, 1, 0, 0, 0);
	assert_local("2024-02-29 23:59:59", 2024, 2, 29, 23, 59, 59);
	assert_local("2000-02-29 12:00:00", 2000, 2, 29, 12, 0, 0);
	assert_local("2022-12-31 23:59:59", 2022, 12, 31, 23, 59, 59);
	/* The local shape takes any four-digit year; the epoch is record's. */
	assert_local("1969-12-31 23:59:59", 1969, 12, 31, 23, 59, 59);

	/* February 29 in common years, a century among them. */
	assert_bad_local("2023-02-29 00:00:00");
	assert_bad_local("1900-02-29 00:00:00");
	assert_bad_local("2100-02-29 00:00:00");
	assert_bad_local("2024-02-30 00:00:00");
	assert_bad_local("2022-04-31 00:00:00");
	assert_bad_local("2022-13-01 00:00:00");
	assert_bad_local("2022-00-01 00:00:00");
	assert_bad_local("2022-01-00 00:00:00");
	assert_bad_local("2022-01-32 00:00:00");
	assert_bad_local("2022-03-23 24:00:00");
	assert_bad_local("2022-03-23 23:60:00");
	assert_bad_local("2022-03-23 23:59:60");
	/* Trailing junk, a zone, short forms, other separators. */
	assert_bad_local("2022-03-23 10:34:11 ");
	assert_bad_local("2022-03-23 10:34:11x");
	assert_bad_local("2022-03-23 10:34:11 +0800");
	assert_bad_local("2022-03-23 10:34:1");
	assert_bad_local("2022-03-23 10:34");
	assert_bad_local("2022-03-23");
	assert_bad_local("2022-3-23 10:34:11");
	assert_bad_local("2022-03-23T10:34:11");
	assert_bad_local("2022/03/23 10:34:11");
	assert_bad_local(" 2022-03-23 10:34:11");
	assert_bad_local("+022-03-23 10:34:11");
	assert_bad_local("2022-03-23 10:3a:11");
	assert_bad_local("");
	assert_bad_local(NULL);
}

static void
assert_offset(const char *s, long want)
{
	long off = 12345;

	if (datetime_parse_offset(s, &off) != 0)
		fail_msg("'%s' does not parse", s);
	assert_int_equal(off, want);
}

static void
assert_bad_offset(const char *s)
{
	long off = 12345;

	if (datetime_parse_offset(s, &off) != -1)
		fail_msg("'%s' parses", s != NULL ? s : "(null)");
	assert_int_equal(off, 12345);
}

static void
test_parse_offset(void **state)
{
	assert_offset("+0800", 8 * 3600);
	assert_offset("-0330", -(3 * 3600 + 30 * 60));
	assert_offset("+0000", 0);
	assert_offset("-0000", 0);
	assert_offset("+0545", 5 * 3600 + 45 * 60);
	assert_offset("+2359", 23 * 3600 + 59 * 60);
	assert_offset("-1200", -12 * 3600);

	assert_bad_offset("0800");
	assert_bad_offset("+800");
	assert_bad_offset("+08:00");
	assert_bad_offset("+08000");
	assert_bad_offset("+0800 ");
	assert_bad_offset(" +0800");
	assert_bad_offset("+2400");
	assert_bad_offset("+0860");
	assert_bad_offset("+08a0");
	assert_bad_offset("Z");
	assert_bad_offset("+");
	assert_bad_offset("");
	assert_bad_offset(NULL);
}

static void
test_parse_published(void **state)
{
	struct datetime dt;

	assert_int_equal(datetime_parse_published("2022-03-23 10:34:11 +0800",
	    &dt), 0);
	assert_int_equal(dt.y, 2022);
	assert_int_equal(dt.mo, 3);
	assert_int_equal(dt.d, 23);
	assert_int_equal(dt.h, 10);
	assert_int_equal(dt.mi, 34);
	assert_int_equal(dt.s, 11);
	assert_int_equal(dt.offset, 28800);
	assert_int_equal(datetime_parse_published("2024-02-29 00:00:00 -0330",
	    &dt), 0);
	assert_int_equal(dt.offset, -12600);

	assert_int_equal(datetime_parse_published("2022-03-23 10:34:11",
	    &dt), -1);
	assert_int_equal(datetime_parse_published("2022-03-23 10:34:11 ",
	    &dt), -1);
	assert_int_equal(datetime_parse_published("2022-03-23 10:34:11  +0800",
	    &dt), -1);
	assert_int_equal(datetime_parse_published("2022-03-23 10:34:11+0800",
	    &dt), -1);
	assert_int_equal(datetime_parse_published("2022-03-23 10:34:11 +08",
	    &dt), -1);
	assert_int_equal(datetime_parse_published("2022-03-23 10:34:11 +0800 ",
	    &dt), -1);
	assert_int_equal(datetime_parse_published("2022-03-23T10:34:11 +0800",
	    &dt), -1);
	assert_int_equal(datetime_parse_published("2023-02-29 10:34:11 +0800",
	    &dt), -1);
	assert_int_equal(datetime_parse_published("2022-03-23 10:34:11 +2400",
	    &dt), -1);
	assert_int_equal(datetime_parse_published("", &dt), -1);
	assert_int_equal(datetime_parse_published(NULL, &dt), -1);
}

/* Asserts that the published time S is WANT seconds since the epoch. */
static void
assert_epoch(const char *s, long long want)
{
	struct datetime dt;

	if (datetime_parse_published(s, &dt) != 0)
		fail_msg("'%s' does not parse", s);
	assert_int_equal(datetime_epoch(&dt), want);
}

static void
test_epoch(void **state)
{
	/* Values from Python's calendar.timegm(), less the offset. */
	assert_epoch("1970-01-01 00:00:00 +0000", 0);
	assert_epoch("2022-03-23 10:34:11 +0800", 1648002851);
	assert_epoch("2022-03-23 02:34:11 +0000", 1648002851);
	assert_epoch("1969-12-31 23:59:59 +0000", -1);
	assert_epoch("1970-01-01 00:00:00 +0800", -28800);
	assert_epoch("2000-02-29 12:00:00 -0330", 951838200);
	assert_epoch("2024-02-29 23:59:59 -0030", 1709252999);
	assert_epoch("9999-12-31 23:59:59 +0000", 253402300799LL);
	/* Year 0 (a leap year) takes the negative era of the algorithm. */
	assert_epoch("0000-01-01 00:00:00 +0000", -62167219200LL);
}

static void
assert_rfc3339(const char *s, const char *want)
{
	struct datetime dt;
	char buf[26];

	if (datetime_parse_published(s, &dt) != 0)
		fail_msg("'%s' does not parse", s);
	assert_int_equal(datetime_rfc3339(&dt, buf, sizeof(buf)), 0);
	assert_string_equal(buf, want);
}

static void
test_rfc3339(void **state)
{
	struct datetime dt;
	char buf[32];

	assert_rfc3339("2022-03-23 10:34:11 +0800", "2022-03-23T10:34:11+08:00");
	assert_rfc3339("2022-03-23 10:34:11 +0000", "2022-03-23T10:34:11+00:00");
	assert_rfc3339("2022-03-23 10:34:11 -0330", "2022-03-23T10:34:11-03:30");
	assert_rfc3339("2022-03-23 10:34:11 -1200", "2022-03-23T10:34:11-12:00");
	/* Less than an hour west: the sign must not be lost with the hours. */
	assert_rfc3339("2022-03-23 10:34:11 -0030", "2022-03-23T10:34:11-00:30");
	assert_rfc3339("1970-01-01 00:00:00 +0545", "1970-01-01T00:00:00+05:45");

	/* 25 characters and the NUL: 26 bytes fit, 25 do not. */
	assert_int_equal(datetime_parse_published("2022-03-23 10:34:11 +0800",
	    &dt), 0);
	assert_int_equal(datetime_rfc3339(&dt, buf, 26), 0);
	assert_int_equal(strlen(buf), 25);
	errno = 0;
	assert_int_equal(datetime_rfc3339(&dt, buf, 25), -1);
	assert_int_equal(errno, ENOSPC);
	errno = 0;
	assert_int_equal(datetime_rfc3339(&dt, buf, 1), -1);
	assert_int_equal(errno, ENOSPC);
	errno = 0;
	assert_int_equal(datetime_rfc3339(&dt, NULL, 0), -1);
	assert_int_equal(errno, ENOSPC);
}

/* strset: strmap */

static void
test_strmap(void **state)
{
	struct strmap m = { 0 };
	char key[8];

	(void)state;
	assert_null(strmap_get(&m, "成都日报"));
	assert_int_equal(strmap_set(&m, "成都日报", "chengduribao"), 0);
	assert_int_equal(strmap_set(&m, "长城证券", "changchengzhengquan"), 0);
	assert_string_equal(strmap_get(&m, "成都日报"), "chengduribao");
	assert_string_equal(strmap_get(&m, "长城证券"), "changchengzhengquan");
	assert_null(strmap_get(&m, "成都"));
	assert_null(strmap_get(&m, ""));
	/* A key set again takes the new value, and is not there twice. */
	assert_int_equal(strmap_set(&m, "成都日报", "chengdouribao"), 0);
	assert_string_equal(strmap_get(&m, "成都日报"), "chengdouribao");
	assert_int_equal(strmap_set(&m, "", ""), 0);
	assert_string_equal(strmap_get(&m, ""), "");
	/* The map keeps copies: the caller's buffer may change. */
	strcpy(key, "k1");
	assert_int_equal(strmap_set(&m, key, key), 0);
	strcpy(key, "k2");
	assert_string_equal(strmap_get(&m, "k1"), "k1");
	assert_null(strmap_get(&m, key));
	strmap_clear(&m);
	assert_null(strmap_get(&m, "成都日报"));
	/* A cleared map is empty and usable; clearing twice is harmless. */
	assert_int_equal(strmap_set(&m, "a", "b"), 0);
	assert_string_equal(strmap_get(&m, "a"), "b");
	strmap_clear(&m);
	strmap_clear(&m);
}

/* Parses S as FMT; asserts it gives Y-MO-D H:MI:S (and OFFSET if any). */
static void
assert_format(const char *s, const char *fmt, int y, int mo, int d, int h,
    int mi, int sec)
{
	struct datetime dt;
	long long e;
	int has_off, has_epoch;

	if (datetime_parse_format(s, fmt, &dt, &has_off, &e, &has_epoch) != 0)
		fail_msg("'%s' does not parse as '%s'", s, fmt);
	assert_int_equal(has_epoch, 0);
	assert_int_equal(dt.y, y);
	assert_int_equal(dt.mo, mo);
	assert_int_equal(dt.d, d);
	assert_int_equal(dt.h, h);
	assert_int_equal(dt.mi, mi);
	assert_int_equal(dt.s, sec);
}

static void
assert_not_format(const char *s, const char *fmt)
{
	struct datetime dt;
	long long e;
	int has_off, has_epoch;

	if (datetime_parse_format(s, fmt, &dt, &has_off, &e, &has_epoch) == 0)
		fail_msg("'%s' parses as '%s'", s, fmt);
}

static void
test_parse_format(void **state)
{
	struct datetime dt;
	long long e;
	int has_off, has_epoch;
	char err[256];

	assert_format("2024年06月03日 10:05", "%Y年%m月%d日 %H:%M",
	    2024, 6, 3, 10, 5, 0);
	assert_format("2024年6月3日 9:05", "%Y年%m月%d日 %H:%M",
	    2024, 6, 3, 9, 5, 0);
	assert_format("2024/06/03 10:05", "%Y/%m/%d %H:%M", 2024, 6, 3, 10, 5,
	    0);
	assert_format("发布时间：2024-06-03  10:05:09", "发布时间：%F %T",
	    2024, 6, 3, 10, 5, 9);
	/* A ":%S" at the end may be left out. */
	assert_format("2024-06-03 10:05", "%Y-%m-%d %H:%M:%S", 2024, 6, 3, 10,
	    5, 0);
	assert_format("2024-06-03 10:05", "%F %T", 2024, 6, 3, 10, 5, 0);
	assert_format("24-06-03", "%y-%m-%d", 2024, 6, 3, 0, 0, 0);
	assert_format("100%: 2024-06-03", "100%%: %F", 2024, 6, 3, 0, 0, 0);
	assert_format("20240603100509", "%Y%m%d%H%M%S", 2024, 6, 3, 10, 5, 9);

	assert_int_equal(datetime_parse_format("2024-06-03T02:05:00+08:00",
	    "%Y-%m-%dT%H:%M:%S%z", &dt, &has_off, &e, &has_epoch), 0);
	assert_int_equal(has_off, 1);
	assert_int_equal(dt.offset, 8 * 3600);
	assert_int_equal(datetime_parse_format("2024-06-03 02:05:00 Z",
	    "%F %T %z", &dt, &has_off, &e, &has_epoch), 0);
	assert_int_equal(dt.offset, 0);
	assert_int_equal(datetime_parse_format("2024-06-03 02:05 -0530",
	    "%F %H:%M %z", &dt, &has_off, &e, &has_epoch), 0);
	assert_int_equal(dt.offset, -(5 * 3600 + 30 * 60));
	assert_int_equal(datetime_parse_format("1717380300", "%s", &dt,
	    &has_off, &e, &has_epoch), 0);
	assert_int_equal(has_epoch, 1);
	assert_int_equal(e, 1717380300);

	assert_not_format("2024-06-03 10:05:", "%Y-%m-%d %H:%M:%S");
	assert_not_format("2024-06-03 10", "%Y-%m-%d %H:%M:%S");
	assert_not_format("2024-06-03", "%Y-%m-%d %H:%M");
	assert_not_format("2024-02-30 10:05", "%Y-%m-%d %H:%M");
	assert_not_format("2024-06-03 24:00", "%Y-%m-%d %H:%M");
	assert_not_format("2024-06-03 10:05 ", "%Y-%m-%d %H:%M");
	assert_not_format(" 2024-06-03 10:05", "%Y-%m-%d %H:%M");
	assert_not_format("2024-06-0310:05", "%Y-%m-%d %H:%M");
	assert_not_format("24-06-03", "%Y-%m-%d");
	assert_not_format("2024/06/03", "%Y-%m-%d");
	assert_not_format("2024-06-03 +08:", "%F %z");
	assert_not_format("x", "%s");
	assert_not_format("", "%F");
	assert_not_format("2024-06-03", "%Q");

	assert_int_equal(datetime_format_check("%Y年%m月%d日 %H:%M", err,
	    sizeof(err)), 0);
	assert_int_equal(datetime_format_check("%s", err, sizeof(err)), 0);
	assert_int_equal(datetime_format_check("%F %T", err, sizeof(err)), 0);
	assert_int_equal(datetime_format_check("%Y-%m-%d %Q", err,
	    sizeof(err)), -1);
	assert_string_equal(err, "unknown directive %Q (known: %Y %y %m %d "
	    "%H %M %S %F %T %z %s %%)");
	assert_int_equal(datetime_format_check("%Y-%m-%d %", err,
	    sizeof(err)), -1);
	assert_int_equal(datetime_format_check("%H:%M", err, sizeof(err)), -1);
	assert_string_equal(err, "names no day (it needs %Y, %m and %d, or "
	    "%s)");
}

static void
test_from_epoch(void **state)
{
	static const char *const dates[] = {
		"1970-01-01 00:00:00", "2024-02-29 23:59:59",
		"2000-03-01 00:00:00", "1999-12-31 12:34:56",
		"9999-12-31 23:59:59", "2022-03-23 10:34:11",
	};
	static const long offsets[] = { 0, 8 * 3600, -(3 * 3600 + 1800) };
	struct datetime dt, back;

	for (size_t i = 0; i < sizeof(dates) / sizeof(dates[0]); i++)
		for (size_t k = 0; k < 3; k++) {
			assert_int_equal(datetime_parse_local(dates[i], &dt), 0);
			dt.offset = offsets[k];
			datetime_from_epoch(datetime_epoch(&dt), offsets[k],
			    &back);
			assert_memory_equal(&dt, &back, sizeof(dt));
		}
	datetime_from_epoch(-1, 0, &dt);
	assert_int_equal(dt.y, 1969);
	assert_int_equal(dt.mo, 12);
	assert_int_equal(dt.d, 31);
	assert_int_equal(dt.s, 59);
	/* 2024-06-03 10:05 in Beijing is 02:05 UTC. */
	datetime_from_epoch(1717380300, 8 * 3600, &dt);
	assert_int_equal(dt.h, 10);
	assert_int_equal(dt.mi, 5);
}

/* Hits "x" 1,000 times; returns how many of them failed. */
static void *
fault_hits(void *arg)
{
	long failed = 0;

	(void)arg;
	for (int i = 0; i < 1000; i++)
		failed += fault_hit("x");
	return (void *)failed;
}

/*
 * An armed point fails at its Nth hit only, counted over every thread (the
 * batch writer's hits points too), and the environment, read at the first
 * hit, does not undo what fault_arm set.
 */
static void
test_fault(void **state)
{
	pthread_t t[2];
	void *r[2];

	(void)state;
	setenv("FINEWSD_FAULT", "y:fail:1", 1);
	fault_arm("x:fail:2");
	assert_int_equal(fault_hit("y"), 0);
	assert_int_equal(fault_hit("x"), 0);
	errno = 0;
	assert_int_equal(fault_hit("x"), 1);
	assert_int_equal(errno, EIO);
	assert_int_equal(fault_hit("x"), 0);
	fault_arm("x:fail:1500");
	for (int i = 0; i < 2; i++)
		assert_int_equal(pthread_create(&t[i], NULL, fault_hits, NULL), 0);
	for (int i = 0; i < 2; i++)
		assert_int_equal(pthread_join(t[i], &r[i]), 0);
	assert_int_equal((long)r[0] + (long)r[1], 1);
	fault_arm(NULL);
	assert_int_equal(fault_hit("x"), 0);
	unsetenv("FINEWSD_FAULT");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_err_set),
		cmocka_unit_test(test_fault),
		cmocka_unit_test(test_vec_growth),
		cmocka_unit_test(test_vec_overflow),
		cmocka_unit_test(test_vec_huge_element),
		cmocka_unit_test(test_sbuf),
		cmocka_unit_test(test_sbuf_empty),
		cmocka_unit_test(test_sbuf_fit),
		cmocka_unit_test(test_sbuf_failure),
		cmocka_unit_test(test_str_space),
		cmocka_unit_test(test_str_dup_path),
		cmocka_unit_test(test_url_escape),
		cmocka_unit_test(test_utf8_scan),
		cmocka_unit_test(test_utf8_is_valid),
		cmocka_unit_test(test_utf8_decode),
		cmocka_unit_test(test_utf8_encode),
		cmocka_unit_test(test_utf8_repair),
		cmocka_unit_test(test_tmpl_fill),
		cmocka_unit_test(test_parse_local),
		cmocka_unit_test(test_parse_offset),
		cmocka_unit_test(test_parse_published),
		cmocka_unit_test(test_epoch),
		cmocka_unit_test(test_parse_format),
		cmocka_unit_test(test_from_epoch),
		cmocka_unit_test(test_rfc3339),
		cmocka_unit_test(test_strmap),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
