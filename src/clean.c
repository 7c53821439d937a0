/*
 * clean: article HTML made safe to publish.  See clean.h.
 *
 * The tree is walked without recursion (a page may nest thousands deep)
 * and nodes are removed as they are met.  Element and attribute names are
 * compared without case and by their local part, so that "SCRIPT",
 * "svg:script" and "xlink:href" are what they look like.
 */
#include "config.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/HTMLparser.h>
#include <libxml/HTMLtree.h>
#include <libxml/uri.h>
#include <libxml/xmlsave.h>

#include "clean.h"
#include "utf8.h"
#include "util.h"
#include "xmlquiet.h"

#define CLEAN_HTML_OPTIONS	(HTML_PARSE_RECOVER | HTML_PARSE_NOERROR | \
	HTML_PARSE_NOWARNING | HTML_PARSE_NONET)

/* Elements removed with all they hold. */
static const char *const clean_elements[] = {
	"script", "style", "iframe", "frame", "frameset", "object", "applet",
	"form", "base", "link", "meta",
};

/*
 * Elements removed while what they hold stays: <embed> is void in HTML,
 * but libxml2 takes what follows it as its content.
 */
static const char *const clean_unwrapped[] = { "embed" };

/* URL schemes that run code or carry a document of their own. */
static const char *const clean_schemes[] = {
	"javascript", "vbscript", "data",
};

/* Attributes whose relative URLs are made absolute (srcset apart). */
static const char *const clean_url_attrs[] = { "href", "src" };

#define NITEMS(a)	(sizeof(a) / sizeof((a)[0]))

/* NAME without a "prefix:", as the HTML parser keeps it. */
static const char *
clean_local(const xmlChar *name)
{
	const char *s = (const char *)name, *colon;

	if (s == NULL)
		return "";
	colon = strrchr(s, ':');
	return colon != NULL ? colon + 1 : s;
}

static int
clean_in(const char *name, const char *const *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcasecmp(name, list[i]) == 0)
			return 1;
	return 0;
}

/* 1: a node that goes with everything below it; 2: one that goes alone. */
static int
clean_is_removed(xmlNodePtr n)
{
	switch (n->type) {
	case XML_COMMENT_NODE:
	case XML_PI_NODE:
		return 1;
	case XML_ELEMENT_NODE:
		if (clean_in(clean_local(n->name), clean_elements,
		    NITEMS(clean_elements)))
			return 1;
		return clean_in(clean_local(n->name), clean_unwrapped,
		    NITEMS(clean_unwrapped)) ? 2 : 0;
	default:
		return 0;
	}
}

/*
 * 1 when URL[N] is a URL of a scheme in clean_schemes as a browser reads
 * it: C0 controls and spaces around it ignored, and tabs and line breaks
 * inside it (the WHATWG URL parser strips them: "java\tscript:" runs).
 * Any other C0 control inside it is ignored too: libxml2's serializer
 * drops them, so "java\bscript:" would reach the page as "javascript:".
 */
static int
clean_url_is_bad(const char *url, size_t n)
{
	char scheme[16];
	size_t i = 0, k = 0;
	unsigned char c;

	while (i < n && (unsigned char)url[i] <= 0x20)
		i++;
	for (; i < n && k < sizeof(scheme) - 1; i++) {
		c = (unsigned char)url[i];
		if (c < 0x20)
			continue;
		if (c == ':')
			break;
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (k > 0 && ((c >= '0' && c <= '9') || c == '+' ||
		    c == '-' || c == '.'))))
			return 0;
		scheme[k++] = (char)c;
	}
	if (i >= n || url[i] != ':' || k == 0)
		return 0;
	scheme[k] = '\0';
	return clean_in(scheme, clean_schemes, NITEMS(clean_schemes));
}

/*
 * 1 when the value V of attribute NAME is a URL that goes: the value as a
 * whole, or for SVG's animation "values" any of its ';'-separated items.
 */
static int
clean_value_is_bad(const char *name, const char *v)
{
	const char *s, *e;

	if (clean_url_is_bad(v, strlen(v)))
		return 1;
	if (strcasecmp(name, "values") != 0)
		return 0;
	for (s = v; (e = strchr(s, ';')) != NULL; s = e + 1)
		if (clean_url_is_bad(s, (size_t)(e - s)))
			return 1;
	return clean_url_is_bad(s, strlen(s));
}

