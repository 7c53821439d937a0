/*
 * source: parsing of the sources' list and text responses into records, and
 * the checks a record must pass before it may become a post.  See source.h.
 *
 * Everything here is a pure function of its arguments: no I/O, no logging,
 * no state kept between calls, so that a fuzzer can drive it.  JSON goes
 * through jansson, HTML through libxml2's HTML parser and XPath, both steered
 * by the [source] keys of the configuration.  libxml2 reports problems
 * through per-thread handlers that print to stderr; those are swapped for
 * silent ones for the length of a call and put back afterwards, so a parse
 * never prints and the rest of the program keeps whatever handlers it set.
 */
#include "config.h"

#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <libxml/HTMLparser.h>
#include <libxml/HTMLtree.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>
#include <libxml/xmlsave.h>
#include <libxml/xpath.h>

#include "source.h"

/*
 * The longest id that still leaves room for the rest of a post's file name
 * ("YYYY-MM-DD-", ".md", and a temporary suffix while it is written) within
 * the 255 bytes a file name may have on the usual file systems.
 */
#define SOURCE_ID_MAX	200

#define SOURCE_HTML_OPTIONS	(HTML_PARSE_RECOVER | HTML_PARSE_NOERROR | \
	HTML_PARSE_NOWARNING | HTML_PARSE_NONET)

/* The [source] keys' values for the HTML list, compiled once per response. */
struct source_xpaths {
	xmlXPathCompExprPtr list, id, title, date, media;
};

/* libxml2's error handlers as they were before a call silenced them. */
struct source_quiet {
	xmlGenericErrorFunc generic;
	void *generic_ctx;
	xmlStructuredErrorFunc structured;
	void *structured_ctx;
};

static void source_err(char *, size_t, const char *, ...)
    __attribute__((format(printf, 3, 4)));

static void
source_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

static int
source_is_space(int c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
	    c == '\v';
}

/* 1 when S is absent, empty, or nothing but ASCII white space. */
static int
source_is_blank(const char *s)
{
	if (s == NULL)
		return 1;
	for (; *s != '\0'; s++)
		if (!source_is_space((unsigned char)*s))
			return 0;
	return 1;
}

/* A malloc'd copy of S without its leading and trailing ASCII white space. */
static char *
source_strip_dup(const char *s)
{
	size_t n;

	while (source_is_space((unsigned char)*s))
		s++;
	n = strlen(s);
	while (n > 0 && source_is_space((unsigned char)s[n - 1]))
		n--;
	return strndup(s, n);
}

/*
 * Makes room for EXTRA more records in L.  Growing geometrically keeps a
 * long run of appends linear.
 */
static int
source_list_reserve(struct record_list *l, size_t extra)
{
	struct record *v;
	size_t need, cap;

	if (extra <= l->cap - l->n)
		return 0;
	if (extra > SIZE_MAX / sizeof(*v) - l->n)
		return -1;
	need = l->n + extra;
	cap = l->cap < 16 ? 16 : l->cap;
	while (cap < need)
		cap = cap > SIZE_MAX / sizeof(*v) / 2 ? need : cap * 2;
	if ((v = realloc(l->v, cap * sizeof(*v))) == NULL)
		return -1;
	l->v = v;
	l->cap = cap;
	return 0;
}

/* Appends a zeroed record to L, which has room for it. */
static struct record *
source_list_push(struct record_list *l)
{
	struct record *r = &l->v[l->n++];

	memset(r, 0, sizeof(*r));
	return r;
}

/* Drops the records appended after the first N, so a failed call leaves L as it was. */
static void
source_list_truncate(struct record_list *l, size_t n)
{
	while (l->n > n)
		record_clear(&l->v[--l->n]);
}

/*
 * The checks of the contract, in the order the skip reasons are documented;
 * the first that fails names the record's reason.  OWN_FILE_ID: the file id
 * was read from its own field, so it needs checking apart from the id.
 * MEDIA_WANTED: the source names a media field, which gives the category
 * unless a fixed one is set.
 */
static const char *
source_check(const struct conf_source *sc, const struct record *r,
    int own_file_id, int media_wanted)
{
	time_t t;

	if (source_is_blank(r->id))
		return "no id";
	if (!source_id_is_fit(r->id))
		return "id unfit for a file name";
	if (own_file_id) {
		if (source_is_blank(r->file_id))
			return "no file id";
		if (!source_id_is_fit(r->file_id))
			return "file id unfit for a file name";
	}
	if (source_is_blank(r->title))
		return "no title";
	if (source_is_blank(r->date))
		return "no date";
	if (source_date_parse(r->date, 0, &t) == -1)
		return "bad date";
	if (media_wanted && sc->category == NULL && source_is_blank(r->media))
		return "no media";
	return NULL;
}

