/*
 * feed_xsl: data/feed.xsl, the stylesheet that shows the Atom feeds in a
 * browser, built into the program (src/feed_xsl.c is generated from it by
 * tools/gen-cstring.sh) so that feeds.c writes it beside the feeds.
 */
#ifndef FINEWSD_FEED_XSL_H
#define FINEWSD_FEED_XSL_H

#include <stddef.h>

extern const char feeds_xsl[];
extern const size_t feeds_xsl_len;

#endif
