/*
 * ingest: complete records → post files, rows, feeds, in a crash-safe order.
 * See ingest.h for the order and why it is safe.
 */
#include "config.h"

#include <errno.h>
#include <search.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <curl/curl.h>

#include "atom.h"
#include "fsutil.h"
#include "ingest.h"
#include "log.h"
#include "post.h"
#include "slug.h"
#include "source.h"

/* Posts written per batch: one sync and one transaction each. */
#define INGEST_BATCH 512

/* A set of strings: a tree to look up, an array to walk in order. */
struct strset {
	void *root;
	char **v;
	size_t n, cap;
};

struct ingest {
	const struct conf *c;
	struct store *st;
	struct ingest_item **items;   /* waiting for the next batch */
	size_t nitems;
	struct strset pages;          /* categories whose page is known to exist */
	struct strset dirty;          /* categories whose feed must be rewritten */
};

static int
strset_cmp(const void *a, const void *b)
{
	return strcmp(a, b);
}

/* 1 if S was added, 0 if it was there, -1 on error. */
static int
strset_add(struct strset *s, const char *str)
{
	char *copy, **slot;

	if (tfind(str, &s->root, strset_cmp) != NULL)
		return 0;
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 16;
		char **v = reallocarray(s->v, cap, sizeof(*v));

		if (v == NULL)
			return -1;
		s->v = v;
		s->cap = cap;
	}
	if ((copy = strdup(str)) == NULL)
		return -1;
	if ((slot = tsearch(copy, &s->root, strset_cmp)) == NULL) {
		free(copy);
		return -1;
	}
	s->v[s->n++] = copy;
	return 1;
}

static void
strset_noop(void *p)
{
}

static void
strset_clear(struct strset *s)
{
	tdestroy(s->root, strset_noop);
	for (size_t i = 0; i < s->n; i++)
		free(s->v[i]);
	free(s->v);
	memset(s, 0, sizeof(*s));
}

static char *
path_join(const char *dir, const char *rel)
{
	char *p;

	if (asprintf(&p, "%s/%s", dir, rel) == -1)
		return NULL;
	return p;
}

/* Replaces every occurrence of KEY in TMPL with VAL.  Malloc'd. */
static char *
template_fill(const char *tmpl, const char *key, const char *val)
{
	size_t klen = strlen(key), vlen = strlen(val), n = 0;
	const char *p, *q;
	char *out, *o;

	for (p = tmpl; (q = strstr(p, key)) != NULL; p = q + klen)
		n++;
	if ((out = malloc(strlen(tmpl) + n * vlen + 1)) == NULL)
		return NULL;
	for (o = out, p = tmpl; (q = strstr(p, key)) != NULL; p = q + klen) {
		memcpy(o, p, q - p);
		o += q - p;
		memcpy(o, val, vlen);
		o += vlen;
	}
	strcpy(o, p);
	return out;
}

/*
 * The category page of CATEGORY as the back link of a post shows it
 * (scheme-relative by default), or as an absolute URL for the feeds.
 */
static char *
ingest_category_url(const struct ingest *in, const struct conf_source *sc,
    const char *category, int absolute)
{
	const struct conf *c = in->c;
	char *url, *abs;

	if (sc == NULL) {
		/* A fixed category of some source may have its own page. */
		for (size_t i = 0; i < c->nsources; i++)
			if (c->sources[i].category != NULL && c->sources[i].category_url != NULL &&
			    strcmp(c->sources[i].category, category) == 0) {
				sc = &c->sources[i];
				break;
			}
	}
	if (sc != NULL && sc->category_url != NULL)
		url = template_fill(sc->category_url, "{category}", category);
	else if (asprintf(&url, "//%s/category/%s.html", c->site_host, category) == -1)
		url = NULL;
	if (url == NULL || !absolute || strncmp(url, "//", 2) != 0)
		return url;
	/* "//host/x" takes the scheme of site_url. */
	if (asprintf(&abs, "%.*s%s", (int)(strchr(c->site_url, ':') - c->site_url + 1),
	    c->site_url, url) == -1)
		abs = NULL;
	free(url);
	return abs;
}

static const struct conf_source *
ingest_source_find(const struct ingest *in, const char *name)
{
	return conf_source_find(in->c, name);
}

/* The category of MEDIA: [categories], then the site's own slug, then pinyin. */
static char *
ingest_slug(struct ingest *in, const char *media)
{
	const char *s = conf_category_find(in->c, media);
	char *learned = NULL;

	if (s != NULL)
		return strdup(s);
	if (store_media_slug_get(in->st, media, &learned) == 0 && learned != NULL) {
		if (slug_is_clean(learned))
			return learned;
		free(learned);
	}
	return slug_make(media);
}

