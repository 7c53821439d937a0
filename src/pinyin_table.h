/*
 * pinyin_table: the readings slug.c looks up, generated into pinyin_table.c
 * by tools/gen-pinyin.sh from Unihan.  Internal to slug.c; nothing else
 * should include it.
 */
#ifndef FINEWSD_PINYIN_TABLE_H
#define FINEWSD_PINYIN_TABLE_H

#include <stddef.h>
#include <stdint.h>

/* Room for the longest reading and its NUL ("zhuang" needs 7). */
#define PINYIN_WIDTH		8

/*
 * An entry packs a code point (21 bits) above the index of its reading
 * (11 bits), so that sorting the entries sorts the code points.
 */
#define PINYIN_INDEX_BITS	11
#define PINYIN_ENTRY(cp, r)	((uint32_t)(cp) << PINYIN_INDEX_BITS | (uint32_t)(r))
#define PINYIN_ENTRY_CP(e)	((uint32_t)(e) >> PINYIN_INDEX_BITS)
#define PINYIN_ENTRY_READING(e)	\
	((uint32_t)(e) & ((UINT32_C(1) << PINYIN_INDEX_BITS) - 1))

/* The distinct toneless readings, lowercase, NUL-terminated. */
extern const char pinyin_readings[][PINYIN_WIDTH];

/* One entry per code point that has a reading, in increasing order. */
extern const uint32_t pinyin_entries[];
extern const size_t pinyin_nentries;

#endif
