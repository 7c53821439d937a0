/*
 * post: the Jekyll files finewsd writes, rendered to memory, and read back.
 *
 * A post file (front matter, body, link, back links) and a category page,
 * byte for byte as the contract fixes them; and the reader of post files,
 * the inverse of the writer, for --import.
 * Pure functions: the caller hands the bytes to fsutil.  Calls utf8, util.
 */
#ifndef FINEWSD_POST_H
#define FINEWSD_POST_H

#include <stddef.h>

struct post {
	const char *title;
	const char *published;     /* 'YYYY-MM-DD HH:MM:SS +0800' */
	const char *category;
	const char *tag;
	const char *body;          /* as made by post_body_make */
	const char *link;
	const char *category_url;  /* e.g. //finews.withounder.com/category/x.html */
	const char *site_host;     /* e.g. finews.withounder.com */
	const char *permalink;     /* its page, when not where its path puts
	                            * it (an archived post); NULL: none */
};

/*
 * The body of a post: HTML with every pair of ideographic spaces (U+3000
 * U+3000) removed, left to right without overlap, prefixed by
 * "> <digest after its last 】>" and a blank line when DIGEST is not NULL.
 * Malloc'd; the caller frees it.  NULL on allocation failure.
 */
char *post_body_make(const char *html, const char *digest);

/*
 * The body of a post as HTML, for a feed: a body that opens with the
 * Markdown quote line post_body_make writes for a digest ("> " a line, a
 * blank line), which Jekyll renders as a quote, gets that line as
 * "<blockquote><p>line</p></blockquote>" followed by a line break; the
 * rest is the article HTML as it is.  Malloc'd; NULL without memory.
 */
char *post_body_html(const char *body);

/* TITLE as a YAML double-quoted scalar's content: \ and " escaped, line
 * breaks made spaces, other control characters escaped.  Malloc'd. */
char *post_title_escape(const char *title);

/* The post file; malloc'd, its length in *LENP.  No newline at the end. */
char *post_render(const struct post *p, size_t *lenp);

/* The category page; malloc'd, its length in *LENP. */
char *post_render_category(const char *category, const char *tag, size_t *lenp);

/* A post file as read back: pointers into the buffer post_parse cut up. */
struct post_file {
	const char *layout, *title, *date, *categories, *tags, *permalink;
	const char *body;          /* what post_render was handed as the body */
	const char *link;          /* NULL when the link line is empty ("<>") */
};

/*
 * Reads the post file BUF[0..LEN) (NUL-terminated, cut up in place) into P:
 * the front matter's keys (a quoted title unquoted; a title whose quotes do
 * not close is left NULL), the body and the link.  The keys are not judged
 * here.  NULL, or why the file is not a post ("a NUL byte in the file", "no
 * front matter", "no <link> line").
 */
const char *post_parse(char *buf, size_t len, struct post_file *p);

#endif