struct ingest *
ingest_create(const struct conf *c, struct store *st)
{
	struct ingest *in;

	if ((in = calloc(1, sizeof(*in))) == NULL ||
	    (in->items = calloc(INGEST_BATCH, sizeof(*in->items))) == NULL) {
		log_warn("ingest");
		free(in);
		return NULL;
	}
	in->c = c;
	in->st = st;
	return in;
}

void
ingest_destroy(struct ingest *in)
{
	if (in == NULL)
		return;
	for (size_t i = 0; i < in->nitems; i++)
		ingest_item_free(in->items[i]);
	free(in->items);
	strset_clear(&in->pages);
	strset_clear(&in->dirty);
	free(in);
}

int
ingest_set_conf(struct ingest *in, const struct conf *c)
{
	int rc = ingest_flush(in) < 0 ? -1 : 0;

	in->c = c;
	return rc;
}

void
ingest_item_free(struct ingest_item *it)
{
	if (it == NULL)
		return;
	free(it->info_code);
	free(it->file_id);
	free(it->source);
	free(it->category);
	free(it->tag);
	free(it->media);
	free(it->title);
	free(it->link);
	free(it->digest);
	free(it->body);
	free(it->path);
	free(it);
}

/* The link of a post: the record's own (link_field), else the template. */
static char *
ingest_link(const struct conf_source *sc, struct record *r)
{
	char *esc, *link;

	if (r->link != NULL && *r->link != '\0') {
		link = r->link;
		r->link = NULL;
		return link;
	}
	if (sc->link == NULL)
		return NULL;
	if ((esc = curl_easy_escape(NULL, r->id, 0)) == NULL)
		return NULL;
	link = template_fill(sc->link, "{id}", esc);
	curl_free(esc);
	return link;
}

struct ingest_item *
ingest_item_make(struct ingest *in, const struct conf_source *sc, struct record *r,
    const char **why)
{
	struct ingest_item *it;
	long long t;
	char path[4096];

	*why = "out of memory";
	if ((it = calloc(1, sizeof(*it))) == NULL)
		return NULL;
	if (record_date_parse(r->date, in->c->tz_offset, &t) == -1) {
		*why = "bad date";
		goto fail;
	}
	it->published_at = t;
	snprintf(it->published, sizeof(it->published), "%s %s", r->date, in->c->tz);
	if (sc->category != NULL)
		it->category = strdup(sc->category);
	else if ((it->category = ingest_slug(in, r->media)) != NULL && *it->category == '\0') {
		*why = "the media name gives an empty category slug";
		goto fail;
	}
	if (sc->tag != NULL)
		it->tag = strdup(sc->tag);
	else if (asprintf(&it->tag, "%s新闻", r->media) == -1)
		it->tag = NULL;
	if (it->category == NULL || it->tag == NULL)
		goto fail;
	if ((it->link = ingest_link(sc, r)) == NULL) {
		*why = "no link";
		goto fail;
	}
	if (post_path(path, sizeof(path), it->published, r->file_id) == -1) {
		*why = "file id too long";
		goto fail;
	}
	if ((it->path = strdup(path)) == NULL || (it->source = strdup(sc->name)) == NULL)
		goto fail;
	/* The strings of the record move into the item. */
	it->info_code = r->id;
	it->file_id = r->file_id;
	it->title = r->title;
	it->media = r->media;
	it->digest = r->digest;
	r->id = r->file_id = r->title = r->media = r->digest = NULL;
	record_clear(r);
	*why = NULL;
	return it;
fail:
	ingest_item_free(it);
	return NULL;
}

int
ingest_item_set_body(struct ingest_item *it, const char *html)
{
	free(it->body);
	it->body = post_body_make(html, it->digest);
	return it->body != NULL ? 0 : -1;
}

int
ingest_add(struct ingest *in, struct ingest_item *it)
{
	in->items[in->nitems++] = it;
	if (in->nitems == INGEST_BATCH)
		return ingest_flush(in) < 0 ? -1 : 0;
	return 0;
}

/* Renders the post file of a post (a new item or a row) into BATCH. */
static int
ingest_render_post(struct ingest *in, struct fsutil_batch *b, const struct post *p,
    const char *relpath)
{
	char *data = NULL, *path = NULL;
	size_t len;
	int rc = -1;

	if ((data = post_render(p, &len)) == NULL || (path = path_join(in->c->site_dir, relpath)) == NULL) {
		log_warn("render %s", relpath);
		goto out;
	}
	rc = fsutil_batch_add(b, path, data, len, 0);
out:
	free(data);
	free(path);
	return rc;
}

