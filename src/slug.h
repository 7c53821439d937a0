/*
 * slug: the category slug of a media name.
 *
 * Toneless pinyin of each Han character (its first kMandarin reading in
 * Unihan, with ü written v), ASCII letters and digits kept as they are,
 * everything else dropped: 青岛财经日报 → qingdaocaijingribao, 36氪 → 36ke.
 * The readings come from pinyin_table.c, generated at build time from
 * Debian's unicode-data.
 *
 * The site's old generator read some characters another way than today's
 * first reading (长 chang, 都 du, 地 di), so a slug can also be made with
 * a preferred reading per character (slug_make_prefer), and a slug the site
 * made can be aligned with its media name to tell which reading each
 * character took (slug_align): what --import learns and the daemon uses.
 * Pure functions; call utf8, util and libc.  The one rule of what a slug
 * may hold, slug_is_clean, is conf's too.
 */
#ifndef FINEWSD_SLUG_H
#define FINEWSD_SLUG_H

#include <stddef.h>

/* More candidate readings than any character has (Unihan gives up to 8). */
#define SLUG_READINGS_MAX	16

/*
 * The bounds of slug_align: the letters, digits and Han characters of a
 * media name, and the letters and digits of a slug.  Real names stay far
 * below; the bounds keep the alignment's table small.
 */
#define SLUG_ALIGN_TOKENS	128
#define SLUG_ALIGN_CHARS	512

/*
 * The reading preferred for code point CP (say the one the site chose for
 * it), or NULL for none.  It counts only when it is one of CP's candidate
 * readings; the string need only live until the call that asked returns.
 */
typedef const char *slug_prefer_fn(void *arg, unsigned cp);

/* The reading one Han character of a media name took in a slug. */
struct slug_choice {
	const char	*reading;	/* a static string, one of its candidates */
	unsigned	 cp;
	unsigned	 rank;		/* its place in the order of preference:
					 * 0 is the preferred one, else the
					 * first in Unihan's order */
};

/*
 * Returns the slug of the UTF-8 string NAME, malloc'd (the caller frees it),
 * or NULL on allocation failure.  The result may be empty (a name with no
 * letter, digit or Han character); invalid UTF-8 bytes are dropped.
 */
char *slug_make(const char *name);

/*
 * slug_make with, for each Han character, the reading PREFER(ARG, cp)
 * names when it is one of the character's candidates, instead of the
 * first.  PREFER is asked only about characters with several candidates;
 * it may be NULL (then this is slug_make).  Malloc'd; NULL without memory.
 */
char *slug_make_prefer(const char *name, slug_prefer_fn *prefer, void *arg);

/*
 * Aligns the media name MEDIA with SLUG, a category slug made from it:
 * which reading each Han character of MEDIA took in SLUG.  MEDIA is cut
 * into tokens as slug_make cuts it (an ASCII or full-width letter or digit
 * stands for itself, matched regardless of case; a Han character for any of
 * its candidate readings; anything else is dropped), SLUG into its ASCII
 * letters and digits, and the tokens must spell the whole of that.  Where
 * several alignments do, the first character's most preferred reading wins,
 * then the next one's, and so on: PREFER's reading (PREFER may be NULL),
 * then Unihan's order.
 *
 * Returns 0 with the choice of each Han character, left to right, in
 * OUT[0..*N); -1 with errno EINVAL when MEDIA and SLUG do not align (an
 * empty slug aligns with nothing), E2BIG past SLUG_ALIGN_TOKENS tokens,
 * SLUG_ALIGN_CHARS letters and digits or MAX Han characters, or ENOMEM.
 * Time and memory grow with tokens times letters, not with the number of
 * possible alignments.
 */
int slug_align(const char *media, const char *slug, slug_prefer_fn *prefer,
    void *arg, struct slug_choice *out, size_t max, size_t *n);

/*
 * The longest category slug: it names a page and a feed file, and a
 * 120-character media name would give a 380-byte name (ENAMETOOLONG).  A
 * derived slug is cut to it; a configured one longer is refused.
 */
#define SLUG_MAX	100

/* 1 when S is a slug the site's files already use for something else:
 * "all" (feeds/all.xml is the feed of every category). */
int slug_is_reserved(const char *s);

/* 1 when S is non-empty and only [A-Za-z0-9_-], 0 otherwise. */
int slug_is_clean(const char *s);

/* The toneless reading of code point CP (its first kMandarin reading), or
 * NULL when it has none. */
const char *slug_reading_find(unsigned cp);

/*
 * The candidate readings of CP (Unihan's kMandarin, kXHC1983 and
 * kHanyuPinyin, toneless, the first kMandarin one first) into OUT, at most
 * MAX; their number, 0 when it has none.  Static strings.
 */
size_t slug_readings_find(unsigned cp, const char **out, size_t max);

/* The candidate reading of CP spelt READING, as the table's static string;
 * NULL when READING is not one of CP's. */
const char *slug_candidate_find(unsigned cp, const char *reading);

#endif