/* JSON */

/*
 * Parses BUF[LEN] as a JSON object.  jansson's own limits (nesting depth,
 * number range) bound the work on hostile input.
 */
static json_t *
source_json_load(const char *buf, size_t len, char *err, size_t errlen)
{
	json_error_t je;
	json_t *root;

	if ((root = json_loadb(buf != NULL ? buf : "", len, 0, &je)) == NULL) {
		source_err(err, errlen, "bad JSON at line %d, column %d: %s",
		    je.line, je.column, je.text);
		return NULL;
	}
	if (!json_is_object(root)) {
		source_err(err, errlen, "the response is not a JSON object");
		json_decref(root);
		return NULL;
	}
	return root;
}

/* The value at the dotted PATH ("data.list") below ROOT, or NULL. */
static json_t *
source_json_path(json_t *root, const char *path)
{
	const char *dot;
	json_t *v = root;

	for (;;) {
		if (!json_is_object(v))
			return NULL;
		if ((dot = strchr(path, '.')) == NULL)
			return json_object_get(v, path);
		if ((v = json_object_getn(v, path, dot - path)) == NULL)
			return NULL;
		path = dot + 1;
	}
}

/*
 * Reads the string field KEY of ITEM into *OUT, malloc'd and exactly as
 * sent; with INTEGER_OK a JSON integer counts too, as its decimal text.  A
 * field that is unset, missing, null or of another type leaves *OUT NULL.
 * Returns -1 only when memory runs out.
 */
static int
source_json_field(const json_t *item, const char *key, int integer_ok,
    char **out)
{
	const json_t *v;
	char num[32];

	*out = NULL;
	if (key == NULL || (v = json_object_get(item, key)) == NULL)
		return 0;
	if (json_is_string(v))
		*out = strndup(json_string_value(v), json_string_length(v));
	else if (integer_ok && json_is_integer(v)) {
		snprintf(num, sizeof(num), "%" JSON_INTEGER_FORMAT,
		    json_integer_value(v));
		*out = strdup(num);
	} else
		return 0;
	return *out == NULL ? -1 : 0;
}

/* Fills R from the list item ITEM.  -1 when memory runs out. */
static int
source_json_item(const struct conf_source *sc, const json_t *item,
    struct record *r)
{
	if (!json_is_object(item)) {
		r->skip = "item is not an object";
		return 0;
	}
	if (source_json_field(item, sc->id_field, 1, &r->id) == -1 ||
	    source_json_field(item, sc->title_field, 0, &r->title) == -1 ||
	    source_json_field(item, sc->date_field, 0, &r->date) == -1 ||
	    source_json_field(item, sc->media_field, 0, &r->media) == -1 ||
	    source_json_field(item, sc->digest_field, 0, &r->digest) == -1 ||
	    source_json_field(item, sc->link_field, 0, &r->link) == -1)
		return -1;
	if (sc->file_id_field != NULL) {
		if (source_json_field(item, sc->file_id_field, 1,
		    &r->file_id) == -1)
			return -1;
	} else if (r->id != NULL && (r->file_id = strdup(r->id)) == NULL)
		return -1;
	r->skip = source_check(sc, r, sc->file_id_field != NULL,
	    sc->media_field != NULL);
	return 0;
}

static int
source_json_list(const struct conf_source *sc, const char *buf, size_t len,
    struct record_list *out, char *err, size_t errlen)
{
	json_t *root, *items;
	size_t n0 = out->n, i, n;
	int rc = -1;

	if ((root = source_json_load(buf, len, err, errlen)) == NULL)
		return -1;
	items = sc->list_items != NULL ?
	    source_json_path(root, sc->list_items) : NULL;
	if (!json_is_array(items)) {
		source_err(err, errlen, "no array '%s' in the response",
		    sc->list_items != NULL ? sc->list_items : "");
		goto done;
	}
	n = json_array_size(items);
	if (source_list_reserve(out, n) == -1)
		goto nomem;
	for (i = 0; i < n; i++)
		if (source_json_item(sc, json_array_get(items, i),
		    source_list_push(out)) == -1)
			goto nomem;
	rc = 0;
	goto done;
nomem:
	source_err(err, errlen, "out of memory");
done:
	if (rc == -1)
		source_list_truncate(out, n0);
	json_decref(root);
	return rc;
}

/*
 * The article HTML of a JSON text response.  Some variants of the text API
 * name the key "content" instead of "text", so that name is tried where the
 * configured one is missing or null.
 */
