/*
 * json: JSON text (RFC 8259) written into a growing buffer.
 *
 * Only what finewsd's writers need: a string, quoted and escaped, and a
 * string or null.  Strings come out valid UTF-8 whatever they came in as
 * (an invalid sequence becomes U+FFFD), so a document made of them always
 * parses.  Part of the shared layer: pure functions over util's sbuf.
 */
#ifndef FINEWSD_JSON_H
#define FINEWSD_JSON_H

#include "util.h"

/* Appends S as a JSON string, quotes included. */
void json_add_str(struct sbuf *b, const char *s);
/* The same, or null when S is NULL. */
void json_add_str_null(struct sbuf *b, const char *s);

#endif
