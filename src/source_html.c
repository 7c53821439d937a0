/*
 * source_html: the HTML parsers of the source parser, through libxml2's
 * HTML parser and XPath, steered by the [source] keys of the configuration.
 * See source_impl.h.
 *
 * It calls libxml2, util (error messages, white space), utf8 (repair),
 * charset (the marks of bytes that did not decode), clean (the article's
 * hostile parts out, its relative links absolute), xmlquiet and record
 * (the record list and record_check()); nothing else, and never source.c.
 * A pure function of its arguments: no I/O, no logging, no state kept
 * between calls, so that a fuzzer can drive it.
 *
 * The page comes in as UTF-8 (source.c decoded it), and libxml2 is told
 * so: a <meta charset> in it no longer counts.  libxml2 is kept silent for
 * the length of a call (xmlquiet), so a parse never prints and the rest of
 * the program keeps whatever handlers it set.  Every string handed on
 * still has any invalid UTF-8 replaced by U+FFFD, a guard that the
 * decoding leaves nothing for.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/HTMLparser.h>
#include <libxml/HTMLtree.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>
#include <libxml/xmlsave.h>
#include <libxml/xpath.h>

#include "charset.h"
#include "clean.h"
#include "record.h"
#include "source_impl.h"
#include "utf8.h"
#include "util.h"
#include "xmlquiet.h"

#define SOURCE_HTML_OPTIONS	(HTML_PARSE_RECOVER | HTML_PARSE_NOERROR | \
	HTML_PARSE_NOWARNING | HTML_PARSE_NONET)

/* The [source] keys' values for the HTML list, compiled once per response. */
struct source_xpaths {
	xmlXPathCompExprPtr list, id, title, date, media;
};

/*
 * Parses BUF[LEN] as an HTML page, leniently as a browser would, and makes
 * an XPath context for it.
 */
