/*
 * filter: a source's include and exclude patterns for titles.
 *
 * Owns the regular expressions: PCRE2, compiled once when the
 * configuration loads, in UTF mode (a pattern and a title are UTF-8, so
 * '.' and [报刊] stand for characters whatever the locale; POSIX regcomp()
 * would read them byte by byte in the C locale a daemon runs in), and
 * matched with bounded effort, so that a pathological pattern cannot stall
 * the event loop on a long title.  Pure: no I/O, no logging.  Calls
 * libpcre2-8 and util.
 */
#ifndef FINEWSD_FILTER_H
#define FINEWSD_FILTER_H

#include <stddef.h>

struct filter;

/*
 * Compiles PATTERN.  A filter the caller frees with filter_free(), or NULL
 * with "bad regular expression (WHY at offset N)" in ERR.
 */
struct filter *filter_compile(const char *pattern, char *err, size_t errlen);
void filter_free(struct filter *f);      /* accepts NULL */

/*
 * 1 when the pattern matches somewhere in S, 0 when it does not, or when
 * matching gave up (past PCRE2's match limit, or out of memory) or S is
 * not valid UTF-8.
 */
int filter_match(const struct filter *f, const char *s);

#endif
