/*
 * batch: new posts written files first, rows second.  See batch.h.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "batch.h"
#include "fault.h"
#include "log.h"
#include "strset.h"
#include "util.h"

struct batch {
	const struct conf	*c;
	struct store		*st;
	struct feeds		*feeds;
	struct record_post	**items;	/* waiting for the next flush */
	size_t			 n;
	struct strset		 pages;	/* categories whose page is known to exist */
	batch_fail_fn		*fail;
	void			*fail_arg;
	unsigned long		 flushes;	/* batches written (or failed) */
};

struct batch *
batch_create(const struct conf *c, struct store *st, struct feeds *f)
{
	struct batch *b;

	if ((b = calloc(1, sizeof(*b))) == NULL ||
	    (b->items = calloc(BATCH_SIZE, sizeof(struct record_post *))) == NULL) {
		log_warn("batch");
		free(b);
		return NULL;
	}
	b->c = c;
	b->st = st;
	b->feeds = f;
	return b;
}

void
batch_on_fail(struct batch *b, batch_fail_fn *fail, void *arg)
{
	b->fail = fail;
	b->fail_arg = arg;
}

static void
batch_drop(struct batch *b)
{
	for (size_t i = 0; i < b->n; i++)
		record_post_free(b->items[i]);
	b->n = 0;
}

void
batch_destroy(struct batch *b)
{
	if (b == NULL)
		return;
	batch_drop(b);
	free(b->items);
	strset_clear(&b->pages);
	free(b);
}

int
batch_set_conf(struct batch *b, const struct conf *c)
{
	int rc = batch_flush(b) < 0 ? -1 : 0;

	/* The category pages known to exist are those of the old site_dir. */
	if (strcmp(b->c->site_dir, c->site_dir) != 0)
		strset_clear(&b->pages);
	b->c = c;
	return rc;
}

/*
 * 1 when P's file is another post's already (two records of one source
 * with the same file id and different infoCodes), in the batch or in the
 * store; 0 if not; -1 on error.
 */
static int
batch_path_taken(struct batch *b, const struct record_post *p)
{
	char *owner = NULL;
	int taken;

	for (size_t i = 0; i < b->n; i++)
		if (strcmp(b->items[i]->path, p->path) == 0)
			return 1;
	if (store_path_owner(b->st, p->path, &owner) == -1)
		return -1;
	taken = owner != NULL && strcmp(owner, p->info_code) != 0;
	free(owner);
	return taken;
}

/* Gives P a file id of its own when its file is taken: never one post over
 * another, nor two rows and feed entries pointing at one file. */
static int
batch_path_own(struct batch *b, struct record_post *p)
{
	char path[4096], *fid;
	int taken;

	if ((taken = batch_path_taken(b, p)) <= 0)
		return taken;
	if ((fid = record_file_id_distinct(p->file_id, p->info_code)) == NULL ||
	    record_post_path(path, sizeof(path), p->published, fid) == -1) {
		free(fid);
		return -1;
	}
	log_info("source %s: record %s: %s is another post's; written as %s",
	    p->source, p->info_code, p->path, path);
	free(p->file_id);
	free(p->path);
	p->file_id = fid;
	if ((p->path = strdup(path)) == NULL)
		return -1;
	return batch_path_taken(b, p) == 0 ? 0 : -1;
}

int
batch_add(struct batch *b, struct record_post *p, const char *html)
{
	free(p->body);
	if ((p->body = post_body_make(html, p->digest)) == NULL ||
	    batch_path_own(b, p) == -1) {
		log_warn("record %s", p->info_code);
		if (b->fail != NULL)
			b->fail(b->fail_arg, p->source, p->info_code);
		record_post_free(p);
		return -1;
	}
	b->items[b->n++] = p;
	if (b->n == BATCH_SIZE)
		return batch_flush(b) < 0 ? -1 : 0;
	return 0;
}

size_t
batch_pending(const struct batch *b)
{
	return b->n;
}

unsigned long
batch_generation(const struct batch *b)
{
	return b->flushes;
}

int
batch_render_post(const struct conf *c, struct fsutil_batch *fb,
    const char *source, struct post *p, const char *relpath)
{
	char *data = NULL, *path = NULL, *curl;
	size_t len;
	int rc = -1;

	curl = record_category_url(c, conf_source_find(c, source), p->category, 0);
	p->category_url = curl;
	p->site_host = c->site_host;
	if (curl == NULL || (data = post_render(p, &len)) == NULL ||
	    (path = path_join(c->site_dir, relpath)) == NULL) {
		log_warn("render %s", relpath);
		goto out;
	}
	rc = fsutil_batch_add(fb, path, data, len, 0);
out:
	p->category_url = NULL;
	free(curl);
	free(data);
	free(path);
	return rc;
}