static int
source_html_load(const char *buf, size_t len, xmlDocPtr *doc,
    xmlXPathContextPtr *ctx, char *err, size_t errlen)
{
	htmlParserCtxtPtr pc;
	int cut;

	*doc = NULL;
	*ctx = NULL;
	/*
	 * libxml2 takes the length as an int.  How large a response may be
	 * is the fetcher's rule (UTIL_MAX_RESPONSE, or a list's
	 * max_list_size: at most CONF_LIST_SIZE_MAX, far below this); the
	 * bound here is only the one libxml2's interface sets.
	 */
	if (len > INT_MAX) {
		err_set(err, errlen, "the response is too large");
		return -1;
	}
	if ((pc = htmlNewParserCtxt()) == NULL) {
		err_set(err, errlen, "out of memory");
		return -1;
	}
	*doc = htmlCtxtReadMemory(pc, buf != NULL ? buf : "", (int)len, NULL,
	    "UTF-8", SOURCE_HTML_OPTIONS);
	/*
	 * libxml2 stops at a text (a text node, a script) longer than
	 * XML_MAX_TEXT_LENGTH, 10,000,000 bytes, as it does when memory runs
	 * out, and hands back the page as far as it got: the records after
	 * that point would be lost without a word.  Such a page is refused.
	 * Only a list allowed more than the default 8 MiB can hold that much.
	 */
	cut = pc->errNo == XML_ERR_NO_MEMORY;
	htmlFreeParserCtxt(pc);
	if (cut) {
		err_set(err, errlen, "the HTML page cannot be read whole: a text "
		    "in it is longer than the 10,000,000 bytes libxml2 reads, or "
		    "memory ran out");
		return -1;
	}
	if (*doc == NULL) {
		err_set(err, errlen, "the HTML does not parse");
		return -1;
	}
	if ((*ctx = xmlXPathNewContext(*doc)) == NULL) {
		err_set(err, errlen, "out of memory");
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
			err_set(err, errlen, "no %s", key);
		return required ? -1 : 0;
	}
	if ((*comp = xmlXPathCtxtCompile(ctx, (const xmlChar *)expr)) == NULL) {
		err_set(err, errlen, "%s '%s' does not compile", key, expr);
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
 * its XPath string value; either without the layout white space around it,
 * and with U+FFFD for any invalid UTF-8.  *OUT is NULL where there is no
 * expression or the node-set is empty.
 */
static int
source_xpath_value(xmlXPathContextPtr ctx, xmlXPathCompExprPtr comp,
    const char *expr, xmlNodePtr node, char **out, char *err, size_t errlen)
{
	xmlXPathObjectPtr res;
	xmlChar *s;
	const char *v;
	size_t n;

	*out = NULL;
	if (comp == NULL)
		return 0;
	ctx->node = node;
	if ((res = xmlXPathCompiledEval(comp, ctx)) == NULL) {
		err_set(err, errlen, "XPath '%s' fails", expr);
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
		v = str_strip((const char *)s, &n);
		*out = utf8_dup_repair(v, n);
		xmlFree(s);
	}
	if (*out == NULL) {
		err_set(err, errlen, "out of memory");
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
		err_set(err, errlen, "out of memory");
		return -1;
	}
	r->skip = record_check(sc, r, 0, sc->media_xpath != NULL);
	return 0;
}

int
source_html_list(const struct conf_source *sc,
    const struct source_response *resp, const char *buf, size_t len,
    struct record_list *out, char *err, size_t errlen)
{
	struct xmlquiet q;
	struct source_xpaths x = { NULL, NULL, NULL, NULL, NULL };
	xmlDocPtr doc;
	xmlXPathContextPtr ctx;
	xmlXPathObjectPtr set = NULL;
	xmlNodeSetPtr nodes;
	size_t n0 = out->n;
	int rc = -1, i;

	xmlquiet_begin(&q);
	if (source_html_load(buf, len, &doc, &ctx, err, errlen) == -1 ||
	    source_xpaths_compile(sc, ctx, &x, err, errlen) == -1)
		goto done;
	ctx->node = (xmlNodePtr)doc;
	if ((set = xmlXPathCompiledEval(x.list, ctx)) == NULL) {
		err_set(err, errlen, "XPath '%s' fails", sc->list_xpath);
		goto done;
	}
	if (set->type != XPATH_NODESET) {
		err_set(err, errlen, "list_xpath '%s' selects no nodes",
		    sc->list_xpath);
		goto done;
	}
	nodes = set->nodesetval;
	if (nodes != NULL && nodes->nodeNr > 0 &&
	    record_list_reserve(out, nodes->nodeNr) == -1) {
		err_set(err, errlen, "out of memory");
		goto done;
	}
	for (i = 0; nodes != NULL && i < nodes->nodeNr; i++)
		if (source_html_item(sc, ctx, &x, nodes->nodeTab[i],
		    record_list_push(out), err, errlen) == -1)
			goto done;
	rc = 0;
done:
	if (rc == -1)
		record_list_truncate(out, n0);
	xmlXPathFreeObject(set);
	source_xpaths_free(&x);
	xmlXPathFreeContext(ctx);
	xmlFreeDoc(doc);
	xmlquiet_end(&q);
	return rc;
}

/*
 * The inner HTML of NODE: its children, so the body stays as the source
 * sent it; for a node without element children of its own (a text node,
 * say) the node itself.
 */
static void
source_html_inner(xmlOutputBufferPtr o, xmlDocPtr doc, xmlNodePtr node)
{
	if (node->type == XML_ELEMENT_NODE || node->type == XML_ATTRIBUTE_NODE ||
	    node->type == XML_DOCUMENT_NODE ||
	    node->type == XML_HTML_DOCUMENT_NODE) {
		for (xmlNodePtr c = node->children; c != NULL; c = c->next)
			htmlNodeDumpFormatOutput(o, doc, c, NULL, 0);
	} else if (node->type != XML_NAMESPACE_DECL)
		htmlNodeDumpFormatOutput(o, doc, node, NULL, 0);
}

/* 1 when N is text (or a comment) holding a mark, its offset in *AT. */
static int
source_html_node_marked(xmlNodePtr n, size_t *at)
{
	const char *s;

	if (n->type != XML_TEXT_NODE && n->type != XML_CDATA_SECTION_NODE &&
	    n->type != XML_COMMENT_NODE && n->type != XML_PI_NODE)
		return 0;
	s = (const char *)n->content;
	return s != NULL && charset_mark_find(s, strlen(s), at);
}

/* 1 when the walk goes below N: an element, an attribute, a document. */
static int
source_html_has_inside(xmlNodePtr n)
{
	return n->children != NULL && (n->type == XML_ELEMENT_NODE ||
	    n->type == XML_ATTRIBUTE_NODE || n->type == XML_DOCUMENT_NODE ||
	    n->type == XML_HTML_DOCUMENT_NODE);
}

/*
 * 1 when the subtree of NODE holds the mark of bytes that did not decode,
 * in its text or an attribute value, with the offset it names in *AT.  The
 * serialized article would show a mark in text, but a URL attribute comes
 * out percent-encoded, so the tree is where to look.
 */
static int
source_html_marked(xmlNodePtr node, size_t *at)
{
	xmlNodePtr n = node;
	xmlAttrPtr a;

	while (n != NULL) {
		if (source_html_node_marked(n, at))
			return 1;
		if (n->type == XML_ELEMENT_NODE)
			for (a = n->properties; a != NULL; a = a->next)
				for (xmlNodePtr t = a->children; t != NULL;
				    t = t->next)
					if (source_html_node_marked(t, at))
						return 1;
		if (source_html_has_inside(n)) {
			n = n->children;
			continue;
		}
		while (n != node && n->next == NULL)
			n = n->parent;
		if (n == node)
			break;
		n = n->next;
	}
	return 0;
}

char *
source_html_text(const struct conf_source *sc,
    const struct source_response *resp, const char *buf, size_t len,
    char *err, size_t errlen)
{
	struct xmlquiet q;
	xmlDocPtr doc;
	xmlXPathContextPtr ctx;
	xmlXPathObjectPtr res = NULL;
	xmlNodePtr node;
	char *s = NULL, *base = NULL;
	size_t at;
	int e = 0;

	xmlquiet_begin(&q);
	if (source_html_load(buf, len, &doc, &ctx, err, errlen) == -1)
		goto done;
	if (sc->text_xpath == NULL) {
		err_set(err, errlen, "no text_xpath");
		goto done;
	}
	ctx->node = (xmlNodePtr)doc;
	if ((res = xmlXPathEvalExpression((const xmlChar *)sc->text_xpath,
	    ctx)) == NULL) {
		err_set(err, errlen, "XPath '%s' fails", sc->text_xpath);
		goto done;
	}
	if (res->type != XPATH_NODESET || res->nodesetval == NULL ||
	    res->nodesetval->nodeNr == 0) {
		err_set(err, errlen, "text_xpath matched nothing");
		goto done;
	}
	node = res->nodesetval->nodeTab[0];
	/* The base comes from the page as sent, before <base> is cleaned.
	 * A namespace node is no xmlNode: it has nothing to clean. */
	base = clean_base_url(doc, resp->url);
	if (node->type != XML_NAMESPACE_DECL && clean_node(node, base) == -1) {
		err_set(err, errlen, "out of memory");
		goto done;
	}
	if (node->type != XML_NAMESPACE_DECL && source_html_marked(node, &at)) {
		charset_undecoded_message(err, errlen, resp->charset, at);
		e = EILSEQ;
		goto done;
	}
	if ((s = clean_dump(doc, source_html_inner, node)) == NULL)
		err_set(err, errlen, "cannot serialize the article");
done:
	xmlXPathFreeObject(res);
	xmlXPathFreeContext(ctx);
	xmlFreeDoc(doc);
	free(base);
	xmlquiet_end(&q);
	if (e != 0)
		errno = e;
	return s;
}
