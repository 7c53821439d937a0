/*
 * source: parsing of the sources' responses into records.
 *
 * Pure functions from bytes to records: no I/O, no logging, so they can be
 * unit-tested and fuzzed.  JSON through SQLite's JSON functions, HTML
 * through libxml2's HTML parser and XPath, both driven by the [source] keys
 * of the configuration.  Whether a record may become a post is the record
 * module's rule (record_check()); the parsers apply it and set the skip
 * reason.
 */
#ifndef FINEWSD_SOURCE_H
#define FINEWSD_SOURCE_H

#include <stddef.h>

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
 * Parses a text (article) response and returns the article HTML, malloc'd
 * (the caller frees it), or NULL with a message in ERR.
 */
char *source_parse_text(const struct conf_source *sc, const char *buf, size_t len,
                        char *err, size_t errlen);

/*
 * Closes the SQLite connection the JSON parsers keep open between calls, at
 * exit.  A later parse opens it again.
 */
void source_cleanup(void);

#endif
