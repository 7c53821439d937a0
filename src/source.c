/*
 * source: the public face of the source parser.  See source.h for the
 * interface and source_impl.h for the per-format parsers behind it.
 *
 * It owns only the dispatch of source_parse_list() and source_parse_text()
 * by format, to the JSON parsers of source_json.c and the HTML parsers of
 * source_html.c, which never call back into it; what they share comes
 * from util, utf8 and record.  Everything here is a pure function of its
 * arguments: no I/O, no logging, no state, so that a fuzzer can drive it.
 */
#include "config.h"

#include <stddef.h>

#include "source.h"
#include "source_impl.h"

int
source_parse_list(const struct conf_source *sc, const char *buf, size_t len,
    struct record_list *out, char *err, size_t errlen)
{
	if (sc->format == CONF_FORMAT_HTML)
		return source_html_list(sc, buf, len, out, err, errlen);
	return source_json_list(sc, buf, len, out, err, errlen);
}

char *
source_parse_text(const struct conf_source *sc, const char *buf, size_t len,
    char *err, size_t errlen)
{
	if (sc->format == CONF_FORMAT_HTML)
		return source_html_text(sc, buf, len, err, errlen);
	return source_json_text(sc, buf, len, err, errlen);
}
