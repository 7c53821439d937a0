/*
 * libFuzzer harness for clean: any bytes as an article fragment, cleaned
 * with and without a base URL.  Beyond what the sanitizers catch it traps
 * when the output, parsed again by libxml2, still holds something the
 * cleaning removes: an element of clean.h's list, a comment or processing
 * instruction, an on* attribute, or an attribute whose value is a
 * javascript:, vbscript: or data: URL (checked here by a reading of its
 * own, not clean.c's); or when the output is not valid UTF-8.
 *
 * Build and run (from the top of the tree):
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -I. -Isrc \
 *     $(pkg-config --cflags libxml-2.0) tests/fuzz/fuzz_clean.c \
 *     src/clean.c src/xmlquiet.c src/utf8.c src/util.c \
 *     -o /tmp/fuzz_clean $(pkg-config --libs libxml-2.0)
 *   /tmp/fuzz_clean -max_total_time=30 tests/fuzz/corpus_clean
 */
#include "config.h"

#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/HTMLparser.h>

#include "clean.h"
#include "utf8.h"
#include "xmlquiet.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static const char *const fuzz_removed[] = {
	"script", "style", "iframe", "frame", "frameset", "object", "applet",
	"form", "base", "link", "meta", "embed",
};

static const char *
fuzz_local(const xmlChar *name)
{
	const char *s = (const char *)name, *c;

	if (s == NULL)
		return "";
	c = strrchr(s, ':');
	return c != NULL ? c + 1 : s;
}

/* A URL a browser would run or load as a document of its own. */
static int
fuzz_bad_url(const char *v)
{
	char buf[16];
	size_t k = 0;

	while (*v != '\0' && (unsigned char)*v <= 0x20)
		v++;
	for (; *v != '\0' && k < sizeof(buf) - 1; v++) {
		if (*v == '\t' || *v == '\n' || *v == '\r')
			continue;
		buf[k++] = (char)tolower((unsigned char)*v);
	}
	buf[k] = '\0';
	return strncmp(buf, "javascript:", 11) == 0 ||
	    strncmp(buf, "vbscript:", 9) == 0 || strncmp(buf, "data:", 5) == 0;
}

static void
fuzz_check_node(xmlNodePtr n)
{
	xmlAttrPtr a;
	xmlChar *v;

	if (n->type == XML_COMMENT_NODE || n->type == XML_PI_NODE)
		__builtin_trap();
	if (n->type != XML_ELEMENT_NODE)
		return;
	for (size_t i = 0; i < sizeof(fuzz_removed) / sizeof(*fuzz_removed); i++)
		if (strcasecmp(fuzz_local(n->name), fuzz_removed[i]) == 0)
			__builtin_trap();
	for (a = n->properties; a != NULL; a = a->next) {
		if (strncasecmp(fuzz_local(a->name), "on", 2) == 0)
			__builtin_trap();
		v = xmlNodeGetContent((xmlNodePtr)a);
		if (v != NULL && strcasecmp(fuzz_local(a->name), "srcset") != 0 &&
		    strcasecmp(fuzz_local(a->name), "values") != 0 &&
		    fuzz_bad_url((const char *)v))
			__builtin_trap();
		xmlFree(v);
	}
}

/* Parses S again and walks the whole tree. */
static void
fuzz_check(const char *s)
{
	struct xmlquiet q;
	htmlDocPtr doc;
	xmlNodePtr n;

	if (!utf8_is_valid((const unsigned char *)s, strlen(s)))
		__builtin_trap();
	xmlquiet_begin(&q);
	doc = htmlReadMemory(s, (int)strlen(s), NULL, "UTF-8",
	    HTML_PARSE_RECOVER | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING |
	    HTML_PARSE_NONET);
	for (n = doc != NULL ? doc->children : NULL; n != NULL;) {
		fuzz_check_node(n);
		if (n->type == XML_ELEMENT_NODE && n->children != NULL) {
			n = n->children;
			continue;
		}
		while (n != NULL && n->next == NULL)
			n = n->parent != (xmlNodePtr)doc ? n->parent : NULL;
		if (n != NULL)
			n = n->next;
	}
	xmlFreeDoc(doc);
	xmlquiet_end(&q);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s;

	if ((s = clean_html((const char *)data, size, NULL)) != NULL) {
		fuzz_check(s);
		free(s);
	}
	if ((s = clean_html((const char *)data, size,
	    "http://news.example/a/b.html?x=1")) != NULL) {
		fuzz_check(s);
		free(s);
	}
	return 0;
}
