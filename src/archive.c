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
#include "util.h"

struct archive_walk {
	const struct conf *c;
	struct store *st;
	char *dir;
	struct archive_move {
		char *code, *path;
	} *moved;                /* moved posts, their rows still to update */
	size_t n, cap;
};

static int
archive_note(struct archive_walk *w, const char *code, char *rel)
{
	char *c;

	if (VEC_RESERVE(w->moved, w->cap, w->n + 1) == -1 ||
	    (c = strdup(code)) == NULL)
		return -1;
	w->moved[w->n].code = c;
	w->moved[w->n++].path = rel;
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

		/* The renames are made durable before the rows say so. */
		if (asprintf(&posts, "%s/_posts", c->site_dir) == -1)
			posts = NULL;
		if (posts == NULL || fsutil_dir_sync(w.dir) == -1 ||
		    fsutil_dir_sync(posts) == -1 || store_begin(st) == -1) {
			rc = -1;
		} else {
			for (size_t i = 0; i < w.n && rc != -1; i++)
				rc = store_post_set_path(st, w.moved[i].code, w.moved[i].path);
			if (rc == -1 || store_commit(st) == -1) {
				store_rollback(st);
				rc = -1;
			}
		}
		free(posts);
	}
	if (rc != -1 && w.n > 0)
		log_info("archive: %zu posts older than %ld days moved to %s/", w.n,
		    c->archive_after_days, c->archive_dir);
	for (size_t i = 0; i < w.n; i++) {
		free(w.moved[i].code);
		free(w.moved[i].path);
	}
	free(w.moved);
	free(w.dir);
	return rc == -1 ? -1 : (int)w.n;
}
