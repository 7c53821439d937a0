/*
 * feeds: the feeds rewritten from the store.  See feeds.h.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "atom.h"
#include "clean.h"
#include "fault.h"
#include "feed_xsl.h"
#include "feeds.h"
#include "fsutil.h"
#include "jsonfeed.h"
#include "log.h"
#include "post.h"
#include "record.h"
#include "strset.h"
#include "util.h"

/*
 * Bumped whenever the feeds render differently for the same posts (2: the
 * stylesheet instruction), so that every feed is rewritten once.
 */
#define FEEDS_RENDER_VERSION	2

/* The stylesheet's name, beside the feeds, as the feeds refer to it. */
#define FEEDS_XSL		"feed.xsl"

struct feeds {
	const struct conf	*c;
	struct store		*st;
	struct strset		 dirty;	/* categories whose feed is out of date */
	struct strset		 urls;	/* the feeds the last write changed */
	feeds_written_fn	*written_fn;
	void			*written_arg;
};

/*
 * A fingerprint of everything in the configuration that changes what the
 * feeds hold for the same posts: when it differs from the one the feeds on
 * disk were written under (the store's "feeds_conf" flag), they are all
 * rewritten.  FNV-1a over the values, as a positive 62-bit number.
 */
static long long
feeds_conf_hash(const struct conf *c)
{
	char buf[64];
	/* site_dir too: feeds moved elsewhere by a reload are written there. */
	const char *parts[] = { c->site_url, c->websub_hub, c->site_dir, buf };
	unsigned long long h = 0xcbf29ce484222325ULL;

	snprintf(buf, sizeof(buf), "%ld/%d/%d", c->feed_entries, c->formats,
	    FEEDS_RENDER_VERSION);
	for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
		const char *p = parts[i] != NULL ? parts[i] : "";

		do {
			h = (h ^ (unsigned char)*p) * 0x100000001b3ULL;
		} while (*p++ != '\0');
	}
	return (long long)(h >> 2);
}

/* Marks every feed out of date when the configuration changed how they render. */
static void
feeds_check_conf(struct feeds *f)
{
	long long saved;

	if (store_flag_get(f->st, "feeds_conf", &saved) == -1)
		return;
	if (saved != feeds_conf_hash(f->c))
		(void)feeds_mark_all(f);
}

struct feeds *
feeds_create(const struct conf *c, struct store *st)
{
	struct feeds *f;

	if ((f = calloc(1, sizeof(*f))) == NULL) {
		log_warn("feeds");
		return NULL;
	}
	f->c = c;
	f->st = st;
	feeds_check_conf(f);
	return f;
}

void
feeds_destroy(struct feeds *f)
{
	if (f == NULL)
		return;
	strset_clear(&f->dirty);
	strset_clear(&f->urls);
	free(f);
}

void
feeds_set_conf(struct feeds *f, const struct conf *c)
{
	f->c = c;
	feeds_check_conf(f);
}

void
feeds_on_written(struct feeds *f, feeds_written_fn *fn, void *arg)
{
	f->written_fn = fn;
	f->written_arg = arg;
}

int
feeds_mark(struct feeds *f, const char *category)
{
	if (strset_add(&f->dirty, category) == -1) {
		log_warn("feeds: %s", category);
		return -1;
	}
	return 0;
}

static int
feeds_mark_one(void *arg, const char *category, const char *tag)
{
	(void)tag;
	return feeds_mark(arg, category);
}

int
feeds_mark_all(struct feeds *f)
{
	return store_categories_each(f->st, feeds_mark_one, f);
}

/*
 * The largest body a feed entry carries.  Beyond it the entry says where
 * the article is instead: 50 entries of a 7 MiB article made a 587 MB feed
 * and a 1.4 GB process.  Articles of the sites are a few kilobytes.
 */
#define FEEDS_CONTENT_MAX	((size_t)64 << 10)

/* The newest entries of one feed, copied out of the store's rows. */
struct feeds_entries {
	const char *site_url;
	struct atom_entry *v;
	size_t n, cap;
};

/* The absolute URL of the page of post P. */
static char *
feeds_href(const char *site_url, const struct store_post *p)
{
	char *rel, *abs = NULL;

	if ((rel = record_page_url(p->category, p->published, p->file_id,
	    p->path, p->url)) == NULL)
		return NULL;
	if (asprintf(&abs, "%s%s", site_url, rel) == -1)
		abs = NULL;
	free(rel);
	return abs;
}

/*
 * The content of an entry: the post's body as HTML (a digest line made a
 * quote), cleaned as an HTML source's article is, whatever its source: a
 * JSON source's post keeps its body as sent, but nothing that could run
 * reaches a reader through a feed.  Malloc'd; NULL without memory.
 */
