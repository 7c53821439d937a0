/*
 * test_batch: the write path of new posts (batch), the feeds' rewrite
 * (feeds) and the repair at start (repair), with their failure paths made
 * to happen by fault_arm: a batch whose commit fails is written again post
 * by post and only the culprit is lost (and reported to its source); rows
 * are rolled back with their batch; feeds that could not be written are
 * rewritten at the next try; a missing post file, its folder included, is
 * written again from its row; two posts naming one file get two files;
 * full batches go to the writer thread and end in the order they filled,
 * their rows added when the loop reaps them and committed four batches at
 * a time, a failure there written again post by post, a failed commit
 * reported for the posts no longer in hand.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "batch.h"
#include "fault.h"
#include "feeds.h"
#include "record.h"
#include "repair.h"
#include "store.h"

static struct conf_source sources[] = {
	{ .name = "m37", .media_field = "medianame",
	  .link = "http://finews.zning.xyz/html_News/NewsShare.html?infoCode={id}",
	  .text_url = "http://h/t?id={id}", .file_id_field = "fid" },
};

struct fixture {
	char dir[64], site[96], db[96];
	struct conf c;
	struct store *st;
	struct feeds *feeds;
	struct batch *batch;
	char failed[512];	/* what the fail callback heard */
	int nfailed;
};

static int
rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb, (void)flag, (void)ftw;
	return remove(path);
}

static void
on_fail(void *arg, const char *source, const char *info_code)
{
	struct fixture *f = arg;

	f->nfailed++;
	if (strlen(f->failed) + strlen(source) + strlen(info_code) + 3 >
	    sizeof(f->failed))
		return;
	snprintf(f->failed + strlen(f->failed), sizeof(f->failed) - strlen(f->failed),
	    "%s:%s ", source, info_code);
}

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	char err[256];

	if (f == NULL)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "/tmp/test_batch.XXXXXX");
	if (mkdtemp(f->dir) == NULL)
		return -1;
	snprintf(f->site, sizeof(f->site), "%s/site", f->dir);
	snprintf(f->db, sizeof(f->db), "%s/finewsd.db", f->dir);
	f->c.database = f->db;
	f->c.site_dir = f->site;
	f->c.site_url = (char *)"https://finews.withounder.com";
	f->c.site_host = (char *)"finews.withounder.com";
	strcpy(f->c.tz, "+0800");
	f->c.tz_offset = 28800;
	f->c.feed_entries = 50;
	f->c.sources = sources;
	f->c.nsources = 1;
	if ((f->st = store_open(f->db, err, sizeof(err))) == NULL ||
	    (f->feeds = feeds_create(&f->c, f->st)) == NULL ||
	    (f->batch = batch_create(&f->c, f->st, f->feeds)) == NULL)
		return -1;
	batch_on_fail(f->batch, on_fail, f);
	if (repair_run(&f->c, f->st, f->feeds) == -1)
		return -1;
	fault_arm(NULL);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	fault_arm(NULL);
	batch_destroy(f->batch);
	feeds_destroy(f->feeds);
	store_close(f->st);
	(void)nftw(f->dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	free(f);
	return 0;
}

/* Queues the post of record CODE (file id FID, NULL: the code). */
static void
add(struct fixture *f, const char *code, const char *fid)
{
	struct record r = { 0 };
	struct record_post *p;
	const char *why;

	r.id = strdup(code);
	r.file_id = strdup(fid != NULL ? fid : code);
	r.title = strdup("标题");
	r.date = strdup("2024-01-15 10:00:00");
	r.media = strdup("财联社");
	p = record_post_make(&f->c, &sources[0], &r, NULL, &why);
	record_clear(&r);
	assert_non_null(p);
	assert_int_equal(batch_add(f->batch, p, "<p>正文</p>"), 0);
}

static int
exists(struct fixture *f, const char *rel)
{
	char path[256];
	struct stat sb;

	snprintf(path, sizeof(path), "%s/%s", f->site, rel);
	return stat(path, &sb) == 0;
}

