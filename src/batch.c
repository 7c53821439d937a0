/*
 * batch: new posts written files first, rows second.  See batch.h.
 *
 * A full batch is handed to the writer thread, which renders its files and
 * makes them durable (the part that waits on the kernel), while the loop
 * goes on fetching and fills the next batch; the loop then commits the
 * handed batch's rows when the writer is done (batch_reap).  One batch is
 * with the writer at a time: a second one that fills meanwhile waits for
 * it, so at most two batches are held.  The writer touches only the job's
 * posts, the configuration (which does not change while a job is out:
 * batch_set_conf waits for it) and the set of known pages (which the loop
 * touches only while no job is out); SQLite, the feeds and the callbacks
 * stay on the loop's thread.
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
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
	struct strset		 paths;	/* the files of the queued posts */
	struct strset		 job_paths;	/* ... and of the writer's job */
	batch_fail_fn		*fail;
	void			*fail_arg;
	unsigned long		 filling;	/* ticket of the batch being filled */
	unsigned long		 done;		/* tickets up to this are written or failed */

	/* The writer thread and the one job it may hold. */
	pthread_t		 thread;
	int			 started;
	pthread_mutex_t		 mu;
	pthread_cond_t		 cv;
	int			 quit;		/* under mu */
	int			 job_state;	/* under mu: JOB_NONE, _QUEUED, _DONE */
	struct record_post	**job;		/* the job's posts */
	size_t			 njob;
	unsigned long		 job_ticket;
	int			 job_rc;	/* its files: 0 or -1 */
	struct record_post	**spare;	/* the other array of BATCH_SIZE */
	batch_wake_fn		*wake;		/* under mu */
	void			*wake_arg;
};

enum { JOB_NONE, JOB_QUEUED, JOB_DONE };

static int batch_write_files_all(struct batch *b, struct record_post **items,
    size_t n);
static int batch_complete(struct batch *b, struct record_post **items,
    size_t n, int files_rc);

static void *
batch_writer(void *arg)
{
	struct batch *b = arg;

	pthread_mutex_lock(&b->mu);
	for (;;) {
		while (b->job_state != JOB_QUEUED && !b->quit)
			pthread_cond_wait(&b->cv, &b->mu);
		if (b->job_state != JOB_QUEUED)
			break;
		pthread_mutex_unlock(&b->mu);
		int rc = batch_write_files_all(b, b->job, b->njob);
		pthread_mutex_lock(&b->mu);
		b->job_rc = rc;
		b->job_state = JOB_DONE;
		pthread_cond_broadcast(&b->cv);
		if (b->wake != NULL)
			b->wake(b->wake_arg);
	}
	pthread_mutex_unlock(&b->mu);
	return NULL;
}

/* Starts the writer with every signal blocked: they are the loop's. */
static int
batch_start_writer(struct batch *b)
{
	sigset_t all, old;
	int rc;

	if (pthread_mutex_init(&b->mu, NULL) != 0)
		return -1;
	if (pthread_cond_init(&b->cv, NULL) != 0) {
		pthread_mutex_destroy(&b->mu);
		return -1;
	}
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	rc = pthread_create(&b->thread, NULL, batch_writer, b);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0) {
		pthread_cond_destroy(&b->cv);
		pthread_mutex_destroy(&b->mu);
		errno = rc;
		return -1;
	}
	b->started = 1;
	return 0;
}

/*
 * Completes the job the writer finished: its rows, its marks, or the
 * one-by-one retry of a failure.  WAIT: wait for the writer if it is not
 * done.  Returns the posts written (0 with no job done).
 */
static int
batch_reap_job(struct batch *b, int wait)
{
	int state, rc, written;

	if (!b->started)
		return 0;
	pthread_mutex_lock(&b->mu);
	while (wait && b->job_state == JOB_QUEUED)
		pthread_cond_wait(&b->cv, &b->mu);
	state = b->job_state;
	rc = b->job_rc;
	pthread_mutex_unlock(&b->mu);
	if (state != JOB_DONE)
		return 0;
	written = batch_complete(b, b->job, b->njob, rc);
	for (size_t i = 0; i < b->njob; i++)
		record_post_free(b->job[i]);
	b->spare = b->job;
	b->job = NULL;
	b->njob = 0;
	strset_clear(&b->job_paths);
	b->done = b->job_ticket;
	pthread_mutex_lock(&b->mu);
	b->job_state = JOB_NONE;
	pthread_mutex_unlock(&b->mu);
	return written;
}

int
batch_reap(struct batch *b)
{
	return batch_reap_job(b, 0);
}

void
batch_on_written(struct batch *b, batch_wake_fn *fn, void *arg)
{
	if (!b->started)
		return;
	pthread_mutex_lock(&b->mu);
	b->wake = fn;
	b->wake_arg = arg;
	pthread_mutex_unlock(&b->mu);
}

unsigned long
batch_ticket(const struct batch *b)
{
	return b->filling;
}

int
batch_written(const struct batch *b, unsigned long ticket)
{
	return ticket <= b->done;
}

unsigned long
batch_done(const struct batch *b)
{
	return b->done;
}

/*
 * Hands the full batch to the writer, after the job it may still hold is
 * completed; without a writer, writes it here.  0 or -1.
 */
