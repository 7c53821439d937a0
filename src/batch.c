/*
 * batch: new posts written files first, rows second.  See batch.h.
 *
 * A full batch is handed to the writer thread, which renders its files and
 * makes them durable (the part that waits on the kernel), while the loop
 * goes on fetching and fills the next batch; the loop then adds the
 * handed batch's rows when the writer is done (batch_reap).  The rows of
 * several batches share a transaction, committed once it holds
 * BATCH_COMMIT_ROWS posts, at a flush, or when the scheduler asks
 * (batch_commit); a batch's ticket ends at the commit of its rows.  One
 * batch is with the writer at a time: a second one that fills meanwhile
 * waits for it, so at most two batches are held.  The writer touches only the job's
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

/* A post whose row is in the open transaction, to name if it fails. */
struct batch_key {
	char	*source;
	char	*info_code;
};

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

	/* The transaction the rows of written batches are in, if open. */
	int			 open;
	struct batch_key	*keys;		/* its posts */
	size_t			 nkeys, capkeys;
	unsigned long		 open_ticket;	/* the last ticket in it */

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
    size_t n, int files_rc, unsigned long ticket, int commit);
static int batch_rows_commit(struct batch *b, size_t keep);
static void batch_keys_end(struct batch *b, size_t from, int fail);

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
	written = batch_complete(b, b->job, b->njob, rc, b->job_ticket, 0);
	for (size_t i = 0; i < b->njob; i++)
		record_post_free(b->job[i]);
	b->spare = b->job;
	b->job = NULL;
	b->njob = 0;
	strset_clear(&b->job_paths);
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