/* Adds the category page of an item's category unless it is known to exist. */
static int
ingest_render_page(struct ingest *in, struct fsutil_batch *b, const char *category,
    const char *tag)
{
	char *data = NULL, *path = NULL, rel[1024];
	size_t len;
	int rc = -1;

	if (tfind(category, &in->pages.root, strset_cmp) != NULL)
		return 0;
	snprintf(rel, sizeof(rel), "category/%s.html", category);
	if ((data = post_render_category(category, tag, &len)) == NULL ||
	    (path = path_join(in->c->site_dir, rel)) == NULL) {
		log_warn("render %s", rel);
		goto out;
	}
	rc = fsutil_batch_add(b, path, data, len, FSUTIL_NOREPLACE);
out:
	free(data);
	free(path);
	return rc;
}

static int
ingest_write_files(struct ingest *in, struct fsutil_batch *b)
{
	for (size_t i = 0; i < in->nitems; i++) {
		struct ingest_item *it = in->items[i];
		const struct conf_source *sc = ingest_source_find(in, it->source);
		char *curl = ingest_category_url(in, sc, it->category, 0);
		struct post p = {
			.title = it->title, .published = it->published,
			.category = it->category, .tag = it->tag, .body = it->body,
			.link = it->link, .category_url = curl,
			.site_host = in->c->site_host,
		};
		int rc = curl == NULL ? -1 : ingest_render_post(in, b, &p, it->path);

		free(curl);
		if (rc == -1 || ingest_render_page(in, b, it->category, it->tag) == -1)
			return -1;
	}
	return fsutil_batch_commit(b);
}

static int
ingest_write_rows(struct ingest *in, long long now)
{
	if (store_begin(in->st) == -1)
		return -1;
	for (size_t i = 0; i < in->nitems; i++) {
		struct ingest_item *it = in->items[i];
		struct store_post sp = {
			.info_code = it->info_code, .source = it->source,
			.category = it->category, .tag = it->tag, .media = it->media,
			.title = it->title, .published = it->published,
			.published_at = it->published_at, .link = it->link,
			.body = it->body, .path = it->path, .file_id = it->file_id,
			.fetched_at = now,
		};

		if (store_post_add(in->st, &sp) == -1)
			goto fail;
	}
	if (store_flag_set(in->st, "feeds_dirty", 1) == -1 || store_commit(in->st) == -1)
		goto fail;
	return 0;
fail:
	store_rollback(in->st);
	return -1;
}

int
ingest_flush(struct ingest *in)
{
	struct fsutil_batch *b = NULL;
	size_t n = in->nitems;
	int rc = -1;

	if (n == 0)
		return 0;
	if ((b = fsutil_batch_create()) == NULL) {
		log_warn("batch");
		goto out;
	}
	if (ingest_write_files(in, b) == -1 || ingest_write_rows(in, (long long)time(NULL)) == -1)
		goto out;
	for (size_t i = 0; i < n; i++) {
		if (strset_add(&in->pages, in->items[i]->category) == -1 ||
		    strset_add(&in->dirty, in->items[i]->category) == -1)
			goto out;
	}
	rc = (int)n;
out:
	fsutil_batch_destroy(b);
	for (size_t i = 0; i < n; i++)
		ingest_item_free(in->items[i]);
	in->nitems = 0;
	return rc;
}

/* The newest entries of one feed, copied out of the store's rows. */
struct feed_buf {
	struct atom_entry *v;
	size_t n, cap;
};

static char *
dupnull(const char *s)
{
	return s != NULL ? strdup(s) : NULL;
}

static int
feed_buf_add(void *arg, const struct store_post *p)
{
	struct feed_buf *fb = arg;
	struct atom_entry *e;

	if (fb->n == fb->cap) {
		size_t cap = fb->cap ? fb->cap * 2 : 64;
		struct atom_entry *v = reallocarray(fb->v, cap, sizeof(*v));

		if (v == NULL)
			return -1;
		fb->v = v;
		fb->cap = cap;
	}
	e = &fb->v[fb->n++];
	memset(e, 0, sizeof(*e));
	e->info_code = dupnull(p->info_code);
	e->file_id = dupnull(p->file_id);
	e->title = dupnull(p->title);
	e->published = dupnull(p->published);
	e->category = dupnull(p->category);
	e->tag = dupnull(p->tag);
	e->media = dupnull(p->media);
	e->body = dupnull(p->body);
	if (!e->info_code || !e->file_id || !e->title || !e->published ||
	    !e->category || !e->tag || !e->body || (p->media && !e->media))
		return -1;
	return 0;
}