static char *
feeds_content(const char *body)
{
	char *html, *clean;

	if ((html = post_body_html(body)) == NULL)
		return NULL;
	clean = clean_html(html, strlen(html), NULL);
	free(html);
	return clean;
}

static int
feeds_entry_add(void *arg, const struct store_post *p)
{
	struct feeds_entries *fe = arg;
	struct atom_entry *e;

	if (VEC_RESERVE(fe->v, fe->cap, fe->n + 1) == -1)
		return -1;
	e = &fe->v[fe->n++];
	memset(e, 0, sizeof(*e));
	e->info_code = str_dup_null(p->info_code);
	e->href = feeds_href(fe->site_url, p);
	e->title = str_dup_null(p->title);
	e->published = str_dup_null(p->published);
	e->category = str_dup_null(p->category);
	e->tag = str_dup_null(p->tag);
	e->media = str_dup_null(p->media);
	if (p->body != NULL && strlen(p->body) > FEEDS_CONTENT_MAX) {
		if (e->href == NULL || asprintf((char **)&e->body, "<p>全文: <a href=\"%s\">"
		    "%s</a></p>", e->href, e->href) == -1)
			e->body = NULL;
	} else
		e->body = p->body != NULL ? feeds_content(p->body) : NULL;
	if (!e->info_code || !e->href || !e->title || !e->published ||
	    !e->category || !e->tag || !e->body || (p->media && !e->media))
		return -1;
	return 0;
}

static void
feeds_entries_clear(struct feeds_entries *fe)
{
	for (size_t i = 0; i < fe->n; i++) {
		struct atom_entry *e = &fe->v[i];

		free((char *)e->info_code);
		free((char *)e->href);
		free((char *)e->title);
		free((char *)e->published);
		free((char *)e->category);
		free((char *)e->tag);
		free((char *)e->media);
		free((char *)e->body);
	}
	free(fe->v);
	memset(fe, 0, sizeof(*fe));
}

/* Notes the public URL of feeds/<CATEGORY or all>.EXT as changed: 1, 0
 * when it was already, -1 without memory. */
static int
feeds_url_add(struct feeds *f, const char *category, const char *ext)
{
	char *cat, *url = NULL;
	int rc = -1;

	if ((cat = url_escape(category != NULL ? category : "all")) != NULL &&
	    asprintf(&url, "%s/feeds/%s.%s", f->c->site_url, cat, ext) != -1)
		rc = strset_add(&f->urls, url);
	else
		url = NULL;
	free(cat);
	free(url);
	return rc;
}

/*
 * Adds feeds/feed.xsl to B when the file there is not the stylesheet this
 * finewsd carries (missing, older, or edited by hand), so that a write
 * that changes nothing else leaves it alone.
 */
static int
feeds_render_xsl(struct feeds *f, struct fsutil_batch *b)
{
	char *path, *old;
	size_t len = 0;
	int rc = 0;

	if (asprintf(&path, "%s/feeds/%s", f->c->site_dir, FEEDS_XSL) == -1)
		return -1;
	old = fsutil_read_file(path, feeds_xsl_len + 1, &len);
	if (old == NULL || len != feeds_xsl_len ||
	    memcmp(old, feeds_xsl, len) != 0)
		rc = fsutil_batch_add(b, path, feeds_xsl, feeds_xsl_len, 0);
	free(old);
	free(path);
	return rc;
}

typedef char *feeds_render_fn(const struct atom_feed *, const struct atom_entry *,
    size_t, size_t *);

/* Renders the feed AF of FE with RENDER into B as feeds/<category>.EXT
 * (all.EXT when CATEGORY is NULL), and lists its URL.  0 or -1. */
static int
feeds_render_one(struct feeds *f, struct fsutil_batch *b, const struct atom_feed *af,
    const struct feeds_entries *fe, const char *ext, feeds_render_fn *render)
{
	char *path, *data = NULL;
	size_t len;
	int rc = -1;

	if (asprintf(&path, "%s/feeds/%s.%s", f->c->site_dir,
	    af->category != NULL ? af->category : "all", ext) == -1)
		return -1;
	if ((data = render(af, fe->v, fe->n, &len)) == NULL)
		log_warnx("render %s failed", path);
	else if (fsutil_batch_add(b, path, data, len, 0) == 0 &&
	    feeds_url_add(f, af->category, ext) != -1)
		rc = 0;
	free(data);
	free(path);
	return rc;
}

/* Renders feeds/<category>.xml (all.xml when CATEGORY is NULL), and its
 * .json when the formats ask for it, into B. */