/* The files of folder REL whose name starts with PREFIX. */
static int
count_files(struct fixture *f, const char *rel, const char *prefix)
{
	char path[256];
	struct dirent *e;
	DIR *d;
	int n = 0;

	snprintf(path, sizeof(path), "%s/%s", f->site, rel);
	assert_non_null(d = opendir(path));
	while ((e = readdir(d)) != NULL)
		if (strncmp(e->d_name, prefix, strlen(prefix)) == 0)
			n++;
	closedir(d);
	return n;
}

static long long
rows(struct fixture *f)
{
	return store_posts_count(f->st, NULL);
}

/* The rows another connection sees: those committed. */
static long long
committed(struct fixture *f)
{
	struct store *ro;
	char err[256];
	long long n;

	if ((ro = store_open_readonly(f->db, err, sizeof(err))) == NULL)
		fail_msg("%s", err);
	n = store_posts_count(ro, NULL);
	store_close(ro);
	return n;
}

static void
test_flush(void **state)
{
	struct fixture *f = *state;

	add(f, "NW1", NULL);
	add(f, "NW2", NULL);
	assert_int_equal(batch_flush(f->batch), 2);
	assert_true(rows(f) == 2);
	assert_true(exists(f, "_posts/2024-01-15-NW1.md"));
	assert_true(exists(f, "category/cailianshe.html"));
	assert_int_equal(feeds_write(f->feeds), 0);
	assert_true(exists(f, "feeds/cailianshe.xml"));
	assert_true(exists(f, "feeds/all.xml"));
	assert_string_equal(f->failed, "");
}

/* The batch's commit fails once: written again one by one, all of it. */
static void
test_commit_fails_once(void **state)
{
	struct fixture *f = *state;

	fault_arm("row-commit-before:fail:1");
	add(f, "NW1", NULL);
	add(f, "NW2", NULL);
	add(f, "NW3", NULL);
	assert_int_equal(batch_flush(f->batch), 3);
	assert_true(rows(f) == 3);
	assert_string_equal(f->failed, "");
}

/* One post cannot be written (a folder stands where its file goes): it
 * alone is lost, and its source told; the others of its batch are written. */
static void
test_culprit_alone(void **state)
{
	struct fixture *f = *state;
	char path[256];

	snprintf(path, sizeof(path), "%s/_posts/2024-01-15-NW5.md", f->site);
	assert_int_equal(mkdir(path, 0755), 0);
	add(f, "NW4", NULL);
	add(f, "NW5", NULL);
	add(f, "NW6", NULL);
	assert_int_equal(batch_flush(f->batch), 2);
	assert_string_equal(f->failed, "m37:NW5 ");
	assert_int_equal(store_post_exists(f->st, "NW5"), 0);
	assert_int_equal(store_post_exists(f->st, "NW4"), 1);
	assert_int_equal(store_post_exists(f->st, "NW6"), 1);
}

/* A post file that cannot be renamed into place rolls back nothing that
 * was not written: no row without its file. */
static void
test_rename_fails(void **state)
{
	struct fixture *f = *state;

	fault_arm("rename:fail:1");
	add(f, "NW1", NULL);
	assert_int_equal(batch_flush(f->batch), 0);
	assert_string_equal(f->failed, "m37:NW1 ");
	assert_true(rows(f) == 0);
	add(f, "NW1", NULL);
	assert_int_equal(batch_flush(f->batch), 1);
	assert_true(rows(f) == 1);
}

/* Feeds that could not be written keep their marks and are written at
 * the next try. */
static void
test_feeds_recover(void **state)
{
	struct fixture *f = *state;
	long long dirty = 0;

	add(f, "NW1", NULL);
	assert_int_equal(batch_flush(f->batch), 1);
	fault_arm("feeds:fail:1");
	assert_int_equal(feeds_write(f->feeds), -1);
	assert_false(exists(f, "feeds/cailianshe.xml"));
	assert_int_equal(store_flag_get(f->st, "feeds_dirty", &dirty), 0);
	assert_true(dirty == 1);
	assert_int_equal(feeds_write(f->feeds), 0);
	assert_true(exists(f, "feeds/cailianshe.xml"));
	assert_int_equal(store_flag_get(f->st, "feeds_dirty", &dirty), 0);
	assert_true(dirty == 0);
}

