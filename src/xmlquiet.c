/*
 * xmlquiet: libxml2's error handlers swapped for silent ones.  See
 * xmlquiet.h.
 */
#include "config.h"

#include <libxml/parser.h>

#include "xmlquiet.h"

static void
xmlquiet_generic(void *ctx, const char *msg, ...)
{
}

/*
 * libxml2 2.12 made the error const, and a compiler that checks function
 * pointer types takes only the signature of the version at hand.
 */
#if LIBXML_VERSION >= 21200
static void
xmlquiet_structured(void *ctx, const xmlError *e)
{
}
#else
static void
xmlquiet_structured(void *ctx, xmlErrorPtr e)
{
}
#endif

void
xmlquiet_begin(struct xmlquiet *q)
{
	xmlInitParser();
	q->generic = xmlGenericError;
	q->generic_ctx = xmlGenericErrorContext;
	q->structured = xmlStructuredError;
	q->structured_ctx = xmlStructuredErrorContext;
	xmlSetGenericErrorFunc(NULL, xmlquiet_generic);
	xmlSetStructuredErrorFunc(NULL, xmlquiet_structured);
}

void
xmlquiet_end(const struct xmlquiet *q)
{
	xmlSetGenericErrorFunc(q->generic_ctx, q->generic);
	xmlSetStructuredErrorFunc(q->structured_ctx, q->structured);
}