static int
feeds_render(struct feeds *f, struct fsutil_batch *b, const char *category,
    const char *title)
{
	const struct conf *c = f->c;
	struct feeds_entries fe = { .site_url = c->site_url };
	struct atom_feed af = { .site_url = c->site_url,
	    .site_host = c->site_host, .category = category, .title = title,
	    .stylesheet = FEEDS_XSL, .hub = c->websub_hub };
	char *html = NULL;
	int rc = -1;

	if (store_posts_newest(f->st, category, c->feed_entries,
	    feeds_entry_add, &fe) == -1)
		goto out;
	if (category != NULL) {
		html = record_category_url(c, NULL, category, 1);
		if (title == NULL && fe.n > 0)
			af.title = fe.v[0].tag;
	} else if (asprintf(&html, "%s/", c->site_url) == -1)
		html = NULL;
	if (html == NULL)
		goto out;
	af.html_url = html;
	if (af.title == NULL)
		af.title = category;
	if (feeds_render_one(f, b, &af, &fe, "xml", atom_render) == -1 ||
	    ((c->formats & CONF_FEED_JSON) &&
	    feeds_render_one(f, b, &af, &fe, "json", jsonfeed_render) == -1))
		goto out;
	rc = 0;
out:
	feeds_entries_clear(&fe);
	free(html);
	return rc;
}

/* The OPML list gathers every category known to the store. */
struct feeds_outlines {
	const struct conf *c;
	struct atom_outline *v;
	size_t n, cap;
};

static int
feeds_outline_add(void *arg, const char *category, const char *tag)
{
	struct feeds_outlines *fo = arg;
	struct atom_outline *o;

	if (VEC_RESERVE(fo->v, fo->cap, fo->n + 1) == -1)
		return -1;
	o = &fo->v[fo->n++];
	o->category = strdup(category);
	o->title = strdup(tag);
	o->html_url = record_category_url(fo->c, NULL, category, 1);
	return o->category && o->title && o->html_url ? 0 : -1;
}

static int
feeds_render_opml(struct feeds *f, struct fsutil_batch *b)
{
	struct feeds_outlines fo = { .c = f->c };
	char *data = NULL, *path = NULL, *title = NULL;
	size_t len;
	int rc = -1;

	if (store_categories_each(f->st, feeds_outline_add, &fo) == -1)
		goto out;
	if (asprintf(&title, "%s feeds", f->c->site_host) == -1 ||
	    asprintf(&path, "%s/feeds/index.opml", f->c->site_dir) == -1) {
		title = path = NULL;
		goto out;
	}
	if ((data = atom_render_opml(f->c->site_url, title, fo.v, fo.n, &len)) == NULL) {
		log_warnx("render %s failed", path);
		goto out;
	}
	rc = fsutil_batch_add(b, path, data, len, 0);
out:
	for (size_t i = 0; i < fo.n; i++) {
		free((char *)fo.v[i].category);
		free((char *)fo.v[i].title);
		free((char *)fo.v[i].html_url);
	}
	free(fo.v);
	free(data);
	free(path);
	free(title);
	return rc;
}

/*
 * Keeps the outcome of a write in the store, for --status and the metrics:
 * feeds_write_state 1 (written) or 2 (failed), and feeds_written_at, the
 * time of the last write that worked.  Best effort: the store logs its own
 * errors, and a feed write is not undone for them.
 */
static void
feeds_note(struct feeds *f, int rc)
{
	(void)store_flag_set(f->st, "feeds_write_state", rc == 0 ? 1 : 2);
	if (rc == 0)
		(void)store_flag_set(f->st, "feeds_written_at", (long long)time(NULL));
}

int
feeds_write(struct feeds *f)
{
	struct fsutil_batch *b = NULL;
	char *dir = NULL;
	int rc = -1;

	if (f->dirty.n == 0)
		return 0;
	if ((dir = path_join(f->c->site_dir, "feeds")) == NULL || fsutil_mkdirs(dir) == -1) {
		log_warn("%s", dir ? dir : "feeds");
		goto out;
	}
	if ((b = fsutil_batch_create()) == NULL)
		goto out;
	strset_clear(&f->urls);
	for (size_t i = 0; i < f->dirty.n; i++)
		if (feeds_render(f, b, f->dirty.v[i], NULL) == -1)
			goto out;
	if (feeds_render(f, b, NULL, f->c->site_host) == -1 ||
	    feeds_render_opml(f, b) == -1 || feeds_render_xsl(f, b) == -1 ||
	    fault_hit("feeds") || fsutil_batch_commit(b) == -1)
		goto out;
	if (store_flag_set(f->st, "feeds_dirty", 0) == -1 ||
	    store_flag_set(f->st, "feeds_conf", feeds_conf_hash(f->c)) == -1)
		goto out;
	strset_clear(&f->dirty);
	rc = 0;
	for (size_t i = 0; f->written_fn != NULL && i < f->urls.n; i++)
		f->written_fn(f->written_arg, f->urls.v[i]);
out:
	feeds_note(f, rc);
	fsutil_batch_destroy(b);
	free(dir);
	return rc;
}
