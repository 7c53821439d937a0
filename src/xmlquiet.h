/*
 * xmlquiet: libxml2 kept from printing for the length of a call.
 *
 * libxml2 reports problems through per-thread handlers that print to
 * stderr; a parser or a cleaner that must not print swaps them for silent
 * ones around its work and puts back whatever the program had set.
 * Calls libxml2 only.
 */
#ifndef FINEWSD_XMLQUIET_H
#define FINEWSD_XMLQUIET_H

#include <libxml/xmlerror.h>

/* libxml2's error handlers as they were before xmlquiet_begin(). */
struct xmlquiet {
	xmlGenericErrorFunc generic;
	void *generic_ctx;
	xmlStructuredErrorFunc structured;
	void *structured_ctx;
};

/* Silences libxml2 (initialising it first), keeping its handlers in Q. */
void xmlquiet_begin(struct xmlquiet *q);
/* Puts back the handlers Q kept. */
void xmlquiet_end(const struct xmlquiet *q);

#endif
