/*
 * jsonfeed: JSON Feed 1.1.  See jsonfeed.h.  Owns the document's shape:
 * version, title, home_page_url, feed_url, hubs, and per item id, url,
 * title, content_html, date_published, authors and tags.  Strings go
 * through json_add_str, which makes them valid UTF-8 JSON whatever the
 * source sent.  Entries the Atom feed leaves out are left out here too.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "jsonfeed.h"
#include "util.h"

#define JSONFEED_VERSION	"https://jsonfeed.org/version/1.1"

static void
jsonfeed_item(struct sbuf *b, const struct atom_feed *f,
    const struct atom_entry *e, int first)
{
	char when[32];
	char *id;

	if ((id = atom_entry_id(f->site_host, e)) == NULL ||
	    atom_entry_time(e->published, when, sizeof(when)) == -1) {
		free(id);
		b->err = 1;
		return;
	}
	sbuf_str(b, first ? "\n  {\"id\": " : ",\n  {\"id\": ");
	json_add_str(b, id);
	sbuf_str(b, ",\n   \"url\": ");
	json_add_str(b, e->href);
	sbuf_str(b, ",\n   \"title\": ");
	json_add_str(b, e->title);
	sbuf_str(b, ",\n   \"date_published\": ");
	json_add_str(b, when);
	sbuf_str(b, ",\n   \"authors\": [{\"name\": ");
	json_add_str(b, e->media != NULL && e->media[0] != '\0' ? e->media : e->tag);
	sbuf_str(b, "}],\n   \"tags\": [");
	json_add_str(b, e->tag);
	sbuf_str(b, "],\n   \"content_html\": ");
	json_add_str(b, e->body != NULL ? e->body : "");
	sbuf_str(b, "}");
	free(id);
}

char *
jsonfeed_render(const struct atom_feed *f, const struct atom_entry *entries,
    size_t n, size_t *lenp)
{
	struct sbuf b = { 0 };
	char *cat;
	int first = 1;

	if (f->site_url == NULL || f->site_host == NULL || f->title == NULL) {
		errno = EINVAL;
		return NULL;
	}
	if ((cat = url_escape(f->category != NULL ? f->category : "all")) == NULL)
		return NULL;
	sbuf_str(&b, "{\"version\": \"" JSONFEED_VERSION "\",\n \"title\": ");
	json_add_str(&b, f->title);
	if (f->html_url != NULL) {
		sbuf_str(&b, ",\n \"home_page_url\": ");
		json_add_str(&b, f->html_url);
	}
	sbuf_printf(&b, ",\n \"feed_url\": ");
	{
		char *url = NULL;

		if (asprintf(&url, "%s/feeds/%s.json", f->site_url, cat) == -1)
			b.err = 1;
		else
			json_add_str(&b, url);
		free(url);
	}
	if (f->hub != NULL) {
		sbuf_str(&b, ",\n \"hubs\": [{\"type\": \"WebSub\", \"url\": ");
		json_add_str(&b, f->hub);
		sbuf_str(&b, "}]");
	}
	sbuf_str(&b, ",\n \"items\": [");
	for (size_t i = 0; i < n; i++) {
		if (!atom_entry_valid(&entries[i]))
			continue;
		jsonfeed_item(&b, f, &entries[i], first);
		first = 0;
	}
	sbuf_str(&b, first ? "]}\n" : "\n ]}\n");
	free(cat);
	return sbuf_finish(&b, lenp);
}
