/*
 * utf8: the UTF-8 decoder, and its inverse.  See utf8.h.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "utf8.h"

/*
 * The body of utf8_scan(), inlined into utf8_is_valid(): the JSON side
 * validates every string of a response with it, and a call per character
 * made the seed article's parse measurably slower.
 */
static inline size_t
utf8_measure(const unsigned char *s, size_t n, int *valid)
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
utf8_scan(const unsigned char *s, size_t n, int *valid)
{
	return utf8_measure(s, n, valid);
}

int
utf8_is_valid(const unsigned char *s, size_t n)
{
	const unsigned char *end = s + n;
	int valid;

	while (s < end) {
		if (*s < 0x80) {
			s++;
			continue;
		}
		s += utf8_measure(s, (size_t)(end - s), &valid);
		if (!valid)
			return 0;
	}
	return 1;
}

size_t
utf8_decode(const unsigned char *s, size_t n, uint32_t *cp)
{
	int valid;
	size_t k = utf8_measure(s, n, &valid);

	if (!valid)
		return 0;
	switch (k) {
	case 1:
		*cp = s[0];
		break;
	case 2:
		*cp = (uint32_t)(s[0] & 0x1f) << 6 | (s[1] & 0x3f);
		break;
	case 3:
		*cp = (uint32_t)(s[0] & 0x0f) << 12 |
		    (uint32_t)(s[1] & 0x3f) << 6 | (s[2] & 0x3f);
		break;
	default:
		*cp = (uint32_t)(s[0] & 0x07) << 18 |
		    (uint32_t)(s[1] & 0x3f) << 12 |
		    (uint32_t)(s[2] & 0x3f) << 6 | (s[3] & 0x3f);
		break;
	}
	return k;
}

size_t
utf8_encode(uint32_t cp, unsigned char out[4])
{
	if (cp < 0x80) {
		out[0] = (unsigned char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (unsigned char)(0xc0 | cp >> 6);
		out[1] = (unsigned char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if ((cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	if (cp < 0x10000) {
		out[0] = (unsigned char)(0xe0 | cp >> 12);
		out[1] = (unsigned char)(0x80 | (cp >> 6 & 0x3f));
		out[2] = (unsigned char)(0x80 | (cp & 0x3f));
		return 3;
	}
	out[0] = (unsigned char)(0xf0 | cp >> 18);
	out[1] = (unsigned char)(0x80 | (cp >> 12 & 0x3f));
	out[2] = (unsigned char)(0x80 | (cp >> 6 & 0x3f));
	out[3] = (unsigned char)(0x80 | (cp & 0x3f));
	return 4;
}

char *
utf8_dup_repair(const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	const size_t nr = sizeof(UTF8_FFFD) - 1;
	size_t i, k, need = 0;
	char *d, *p;
	int valid;

	n = strnlen(s, n);
	if (utf8_is_valid(u, n))
		return strndup(s, n);
	/* A byte grows to 3 at the most, so NEED cannot overflow. */
	if (n > (SIZE_MAX - 1) / nr)
		return NULL;
	for (i = 0; i < n; i += k) {
		k = utf8_measure(u + i, n - i, &valid);
		need += valid ? k : nr;
	}
	if ((p = d = malloc(need + 1)) == NULL)
		return NULL;
	for (i = 0; i < n; i += k) {
		k = utf8_measure(u + i, n - i, &valid);
		memcpy(p, valid ? s + i : UTF8_FFFD, valid ? k : nr);
		p += valid ? k : nr;
	}
	*p = '\0';
	return d;
}
