/*
 * archive: old posts out of _posts/.  See archive.h.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "archive.h"
#include "fault.h"
#include "fsutil.h"
#include "log.h"
#include "post.h"
#include "record.h"
#include "util.h"

struct archive_walk {
	const struct conf *c;
	struct store *st;
	char *dir;
	struct fsutil_batch *fb;
	struct archive_move {
		char *code, *from, *path, *url;
	} *moved;                /* moved posts, their rows still to update */
	size_t n, cap;
};

/*
 * The archived file: the post file TEXT with "permalink: URL" added to its
 * front matter, so that Jekyll serves it where it always was; NULL when
 * TEXT has no front matter to add it to (or has a permalink already: then
 * it is copied as it is).  Malloc'd, its length in *LENP.
 */
static char *
archive_text(const char *text, size_t len, const char *url, size_t *lenp)
{
	const char *end;
	struct sbuf b = { 0 };

	if (strncmp(text, "---\n", 4) != 0 ||
	    (end = strstr(text + 3, "\n---\n")) == NULL)
		return NULL;
	sbuf_add(&b, text, (size_t)(end - text) + 1);
	if (memmem(text, (size_t)(end - text) + 1, "\npermalink:", 11) == NULL)
		sbuf_printf(&b, "permalink: %s\n", url);
	sbuf_add(&b, end + 1, len - (size_t)(end + 1 - text));
	return sbuf_finish(&b, lenp);
}

/* The archived file of row P, rendered from the row (its file is gone or
 * has no front matter). */
static char *
archive_render(struct archive_walk *w, const struct store_post *p,
    const char *url, size_t *lenp)
{
	char *curl = record_category_url(w->c, conf_source_find(w->c, p->source),
	    p->category, 0), *data;
	struct post post = {
		.title = p->title, .published = p->published,
		.category = p->category, .tag = p->tag, .body = p->body,
		.link = p->link ? p->link : "", .category_url = curl,
		.site_host = w->c->site_host, .permalink = url,
	};

	data = curl != NULL ? post_render(&post, lenp) : NULL;
	free(curl);
	return data;
}

/* Writes the archived copy of P into the batch; the move is noted. */
static int
archive_one(void *arg, const struct store_post *p)
{
	struct archive_walk *w = arg;
	struct archive_move m = { 0 };
	const char *name = strrchr(p->path, '/');
	char *text = NULL, *data = NULL, *to = NULL;
	size_t len = 0, dlen;
	int rc = -1;

	name = name != NULL ? name + 1 : p->path;
	if (asprintf(&m.from, "%s/%s", w->c->site_dir, p->path) == -1 ||
	    asprintf(&m.path, "%s/%s", w->c->archive_dir, name) == -1 ||
	    asprintf(&to, "%s/%s", w->c->site_dir, m.path) == -1 ||
	    (m.url = record_page_url(p->category, p->published, p->file_id,
	    p->path, p->url)) == NULL || (m.code = strdup(p->info_code)) == NULL) {
		log_warn("archive %s", p->path);
		goto out;
	}
	/* The file as it is (an operator may have edited it), else the row. */
	if ((text = fsutil_read_file(m.from, UTIL_MAX_RESPONSE * 2, &len)) == NULL &&
	    errno != ENOENT) {
		log_warn("archive %s", m.from);
		goto out;
	}
	if ((text == NULL || (data = archive_text(text, len, m.url, &dlen)) == NULL) &&
	    (data = archive_render(w, p, m.url, &dlen)) == NULL) {
		log_warn("archive %s", p->path);
		goto out;
	}
	if (fsutil_batch_add(w->fb, to, data, dlen, 0) == -1 ||
	    VEC_RESERVE(w->moved, w->cap, w->n + 1) == -1)
		goto out;
	w->moved[w->n++] = m;
	memset(&m, 0, sizeof(m));
	rc = 0;
out:
	free(m.code);
	free(m.from);
	free(m.path);
	free(m.url);
	free(text);
	free(data);
	free(to);
	return rc;
}

/*
 * The archived copies are on disk: the posts leave _posts/ (the removal
 * made durable), then their rows say where they are.  A crash between the
 * two leaves a row whose file is missing, which the repair at start writes
 * again where the row says, and the next archive moves again.
 */
static int
archive_commit(struct archive_walk *w)
{
	char *posts = NULL;
	int rc = -1;

	if (fsutil_batch_commit(w->fb) == -1 || fault_hit("archive-copy"))
		return -1;
	for (size_t i = 0; i < w->n; i++)
		if (unlink(w->moved[i].from) == -1 && errno != ENOENT) {
			log_warn("archive: %s", w->moved[i].from);
			return -1;
		}
	if ((posts = path_join(w->c->site_dir, "_posts")) == NULL ||
	    fsutil_dir_sync(posts) == -1 || fault_hit("archive-unlink") ||
	    store_begin(w->st) == -1)
		goto out;
	for (size_t i = 0; i < w->n; i++)
		if (store_post_move(w->st, w->moved[i].code, w->moved[i].path,
		    w->moved[i].url) == -1) {
			store_rollback(w->st);
			goto out;
		}
	if (store_commit(w->st) == -1) {
		store_rollback(w->st);
		goto out;
	}
	rc = 0;
out:
	free(posts);
	return rc;
}

int
archive_run(const struct conf *c, struct store *st, time_t now)
{
	struct archive_walk w = { .c = c, .st = st };
	int rc;

	if (c->archive_after_days <= 0)
		return 0;
	if (asprintf(&w.dir, "%s/%s", c->site_dir, c->archive_dir) == -1) {
		log_warn("archive");
		return -1;
	}
	if (fsutil_mkdirs(w.dir) == -1) {
		log_warn("archive: %s", w.dir);
		free(w.dir);
		return -1;
	}
	if ((w.fb = fsutil_batch_create()) == NULL) {
		free(w.dir);
		return -1;
	}
	rc = store_posts_older(st, (long long)now - c->archive_after_days * 86400LL,
	    "_posts/", archive_one, &w);
	if (rc != -1 && w.n > 0)
		rc = archive_commit(&w);
	if (rc != -1 && w.n > 0)
		log_info("archive: %zu posts older than %ld days moved to %s/", w.n,
		    c->archive_after_days, c->archive_dir);
	for (size_t i = 0; i < w.n; i++) {
		free(w.moved[i].code);
		free(w.moved[i].from);
		free(w.moved[i].path);
		free(w.moved[i].url);
	}
	free(w.moved);
	fsutil_batch_destroy(w.fb);
	free(w.dir);
	return rc == -1 ? -1 : (int)w.n;
}
