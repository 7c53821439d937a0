/*
 * source: the public face of the source parser.  See source.h for the
 * interface and source_impl.h for the per-format parsers behind it.
 *
 * It owns only the dispatch by format: a table with one row per
 * enum conf_format, naming that format's list parser, text parser and
 * clean-up, so that adding a format is adding a row.  It calls the entry
 * points of source_json.c and source_html.c, which never call back into
 * it, and util for its one error message.  Everything here is a pure
 * function of its arguments: no I/O, no logging, no state, so that a
 * fuzzer can drive it.
 */
#include "config.h"

#include <stddef.h>

#include "source.h"
#include "source_impl.h"
#include "util.h"

/* One format's parsers; CLEANUP is NULL where the parsers keep no state. */
struct source_format {
	enum conf_format format;
	int (*list)(const struct conf_source *, const char *, size_t,
	    struct record_list *, char *, size_t);
	char *(*text)(const struct conf_source *, const char *, size_t, char *,
	    size_t);
	void (*cleanup)(void);
};

static const struct source_format source_formats[] = {
	{ CONF_FORMAT_JSON, source_json_list, source_json_text,
	    source_json_cleanup },
	{ CONF_FORMAT_HTML, source_html_list, source_html_text, NULL },
};

#define SOURCE_NFORMATS	(sizeof(source_formats) / sizeof(source_formats[0]))

/*
 * The row of SC's format.  The configuration admits only the formats of
 * the table, so NULL (with ERR set) means a caller built SC by hand.
 */
static const struct source_format *
source_format_find(const struct conf_source *sc, char *err, size_t errlen)
{
	for (size_t i = 0; i < SOURCE_NFORMATS; i++)
		if (source_formats[i].format == sc->format)
			return &source_formats[i];
	err_set(err, errlen, "unknown source format %d", (int)sc->format);
	return NULL;
}

int
source_parse_list(const struct conf_source *sc, const char *buf, size_t len,
    struct record_list *out, char *err, size_t errlen)
{
	const struct source_format *f;

	if ((f = source_format_find(sc, err, errlen)) == NULL)
		return -1;
	return f->list(sc, buf, len, out, err, errlen);
}

char *
source_parse_text(const struct conf_source *sc, const char *buf, size_t len,
    char *err, size_t errlen)
{
	const struct source_format *f;

	if ((f = source_format_find(sc, err, errlen)) == NULL)
		return NULL;
	return f->text(sc, buf, len, err, errlen);
}

void
source_cleanup(void)
{
	for (size_t i = 0; i < SOURCE_NFORMATS; i++)
		if (source_formats[i].cleanup != NULL)
			source_formats[i].cleanup();
}
