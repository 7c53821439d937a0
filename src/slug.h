/*
 * slug: the category slug of a media name.
 *
 * Toneless pinyin of each Han character (its first kMandarin reading in
 * Unihan, with ü written v), ASCII letters and digits kept as they are,
 * everything else dropped: 青岛财经日报 → qingdaocaijingribao, 36氪 → 36ke.
 * The readings come from pinyin_table.c, generated at build time from
 * Debian's unicode-data.  Pure functions; call utf8 and libc.  The one
 * rule of what a slug may hold, slug_is_clean, is conf's too.
 */
#ifndef FINEWSD_SLUG_H
#define FINEWSD_SLUG_H

#include <stddef.h>

/*
 * Returns the slug of the UTF-8 string NAME, malloc'd (the caller frees it),
 * or NULL on allocation failure.  The result may be empty (a name with no
 * letter, digit or Han character); invalid UTF-8 bytes are dropped.
 */
char *slug_make(const char *name);

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

#endif
