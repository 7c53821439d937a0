/*
 * slug: the category slug of a media name.  See slug.h.
 *
 * The readings live in pinyin_table.c, generated from Unihan by
 * tools/gen-pinyin.sh: one sorted array of packed (code point, reading)
 * entries that slug_reading_find() binary-searches.  Pure functions;
 * calls utf8 (decoding), util (the growing buffer) and libc.
 */
#include "config.h"

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pinyin_table.h"
#include "slug.h"
#include "utf8.h"
#include "util.h"

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
 * One token of a name: an ASCII letter or digit (CP 0), or a Han character
 * and its candidate readings, the preferred one first.
 */
struct slug_token {
	uint32_t	 cp;
	char		 c;
	unsigned	 n;
	const char	*cand[SLUG_READINGS_MAX];
};

/*
 * Puts CP's candidate readings into T, PREFER's one (when it is one of
 * them) moved to the front; the others keep Unihan's order.
 */
static void
slug_token_han(struct slug_token *t, uint32_t cp, slug_prefer_fn *prefer,
    void *arg)
{
	const char *p, *keep;
	unsigned i;

	t->cp = cp;
	t->n = (unsigned)slug_readings_find(cp, t->cand, SLUG_READINGS_MAX);
	if (t->n < 2 || prefer == NULL || (p = prefer(arg, cp)) == NULL)
		return;
	for (i = 1; i < t->n && strcmp(t->cand[i], p) != 0; i++)
		;
	if (i == t->n)
		return;
	keep = t->cand[i];
	memmove(&t->cand[1], &t->cand[0], i * sizeof(t->cand[0]));
	t->cand[0] = keep;
}

/*
 * Reads the next token of the name at *SP (END its end) into T and moves
 * *SP past it; 0 when the name has no token left.  What is no token
 * (punctuation, letters without a reading, invalid bytes) is skipped: an
 * invalid sequence loses one byte, since the next may start a valid one.
 */
static int
slug_token_next(const unsigned char **sp, const unsigned char *end,
    slug_prefer_fn *prefer, void *arg, struct slug_token *t)
{
	const unsigned char *s = *sp;
	uint32_t cp;
	size_t len;

	while (s < end) {
		if ((len = utf8_decode(s, (size_t)(end - s), &cp)) == 0) {
			s++;
			continue;
		}
		s += len;
		t->cp = 0;
		t->n = 0;
		if ((t->c = slug_ascii(cp)) == 0)
			slug_token_han(t, cp, prefer, arg);
		if (t->c != 0 || t->n > 0) {
			*sp = s;
			return 1;
		}
	}
	*sp = s;
	return 0;
}

char *
slug_make_prefer(const char *name, slug_prefer_fn *prefer, void *arg)
{
	const unsigned char *s = (const unsigned char *)name;
	const unsigned char *end = s + strlen(name);
	struct sbuf b = { 0 };
	struct slug_token t;

	while (slug_token_next(&s, end, prefer, arg, &t))
		if (t.c != 0)
			sbuf_add(&b, &t.c, 1);
		else
			sbuf_str(&b, t.cand[0]);
	return sbuf_finish(&b, NULL);
}

char *
slug_make(const char *name)
{
	return slug_make_prefer(name, NULL, NULL);
}

/*
 * Alignment.  ok[t][o] says whether tokens t.. can spell the letters o..
 * of the slug exactly; it is filled from the last token back, so that each
 * cell looks only at the row below.  The alignment then walks from the
 * first token, taking at each the first candidate (in the order of
 * preference) that leaves a rest that can be spelt.
 */
struct slug_align {
	struct slug_token	*tok;
	size_t			 ntok, cap;
	char			 cut[SLUG_ALIGN_CHARS];	/* the slug's letters and digits */
	size_t			 ncut;
	unsigned char		*ok;			/* (ntok + 1) rows of ncut + 1 */
};

static char
slug_lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* 1 when the slug's letters at O start with the LEN bytes of S, whatever
 * their case. */
static int
slug_match(const struct slug_align *a, size_t o, const char *s, size_t len)
{
	if (len > a->ncut - o)
		return 0;
	for (size_t i = 0; i < len; i++)
		if (slug_lower(a->cut[o + i]) != slug_lower(s[i]))
			return 0;
	return 1;
}

/*
 * The first candidate of token T (a letter or digit has one, its own) that
 * matches the slug at O and leaves a rest the next tokens can spell, with
 * its length in *LEN; -1 when there is none.
 */
