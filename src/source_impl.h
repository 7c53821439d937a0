/*
 * source_impl: what the three files of the source parser share, and nothing
 * more.  Private to source.c, source_json.c and source_html.c: not
 * installed, and no other module includes it; they go through source.h.
 *
 * source.c owns the common part (error messages, the record list's growth,
 * the checks a record must pass, white space and UTF-8) and dispatches by
 * format to the JSON parsers of source_json.c and the HTML parsers of
 * source_html.c, which call back only into the common part.
 */
#ifndef FINEWSD_SOURCE_IMPL_H
#define FINEWSD_SOURCE_IMPL_H

#include <stddef.h>

#include "conf.h"
#include "record.h"
#include "source.h"

/* Formats a message into ERR[ERRLEN]; nothing when ERR is NULL or ERRLEN 0. */
void source_err_set(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/*
 * Makes room for EXTRA more records in L; 0, or -1 when memory runs out.
 * source_list_push() then appends a zeroed record to L, which must have
 * room for it, and source_list_truncate() drops the records appended after
 * the first N, so that a failed call leaves L as it was.
 */
int source_list_reserve(struct record_list *l, size_t extra);
struct record *source_list_push(struct record_list *l);
void source_list_truncate(struct record_list *l, size_t n);

/*
 * The skip reason of R, or NULL when R is fit to become a post: the checks
 * of the contract, in the order the skip reasons are documented.
 * OWN_FILE_ID: the file id was read from its own field, so it needs checking
 * apart from the id.  MEDIA_WANTED: the source names a media field, which
 * gives the category unless a fixed one is set.
 */
const char *source_record_check(const struct conf_source *sc,
    const struct record *r, int own_file_id, int media_wanted);

/*
 * The start of the string S without its leading ASCII white space; *N is
 * set to its length without the trailing white space.
 */
const char *source_space_strip(const char *s, size_t *n);

/*
 * The length of the UTF-8 sequence that starts S[N] (N > 0), with *VALID
 * set to 1; or, where the sequence is not valid (stray, overlong, surrogate,
 * past U+10FFFF or cut off), the length of its maximal subpart, the bytes
 * that one U+FFFD stands for in Unicode's recommended practice, with *VALID
 * set to 0.  Never 0.
 */
size_t source_utf8_scan(const unsigned char *s, size_t n, int *valid);

/* 1 when S[N] is valid UTF-8, 0 otherwise. */
int source_utf8_is_valid(const unsigned char *s, size_t n);

/*
 * The parsers by format, as source_parse_list() and source_parse_text()
 * describe them in source.h.  The JSON ones keep the connection that
 * source_cleanup() closes.
 */
int source_json_list(const struct conf_source *sc, const char *buf,
    size_t len, struct record_list *out, char *err, size_t errlen);
char *source_json_text(const struct conf_source *sc, const char *buf,
    size_t len, char *err, size_t errlen);
int source_html_list(const struct conf_source *sc, const char *buf,
    size_t len, struct record_list *out, char *err, size_t errlen);
char *source_html_text(const struct conf_source *sc, const char *buf,
    size_t len, char *err, size_t errlen);

#endif