static int
batch_hand_off(struct batch *b)
{
	if (!b->started)
		return batch_flush(b) < 0 ? -1 : 0;
	(void)batch_reap_job(b, 1);
	b->job = b->items;
	b->njob = b->n;
	b->job_ticket = b->filling++;
	b->items = b->spare;
	b->spare = NULL;
	b->n = 0;
	strset_clear(&b->job_paths);
	b->job_paths = b->paths;
	memset(&b->paths, 0, sizeof(b->paths));
	pthread_mutex_lock(&b->mu);
	b->job_state = JOB_QUEUED;
	pthread_cond_broadcast(&b->cv);
	pthread_mutex_unlock(&b->mu);
	return 0;
}

struct batch *
batch_create(const struct conf *c, struct store *st, struct feeds *f)
{
	struct batch *b;

	if ((b = calloc(1, sizeof(*b))) == NULL ||
	    (b->items = calloc(BATCH_SIZE, sizeof(struct record_post *))) == NULL ||
	    (b->spare = calloc(BATCH_SIZE, sizeof(struct record_post *))) == NULL) {
		log_warn("batch");
		if (b != NULL)
			free(b->items);
		free(b);
		return NULL;
	}
	b->c = c;
	b->st = st;
	b->feeds = f;
	b->filling = 1;
	/* Without a thread the batches are written on the loop's, as well. */
	if (batch_start_writer(b) == -1)
		log_warn("batch: writer thread; batches are written in line");
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
	strset_clear(&b->paths);
}

void
batch_destroy(struct batch *b)
{
	if (b == NULL)
		return;
	if (b->started) {
		/* A job out is completed: its files are on the site already. */
		(void)batch_reap_job(b, 1);
		pthread_mutex_lock(&b->mu);
		b->quit = 1;
		pthread_cond_broadcast(&b->cv);
		pthread_mutex_unlock(&b->mu);
		pthread_join(b->thread, NULL);
		pthread_cond_destroy(&b->cv);
		pthread_mutex_destroy(&b->mu);
	}
	batch_drop(b);
	strset_clear(&b->job_paths);
	free(b->items);
	free(b->spare);
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

	/* The writer's job too: its rows are not in the store yet. */
	if (strset_has(&b->paths, p->path) || strset_has(&b->job_paths, p->path))
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
	    batch_path_own(b, p) == -1 || strset_add(&b->paths, p->path) == -1) {
		log_warn("record %s", p->info_code);
		if (b->fail != NULL)
			b->fail(b->fail_arg, p->source, p->info_code);
		record_post_free(p);
		return -1;
	}
	b->items[b->n++] = p;
	if (b->n == BATCH_SIZE)
		return batch_hand_off(b);
	return 0;
}

size_t
batch_pending(const struct batch *b)
{
	return b->n + b->njob;
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

/*
 * The files of ITEMS[N] (on the writer's thread, or the loop's when it
 * writes a batch itself): rendered, made durable, put in place.  0 or -1;
 * a page queued in a batch that failed may not be on the site, so the set
 * of known pages is forgotten.
 */
static int
batch_write_files_all(struct batch *b, struct record_post **items, size_t n)
{
	struct fsutil_batch *fb;
	int rc = -1;

	if (batch_mkdirs(b->c) == -1)
		goto out;
	if ((fb = fsutil_batch_create()) == NULL) {
		log_warn("batch");
		goto out;
	}
	rc = batch_write_files(b, fb, items, n);
	fsutil_batch_destroy(fb);
out:
	if (rc == -1)
		strset_clear(&b->pages);
	return rc;
}

/* The rows of ITEMS[N], whose files are in place, then the marks.  0 or -1. */
static int
batch_write_rest(struct batch *b, struct record_post **items, size_t n)
{
	if (batch_write_rows(b, items, n, (long long)time(NULL)) == -1)
		goto fail;
	for (size_t i = 0; i < n; i++) {
		if (strset_add(&b->pages, items[i]->category) == -1 ||
		    feeds_mark(b->feeds, items[i]->category) == -1)
			goto fail;
	}
	return 0;
fail:
	strset_clear(&b->pages);
	return -1;
}

/* Writes ITEMS[N] as one batch: files, rows, then the marks.  0 or -1. */
static int
batch_write(struct batch *b, struct record_post **items, size_t n)
{
	if (batch_write_files_all(b, items, n) == -1)
		return -1;
	return batch_write_rest(b, items, n);
}

/*
 * Ends the batch ITEMS[N] whose files were written with FILES_RC: its rows
 * when they were, else (or when the rows fail) each post again on its own,
 * so that one post that cannot be written never takes the others with it.
 * Returns the posts written; the items stay the caller's.
 */
static int
batch_complete(struct batch *b, struct record_post **items, size_t n,
    int files_rc)
{
	size_t written = 0;

	if (files_rc == 0 && batch_write_rest(b, items, n) == 0)
		return (int)n;
	if (n > 1)
		log_warnx("a batch of %zu posts failed; writing them one "
		    "by one", n);
	for (size_t i = 0; i < n; i++) {
		struct record_post *it = items[i];

		if (n > 1 && batch_write(b, &items[i], 1) == 0) {
			written++;
			continue;
		}
		log_warnx("source %s: record %s: %s not written; tried "
		    "again at the next poll", it->source, it->info_code,
		    it->path);
		if (b->fail != NULL)
			b->fail(b->fail_arg, it->source, it->info_code);
	}
	return (int)written;
}

int
batch_flush(struct batch *b)
{
	size_t n = b->n;
	int written = batch_reap_job(b, 1);

	if (n == 0)
		return written;
	written += batch_complete(b, b->items, n,
	    batch_write_files_all(b, b->items, n));
	b->done = b->filling++;
	batch_drop(b);
	return written;
}
