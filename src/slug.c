/*
 * slug: the category slug of a media name.  See slug.h.
 *
 * The readings live in pinyin_table.c, generated from Unihan by
 * tools/gen-pinyin.sh: one sorted array of packed (code point, reading)
 * entries that slug_reading_find() binary-searches.  Pure functions;
 * calls utf8 (decoding) and libc.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pinyin_table.h"
#include "slug.h"
#include "utf8.h"

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
	const unsigned char *end = s + strlen(name);
	const char *r;
	size_t n = 0, len, rlen;
	uint32_t cp;
	char c;

	while (s < end) {
		/* An invalid sequence loses one byte; the next may start a
		 * valid one. */
		if ((len = utf8_decode(s, (size_t)(end - s), &cp)) == 0) {
			s++;
			continue;
		}
		s += len;
		if ((c = slug_ascii(cp)) != 0) {
			if (out != NULL)
				out[n] = c;
			n++;
		} else if ((r = slug_reading_find(cp)) != NULL) {
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
slug_reading_find(unsigned cp)
{
	const uint32_t *e = slug_first(cp);

	return e != NULL ? pinyin_readings[PINYIN_ENTRY_READING(*e)] : NULL;
}

size_t
slug_readings_find(unsigned cp, const char **out, size_t max)
{
	const uint32_t *e = slug_first(cp), *end = pinyin_entries + pinyin_nentries;
	size_t n = 0;

	for (; e != NULL && e < end && PINYIN_ENTRY_CP(*e) == cp && n < max; e++)
		out[n++] = pinyin_readings[PINYIN_ENTRY_READING(*e)];
	return n;
}