/* V without the C0 controls and spaces around it, as (*S, *N). */
static void
clean_trim(const char *v, const char **s, size_t *n)
{
	size_t len = strlen(v);

	while (len > 0 && (unsigned char)*v <= 0x20) {
		v++;
		len--;
	}
	while (len > 0 && (unsigned char)v[len - 1] <= 0x20)
		len--;
	*s = v;
	*n = len;
}

/* 1 when URL[N] starts with a scheme ("mailto:", "http:"). */
static int
clean_has_scheme(const char *url, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)url[i];

		if (c == ':')
			return i > 0;
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (i > 0 && ((c >= '0' && c <= '9') || c == '+' ||
		    c == '-' || c == '.'))))
			return 0;
	}
	return 0;
}

/*
 * URL[N] made absolute against BASE, malloc'd; NULL when it stays as it is
 * (already absolute, a fragment alone, empty, or not a URL libxml2 can
 * read) or memory runs out.  Blanks and characters outside ASCII are
 * percent-encoded first, which RFC 3986 wants and libxml2 requires.
 */
static char *
clean_resolve(const char *url, size_t n, const char *base)
{
	xmlChar *rel, *esc, *abs;
	char *out = NULL;

	if (n == 0 || url[0] == '#' || clean_has_scheme(url, n))
		return NULL;
	if ((rel = xmlStrndup((const xmlChar *)url, (int)n)) == NULL)
		return NULL;
	esc = xmlURIEscapeStr(rel, (const xmlChar *)";/?:@&=+$,#%[]!'()*");
	xmlFree(rel);
	if (esc == NULL)
		return NULL;
	abs = xmlBuildURI(esc, (const xmlChar *)base);
	xmlFree(esc);
	if (abs != NULL) {
		out = strdup((const char *)abs);
		xmlFree(abs);
	}
	return out;
}

/*
 * A srcset value V rebuilt: each candidate "URL [descriptor]" with a bad
 * URL dropped and a relative one made absolute against BASE (when not
 * NULL).  Malloc'd ("" when none is left), or with *SAME set when nothing
 * had to change, so that the value stays as the page wrote it; NULL when
 * memory runs out.
 */
static char *
clean_srcset(const char *v, const char *base, int *same)
{
	struct sbuf b = { 0 };
	const char *s = v, *u, *d;
	size_t un, dn;
	char *abs;

	*same = 1;
	for (;;) {
		while (*s != '\0' && ((unsigned char)*s <= 0x20 || *s == ','))
			s++;
		if (*s == '\0')
			break;
		u = s;
		while (*s != '\0' && (unsigned char)*s > 0x20)
			s++;
		un = (size_t)(s - u);
		/* A URL ending in commas has no descriptor. */
		d = s;
		if (un > 0 && u[un - 1] == ',') {
			while (un > 0 && u[un - 1] == ',')
				un--;
			dn = 0;
		} else {
			while (*s != '\0' && *s != ',')
				s++;
			dn = (size_t)(s - d);
		}
		if (un == 0)
			continue;
		if (clean_url_is_bad(u, un)) {
			*same = 0;
			continue;
		}
		if ((abs = base != NULL ? clean_resolve(u, un, base) : NULL) !=
		    NULL)
			*same = 0;
		if (b.len > 0)
			sbuf_str(&b, ", ");
		if (abs != NULL)
			sbuf_str(&b, abs);
		else
			sbuf_add(&b, u, un);
		free(abs);
		while (dn > 0 && (unsigned char)*d <= 0x20) {
			d++;
			dn--;
		}
		while (dn > 0 && (unsigned char)d[dn - 1] <= 0x20)
			dn--;
		if (dn > 0) {
			sbuf_str(&b, " ");
			sbuf_add(&b, d, dn);
		}
	}
	return sbuf_finish(&b, NULL);
}

/*
 * Drops from V, in place, the C0 controls other than TAB, LF and CR, which
 * libxml2's serializer leaves out: the value checked is then the value
 * written.  1 when it dropped any.
 */
static int
clean_controls(xmlChar *v)
{
	xmlChar *r, *w;

	for (r = w = v; *r != '\0'; r++)
		if (*r >= 0x20 || *r == '\t' || *r == '\n' || *r == '\r')
			*w++ = *r;
	*w = '\0';
	return w != r;
}

/*
 * The new value of attribute A of element E, malloc'd, into *OUT (NULL:
 * keep it as it is).  0, 1 when the attribute goes, -1 without memory.
 */