/* A missing post file is written again from its row, its folder too. */
static void
test_repair(void **state)
{
	struct fixture *f = *state;
	char path[256];

	add(f, "NW1", NULL);
	assert_int_equal(batch_flush(f->batch), 1);
	snprintf(path, sizeof(path), "%s/_posts/2024-01-15-NW1.md", f->site);
	assert_int_equal(unlink(path), 0);
	snprintf(path, sizeof(path), "%s/_posts", f->site);
	assert_int_equal(rmdir(path), 0);
	assert_int_equal(repair_run(&f->c, f->st, f->feeds), 0);
	assert_true(exists(f, "_posts/2024-01-15-NW1.md"));
}

/* A start after a clean stop does not list _posts/ for temporary files,
 * but one left there since (a crash of a later run) changed the folder, so
 * the stamp no longer holds and the file is removed. */
static void
test_repair_tmp_after_stamp(void **state)
{
	struct fixture *f = *state;
	char path[256];
	FILE *fp;

	add(f, "NW1", NULL);
	assert_int_equal(batch_flush(f->batch), 1);
	assert_int_equal(repair_stamp(&f->c, f->st), 0);
	snprintf(path, sizeof(path), "%s/_posts/.2024-01-15-NW2.md.Ab12Cd.tmp", f->site);
	assert_non_null(fp = fopen(path, "w"));
	fclose(fp);
	assert_int_equal(repair_run(&f->c, f->st, f->feeds), 0);
	assert_false(exists(f, "_posts/.2024-01-15-NW2.md.Ab12Cd.tmp"));
	assert_true(exists(f, "_posts/2024-01-15-NW1.md"));
}

/* Two records with one file id and two infoCodes: two files, never one
 * post over the other. */
static void
test_file_taken(void **state)
{
	struct fixture *f = *state;

	add(f, "NWA", "same");
	assert_int_equal(batch_flush(f->batch), 1);
	add(f, "NWB", "same");
	add(f, "NWC", "same");
	assert_int_equal(batch_flush(f->batch), 2);
	assert_true(rows(f) == 3);
	assert_true(exists(f, "_posts/2024-01-15-same.md"));
	assert_int_equal(store_post_exists(f->st, "NWB"), 1);
	assert_int_equal(count_files(f, "_posts", "2024-01-15-same"), 3);
}


/* Queues N posts NW<from>..NW<from+N-1>. */
static void
add_many(struct fixture *f, int from, int n)
{
	char code[32];

	for (int i = from; i < from + n; i++) {
		snprintf(code, sizeof(code), "NW%d", i);
		add(f, code, NULL);
	}
}

/* Full batches go to the writer: the first is still out (or done, not
 * reaped) when the second fills, which completes it; the flush completes
 * the second and writes the rest.  Tickets end in order. */
static void
test_writer_batches(void **state)
{
	struct fixture *f = *state;
	unsigned long t1 = batch_ticket(f->batch);

	add_many(f, 0, BATCH_SIZE);
	assert_true(batch_ticket(f->batch) == t1 + 1);
	assert_false(batch_written(f->batch, t1));
	assert_true(batch_pending(f->batch) == BATCH_SIZE);
	add_many(f, BATCH_SIZE, BATCH_SIZE);
	/* The second hand-off waited for the first job and added its rows,
	 * not committed yet: its ticket ends with their commit. */
	assert_false(batch_written(f->batch, t1));
	assert_true(rows(f) == BATCH_SIZE);
	assert_true(committed(f) == 0);
	assert_int_equal(batch_commit(f->batch), 0);
	assert_true(batch_written(f->batch, t1));
	assert_false(batch_written(f->batch, t1 + 1));
	assert_true(committed(f) == BATCH_SIZE);
	add_many(f, 2 * BATCH_SIZE, 3);
	assert_int_equal(batch_flush(f->batch), BATCH_SIZE + 3);
	assert_true(batch_written(f->batch, t1 + 2));
	assert_true(batch_done(f->batch) == t1 + 2);
	assert_true(committed(f) == 2 * BATCH_SIZE + 3);
	assert_int_equal(count_files(f, "_posts", "2024-01-15-NW"), 2 * BATCH_SIZE + 3);
	assert_string_equal(f->failed, "");
}

