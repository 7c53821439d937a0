/*
 * slug: the category slug of a media name.  See slug.h.
 *
 * The readings live in pinyin_table.c, generated from Unihan by
 * tools/gen-pinyin.sh: one sorted array of packed (code point, reading)
 * entries that slug_reading() binary-searches.  Pure functions; calls
 * nothing but libc.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pinyin_table.h"
#include "slug.h"

/*
 * Decodes the UTF-8 sequence at S, which ends at the NUL.  Stores its code
 * point in *CP and returns its length, or returns 0 when S does not start a
 * valid sequence (a stray continuation byte, a truncated sequence, an
 * overlong form, a surrogate or a value past U+10FFFF): the caller then
 * drops that one byte and resynchronises on the next.
 */
static size_t
slug_decode(const unsigned char *s, uint32_t *cp)
{
	uint32_t c, min;
	size_t len, i;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		len = 2, min = 0x80, c = s[0] & 0x1f;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		len = 3, min = 0x800, c = s[0] & 0x0f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		len = 4, min = 0x10000, c = s[0] & 0x07;
	} else
		return 0;
	/* The NUL is not a continuation byte, so this never reads past it. */
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (s[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return len;
}

/*
 * The ASCII letter or digit that code point CP stands for, or 0: ASCII
 * itself, and the full-width forms an input method produces ("３６氪" is
 * meant as "36氪").
 */
static char
slug_ascii(uint32_t cp)
{
	if ((cp >= '0' && cp <= '9') || (cp >= 'A' && cp <= 'Z') ||
	    (cp >= 'a' && cp <= 'z'))
		return (char)cp;
	if (cp >= 0xff10 && cp <= 0xff19)
		return (char)('0' + (cp - 0xff10));
	if (cp >= 0xff21 && cp <= 0xff3a)
		return (char)('A' + (cp - 0xff21));
	if (cp >= 0xff41 && cp <= 0xff5a)
		return (char)('a' + (cp - 0xff41));
	return 0;
}

/*
 * Walks NAME and returns the length of its slug; writes the slug to OUT
 * too, unless OUT is NULL.  Two passes of this size the buffer exactly.
 */
static size_t
slug_walk(const char *name, char *out)
{
	const unsigned char *s = (const unsigned char *)name;
	const char *r;
	size_t n = 0, len, rlen;
	uint32_t cp;
	char c;

	while (*s != '\0') {
		if ((len = slug_decode(s, &cp)) == 0) {
			s++;
			continue;
		}
		s += len;
		if ((c = slug_ascii(cp)) != 0) {
			if (out != NULL)
				out[n] = c;
			n++;
		} else if ((r = slug_reading(cp)) != NULL) {
			rlen = strlen(r);
			if (out != NULL)
				memcpy(out + n, r, rlen);
			n += rlen;
		}
	}
	return n;
}

char *
slug_make(const char *name)
{
	size_t n;
	char *slug;

	n = slug_walk(name, NULL);
	if ((slug = malloc(n + 1)) == NULL)
		return NULL;
	slug_walk(name, slug);
	slug[n] = '\0';
	return slug;
}

int
slug_is_clean(const char *s)
{
	if (s == NULL || *s == '\0')
		return 0;
	for (; *s != '\0'; s++)
		if (!((*s >= '0' && *s <= '9') || (*s >= 'A' && *s <= 'Z') ||
		    (*s >= 'a' && *s <= 'z') || *s == '_' || *s == '-'))
			return 0;
	return 1;
}

/* Orders a code point (the key) against the code point of an entry. */
static int
slug_entry_cmp(const void *key, const void *elem)
{
	uint32_t cp = *(const uint32_t *)key;
	uint32_t ecp = PINYIN_ENTRY_CP(*(const uint32_t *)elem);

	return (cp > ecp) - (cp < ecp);
}

/* The first entry of code point CP (its first kMandarin reading), or NULL. */
static const uint32_t *
slug_first(uint32_t cp)
{
	const uint32_t *e;

	e = bsearch(&cp, pinyin_entries, pinyin_nentries,
	    sizeof(pinyin_entries[0]), slug_entry_cmp);
	/* A code point has one entry per candidate reading: bsearch may land
	 * on any of them. */
	while (e != NULL && e > pinyin_entries && PINYIN_ENTRY_CP(e[-1]) == cp)
		e--;
	return e;
}

const char *
slug_reading(unsigned cp)
{
	const uint32_t *e = slug_first(cp);

	return e != NULL ? pinyin_readings[PINYIN_ENTRY_READING(*e)] : NULL;
}

size_t
slug_readings(unsigned cp, const char **out, size_t max)
{
	const uint32_t *e = slug_first(cp), *end = pinyin_entries + pinyin_nentries;
	size_t n = 0;

	for (; e != NULL && e < end && PINYIN_ENTRY_CP(*e) == cp && n < max; e++)
		out[n++] = pinyin_readings[PINYIN_ENTRY_READING(*e)];
	return n;
}
