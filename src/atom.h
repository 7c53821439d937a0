/*
 * atom: the feeds, rendered to memory with libxml2's xmlwriter.
 *
 * An Atom 1.0 feed (RFC 4287) per category and one over all categories, and
 * an OPML 2.0 list of the category feeds.  Pure functions of what the store
 * holds: the same posts give the same bytes, so an unchanged feed is never
 * rewritten differently.  Calls libxml2, datetime, utf8, util and libc.
 */
#ifndef FINEWSD_ATOM_H
#define FINEWSD_ATOM_H

#include <stddef.h>

struct atom_entry {
	const char *info_code;  /* the entry id is tag:<host>,<YYYY-MM-DD>:<info code> */
	const char *title;
	const char *published;  /* 'YYYY-MM-DD HH:MM:SS +0800' */
	const char *category;
	const char *tag;
	const char *media;      /* the author; the tag stands in when NULL */
	const char *body;
	const char *href;       /* the post's page (absolute) */
};

struct atom_feed {
	const char *site_url;   /* https://host, no trailing '/' */
	const char *site_host;
	const char *category;   /* NULL for all.xml */
	const char *title;      /* the tag, or the site's title for all.xml */
	const char *html_url;   /* the category page (absolute) */
	const char *stylesheet; /* href of an XSLT stylesheet for browsers
	                         * (an <?xml-stylesheet?> before the feed), or NULL */
	const char *hub;        /* the WebSub hub (a rel="hub" link), or NULL */
};

/* The feed of ENTRIES[N] (newest first); malloc'd, its length in *LENP; NULL on error. */
char *atom_render(const struct atom_feed *f, const struct atom_entry *entries,
                  size_t n, size_t *lenp);

/*
 * What the other feed formats (jsonfeed.c) share with the Atom feeds, so
 * that an entry has the same id and time in both: whether E can be a feed
 * entry at all; its published time as RFC 3339 into BUF (0 or -1); its id,
 * tag:<host>,<YYYY-MM-DD>:<info code>, malloc'd (NULL when memory runs
 * out).
 */
int atom_entry_valid(const struct atom_entry *e);
int atom_entry_time(const char *published, char *buf, size_t size);
char *atom_entry_id(const char *site_host, const struct atom_entry *e);

struct atom_outline {
	const char *category;
	const char *title;      /* the tag */
	const char *html_url;
};

/* The OPML 2.0 list of the category feeds; malloc'd, its length in *LENP. */
char *atom_render_opml(const char *site_url, const char *title,
                       const struct atom_outline *o, size_t n, size_t *lenp);

#endif