static char *
source_json_text(const struct conf_source *sc, const char *buf, size_t len,
    char *err, size_t errlen)
{
	const char *key = sc->text_field != NULL ? sc->text_field : "text";
	json_t *root, *v;
	char *s = NULL;

	if ((root = source_json_load(buf, len, err, errlen)) == NULL)
		return NULL;
	v = source_json_path(root, key);
	if ((v == NULL || json_is_null(v)) && strcmp(key, "content") != 0)
		v = json_object_get(root, "content");
	if (v == NULL || json_is_null(v))
		source_err(err, errlen, "no '%s' in the response", key);
	else if (!json_is_string(v))
		source_err(err, errlen, "'%s' in the response is not a string",
		    key);
	else if ((s = strndup(json_string_value(v),
	    json_string_length(v))) == NULL)
		source_err(err, errlen, "out of memory");
	json_decref(root);
	return s;
}

/* HTML */

static void
source_xml_generic_silent(void *ctx, const char *msg, ...)
{
}

#if LIBXML_VERSION >= 21200
static void
source_xml_structured_silent(void *ctx, const xmlError *e)
{
}
#else
static void
source_xml_structured_silent(void *ctx, xmlErrorPtr e)
{
}
#endif

static void
source_xml_quiet(struct source_quiet *q)
{
	xmlInitParser();
	q->generic = xmlGenericError;
	q->generic_ctx = xmlGenericErrorContext;
	q->structured = xmlStructuredError;
	q->structured_ctx = xmlStructuredErrorContext;
	xmlSetGenericErrorFunc(NULL, source_xml_generic_silent);
	xmlSetStructuredErrorFunc(NULL, source_xml_structured_silent);
}

static void
source_xml_unquiet(const struct source_quiet *q)
{
	xmlSetGenericErrorFunc(q->generic_ctx, q->generic);
	xmlSetStructuredErrorFunc(q->structured_ctx, q->structured);
}

/*
 * Parses BUF[LEN] as an HTML page, leniently as a browser would, and makes
 * an XPath context for it.
 */
static int
source_html_load(const char *buf, size_t len, xmlDocPtr *doc,
    xmlXPathContextPtr *ctx, char *err, size_t errlen)
{
	*doc = NULL;
	*ctx = NULL;
	if (len > INT_MAX) {
		source_err(err, errlen, "the response is too large");
		return -1;
	}
	*doc = htmlReadMemory(buf != NULL ? buf : "", (int)len, NULL, "UTF-8",
	    SOURCE_HTML_OPTIONS);
	if (*doc == NULL) {
		source_err(err, errlen, "the HTML does not parse");
		return -1;
	}
	if ((*ctx = xmlXPathNewContext(*doc)) == NULL) {
		source_err(err, errlen, "out of memory");
		return -1;
	}
	return 0;
}

static int
source_xpath_compile(xmlXPathContextPtr ctx, const char *key,
    const char *expr, int required, xmlXPathCompExprPtr *comp, char *err,
    size_t errlen)
{
	*comp = NULL;
	if (expr == NULL) {
		if (required)
			source_err(err, errlen, "no %s", key);
		return required ? -1 : 0;
	}
	if ((*comp = xmlXPathCtxtCompile(ctx, (const xmlChar *)expr)) == NULL) {
		source_err(err, errlen, "%s '%s' does not compile", key, expr);
		return -1;
	}
	return 0;
}

static int
source_xpaths_compile(const struct conf_source *sc, xmlXPathContextPtr ctx,
    struct source_xpaths *x, char *err, size_t errlen)
{
	if (source_xpath_compile(ctx, "list_xpath", sc->list_xpath, 1,
	    &x->list, err, errlen) == -1 ||
	    source_xpath_compile(ctx, "id_xpath", sc->id_xpath, 1,
	    &x->id, err, errlen) == -1 ||
	    source_xpath_compile(ctx, "title_xpath", sc->title_xpath, 1,
	    &x->title, err, errlen) == -1 ||
	    source_xpath_compile(ctx, "date_xpath", sc->date_xpath, 1,
	    &x->date, err, errlen) == -1 ||
	    source_xpath_compile(ctx, "media_xpath", sc->media_xpath, 0,
	    &x->media, err, errlen) == -1)
		return -1;
	return 0;
}

static void
source_xpaths_free(struct source_xpaths *x)
{
	xmlXPathFreeCompExpr(x->list);
	xmlXPathFreeCompExpr(x->id);
	xmlXPathFreeCompExpr(x->title);
	xmlXPathFreeCompExpr(x->date);
	xmlXPathFreeCompExpr(x->media);
}

