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
#include "fsutil.h"
#include "log.h"

struct archive_walk {
	const struct conf *c;
	struct store *st;
	char *dir;
	char **codes, **paths;   /* moved posts, their rows still to update */
	size_t n, cap;
};

/* Makes the renames in folder PATH durable before the rows say so. */
static int
archive_sync_dir(const char *path)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC), rc;

	if (fd == -1)
		return -1;
	rc = fsync(fd);
	close(fd);
	return rc;
}

static int
archive_note(struct archive_walk *w, const char *code, char *rel)
{
	if (w->n == w->cap) {
		size_t cap = w->cap ? w->cap * 2 : 64;
		char **c = reallocarray(w->codes, cap, sizeof(*c));
		char **p = c ? reallocarray(w->paths, cap, sizeof(*p)) : NULL;

		if (c != NULL)
			w->codes = c;
		if (p == NULL)
			return -1;
		w->paths = p;
		w->cap = cap;
	}
	if ((w->codes[w->n] = strdup(code)) == NULL)
		return -1;
	w->paths[w->n++] = rel;
	return 0;
}

static int
archive_one(void *arg, const struct store_post *p)
{
	struct archive_walk *w = arg;
	const char *name = strrchr(p->path, '/');
	char *from = NULL, *to = NULL, *rel = NULL;
	int rc = -1;

	name = name != NULL ? name + 1 : p->path;
	if (asprintf(&from, "%s/%s", w->c->site_dir, p->path) == -1 ||
	    asprintf(&rel, "%s/%s", w->c->archive_dir, name) == -1 ||
	    asprintf(&to, "%s/%s", w->c->site_dir, rel) == -1) {
		from = rel = to = NULL;
		log_warn("archive %s", p->path);
		goto out;
	}
	if (rename(from, to) == -1 && errno != ENOENT) {
		log_warn("archive: rename %s to %s", from, to);
		goto out;
	}
	if (archive_note(w, p->info_code, rel) == -1) {
		log_warn("archive %s", p->path);
		goto out;
	}
	rel = NULL;
	rc = 0;
out:
	free(from);
	free(to);
	free(rel);
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
	rc = store_posts_older(st, (long long)now - c->archive_after_days * 86400LL,
	    "_posts/", archive_one, &w);
	if (w.n > 0) {
		char *posts = NULL;

		if (asprintf(&posts, "%s/_posts", c->site_dir) == -1 ||
		    archive_sync_dir(w.dir) == -1 || archive_sync_dir(posts) == -1) {
			log_warn("archive: sync %s", w.dir);
			rc = -1;
		} else if (store_begin(st) == 0) {
			for (size_t i = 0; i < w.n && rc != -1; i++)
				rc = store_post_set_path(st, w.codes[i], w.paths[i]);
			if (rc == -1 || store_commit(st) == -1) {
				store_rollback(st);
				rc = -1;
			}
		} else
			rc = -1;
		free(posts);
	}
	if (rc != -1 && w.n > 0)
		log_info("archive: %zu posts older than %ld days moved to %s/", w.n,
		    c->archive_after_days, c->archive_dir);
	for (size_t i = 0; i < w.n; i++) {
		free(w.codes[i]);
		free(w.paths[i]);
	}
	free(w.codes);
	free(w.paths);
	free(w.dir);
	return rc == -1 ? -1 : (int)w.n;
}