/* The rows of the batches the writer wrote are committed once there are
 * BATCH_COMMIT_ROWS of them, which ends their tickets, in order. */
static void
test_writer_commit_rows(void **state)
{
	struct fixture *f = *state;
	unsigned long t1 = batch_ticket(f->batch);
	const int jobs = BATCH_COMMIT_ROWS / BATCH_SIZE;

	/* Each hand-off completes the job before it. */
	add_many(f, 0, jobs * BATCH_SIZE);
	assert_false(batch_written(f->batch, t1));
	assert_true(committed(f) == 0);
	add_many(f, jobs * BATCH_SIZE, BATCH_SIZE);
	assert_true(batch_written(f->batch, t1 + jobs - 1));
	assert_false(batch_written(f->batch, t1 + jobs));
	assert_true(committed(f) == BATCH_COMMIT_ROWS);
	assert_int_equal(batch_flush(f->batch), BATCH_SIZE);
	assert_true(committed(f) == BATCH_COMMIT_ROWS + BATCH_SIZE);
	assert_string_equal(f->failed, "");
}

/* A commit that fails takes the rows of every batch in it: those whose
 * posts are still in hand (the flush's) are written again one by one, the
 * others reported to their source, to be fetched again.  Their files stay,
 * as a crash would leave them. */
static void
test_commit_fails_rows_before(void **state)
{
	struct fixture *f = *state;
	unsigned long t1 = batch_ticket(f->batch);

	/* Armed before the writer runs: its thread reads the points. */
	fault_arm("row-commit-before:fail:1");
	add_many(f, 0, 2 * BATCH_SIZE + 3);
	assert_int_equal(batch_flush(f->batch), BATCH_SIZE + 3);
	assert_int_equal(f->nfailed, 2 * BATCH_SIZE);
	assert_non_null(strstr(f->failed, "m37:NW0 "));
	assert_true(batch_written(f->batch, t1 + 2));
	assert_true(committed(f) == 3);
	assert_int_equal(store_post_exists(f->st, "NW0"), 0);
	assert_int_equal(store_post_exists(f->st, "NW512"), 1);
	assert_int_equal(count_files(f, "_posts", "2024-01-15-NW"), 2 * BATCH_SIZE + 3);
}

/* The same with one post in hand: it failed with the others, so it is
 * written again alone. */
static void
test_commit_fails_one_in_hand(void **state)
{
	struct fixture *f = *state;

	fault_arm("row-commit-before:fail:1");
	add_many(f, 0, 2 * BATCH_SIZE + 1);
	assert_int_equal(batch_flush(f->batch), BATCH_SIZE + 1);
	assert_int_equal(f->nfailed, 2 * BATCH_SIZE);
	assert_true(committed(f) == 1);
	assert_int_equal(store_post_exists(f->st, "NW512"), 1);
}

/* The open transaction rolled back under the batch (an I/O error in a
 * statement of another module does that): the posts whose rows it held
 * are reported, and the next batch goes on in a transaction of its own. */
static void
test_rows_rolled_back_under(void **state)
{
	struct fixture *f = *state;

	add_many(f, 0, 2 * BATCH_SIZE + 3);
	assert_true(rows(f) == BATCH_SIZE);
	store_rollback(f->st);
	assert_int_equal(batch_flush(f->batch), BATCH_SIZE + 3);
	assert_int_equal(f->nfailed, BATCH_SIZE);
	assert_non_null(strstr(f->failed, "m37:NW0 "));
	assert_true(committed(f) == BATCH_SIZE + 3);
	assert_int_equal(store_post_exists(f->st, "NW0"), 0);
	assert_int_equal(store_post_exists(f->st, "NW256"), 1);
}

static volatile int woken;

static void
on_written(void *arg)
{
	(void)arg;
	__atomic_add_fetch(&woken, 1, __ATOMIC_SEQ_CST);
}

/* Hands a full batch of NW0.. to the writer and waits (up to 10 s) for it
 * to say it is done. */