/*
 * Evaluates COMP (the text EXPR, for the message) with NODE as the context
 * node.  A node-set gives the string value of its first node, anything else
 * its XPath string value; either without the layout white space around it.
 * *OUT is NULL where there is no expression or the node-set is empty.
 */
static int
source_xpath_value(xmlXPathContextPtr ctx, xmlXPathCompExprPtr comp,
    const char *expr, xmlNodePtr node, char **out, char *err, size_t errlen)
{
	xmlXPathObjectPtr res;
	xmlChar *s;

	*out = NULL;
	if (comp == NULL)
		return 0;
	ctx->node = node;
	if ((res = xmlXPathCompiledEval(comp, ctx)) == NULL) {
		source_err(err, errlen, "XPath '%s' fails", expr);
		return -1;
	}
	if (res->type == XPATH_NODESET || res->type == XPATH_XSLT_TREE) {
		if (res->nodesetval == NULL || res->nodesetval->nodeNr == 0) {
			xmlXPathFreeObject(res);
			return 0;
		}
		s = xmlXPathCastNodeToString(res->nodesetval->nodeTab[0]);
	} else
		s = xmlXPathCastToString(res);
	xmlXPathFreeObject(res);
	if (s != NULL) {
		*out = source_strip_dup((const char *)s);
		xmlFree(s);
	}
	if (*out == NULL) {
		source_err(err, errlen, "out of memory");
		return -1;
	}
	return 0;
}

/* Fills R from the list node NODE.  0, or -1 with ERR set. */
static int
source_html_item(const struct conf_source *sc, xmlXPathContextPtr ctx,
    const struct source_xpaths *x, xmlNodePtr node, struct record *r,
    char *err, size_t errlen)
{
	if (source_xpath_value(ctx, x->id, sc->id_xpath, node, &r->id,
	    err, errlen) == -1 ||
	    source_xpath_value(ctx, x->title, sc->title_xpath, node, &r->title,
	    err, errlen) == -1 ||
	    source_xpath_value(ctx, x->date, sc->date_xpath, node, &r->date,
	    err, errlen) == -1 ||
	    source_xpath_value(ctx, x->media, sc->media_xpath, node, &r->media,
	    err, errlen) == -1)
		return -1;
	if (r->id != NULL && (r->file_id = strdup(r->id)) == NULL) {
		source_err(err, errlen, "out of memory");
		return -1;
	}
	r->skip = source_check(sc, r, 0, sc->media_xpath != NULL);
	return 0;
}

static int
source_html_list(const struct conf_source *sc, const char *buf, size_t len,
    struct record_list *out, char *err, size_t errlen)
{
	struct source_quiet q;
	struct source_xpaths x = { NULL, NULL, NULL, NULL, NULL };
	xmlDocPtr doc;
	xmlXPathContextPtr ctx;
	xmlXPathObjectPtr set = NULL;
	xmlNodeSetPtr nodes;
	size_t n0 = out->n;
	int rc = -1, i;

	source_xml_quiet(&q);
	if (source_html_load(buf, len, &doc, &ctx, err, errlen) == -1 ||
	    source_xpaths_compile(sc, ctx, &x, err, errlen) == -1)
		goto done;
	ctx->node = (xmlNodePtr)doc;
	if ((set = xmlXPathCompiledEval(x.list, ctx)) == NULL) {
		source_err(err, errlen, "XPath '%s' fails", sc->list_xpath);
		goto done;
	}
	if (set->type != XPATH_NODESET) {
		source_err(err, errlen, "list_xpath '%s' selects no nodes",
		    sc->list_xpath);
		goto done;
	}
	nodes = set->nodesetval;
	if (nodes != NULL && nodes->nodeNr > 0 &&
	    source_list_reserve(out, nodes->nodeNr) == -1) {
		source_err(err, errlen, "out of memory");
		goto done;
	}
	for (i = 0; nodes != NULL && i < nodes->nodeNr; i++)
		if (source_html_item(sc, ctx, &x, nodes->nodeTab[i],
		    source_list_push(out), err, errlen) == -1)
			goto done;
	rc = 0;
done:
	if (rc == -1)
		source_list_truncate(out, n0);
	xmlXPathFreeObject(set);
	source_xpaths_free(&x);
	xmlXPathFreeContext(ctx);
	xmlFreeDoc(doc);
	source_xml_unquiet(&q);
	return rc;
}

/*
 * The inner HTML of NODE: its children serialized as HTML, without the
 * line breaks libxml2's formatting would add, so the body stays as the
 * source sent it.  For a node without element children of its own (a text
 * node, say) the node itself is serialized.  malloc'd, or NULL.
 */