static void
feed_buf_clear(struct feed_buf *fb)
{
	for (size_t i = 0; i < fb->n; i++) {
		struct atom_entry *e = &fb->v[i];

		free((char *)e->info_code);
		free((char *)e->file_id);
		free((char *)e->title);
		free((char *)e->published);
		free((char *)e->category);
		free((char *)e->tag);
		free((char *)e->media);
		free((char *)e->body);
	}
	free(fb->v);
	memset(fb, 0, sizeof(*fb));
}

/* Renders feeds/<category>.xml (all.xml when CATEGORY is NULL) into B. */
static int
ingest_render_feed(struct ingest *in, struct fsutil_batch *b, const char *category,
    const char *title)
{
	struct feed_buf fb = { 0 };
	struct atom_feed f = { .site_url = in->c->site_url, .site_host = in->c->site_host,
	    .category = category, .title = title };
	char *html = NULL, *data = NULL, *path = NULL;
	size_t len;
	int rc = -1;

	if (store_posts_newest(in->st, category, in->c->feed_entries, feed_buf_add, &fb) == -1)
		goto out;
	if (category != NULL) {
		html = ingest_category_url(in, NULL, category, 1);
		if (title == NULL && fb.n > 0)
			f.title = fb.v[0].tag;
	} else if (asprintf(&html, "%s/", in->c->site_url) == -1)
		html = NULL;
	if (html == NULL)
		goto out;
	f.html_url = html;
	if (f.title == NULL)
		f.title = category;
	if (asprintf(&path, "%s/feeds/%s.xml", in->c->site_dir,
	    category != NULL ? category : "all") == -1) {
		path = NULL;
		goto out;
	}
	if ((data = atom_render(&f, fb.v, fb.n, &len)) == NULL) {
		log_warnx("render %s failed", path);
		goto out;
	}
	rc = fsutil_batch_add(b, path, data, len, 0);
out:
	feed_buf_clear(&fb);
	free(html);
	free(path);
	free(data);
	return rc;
}

/* The OPML list gathers every category known to the store. */
struct opml_buf {
	struct ingest *in;
	struct atom_outline *v;
	size_t n, cap;
};

static int
opml_buf_add(void *arg, const char *category, const char *tag)
{
	struct opml_buf *ob = arg;
	struct atom_outline *o;

	if (ob->n == ob->cap) {
		size_t cap = ob->cap ? ob->cap * 2 : 64;
		struct atom_outline *v = reallocarray(ob->v, cap, sizeof(*v));

		if (v == NULL)
			return -1;
		ob->v = v;
		ob->cap = cap;
	}
	o = &ob->v[ob->n++];
	o->category = strdup(category);
	o->title = strdup(tag);
	o->html_url = ingest_category_url(ob->in, NULL, category, 1);
	return o->category && o->title && o->html_url ? 0 : -1;
}

static int
ingest_render_opml(struct ingest *in, struct fsutil_batch *b)
{
	struct opml_buf ob = { .in = in };
	char *data = NULL, *path = NULL, *title = NULL;
	size_t len;
	int rc = -1;

	if (store_categories_each(in->st, opml_buf_add, &ob) == -1)
		goto out;
	if (asprintf(&title, "%s feeds", in->c->site_host) == -1 ||
	    asprintf(&path, "%s/feeds/index.opml", in->c->site_dir) == -1) {
		title = path = NULL;
		goto out;
	}
	if ((data = atom_render_opml(in->c->site_url, title, ob.v, ob.n, &len)) == NULL) {
		log_warnx("render %s failed", path);
		goto out;
	}
	rc = fsutil_batch_add(b, path, data, len, 0);
out:
	for (size_t i = 0; i < ob.n; i++) {
		free((char *)ob.v[i].category);
		free((char *)ob.v[i].title);
		free((char *)ob.v[i].html_url);
	}
	free(ob.v);
	free(data);
	free(path);
	free(title);
	return rc;
}