int
batch_uncommitted(const struct batch *b, unsigned long ticket)
{
	return b->open && ticket > b->done && ticket <= b->open_ticket;
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
	/* The rows of written files are kept. */
	(void)batch_rows_commit(b, 0);
	free(b->keys);
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

/*
 * Keeps the posts ITEMS[N] as those whose rows are in the open transaction.
 * 0 or -1 (out of memory; none of them kept then).
 */
static int
batch_keep(struct batch *b, struct record_post **items, size_t n)
{
	size_t n0 = b->nkeys;

	if (VEC_RESERVE(b->keys, b->capkeys, b->nkeys + n) == -1)
		return -1;
	for (size_t i = 0; i < n; i++) {
		struct batch_key *k = &b->keys[b->nkeys];

		if ((k->source = strdup(items[i]->source)) == NULL ||
		    (k->info_code = strdup(items[i]->info_code)) == NULL) {
			free(k->source);
			batch_keys_end(b, n0, 0);
			return -1;
		}
		b->nkeys++;
	}
	return 0;
}

/*
 * Forgets the posts kept from the FROM-th on; with FAIL, each is logged and
 * handed to the fail callback first: its row was rolled back.
 */
static void
batch_keys_end(struct batch *b, size_t from, int fail)
{
	for (size_t i = from; i < b->nkeys; i++) {
		struct batch_key *k = &b->keys[i];

		if (fail) {
			log_warnx("source %s: record %s: its row was rolled "
			    "back; tried again at the next poll", k->source,
			    k->info_code);
			if (b->fail != NULL)
				b->fail(b->fail_arg, k->source, k->info_code);
		}
		free(k->source);
		free(k->info_code);
	}
	b->nkeys = from;
}

/*
 * Adds the rows of ITEMS[N] to the open transaction, beginning one if none
 * is, and marks their feeds.  On failure the transaction is rolled back
 * (a savepoint to undo these rows alone would cost SQLite a copy of every
 * page they touch), and the posts of the batches before in it are
 * reported.  0 or -1.
 */
static int
batch_write_rows(struct batch *b, struct record_post **items, size_t n,
    long long now)
{
	size_t i;

	if (b->open && !store_in_transaction(b->st))
		goto fail;
	if (!b->open) {
		if (store_begin(b->st) == -1)
			return -1;
		b->open = 1;
	}
	for (i = 0; i < n; i++) {
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
	for (i = 0; i < n; i++)
		if (strset_add(&b->pages, items[i]->category) == -1 ||
		    feeds_mark(b->feeds, items[i]->category) == -1) {
			strset_clear(&b->pages);
			goto fail;
		}
	if (batch_keep(b, items, n) == 0)
		return 0;
fail:
	store_rollback(b->st);
	b->open = 0;
	batch_keys_end(b, 0, 1);
	if (b->open_ticket > b->done)
		b->done = b->open_ticket;
	return -1;
}

/*
 * Commits the open transaction, which ends its batches' tickets.  On
 * failure it is rolled back: the posts of the last KEEP rows in it are the
 * caller's to write again, the others are reported.  0 or -1.
 */
static int
batch_rows_commit(struct batch *b, size_t keep)
{
	int rc = 0;

	if (!b->open)
		return 0;
	b->open = 0;
	/* A statement of another module may have failed in it and rolled
	 * it back; the flag would be set outside it. */
	if (!store_in_transaction(b->st) ||
	    store_flag_set(b->st, "feeds_dirty", 1) == -1 ||
	    fault_hit("row-commit-before") || store_commit(b->st) == -1) {
		store_rollback(b->st);
		batch_keys_end(b, b->nkeys - (keep < b->nkeys ? keep : b->nkeys), 0);
		batch_keys_end(b, 0, 1);
		rc = -1;
	} else {
		(void)fault_hit("row-commit-after");
		batch_keys_end(b, 0, 0);
	}
	if (b->open_ticket > b->done)
		b->done = b->open_ticket;
	return rc;
}

int
batch_commit(struct batch *b)
{
	return batch_rows_commit(b, 0);
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

/*
 * Ends the batch ITEMS[N] of ticket TICKET whose files were written with
 * FILES_RC: its rows join the open transaction, committed now with COMMIT
 * or once it holds BATCH_COMMIT_ROWS posts.  When the files, the rows or
 * the commit fail, each post is written again on its own, its row
 * committed alone, so that one post that cannot be written never takes
 * the others with it.  The ticket ends with the commit.  Returns the
 * posts written; the items stay the caller's.
 */
static int
batch_complete(struct batch *b, struct record_post **items, size_t n,
    int files_rc, unsigned long ticket, int commit)
{
	long long now = (long long)time(NULL);
	size_t written = 0, before = b->open ? b->nkeys : 0;

	if (files_rc == 0 && batch_write_rows(b, items, n, now) == 0) {
		b->open_ticket = ticket;
		if ((!commit && b->nkeys < BATCH_COMMIT_ROWS) ||
		    batch_rows_commit(b, n) == 0)
			return (int)n;
	}
	if (n > 1)
		log_warnx("a batch of %zu posts failed; writing them one "
		    "by one", n);
	b->open_ticket = ticket;
	for (size_t i = 0; i < n; i++) {
		struct record_post *it = items[i];

		/* A post is tried again alone unless it failed alone. */
		if ((n > 1 || before > 0) &&
		    batch_write_files_all(b, &items[i], 1) == 0 &&
		    batch_write_rows(b, &items[i], 1, now) == 0 &&
		    batch_rows_commit(b, 1) == 0) {
			written++;
			continue;
		}
		log_warnx("source %s: record %s: %s not written; tried "
		    "again at the next poll", it->source, it->info_code,
		    it->path);
		if (b->fail != NULL)
			b->fail(b->fail_arg, it->source, it->info_code);
	}
	/* Rows of the batches before may still be open: the ticket ends
	 * after theirs. */
	(void)batch_rows_commit(b, 0);
	if (ticket > b->done)
		b->done = ticket;
	return (int)written;
}

int
batch_flush(struct batch *b)
{
	size_t n = b->n;
	int written = batch_reap_job(b, 1);

	if (n == 0) {
		(void)batch_rows_commit(b, 0);
		return written;
	}
	written += batch_complete(b, b->items, n,
	    batch_write_files_all(b, b->items, n), b->filling++, 1);
	batch_drop(b);
	return written;
}
