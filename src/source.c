/*
 * source: the public face of the source parser.  See source.h for the
 * interface and source_impl.h for the per-format parsers behind it.
 *
 * It owns the dispatch by format: a table with one row per enum
 * conf_format, naming that format's list parser, text parser and clean-up,
 * so that adding a format is adding a row.  And what every format shares
 * around it: the response read into UTF-8 first (charset), and after the
 * parse the rule that bytes that did not decode reach no post: a record
 * with a mark in a field is skipped (record_check_marks), an article with
 * one refused with errno EILSEQ.  It calls charset, record, the entry
 * points of source_json.c and source_html.c, which never call back into
 * it, and util for its error messages.  Everything here is a pure function
 * of its arguments: no I/O, no logging, no state, so that a fuzzer can
 * drive it.
 */
#include "config.h"

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "charset.h"
#include "record.h"
#include "source.h"
#include "source_impl.h"
#include "util.h"

/* One format's parsers; CLEANUP is NULL where the parsers keep no state. */
struct source_format {
	enum conf_format format;
	int (*list)(const struct conf_source *, const struct source_response *,
	    const char *, size_t, struct record_list *, char *, size_t);
	char *(*text)(const struct conf_source *,
	    const struct source_response *, const char *, size_t, char *,
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

/*
 * Reads BUF[LEN] into UTF-8 in the charset *RESP (or, when *RESP is NULL,
 * LOCAL, which *RESP then points to) and SC say: *U, *ULEN, the copy to
 * free in *COPY, and in *MARKS how many runs of bytes did not decode.  The
 * charset chosen goes in the response's charset.  0, or -1 with ERR set.
 */
static int
source_decode(const struct conf_source *sc, struct source_response **resp,
    struct source_response *local, const char *buf, size_t len,
    const char **u, size_t *ulen, char **copy, size_t *marks, char *err,
    size_t errlen)
{
	struct charset_choice ch;

	if (*resp == NULL) {
		memset(local, 0, sizeof(*local));
		*resp = local;
	}
	if (charset_choose(sc->charset, (*resp)->content_type, buf, len,
	    sc->format == CONF_FORMAT_HTML, &ch, err, errlen) == -1)
		return -1;
	memcpy((*resp)->charset, ch.name, sizeof(ch.name));
	if ((*u = charset_decode(&ch, buf, len, ulen, copy, marks, err,
	    errlen)) == NULL)
		return -1;
	return 0;
}

int
source_parse_list(const struct conf_source *sc, struct source_response *resp,
    const char *buf, size_t len, struct record_list *out, char *err,
    size_t errlen)
{
	const struct source_format *f;
	struct source_response local;
	const char *u;
	char *copy;
	size_t ulen, n0 = out->n, marks;
	int rc;

	if ((f = source_format_find(sc, err, errlen)) == NULL ||
	    source_decode(sc, &resp, &local, buf, len, &u, &ulen, &copy,
	    &marks, err, errlen) == -1)
		return -1;
	/* Without a mark in the response, no record can hold one. */
	if ((rc = f->list(sc, resp, u, ulen, out, err, errlen)) == 0 &&
	    marks > 0)
		for (size_t i = n0; i < out->n; i++)
			(void)record_check_marks(&out->v[i]);
	free(copy);
	return rc;
}

char *
source_parse_text(const struct conf_source *sc, struct source_response *resp,
    const char *buf, size_t len, char *err, size_t errlen)
{
	const struct source_format *f;
	struct source_response local;
	const char *u;
	char *copy, *s;
	size_t ulen, at, marks;

	if ((f = source_format_find(sc, err, errlen)) == NULL ||
	    source_decode(sc, &resp, &local, buf, len, &u, &ulen, &copy,
	    &marks, err, errlen) == -1)
		return NULL;
	s = f->text(sc, resp, u, ulen, err, errlen);
	free(copy);
	if (s != NULL && marks > 0 && charset_mark_find(s, strlen(s), &at)) {
		charset_undecoded_message(err, errlen, resp->charset, at);
		free(s);
		s = NULL;
		errno = EILSEQ;
	}
	return s;
}

void
source_cleanup(void)
{
	for (size_t i = 0; i < SOURCE_NFORMATS; i++)
		if (source_formats[i].cleanup != NULL)
			source_formats[i].cleanup();
}