static int
clean_attr_value(xmlAttrPtr a, const char *base, char **out)
{
	const char *name = clean_local(a->name), *s;
	char *abs, *set;
	xmlChar *v;
	size_t n;
	int rc = 0, same;

	*out = NULL;
	if (strncasecmp(name, "on", 2) == 0)
		return 1;
	if ((v = xmlNodeGetContent((xmlNodePtr)a)) == NULL)
		return 0;
	if (clean_controls(v) && (*out = strdup((const char *)v)) == NULL) {
		xmlFree(v);
		return -1;
	}
	if (strcasecmp(name, "srcset") == 0) {
		if ((set = clean_srcset((const char *)v, base, &same)) == NULL)
			rc = -1;
		else if (*set == '\0')
			rc = 1;
		else if (!same) {
			free(*out);
			*out = set;
			set = NULL;
		}
		free(set);
	} else if (clean_value_is_bad(name, (const char *)v))
		rc = 1;
	else if (base != NULL && clean_in(name, clean_url_attrs,
	    NITEMS(clean_url_attrs))) {
		clean_trim((const char *)v, &s, &n);
		if ((abs = clean_resolve(s, n, base)) != NULL) {
			free(*out);
			*out = abs;
		}
	}
	xmlFree(v);
	if (rc != 0) {
		free(*out);
		*out = NULL;
	}
	return rc;
}

/* Cleans the attributes of element E.  0, or -1 without memory. */
static int
clean_attrs(xmlNodePtr e, const char *base)
{
	xmlAttrPtr a = e->properties, next;
	char *v;
	int rc;

	for (; a != NULL; a = next) {
		next = a->next;
		if ((rc = clean_attr_value(a, base, &v)) == -1)
			return -1;
		if (rc == 1) {
			xmlRemoveProp(a);
			continue;
		}
		if (v == NULL)
			continue;
		/*
		 * The value is replaced in place: the attribute keeps its
		 * name and place, and V is text, not markup to parse.
		 */
		rc = xmlSetNsProp(e, a->ns, a->name, (const xmlChar *)v) ==
		    NULL ? -1 : 0;
		free(v);
		if (rc == -1)
			return -1;
	}
	return 0;
}

/* The node after N in document order, below ROOT, skipping N's subtree. */
static xmlNodePtr
clean_next(xmlNodePtr n, xmlNodePtr root)
{
	while (n != root && n->next == NULL)
		n = n->parent;
	return n == root ? NULL : n->next;
}

/*
 * Removes N but not its children, which take its place; returns the node
 * to look at next, below ROOT.  A child that is text may merge into the
 * text before N, which needs no cleaning.
 */
static xmlNodePtr
clean_unwrap(xmlNodePtr n, xmlNodePtr root)
{
	xmlNodePtr prev = n->prev, parent = n->parent, c, next;

	while ((c = n->children) != NULL) {
		xmlUnlinkNode(c);
		xmlAddPrevSibling(n, c);
	}
	xmlUnlinkNode(n);
	xmlFreeNode(n);
	next = prev != NULL ? prev->next : parent->children;
	if (next == NULL)
		next = clean_next(prev != NULL ? prev : parent, root);
	return next;
}

int
clean_node(xmlNodePtr node, const char *base)
{
	xmlNodePtr n = node->children, next;
	int how;

	/* What a <script> or an <iframe> holds goes with it, even as the
	 * container the caller picked. */
	if (clean_is_removed(node) == 1) {
		while ((n = node->children) != NULL) {
			xmlUnlinkNode(n);
			xmlFreeNode(n);
		}
		return 0;
	}
	while (n != NULL) {
		if ((how = clean_is_removed(n)) == 2) {
			n = clean_unwrap(n, node);
			continue;
		}
		if (how == 1) {
			next = clean_next(n, node);
			xmlUnlinkNode(n);
			xmlFreeNode(n);
			n = next;
			continue;
		}
		if (n->type == XML_ELEMENT_NODE) {
			if (clean_attrs(n, base) == -1)
				return -1;
			if (n->children != NULL) {
				n = n->children;
				continue;
			}
		}
		n = clean_next(n, node);
	}
	return 0;
}

/* 1 when the absolute URL U is an http or https one. */
static int
clean_is_http(const char *u)
{
	return strncasecmp(u, "http://", 7) == 0 ||
	    strncasecmp(u, "https://", 8) == 0;
}