static int
slug_align_step(const struct slug_align *a, size_t t, size_t o, size_t *len)
{
	const struct slug_token *k = &a->tok[t];
	const unsigned char *below = a->ok + (t + 1) * (a->ncut + 1);

	*len = 0;
	if (k->c != 0) {
		*len = 1;
		return slug_match(a, o, &k->c, 1) && below[o + 1] ? 0 : -1;
	}
	for (unsigned i = 0; i < k->n; i++) {
		*len = strlen(k->cand[i]);
		if (slug_match(a, o, k->cand[i], *len) && below[o + *len])
			return (int)i;
	}
	return -1;
}

/* Cuts MEDIA into tokens and SLUG into letters and digits.  0 or -1. */
static int
slug_align_cut(struct slug_align *a, const char *media, const char *slug,
    slug_prefer_fn *prefer, void *arg)
{
	const unsigned char *s = (const unsigned char *)media;
	const unsigned char *end = s + strlen(media);
	struct slug_token t;

	for (; *slug != '\0'; slug++) {
		if (slug_ascii((unsigned char)*slug) == 0)
			continue;
		if (a->ncut == SLUG_ALIGN_CHARS) {
			errno = E2BIG;
			return -1;
		}
		a->cut[a->ncut++] = *slug;
	}
	while (slug_token_next(&s, end, prefer, arg, &t)) {
		if (a->ntok == SLUG_ALIGN_TOKENS) {
			errno = E2BIG;
			return -1;
		}
		if (VEC_RESERVE(a->tok, a->cap, a->ntok + 1) == -1)
			return -1;
		a->tok[a->ntok++] = t;
	}
	return 0;
}

/* Fills the table of what can be spelt; 0 or -1 without memory. */
static int
slug_align_fill(struct slug_align *a)
{
	size_t w = a->ncut + 1, len;

	if ((a->ok = calloc(a->ntok + 1, w)) == NULL)
		return -1;
	a->ok[a->ntok * w + a->ncut] = 1;
	for (size_t t = a->ntok; t-- > 0;)
		for (size_t o = 0; o < a->ncut; o++)
			a->ok[t * w + o] = slug_align_step(a, t, o, &len) >= 0;
	return 0;
}

/* Walks the alignment the table allows into OUT.  0 or -1 (E2BIG). */
static int
slug_align_walk(const struct slug_align *a, struct slug_choice *out,
    size_t max, size_t *n)
{
	size_t o = 0, len;
	int i;

	*n = 0;
	for (size_t t = 0; t < a->ntok; t++) {
		/* The table says a candidate fits at every step; the check
		 * only guards against a table filled wrong. */
		if ((i = slug_align_step(a, t, o, &len)) < 0) {
			errno = EINVAL;
			return -1;
		}
		o += len;
		if (a->tok[t].c != 0)
			continue;
		if (*n == max) {
			errno = E2BIG;
			return -1;
		}
		out[*n].cp = a->tok[t].cp;
		out[*n].reading = a->tok[t].cand[i];
		out[*n].rank = (unsigned)i;
		(*n)++;
	}
	return 0;
}

int
slug_align(const char *media, const char *slug, slug_prefer_fn *prefer,
    void *arg, struct slug_choice *out, size_t max, size_t *n)
{
	struct slug_align *a;
	int ret = -1;

	*n = 0;
	if ((a = calloc(1, sizeof(*a))) == NULL)
		return -1;
	if (slug_align_cut(a, media, slug, prefer, arg) == -1 ||
	    slug_align_fill(a) == -1)
		goto out;
	if (a->ncut == 0 || !a->ok[0]) {
		errno = EINVAL;
		goto out;
	}
	if ((ret = slug_align_walk(a, out, max, n)) == -1)
		*n = 0;
out:
	free(a->ok);
	free(a->tok);
	free(a);
	return ret;
}

int
slug_is_reserved(const char *s)
{
	return strcmp(s, "all") == 0;
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

const char *
slug_candidate_find(unsigned cp, const char *reading)
{
	const char *cand[SLUG_READINGS_MAX];
	size_t n = slug_readings_find(cp, cand, SLUG_READINGS_MAX);

	for (size_t i = 0; i < n; i++)
		if (strcmp(cand[i], reading) == 0)
			return cand[i];
	return NULL;
}
