/*
 * source_impl: the entry points of the per-format parsers, which source.c's
 * dispatch table names, and nothing more.  Private to the source parser:
 * source.c includes it to fill its table, source_json.c and source_html.c
 * to define what it declares; no other module includes it, they go
 * through source.h.
 *
 * Each parser behaves as source_parse_list() and source_parse_text()
 * describe in source.h, on a response that source.c has already read into
 * UTF-8 (its charset in RESP->charset, never NULL here); the marks of
 * bytes that did not decode are still in it.  None of them calls back into
 * source.c: what they share comes from util, utf8, charset and record.
 */
#ifndef FINEWSD_SOURCE_IMPL_H
#define FINEWSD_SOURCE_IMPL_H

#include <stddef.h>

#include "conf.h"
#include "record.h"
#include "source.h"

/*
 * JSON, through SQLite's JSON functions on a connection kept open between
 * calls; source_json_cleanup() closes it, and a later parse opens it again.
 */
int source_json_list(const struct conf_source *sc,
    const struct source_response *resp, const char *buf, size_t len,
    struct record_list *out, char *err, size_t errlen);
char *source_json_text(const struct conf_source *sc,
    const struct source_response *resp, const char *buf, size_t len,
    char *err, size_t errlen);
void source_json_cleanup(void);

/* HTML, through libxml2's HTML parser and XPath; no state between calls. */
int source_html_list(const struct conf_source *sc,
    const struct source_response *resp, const char *buf, size_t len,
    struct record_list *out, char *err, size_t errlen);
char *source_html_text(const struct conf_source *sc,
    const struct source_response *resp, const char *buf, size_t len,
    char *err, size_t errlen);

#endif