/*
 * The first element named NAME, with an attribute ATTR unless ATTR is
 * NULL, in document order below ROOT; NULL when there is none.
 */
static xmlNodePtr
clean_find(xmlNodePtr root, const char *name, const char *attr)
{
	xmlNodePtr n = root->children;

	while (n != NULL) {
		if (n->type == XML_ELEMENT_NODE &&
		    strcasecmp(clean_local(n->name), name) == 0 &&
		    (attr == NULL || xmlHasProp(n, (const xmlChar *)attr)))
			return n;
		if (n->type == XML_ELEMENT_NODE && n->children != NULL) {
			n = n->children;
			continue;
		}
		n = clean_next(n, root);
	}
	return NULL;
}

char *
clean_base_url(xmlDocPtr doc, const char *page_url)
{
	xmlNodePtr b = clean_find((xmlNodePtr)doc, "base", "href");
	xmlChar *href = b != NULL ? xmlGetProp(b, (const xmlChar *)"href") : NULL;
	char *abs = NULL;
	const char *s;
	size_t n;

	if (href != NULL && !clean_url_is_bad((const char *)href,
	    strlen((const char *)href))) {
		clean_trim((const char *)href, &s, &n);
		if (clean_has_scheme(s, n))
			abs = strndup(s, n);
		else if (page_url != NULL)
			abs = clean_resolve(s, n, page_url);
	}
	xmlFree(href);
	if (abs == NULL && page_url != NULL)
		abs = strdup(page_url);
	if (abs != NULL && !clean_is_http(abs)) {
		free(abs);
		abs = page_url != NULL && clean_is_http(page_url) ?
		    strdup(page_url) : NULL;
	}
	return abs;
}

char *
clean_dump(xmlDocPtr doc, clean_dump_fn *each, xmlNodePtr node)
{
	xmlBufferPtr b;
	xmlOutputBufferPtr o;
	char *s = NULL;

	if ((b = xmlBufferCreate()) == NULL)
		return NULL;
	if ((o = xmlOutputBufferCreateBuffer(b, NULL)) == NULL)
		goto done;
	each(o, doc, node);
	if (xmlOutputBufferClose(o) < 0)
		goto done;
	s = utf8_dup_repair((const char *)xmlBufferContent(b),
	    xmlBufferLength(b));
done:
	xmlBufferFree(b);
	return s;
}

/*
 * What the fragment became below ROOT, its <html>: the inside of <head>
 * and <body>, and whatever the parser put beside them (what followed a
 * "</body>" in the fragment).
 */
static void
clean_dump_fragment(xmlOutputBufferPtr o, xmlDocPtr doc, xmlNodePtr root)
{
	for (xmlNodePtr c = root->children; c != NULL; c = c->next) {
		const char *name = clean_local(c->name);

		if (c->type == XML_ELEMENT_NODE && (strcasecmp(name, "body") == 0 ||
		    strcasecmp(name, "head") == 0)) {
			for (xmlNodePtr k = c->children; k != NULL; k = k->next)
				htmlNodeDumpFormatOutput(o, doc, k, NULL, 0);
		} else
			htmlNodeDumpFormatOutput(o, doc, c, NULL, 0);
	}
}

char *
clean_html(const char *html, size_t len, const char *base)
{
	static const char head[] = "<html><body>";
	struct xmlquiet q;
	struct sbuf in = { 0 };
	xmlDocPtr doc = NULL;
	xmlNodePtr root;
	char *s = NULL, *text;
	size_t n;

	/*
	 * The fragment goes inside a <body> of its own, so that text at its
	 * start is not wrapped in an implied <p>.
	 */
	sbuf_add(&in, head, sizeof(head) - 1);
	sbuf_add(&in, html, len);
	if ((text = sbuf_finish(&in, &n)) == NULL)
		return NULL;
	if (n > INT_MAX) {
		free(text);
		return strdup("");
	}
	xmlquiet_begin(&q);
	doc = htmlReadMemory(text, (int)n, NULL, "UTF-8", CLEAN_HTML_OPTIONS);
	free(text);
	if (doc == NULL || (root = xmlDocGetRootElement(doc)) == NULL)
		s = strdup("");
	else if (clean_node(root, base) == 0)
		s = clean_dump(doc, clean_dump_fragment, root);
	xmlFreeDoc(doc);
	xmlquiet_end(&q);
	return s;
}
