/*
 * source: parsing of the sources' responses into records, and the checks a
 * record must pass before it may become a post.
 *
 * Pure functions from bytes to records: no I/O, no logging, so they can be
 * unit-tested and fuzzed.  JSON through SQLite's JSON functions, HTML
 * through libxml2's HTML parser and XPath, both driven by the [source] keys
 * of the configuration.
 */
#ifndef FINEWSD_SOURCE_H
#define FINEWSD_SOURCE_H

#include <stddef.h>
#include <time.h>
#include "conf.h"
#include "record.h"

/*
 * Parses a list response BUF[LEN] of source SC and appends one record per
 * item to OUT, valid or not: an unusable record has its skip reason set
 * ("no id", "no title", "no date", "bad date", "id unfit for a file name",
 * ...), with the fields that could be read.  Returns 0, or -1 with a message
 * in ERR when the response as a whole does not parse (OUT is then unchanged).
 */
int source_parse_list(const struct conf_source *sc, const char *buf, size_t len,
                      struct record_list *out, char *err, size_t errlen);

/*
 * Parses a text (article) response and returns the article HTML, malloc'd,
 * or NULL with a message in ERR.
 */
char *source_parse_text(const struct conf_source *sc, const char *buf, size_t len,
                        char *err, size_t errlen);

/*
 * Parses 'YYYY-MM-DD HH:MM:SS' strictly (whole string, real calendar date)
 * and returns the UTC time it names at TZ_OFFSET seconds east of UTC in *T.
 * 0 or -1.
 */
int source_date_parse(const char *s, long tz_offset, time_t *t);

/* 1 when S can stand in a file name as it is: non-empty, no '/', no leading
 * '.', no control character; 0 otherwise. */
int source_id_is_fit(const char *s);

/*
 * Closes the SQLite connection the JSON parsers keep open between calls, at
 * exit.  A later parse opens it again.
 */
void source_cleanup(void);

#endif