static char *
source_html_inner(xmlDocPtr doc, xmlNodePtr node)
{
	xmlBufferPtr b;
	xmlOutputBufferPtr o;
	xmlNodePtr c;
	char *s = NULL;

	if ((b = xmlBufferCreate()) == NULL)
		return NULL;
	if ((o = xmlOutputBufferCreateBuffer(b, NULL)) == NULL)
		goto done;
	if (node->type == XML_ELEMENT_NODE || node->type == XML_ATTRIBUTE_NODE ||
	    node->type == XML_DOCUMENT_NODE ||
	    node->type == XML_HTML_DOCUMENT_NODE) {
		for (c = node->children; c != NULL; c = c->next)
			htmlNodeDumpFormatOutput(o, doc, c, NULL, 0);
	} else if (node->type != XML_NAMESPACE_DECL)
		htmlNodeDumpFormatOutput(o, doc, node, NULL, 0);
	if (xmlOutputBufferClose(o) < 0)
		goto done;
	s = strndup((const char *)xmlBufferContent(b), xmlBufferLength(b));
done:
	xmlBufferFree(b);
	return s;
}

static char *
source_html_text(const struct conf_source *sc, const char *buf, size_t len,
    char *err, size_t errlen)
{
	struct source_quiet q;
	xmlDocPtr doc;
	xmlXPathContextPtr ctx;
	xmlXPathObjectPtr res = NULL;
	char *s = NULL;

	source_xml_quiet(&q);
	if (source_html_load(buf, len, &doc, &ctx, err, errlen) == -1)
		goto done;
	if (sc->text_xpath == NULL) {
		source_err(err, errlen, "no text_xpath");
		goto done;
	}
	ctx->node = (xmlNodePtr)doc;
	if ((res = xmlXPathEvalExpression((const xmlChar *)sc->text_xpath,
	    ctx)) == NULL) {
		source_err(err, errlen, "XPath '%s' fails", sc->text_xpath);
		goto done;
	}
	if (res->type != XPATH_NODESET || res->nodesetval == NULL ||
	    res->nodesetval->nodeNr == 0) {
		source_err(err, errlen, "text_xpath matched nothing");
		goto done;
	}
	if ((s = source_html_inner(doc, res->nodesetval->nodeTab[0])) == NULL)
		source_err(err, errlen, "cannot serialize the article");
done:
	xmlXPathFreeObject(res);
	xmlXPathFreeContext(ctx);
	xmlFreeDoc(doc);
	source_xml_unquiet(&q);
	return s;
}

/* The public functions */

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

/* Days from 1970-01-01 to Y-M-D of the proleptic Gregorian calendar. */
static long long
source_days_from_civil(long long y, int m, int d)
{
	long long era, yoe, doy, doe;

	y -= m <= 2;
	era = y / 400;
	yoe = y - era * 400;
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static int
source_digits(const char *s, int n)
{
	int v = 0;

	while (n-- > 0)
		v = v * 10 + (*s++ - '0');
	return v;
}

int
source_date_parse(const char *s, long tz_offset, time_t *t)
{
	static const char shape[] = "dddd-dd-dd dd:dd:dd";
	static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int i, y, mo, d, h, mi, sec, leap;

	if (s == NULL)
		return -1;
	/* A shorter string fails at its NUL, so this never reads past it. */
	for (i = 0; shape[i] != '\0'; i++) {
		if (shape[i] == 'd' ? s[i] < '0' || s[i] > '9' : s[i] != shape[i])
			return -1;
	}
	if (s[i] != '\0')
		return -1;
	y = source_digits(s, 4);
	mo = source_digits(s + 5, 2);
	d = source_digits(s + 8, 2);
	h = source_digits(s + 11, 2);
	mi = source_digits(s + 14, 2);
	sec = source_digits(s + 17, 2);
	if (y < 1970 || mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 ||
	    sec > 59)
		return -1;
	leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	if (d > mdays[mo - 1] + (mo == 2 && leap))
		return -1;
	*t = (time_t)(source_days_from_civil(y, mo, d) * 86400 + h * 3600 +
	    mi * 60 + sec - (long long)tz_offset);
	return 0;
}

int
source_id_is_fit(const char *s)
{
	const unsigned char *p;

	if (s == NULL || s[0] == '\0' || s[0] == '.')
		return 0;
	for (p = (const unsigned char *)s; *p != '\0'; p++)
		if (*p == '/' || *p < 0x20 || *p == 0x7f)
			return 0;
	return p - (const unsigned char *)s <= SOURCE_ID_MAX;
}
