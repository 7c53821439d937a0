/*
 * clean: article HTML made safe to publish, on libxml2's HTML tree.
 *
 * Owns what an article may carry onto the site and into the feeds.  It
 * removes what can run code or pull another document into a reader's
 * page: the elements script, style, iframe, frame, frameset, object,
 * embed, applet and form with all they hold; base, link and meta, which
 * act on the page rather than show anything; comments and processing
 * instructions, which a browser ends elsewhere than libxml2 does and which
 * could so smuggle markup past this check; every event handler attribute
 * (on*); and every attribute whose value is a javascript:, vbscript: or
 * data: URL, read as a browser reads it (leading blanks and control
 * characters, and tabs and line breaks anywhere, do not count), a srcset
 * losing only such candidates.  Everything else stays as the page had it.
 * Given a base URL, relative href, src and srcset URLs are made absolute
 * against it (a "#fragment" alone stays: it points within the article).
 *
 * It works on a tree, never on the text with patterns: what it checks is
 * what the serializer writes.  Pure: no I/O, no logging.  Calls libxml2,
 * utf8, util and xmlquiet.
 */
#ifndef FINEWSD_CLEAN_H
#define FINEWSD_CLEAN_H

#include <stddef.h>

#include <libxml/tree.h>
#include <libxml/xmlIO.h>

/*
 * Cleans the descendants of NODE in place (NODE itself is the container
 * the caller serializes the inside of, and loses all of it when it is an
 * element that goes, a <script> say), making relative URLs absolute
 * against BASE when it is not NULL.  0, or -1 when memory ran out (NODE
 * is then partly cleaned: do not publish it).
 */
int clean_node(xmlNodePtr node, const char *base);

/*
 * The base URL of the article page DOC fetched from PAGE_URL: its first
 * <base href> resolved against PAGE_URL, else PAGE_URL; only an http or
 * https URL counts.  Malloc'd; NULL when there is none (or no memory).
 */
char *clean_base_url(xmlDocPtr doc, const char *page_url);

/*
 * The HTML fragment HTML[LEN] (UTF-8), cleaned: parsed as the inside of a
 * <body>, cleaned (BASE as clean_node() takes it) and written back out.
 * Malloc'd; NULL when memory runs out.
 */
char *clean_html(const char *html, size_t len, const char *base);

/*
 * The HTML EACH writes of NODE of DOC into O (with htmlNodeDumpFormatOutput,
 * without the line breaks libxml2's formatting would add), as a malloc'd
 * UTF-8 string, any invalid UTF-8 replaced by U+FFFD; NULL without memory.
 */
typedef void clean_dump_fn(xmlOutputBufferPtr o, xmlDocPtr doc, xmlNodePtr node);
char *clean_dump(xmlDocPtr doc, clean_dump_fn *each, xmlNodePtr node);

#endif
