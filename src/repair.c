/*
 * repair: the site made whole at start.  See repair.h.
 *
 * The rows whose file is missing are found from their paths alone (no body
 * is read for the posts that are fine), then each is read whole and its
 * file written again.
 *
 * That walk stats every post file, which costs a start seconds with
 * hundreds of thousands of posts; it is skipped when finewsd stopped
 * cleanly last time and nothing changed since: a clean stop records the
 * modification times of the folders posts live in (site_dir, _posts/,
 * archive_dir, old_post/) and the last row (repair_stamp), and the stamp
 * is erased at start, so that a crash or a kill leaves none.  A file or
 * folder removed from them while finewsd was stopped changes a folder's
 * time, so it is still found.  The trade-off: a post file removed by hand
 * while the daemon ran, or deeper than those folders, is rewritten only at
 * a start that follows a stop that was not clean (or a change to those
 * folders), not at the next start.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "batch.h"
#include "store.h"
#include "fsutil.h"
#include "log.h"
#include "repair.h"
#include "util.h"

struct repair {
	const struct conf	*c;
	struct fsutil_batch	*fb;
	char			**missing;	/* info codes of rows whose file is missing */
	size_t			 n, cap;
	long long		 rewritten;
};

static int
repair_check(void *arg, const char *info_code, const char *relpath)
{
	struct repair *r = arg;
	struct stat sb;
	char *path = path_join(r->c->site_dir, relpath);
	int gone;

	if (path == NULL)
		return -1;
	gone = stat(path, &sb) == -1 && errno == ENOENT;
	free(path);
	if (!gone)
		return 0;
	if (VEC_RESERVE(r->missing, r->cap, r->n + 1) == -1 ||
	    (r->missing[r->n] = strdup(info_code)) == NULL)
		return -1;
	r->n++;
	return 0;
}

/* Creates the folder of the post file REL (old_post/ may be gone too). */
static int
repair_mkdir(const struct conf *c, const char *rel)
{
	char *path = path_join(c->site_dir, rel), *slash;
	int rc = -1;

	if (path != NULL && (slash = strrchr(path, '/')) != NULL) {
		*slash = '\0';
		rc = fsutil_mkdirs(path);
		if (rc == -1)
			log_warn("%s", path);
	}
	free(path);
	return rc;
}

/* Writes the file of row SP again where the row says it is; a post with a
 * page of its own (an archived one) gets its permalink back. */
static int
repair_post(void *arg, const struct store_post *sp)
{
	struct repair *r = arg;
	struct post p = {
		.title = sp->title, .published = sp->published,
		.category = sp->category, .tag = sp->tag, .body = sp->body,
		.link = sp->link ? sp->link : "", .permalink = sp->url,
	};

	if (repair_mkdir(r->c, sp->path) == -1 ||
	    batch_render_post(r->c, r->fb, sp->source, &p, sp->path) == -1)
		return -1;
	log_info("%s: its file is missing; written again from the database", sp->path);
	r->rewritten++;
	if (fsutil_batch_count(r->fb) >= BATCH_SIZE && fsutil_batch_commit(r->fb) == -1)
		return -1;
	return 0;
}

/*
 * Creates the folders finewsd writes in and removes a crash's leftovers.
 * STAMPED: the stamp of a clean stop holds, so _posts/ has had no file
 * added or removed since then, when no temporary file was left there: its
 * listing, which costs a start 0.1 s with 200,000 posts, is skipped.
 */
static int
repair_dirs(const struct conf *c, int stamped)
{
	static const char *const dirs[] = { "_posts", "category", "feeds" };

	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		char *d = path_join(c->site_dir, dirs[i]);
		int rc = d == NULL ? -1 : fsutil_mkdirs(d);

		if (rc == 0 && !(i == 0 && stamped))
			rc = fsutil_clean_tmp(d);
		if (rc == -1)
			log_warn("%s", d ? d : c->site_dir);
		free(d);
		if (rc == -1)
			return -1;
	}
	return 0;
}

/*
 * The modification times of the folders posts live in, folded into one
 * number; 0 when one of them is missing or cannot be read (no stamp).
 */
static long long
repair_posts_time(const struct conf *c)
{
	const char *const dirs[] = { ".", "_posts", c->archive_dir, "old_post" };
	unsigned long long h = 1469598103934665603ULL;

	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		char *d = path_join(c->site_dir, dirs[i]);
		struct stat sb;
		int rc = d != NULL ? stat(d, &sb) : -1;

		free(d);
		if (rc == -1 && (i < 2 || errno != ENOENT))
			return 0;
		h = (h ^ (rc == -1 ? 1ULL : (unsigned long long)sb.st_mtim.tv_sec *
		    1000000000ULL + (unsigned long long)sb.st_mtim.tv_nsec)) *
		    1099511628211ULL;
	}
	return h == 0 ? 1 : (long long)(h >> 1);
}

/* 1 when the stamp of a clean stop says every post file is still there. */
static int
repair_stamped(const struct conf *c, struct store *st)
{
	long long when = 0, last = -1;

	if (store_flag_get(st, "clean_stop_posts_time", &when) == -1 ||
	    store_flag_get(st, "clean_stop_last_post", &last) == -1)
		return 0;
	return when != 0 && when == repair_posts_time(c) &&
	    last == store_posts_last(st);
}

int
repair_stamp(const struct conf *c, struct store *st)
{
	long long when = repair_posts_time(c), last = store_posts_last(st);

	if (when == 0 || last == -1 || store_begin(st) == -1)
		return -1;
	if (store_flag_set(st, "clean_stop_posts_time", when) == -1 ||
	    store_flag_set(st, "clean_stop_last_post", last) == -1 ||
	    store_commit(st) == -1) {
		store_rollback(st);
		return -1;
	}
	return 0;
}

int
repair_run(const struct conf *c, struct store *st, struct feeds *f)
{
	struct repair r = { .c = c };
	long long dirty = 0;
	int rc = -1, stamped;

	stamped = repair_stamped(c, st);
	if (repair_dirs(c, stamped) == -1 ||
	    store_flag_get(st, "feeds_dirty", &dirty) == -1)
		return -1;
	/* From now on a stop that is not clean must be seen at the next start. */
	if (store_flag_set(st, "clean_stop_posts_time", 0) == -1)
		return -1;
	if ((r.fb = fsutil_batch_create()) == NULL)
		return -1;
	if (!stamped && store_paths_each(st, repair_check, &r) == -1)
		goto out;
	for (size_t i = 0; i < r.n; i++)
		if (store_post_get(st, r.missing[i], repair_post, &r) == -1)
			goto out;
	if (fsutil_batch_commit(r.fb) == -1)
		goto out;
	if (r.rewritten > 0)
		log_info("%lld post files rewritten from the database", r.rewritten);
	if (dirty && (feeds_mark_all(f) == -1 || feeds_write(f) == -1))
		goto out;
	rc = 0;
out:
	for (size_t i = 0; i < r.n; i++)
		free(r.missing[i]);
	free(r.missing);
	fsutil_batch_destroy(r.fb);
	return rc;
}
