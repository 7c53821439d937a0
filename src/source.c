/*
 * source: the common part of the source parser.  See source.h for the
 * interface and source_impl.h for what its three files share.
 *
 * It owns what does not depend on the response's format: the dispatch of
 * source_parse_list() and source_parse_text() to the JSON parsers of
 * source_json.c and the HTML parsers of source_html.c, the checks a record
 * must pass before it may become a post (source_date_parse(),
 * source_id_is_fit(), the skip reasons), and the helpers both parsers use:
 * error messages, the growth of a record list, white space and UTF-8.  It
 * calls only the C library and those two files' entry points.
 *
 * Everything here is a pure function of its arguments: no I/O, no logging,
 * no state, so that a fuzzer can drive it.
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "source.h"
#include "source_impl.h"

/*
 * The longest id that still leaves room for the rest of a post's file name
 * ("YYYY-MM-DD-", ".md", and a temporary suffix while it is written) within
 * the 255 bytes a file name may have on the usual file systems.
 */
#define SOURCE_ID_MAX	200

void
source_err_set(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

static int
source_is_space(int c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
	    c == '\v';
}

/* 1 when S is absent, empty, or nothing but ASCII white space. */
static int
source_is_blank(const char *s)
{
	if (s == NULL)
		return 1;
	for (; *s != '\0'; s++)
		if (!source_is_space((unsigned char)*s))
			return 0;
	return 1;
}

const char *
source_space_strip(const char *s, size_t *n)
{
	size_t k;

	while (source_is_space((unsigned char)*s))
		s++;
	k = strlen(s);
	while (k > 0 && source_is_space((unsigned char)s[k - 1]))
		k--;
	*n = k;
	return s;
}

/*
 * The body of source_utf8_scan(), inlined into source_utf8_is_valid(): the
 * JSON side validates every string of a response with it, and a call per
 * character made the seed article's parse measurably slower.
 */
static inline size_t
source_utf8_measure(const unsigned char *s, size_t n, int *valid)
{
	unsigned char lo = 0x80, hi = 0xbf;
	size_t k;

	*valid = 0;
	if (*s < 0x80) {
		*valid = 1;
		return 1;
	}
	if (*s >= 0xc2 && *s <= 0xdf)
		k = 2;
	else if (*s >= 0xe0 && *s <= 0xef) {
		k = 3;
		if (*s == 0xe0)
			lo = 0xa0;
		else if (*s == 0xed)
			hi = 0x9f;
	} else if (*s >= 0xf0 && *s <= 0xf4) {
		k = 4;
		if (*s == 0xf0)
			lo = 0x90;
		else if (*s == 0xf4)
			hi = 0x8f;
	} else
		return 1;
	/*
	 * The second byte's range is narrowed where the lead byte alone
	 * would allow an overlong form, a surrogate or a code point past
	 * U+10FFFF, so that such a sequence stops at its lead byte.
	 */
	if (n >= k && s[1] >= lo && s[1] <= hi &&
	    (k < 3 || (s[2] & 0xc0) == 0x80) &&
	    (k < 4 || (s[3] & 0xc0) == 0x80)) {
		*valid = 1;
		return k;
	}
	if (n < 2 || s[1] < lo || s[1] > hi)
		return 1;
	if (k == 3 || n < 3 || (s[2] & 0xc0) != 0x80)
		return 2;
	return 3;
}

size_t
source_utf8_scan(const unsigned char *s, size_t n, int *valid)
{
	return source_utf8_measure(s, n, valid);
}

int
source_utf8_is_valid(const unsigned char *s, size_t n)
{
	const unsigned char *end = s + n;
	int valid;

	while (s < end) {
		if (*s < 0x80) {
			s++;
			continue;
		}
		s += source_utf8_measure(s, (size_t)(end - s), &valid);
		if (!valid)
			return 0;
	}
	return 1;
}

/* Growing geometrically keeps a long run of appends linear. */
int
source_list_reserve(struct record_list *l, size_t extra)
{
	struct record *v;
	size_t need, cap;

	if (extra <= l->cap - l->n)
		return 0;
	if (extra > SIZE_MAX / sizeof(*v) - l->n)
		return -1;
	need = l->n + extra;
	cap = l->cap < 16 ? 16 : l->cap;
	while (cap < need)
		cap = cap > SIZE_MAX / sizeof(*v) / 2 ? need : cap * 2;
	if ((v = realloc(l->v, cap * sizeof(*v))) == NULL)
		return -1;
	l->v = v;
	l->cap = cap;
	return 0;
}

struct record *
source_list_push(struct record_list *l)
{
	struct record *r = &l->v[l->n++];

	memset(r, 0, sizeof(*r));
	return r;
}

void
source_list_truncate(struct record_list *l, size_t n)
{
	while (l->n > n)
		record_clear(&l->v[--l->n]);
}

const char *
source_record_check(const struct conf_source *sc, const struct record *r,
    int own_file_id, int media_wanted)
{
	time_t t;

	if (source_is_blank(r->id))
		return "no id";
	if (!source_id_is_fit(r->id))
		return "id unfit for a file name";
	if (own_file_id) {
		if (source_is_blank(r->file_id))
			return "no file id";
		if (!source_id_is_fit(r->file_id))
			return "file id unfit for a file name";
	}
	if (source_is_blank(r->title))
		return "no title";
	if (source_is_blank(r->date))
		return "no date";
	if (source_date_parse(r->date, 0, &t) == -1)
		return "bad date";
	if (media_wanted && sc->category == NULL && source_is_blank(r->media))
		return "no media";
	return NULL;
}

/* The public functions */

int
source_parse_list(const struct conf_source *sc, const char *buf, size_t len,
    struct record_list *out, char *err, size_t errlen)
{
	if (sc->format == CONF_FORMAT_HTML)
		return source_html_list(sc, buf, len, out, err, errlen);
	return source_json_list(sc, buf, len, out, err, errlen);
}

char *
source_parse_text(const struct conf_source *sc, const char *buf, size_t len,
    char *err, size_t errlen)
{
	if (sc->format == CONF_FORMAT_HTML)
		return source_html_text(sc, buf, len, err, errlen);
	return source_json_text(sc, buf, len, err, errlen);
}

/* Days from 1970-01-01 to Y-M-D of the proleptic Gregorian calendar. */
static long long
source_days_from_civil(long long y, int m, int d)
{
	long long era, yoe, doy, doe;

	y -= m <= 2;
	era = y / 400;
	yoe = y - era * 400;
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static int
source_digits(const char *s, int n)
{
	int v = 0;

	while (n-- > 0)
		v = v * 10 + (*s++ - '0');
	return v;
}

int
source_date_parse(const char *s, long tz_offset, time_t *t)
{
	static const char shape[] = "dddd-dd-dd dd:dd:dd";
	static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int i, y, mo, d, h, mi, sec, leap;

	if (s == NULL)
		return -1;
	/* A shorter string fails at its NUL, so this never reads past it. */
	for (i = 0; shape[i] != '\0'; i++) {
		if (shape[i] == 'd' ? s[i] < '0' || s[i] > '9' : s[i] != shape[i])
			return -1;
	}
	if (s[i] != '\0')
		return -1;
	y = source_digits(s, 4);
	mo = source_digits(s + 5, 2);
	d = source_digits(s + 8, 2);
	h = source_digits(s + 11, 2);
	mi = source_digits(s + 14, 2);
	sec = source_digits(s + 17, 2);
	if (y < 1970 || mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 ||
	    sec > 59)
		return -1;
	leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	if (d > mdays[mo - 1] + (mo == 2 && leap))
		return -1;
	*t = (time_t)(source_days_from_civil(y, mo, d) * 86400 + h * 3600 +
	    mi * 60 + sec - (long long)tz_offset);
	return 0;
}

int
source_id_is_fit(const char *s)
{
	const unsigned char *p;

	if (s == NULL || s[0] == '\0' || s[0] == '.')
		return 0;
	for (p = (const unsigned char *)s; *p != '\0'; p++)
		if (*p == '/' || *p < 0x20 || *p == 0x7f)
			return 0;
	return p - (const unsigned char *)s <= SOURCE_ID_MAX;
}