/* Adds the category page of CATEGORY unless it is known to exist. */
static int
batch_render_page(struct batch *b, struct fsutil_batch *fb,
    const char *category, const char *tag)
{
	char *data = NULL, *path = NULL, rel[1024];
	size_t len;
	int rc = -1;

	if (strset_has(&b->pages, category))
		return 0;
	(void)snprintf(rel, sizeof(rel), "category/%s.html", category);
	if ((data = post_render_category(category, tag, &len)) == NULL ||
	    (path = path_join(b->c->site_dir, rel)) == NULL) {
		log_warn("render %s", rel);
		goto out;
	}
	rc = fault_hit("page") ? -1 : fsutil_batch_add(fb, path, data, len,
	    FSUTIL_NOREPLACE);
	/* Known from now on, so that the batch's other posts of CATEGORY do
	 * not queue copies of the page that link() then refuses; batch_write
	 * forgets the set when the batch fails. */
	if (rc == 0 && strset_add(&b->pages, category) == -1)
		rc = -1;
out:
	free(data);
	free(path);
	return rc;
}

static int
batch_write_files(struct batch *b, struct fsutil_batch *fb,
    struct record_post **items, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct record_post *it = items[i];
		struct post p = {
			.title = it->title, .published = it->published,
			.category = it->category, .tag = it->tag, .body = it->body,
			.link = it->link,
		};

		if (batch_render_post(b->c, fb, it->source, &p, it->path) == -1 ||
		    batch_render_page(b, fb, it->category, it->tag) == -1)
			return -1;
	}
	return fsutil_batch_commit(fb);
}

static int
batch_write_rows(struct batch *b, struct record_post **items, size_t n,
    long long now)
{
	if (store_begin(b->st) == -1)
		return -1;
	for (size_t i = 0; i < n; i++) {
		struct record_post *it = items[i];
		struct store_post sp = {
			.info_code = it->info_code, .source = it->source,
			.category = it->category, .tag = it->tag, .media = it->media,
			.title = it->title, .published = it->published,
			.published_at = it->published_at, .link = it->link,
			.body = it->body, .path = it->path, .file_id = it->file_id,
			.fetched_at = now,
		};

		if (store_post_add(b->st, &sp) == -1)
			goto fail;
	}
	if (store_flag_set(b->st, "feeds_dirty", 1) == -1 ||
	    fault_hit("row-commit-before") || store_commit(b->st) == -1)
		goto fail;
	(void)fault_hit("row-commit-after");
	return 0;
fail:
	store_rollback(b->st);
	return -1;
}

/*
 * The folders posts and pages go to, made again if they are gone: an
 * operator may delete _posts/ while the daemon runs, or a reload point
 * site_dir elsewhere.  Two mkdir calls a batch.
 */
static int
batch_mkdirs(const struct conf *c)
{
	static const char *const dirs[] = { "_posts", "category" };

	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		char *d = path_join(c->site_dir, dirs[i]);
		int rc = d != NULL ? fsutil_mkdirs(d) : -1;

		if (rc == -1)
			log_warn("%s", d != NULL ? d : c->site_dir);
		free(d);
		if (rc == -1)
			return -1;
	}
	return 0;
}

/* Writes ITEMS[N] as one batch: files, rows, then the marks.  0 or -1. */
static int
batch_write(struct batch *b, struct record_post **items, size_t n)
{
	struct fsutil_batch *fb;
	int rc = -1;

	if (batch_mkdirs(b->c) == -1)
		return -1;
	if ((fb = fsutil_batch_create()) == NULL) {
		log_warn("batch");
		return -1;
	}
	if (batch_write_files(b, fb, items, n) == -1 ||
	    batch_write_rows(b, items, n, (long long)time(NULL)) == -1)
		goto out;
	for (size_t i = 0; i < n; i++) {
		if (strset_add(&b->pages, items[i]->category) == -1 ||
		    feeds_mark(b->feeds, items[i]->category) == -1)
			goto out;
	}
	rc = 0;
out:
	/* A page queued in a batch that failed may not be on the site. */
	if (rc == -1)
		strset_clear(&b->pages);
	fsutil_batch_destroy(fb);
	return rc;
}

int
batch_flush(struct batch *b)
{
	size_t n = b->n, written = 0;

	if (n == 0)
		return 0;
	b->flushes++;
	if (batch_write(b, b->items, n) == 0) {
		written = n;
	} else {
		if (n > 1)
			log_warnx("a batch of %zu posts failed; writing them one "
			    "by one", n);
		for (size_t i = 0; i < n; i++) {
			struct record_post *it = b->items[i];

			if (n > 1 && batch_write(b, &b->items[i], 1) == 0) {
				written++;
				continue;
			}
			log_warnx("source %s: record %s: %s not written; tried "
			    "again at the next poll", it->source, it->info_code,
			    it->path);
			if (b->fail != NULL)
				b->fail(b->fail_arg, it->source, it->info_code);
		}
	}
	batch_drop(b);
	return (int)written;
}
