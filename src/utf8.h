/*
 * utf8: the one UTF-8 decoder.
 *
 * Measuring, validating and repairing UTF-8 the way Unicode's recommended
 * practice does (an invalid sequence is its maximal subpart, and one U+FFFD
 * stands for it), decoding one character for the writers that must escape
 * or drop some code points, and encoding one for the commands that show a
 * character the database holds as a number.  Pure functions of libc.
 */
#ifndef FINEWSD_UTF8_H
#define FINEWSD_UTF8_H

#include <stddef.h>
#include <stdint.h>

/* U+FFFD REPLACEMENT CHARACTER, in UTF-8. */
#define UTF8_FFFD	"\xef\xbf\xbd"

/*
 * The length of the UTF-8 sequence that starts S[N] (N > 0), with *VALID
 * set to 1; or, where the sequence is not valid (stray, overlong, surrogate,
 * past U+10FFFF or cut off), the length of its maximal subpart, with *VALID
 * set to 0.  Never 0.  A NUL byte inside S ends a sequence like any other
 * non-continuation byte, so a NUL-terminated string may be passed with N
 * its length.
 */
size_t utf8_scan(const unsigned char *s, size_t n, int *valid);

/* 1 when S[N] is valid UTF-8, 0 otherwise. */
int utf8_is_valid(const unsigned char *s, size_t n);

/*
 * The code point of the valid sequence at S[N] in *CP, and its length; 0
 * when the bytes there are not a valid sequence (then *CP is unset).
 */
size_t utf8_decode(const unsigned char *s, size_t n, uint32_t *cp);

/*
 * The UTF-8 sequence of code point CP into OUT (not NUL-terminated), and
 * its length; 0 for a surrogate or a value past U+10FFFF.
 */
size_t utf8_encode(uint32_t cp, unsigned char out[4]);

/*
 * A malloc'd copy of S[N], up to a NUL byte, with each invalid sequence
 * replaced by U+FFFD; NULL when memory runs out.  A valid string, by far
 * the usual case, is copied as it is.
 */
char *utf8_dup_repair(const char *s, size_t n);

#endif