static void
job_written(struct fixture *f)
{
	woken = 0;
	batch_on_written(f->batch, on_written, f);
	add_many(f, 0, BATCH_SIZE);
	for (int i = 0; i < 1000 && __atomic_load_n(&woken, __ATOMIC_SEQ_CST) == 0; i++)
		nanosleep(&(struct timespec){ .tv_nsec = 10000000 }, NULL);
	assert_int_equal(__atomic_load_n(&woken, __ATOMIC_SEQ_CST), 1);
}

/* The writer wakes the loop when its job is done; batch_reap then adds the
 * rows, and nothing before; batch_commit commits them. */
static void
test_writer_wakes(void **state)
{
	struct fixture *f = *state;
	unsigned long t = batch_ticket(f->batch);

	job_written(f);
	assert_true(rows(f) == 0);
	assert_int_equal(count_files(f, "_posts", "2024-01-15-NW"), BATCH_SIZE);
	assert_int_equal(batch_reap(f->batch), BATCH_SIZE);
	assert_false(batch_written(f->batch, t));
	assert_true(rows(f) == BATCH_SIZE);
	assert_int_equal(batch_commit(f->batch), 0);
	assert_true(batch_written(f->batch, t));
	assert_true(committed(f) == BATCH_SIZE);
	assert_int_equal(batch_reap(f->batch), 0);
	batch_on_written(f->batch, NULL, NULL);
}

/* A job whose files fail on the writer's thread is written again post by
 * post on the loop's: none is lost. */
static void
test_writer_fails(void **state)
{
	struct fixture *f = *state;

	fault_arm("rename:fail:1");
	add_many(f, 0, BATCH_SIZE);
	assert_int_equal(batch_flush(f->batch), BATCH_SIZE);
	assert_string_equal(f->failed, "");
	assert_true(rows(f) == BATCH_SIZE);
	assert_int_equal(count_files(f, "_posts", "2024-01-15-NW"), BATCH_SIZE);
}

/* A job whose files fail while the rows of the job before are still
 * uncommitted: written post by post, and the rows before committed with
 * the first of them, none lost. */
static void
test_writer_fails_after_rows(void **state)
{
	struct fixture *f = *state;
	unsigned long t1 = batch_ticket(f->batch);

	job_written(f);
	fault_arm("rename:fail:1");
	add_many(f, BATCH_SIZE, BATCH_SIZE);
	assert_true(committed(f) == 0);
	assert_int_equal(batch_flush(f->batch), BATCH_SIZE);
	assert_true(batch_written(f->batch, t1 + 1));
	assert_string_equal(f->failed, "");
	assert_true(committed(f) == 2 * BATCH_SIZE);
	batch_on_written(f->batch, NULL, NULL);
}

/* A batch destroyed with a job out completes it: its files are on the
 * site, so its rows are committed too. */
static void
test_writer_destroy(void **state)
{
	struct fixture *f = *state;

	add_many(f, 0, BATCH_SIZE + 1);
	batch_destroy(f->batch);
	f->batch = NULL;
	assert_true(committed(f) == BATCH_SIZE);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_flush, setup, teardown),
		cmocka_unit_test_setup_teardown(test_writer_batches, setup, teardown),
		cmocka_unit_test_setup_teardown(test_writer_commit_rows, setup, teardown),
		cmocka_unit_test_setup_teardown(test_commit_fails_rows_before, setup, teardown),
		cmocka_unit_test_setup_teardown(test_commit_fails_one_in_hand, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rows_rolled_back_under, setup, teardown),
		cmocka_unit_test_setup_teardown(test_writer_wakes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_writer_fails, setup, teardown),
		cmocka_unit_test_setup_teardown(test_writer_fails_after_rows, setup, teardown),
		cmocka_unit_test_setup_teardown(test_writer_destroy, setup, teardown),
		cmocka_unit_test_setup_teardown(test_commit_fails_once, setup, teardown),
		cmocka_unit_test_setup_teardown(test_culprit_alone, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rename_fails, setup, teardown),
		cmocka_unit_test_setup_teardown(test_feeds_recover, setup, teardown),
		cmocka_unit_test_setup_teardown(test_repair, setup, teardown),
		cmocka_unit_test_setup_teardown(test_repair_tmp_after_stamp, setup, teardown),
		cmocka_unit_test_setup_teardown(test_file_taken, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
