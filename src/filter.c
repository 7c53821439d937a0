/*
 * filter: PCRE2 patterns for titles.  See filter.h.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "filter.h"
#include "util.h"

/*
 * Backtracking steps and nesting a match may take: a title is a line of
 * text, and an honest pattern needs a few hundred steps for it.
 */
#define FILTER_MATCH_LIMIT	100000
#define FILTER_DEPTH_LIMIT	1000

struct filter {
	pcre2_code *code;
	pcre2_match_context *mctx;
};

struct filter *
filter_compile(const char *pattern, char *err, size_t errlen)
{
	struct filter *f;
	PCRE2_UCHAR msg[256];
	PCRE2_SIZE at;
	int code;

	if ((f = calloc(1, sizeof(*f))) == NULL) {
		err_set(err, errlen, "out of memory");
		return NULL;
	}
	f->code = pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED,
	    PCRE2_UTF | PCRE2_UCP, &code, &at, NULL);
	if (f->code == NULL) {
		if (pcre2_get_error_message(code, msg, sizeof(msg)) < 0)
			strcpy((char *)msg, "unknown error");
		err_set(err, errlen, "bad regular expression (%s at offset %zu)",
		    (const char *)msg, (size_t)at);
		filter_free(f);
		return NULL;
	}
	if ((f->mctx = pcre2_match_context_create(NULL)) == NULL) {
		err_set(err, errlen, "out of memory");
		filter_free(f);
		return NULL;
	}
	(void)pcre2_set_match_limit(f->mctx, FILTER_MATCH_LIMIT);
	(void)pcre2_set_depth_limit(f->mctx, FILTER_DEPTH_LIMIT);
	return f;
}

void
filter_free(struct filter *f)
{
	if (f == NULL)
		return;
	pcre2_code_free(f->code);
	pcre2_match_context_free(f->mctx);
	free(f);
}

int
filter_match(const struct filter *f, const char *s)
{
	pcre2_match_data *md;
	int rc;

	if ((md = pcre2_match_data_create(1, NULL)) == NULL)
		return 0;
	rc = pcre2_match(f->code, (PCRE2_SPTR)s, PCRE2_ZERO_TERMINATED, 0, 0,
	    md, f->mctx);
	pcre2_match_data_free(md);
	return rc >= 0;
}