int
ingest_feeds(struct ingest *in)
{
	struct fsutil_batch *b = NULL;
	char *dir = NULL;
	int rc = -1;

	if (in->dirty.n == 0)
		return 0;
	if ((dir = path_join(in->c->site_dir, "feeds")) == NULL || fsutil_mkdirs(dir) == -1) {
		log_warn("%s", dir ? dir : "feeds");
		goto out;
	}
	if ((b = fsutil_batch_create()) == NULL)
		goto out;
	for (size_t i = 0; i < in->dirty.n; i++)
		if (ingest_render_feed(in, b, in->dirty.v[i], NULL) == -1)
			goto out;
	if (ingest_render_feed(in, b, NULL, in->c->site_host) == -1 ||
	    ingest_render_opml(in, b) == -1 || fsutil_batch_commit(b) == -1)
		goto out;
	if (store_flag_set(in->st, "feeds_dirty", 0) == -1)
		goto out;
	strset_clear(&in->dirty);
	rc = 0;
out:
	fsutil_batch_destroy(b);
	free(dir);
	return rc;
}

/*
 * Repair at start: the rows whose file is missing are found from their
 * paths alone (no body is read for the posts that are fine), then each is
 * read whole and its file written again.
 */
struct repair {
	struct ingest *in;
	struct fsutil_batch *b;
	char **missing;       /* info codes of rows whose file is missing */
	size_t n, cap;
	long long rewritten;
};

static int
repair_check(void *arg, const char *info_code, const char *relpath)
{
	struct repair *r = arg;
	struct stat sb;
	char *path = path_join(r->in->c->site_dir, relpath);
	int gone;

	if (path == NULL)
		return -1;
	gone = stat(path, &sb) == -1 && errno == ENOENT;
	free(path);
	if (!gone)
		return 0;
	if (r->n == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 64;
		char **v = reallocarray(r->missing, cap, sizeof(*v));

		if (v == NULL)
			return -1;
		r->missing = v;
		r->cap = cap;
	}
	if ((r->missing[r->n] = strdup(info_code)) == NULL)
		return -1;
	r->n++;
	return 0;
}

static int
repair_post(void *arg, const struct store_post *p)
{
	struct repair *r = arg;
	struct ingest *in = r->in;
	char *curl;
	int rc;

	if ((curl = ingest_category_url(in, ingest_source_find(in, p->source), p->category, 0)) == NULL)
		return -1;
	struct post post = {
		.title = p->title, .published = p->published, .category = p->category,
		.tag = p->tag, .body = p->body, .link = p->link ? p->link : "",
		.category_url = curl, .site_host = in->c->site_host,
	};
	rc = ingest_render_post(in, r->b, &post, p->path);
	free(curl);
	if (rc == 0) {
		log_info("%s: rewritten from the database (its file was missing)", p->path);
		r->rewritten++;
		if (fsutil_batch_count(r->b) >= INGEST_BATCH && fsutil_batch_commit(r->b) == -1)
			rc = -1;
	}
	return rc;
}

/* Marks every category's feed for rewriting (the feeds_dirty flag was up). */
static int
repair_mark_dirty(void *arg, const char *category, const char *tag)
{
	struct ingest *in = arg;

	return strset_add(&in->dirty, category) == -1 ? -1 : 0;
}

/* Creates the folders finewsd writes in and removes a crash's leftovers. */
static int
ingest_prepare_dirs(struct ingest *in)
{
	static const char *const dirs[] = { "_posts", "category", "feeds" };

	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		char *d = path_join(in->c->site_dir, dirs[i]);
		int rc = d == NULL ? -1 : fsutil_mkdirs(d);

		if (rc == 0)
			rc = fsutil_clean_tmp(d);
		if (rc == -1)
			log_warn("%s", d ? d : in->c->site_dir);
		free(d);
		if (rc == -1)
			return -1;
	}
	return 0;
}

int
ingest_repair(struct ingest *in)
{
	struct repair r = { .in = in };
	long long dirty = 0;
	int rc = -1;

	if (ingest_prepare_dirs(in) == -1 || store_flag_get(in->st, "feeds_dirty", &dirty) == -1)
		return -1;
	if ((r.b = fsutil_batch_create()) == NULL)
		return -1;
	if (store_paths_each(in->st, repair_check, &r) == -1)
		goto out;
	for (size_t i = 0; i < r.n; i++)
		if (store_post_get(in->st, r.missing[i], repair_post, &r) == -1)
			goto out;
	if (fsutil_batch_commit(r.b) == -1)
		goto out;
	if (r.rewritten > 0)
		log_info("%lld post files rewritten from the database", r.rewritten);
	if (dirty && (store_categories_each(in->st, repair_mark_dirty, in) == -1 ||
	    ingest_feeds(in) == -1))
		goto out;
	rc = 0;
out:
	for (size_t i = 0; i < r.n; i++)
		free(r.missing[i]);
	free(r.missing);
	fsutil_batch_destroy(r.b);
	return rc;
}
