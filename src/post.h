/*
 * post: the Jekyll files finewsd writes, rendered to memory.
 *
 * A post file (front matter, body, link, back links) and a category page,
 * byte for byte as the contract fixes them.
 * Pure functions: the caller hands the bytes to fsutil.  Calls only libc.
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
};

/*
 * The body of a post: HTML with every pair of ideographic spaces (U+3000
 * U+3000) removed, left to right without overlap, prefixed by
 * "> <digest after its last 】>" and a blank line when DIGEST is not NULL.
 * Malloc'd; the caller frees it.  NULL on allocation failure.
 */
char *post_body_make(const char *html, const char *digest);

/* TITLE as a YAML double-quoted scalar's content: \ and " escaped, line
 * breaks made spaces, other control characters escaped.  Malloc'd. */
char *post_title_escape(const char *title);

/* The post file; malloc'd, its length in *LENP.  No newline at the end. */
char *post_render(const struct post *p, size_t *lenp);

/* The category page; malloc'd, its length in *LENP. */
char *post_render_category(const char *category, const char *tag, size_t *lenp);

/* "_posts/YYYY-MM-DD-<file id>.md" from PUBLISHED's date into BUF.
 * 0, or -1 when it does not fit. */
int post_path(char *buf, size_t size, const char *published, const char *file_id);

#endif
