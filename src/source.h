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

#include "charset.h"
#include "conf.h"
#include "record.h"

/*
 * What the transport says of a response that its parse needs.  A NULL
 * struct source_response stands for one with neither.
 */
struct source_response {
	const char *url;           /* where it came from, redirects followed:
	                            * the base of an article's relative links;
	                            * NULL leaves them relative */
	const char *content_type;  /* its Content-Type header, or NULL */
	char charset[CHARSET_NAME_MAX]; /* set by the parse: the charset the
	                            * response was read in */
};

/*
 * Every parse first reads the response in its charset (charset.h: the
 * source's charset key, the Content-Type, a BOM, an HTML page's <meta>,
 * UTF-8) into UTF-8.  A charset that is not known, or a response that does
 * not decode as a whole, fails the parse.
 */

/*
 * Parses a list response BUF[LEN] of source SC and appends one record per
 * item to OUT, valid or not: an unusable record has its skip reason set
 * ("no id", "no title", "no date", "bad date", "id unfit for a file name",
 * RECORD_UNDECODED with the offset of the bytes in skip_at, ...), with the
 * fields that could be read.  Returns 0, or -1 with a message in ERR when
 * the response as a whole does not parse (OUT is then unchanged).
 */
int source_parse_list(const struct conf_source *sc,
                      struct source_response *resp, const char *buf,
                      size_t len, struct record_list *out, char *err,
                      size_t errlen);

/*
 * Parses a text (article) response and returns the article HTML, malloc'd
 * (the caller frees it), or NULL with a message in ERR.  errno is EILSEQ
 * when bytes of the article do not decode: the record is to be skipped,
 * its text is not merely missing.  An HTML source's article is cleaned
 * (clean.h) and its relative links made absolute against RESP's URL (or
 * the page's <base href>); a JSON source's is handed on as it was sent.
 */
char *source_parse_text(const struct conf_source *sc,
                        struct source_response *resp, const char *buf,
                        size_t len, char *err, size_t errlen);

/*
 * Closes the SQLite connection the JSON parsers keep open between calls, at
 * exit.  A later parse opens it again.
 */
void source_cleanup(void);

#endif
