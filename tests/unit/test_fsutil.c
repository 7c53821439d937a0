/*
 * test_fsutil: atomic writes and batches, folder syncs and whole-file reads
 * in a scratch directory under /tmp.
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
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cmocka.h>

#include "fsutil.h"

static char scratch[64];

static int
rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	return remove(path);
}

static int
setup(void **state)
{
	strcpy(scratch, "/tmp/test_fsutil.XXXXXX");
	if (mkdtemp(scratch) == NULL)
		return -1;
	return 0;
}

static int
teardown(void **state)
{
	return nftw(scratch, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* SCRATCH/REL, in a static buffer of four (enough for one assertion). */
static const char *
at(const char *rel)
{
	static char bufs[4][512];
	static int i;
	char *b = bufs[i++ % 4];

	snprintf(b, sizeof(bufs[0]), "%s/%s", scratch, rel);
	return b;
}

/* The number of entries of DIR whose names start with a dot (not . or ..). */
static int
count_dot_files(const char *dir)
{
	struct dirent *de;
	DIR *d = opendir(dir);
	int n = 0;

	assert_non_null(d);
	while ((de = readdir(d)) != NULL)
		if (de->d_name[0] == '.' && strcmp(de->d_name, ".") != 0 &&
		    strcmp(de->d_name, "..") != 0)
			n++;
	closedir(d);
	return n;
}

static void
check_file(const char *path, const char *want)
{
	size_t len;
	char *got = fsutil_read_file(path, 1 << 20, &len);

	if (got == NULL)
		fail_msg("%s: %s", path, strerror(errno));
	assert_int_equal(len, strlen(want));
	assert_string_equal(got, want);
	free(got);
}

/* One file, atomically and durably: a batch of one.  0 or -1. */
static int
write_one(const char *path, const void *data, size_t len)
{
	struct fsutil_batch *b = fsutil_batch_create();
	int rc = -1;

	assert_non_null(b);
	if (fsutil_batch_add(b, path, data, len, 0) == 0)
		rc = fsutil_batch_commit(b);
	fsutil_batch_destroy(b);
	return rc;
}

static void
touch(const char *path, const char *content)
{
	FILE *fp = fopen(path, "w");

	assert_non_null(fp);
	fputs(content, fp);
	assert_int_equal(fclose(fp), 0);
}

static void
test_write_one(void **state)
{
	struct stat sb;
	mode_t old;

	/* The mode is 0644 whatever the umask: the web server reads posts. */
	old = umask(077);
	assert_int_equal(write_one(at("post.md"), "hello\n", 6), 0);
	umask(old);
	check_file(at("post.md"), "hello\n");
	assert_int_equal(stat(at("post.md"), &sb), 0);
	assert_int_equal(sb.st_mode & 07777, 0644);
	assert_int_equal(count_dot_files(scratch), 0);

	assert_int_equal(write_one(at("post.md"), "new", 3), 0);
	check_file(at("post.md"), "new");
	assert_int_equal(write_one(at("empty"), "", 0), 0);
	check_file(at("empty"), "");
	assert_int_equal(count_dot_files(scratch), 0);
}

static void
test_batch(void **state)
{
	struct fsutil_batch *b;
	struct stat sb;

	assert_int_equal(fsutil_mkdirs(at("_posts")), 0);
	assert_int_equal(fsutil_mkdirs(at("feeds")), 0);
	b = fsutil_batch_create();
	assert_non_null(b);
	assert_int_equal(fsutil_batch_count(b), 0);
	assert_int_equal(fsutil_batch_add(b, at("_posts/a.md"), "A", 1, 0), 0);
	assert_int_equal(fsutil_batch_add(b, at("feeds/all.xml"), "X", 1, 0), 0);
	assert_int_equal(fsutil_batch_add(b, at("_posts/b.md"), "BB", 2, 0), 0);
	assert_int_equal(fsutil_batch_count(b), 3);
	/* Nothing visible before the commit, not even a temporary name:
	 * the files are unnamed (O_TMPFILE) until they are linked in. */
	assert_int_equal(stat(at("_posts/a.md"), &sb), -1);
	assert_int_equal(errno, ENOENT);
	assert_int_equal(count_dot_files(at("_posts")), 0);
	assert_int_equal(count_dot_files(at("feeds")), 0);

	assert_int_equal(fsutil_batch_commit(b), 0);
	assert_int_equal(fsutil_batch_count(b), 0);
	check_file(at("_posts/a.md"), "A");
	check_file(at("_posts/b.md"), "BB");
	check_file(at("feeds/all.xml"), "X");
	assert_int_equal(count_dot_files(at("_posts")), 0);
	assert_int_equal(count_dot_files(at("feeds")), 0);

	/* A committed batch can be used again. */
	assert_int_equal(fsutil_batch_add(b, at("feeds/all.xml"), "Y", 1, 0), 0);
	assert_int_equal(fsutil_batch_commit(b), 0);
	check_file(at("feeds/all.xml"), "Y");
	/* An empty commit is fine. */
	assert_int_equal(fsutil_batch_commit(b), 0);
	fsutil_batch_destroy(b);
	fsutil_batch_destroy(NULL);
}

static void
test_noreplace(void **state)
{
	struct fsutil_batch *b = fsutil_batch_create();

	assert_non_null(b);
	touch(at("edited.html"), "edited by hand");
	assert_int_equal(fsutil_batch_add(b, at("edited.html"), "generated", 9,
	    FSUTIL_NOREPLACE), 0);
	assert_int_equal(fsutil_batch_add(b, at("fresh.html"), "generated", 9,
	    FSUTIL_NOREPLACE), 0);
	assert_int_equal(fsutil_batch_commit(b), 0);
	check_file(at("edited.html"), "edited by hand");
	check_file(at("fresh.html"), "generated");
	assert_int_equal(count_dot_files(scratch), 0);
	fsutil_batch_destroy(b);
}

static void
test_destroy_uncommitted(void **state)
{
	struct fsutil_batch *b = fsutil_batch_create();
	struct stat sb;

	assert_non_null(b);
	assert_int_equal(fsutil_batch_add(b, at("a"), "a", 1, 0), 0);
	assert_int_equal(fsutil_batch_add(b, at("b"), "b", 1, 0), 0);
	fsutil_batch_destroy(b);
	assert_int_equal(count_dot_files(scratch), 0);
	assert_int_equal(stat(at("a"), &sb), -1);
}

static void
test_add_missing_folder(void **state)
{
	struct fsutil_batch *b = fsutil_batch_create();

	assert_non_null(b);
	errno = 0;
	assert_int_equal(fsutil_batch_add(b, at("nowhere/x.md"), "x", 1, 0), -1);
	assert_int_equal(errno, ENOENT);
	assert_int_equal(fsutil_batch_count(b), 0);
	fsutil_batch_destroy(b);
	assert_int_equal(write_one(at("nowhere/y"), "y", 1), -1);
}

/*
 * A rename that fails midway: what was renamed stays, the rest of the batch
 * never becomes visible and leaves no temporary file.
 */
static void
test_commit_failure(void **state)
{
	struct fsutil_batch *b = fsutil_batch_create();
	struct stat sb;

	assert_non_null(b);
	assert_int_equal(fsutil_mkdirs(at("d/busy/inner")), 0);
	assert_int_equal(fsutil_batch_add(b, at("d/first"), "1", 1, 0), 0);
	assert_int_equal(fsutil_batch_add(b, at("d/busy"), "2", 1, 0), 0);
	assert_int_equal(fsutil_batch_add(b, at("d/third"), "3", 1, 0), 0);
	assert_int_equal(fsutil_batch_commit(b), -1);
	assert_int_equal(fsutil_batch_count(b), 0);
	check_file(at("d/first"), "1");
	assert_int_equal(stat(at("d/third"), &sb), -1);
	assert_int_equal(count_dot_files(at("d")), 0);
	fsutil_batch_destroy(b);
}

static void
test_clean_tmp(void **state)
{
	static const char *keep[] = {
		"keep.tmp", ".keep.tmp", ".x.md.AbC12.tmp", ".x.md.AbC12!.tmp",
		"..AbC123.tmp", ".x.md.AbC123.tmp~", "x.md.AbC123.tmp", "a.md",
	};
	struct stat sb;
	size_t i;

	touch(at(".x.md.AbC123.tmp"), "crash leftover");
	touch(at(".all.xml.zz9ZZ0.tmp"), "crash leftover");
	for (i = 0; i < sizeof(keep) / sizeof(keep[0]); i++)
		touch(at(keep[i]), "keep");
	assert_int_equal(mkdir(at(".dir.md.AbC123.tmp"), 0755), 0);
	assert_int_equal(fsutil_clean_tmp(scratch), 0);
	assert_int_equal(stat(at(".x.md.AbC123.tmp"), &sb), -1);
	assert_int_equal(stat(at(".all.xml.zz9ZZ0.tmp"), &sb), -1);
	for (i = 0; i < sizeof(keep) / sizeof(keep[0]); i++)
		if (stat(at(keep[i]), &sb) == -1)
			fail_msg("%s was removed", keep[i]);
	assert_int_equal(stat(at(".dir.md.AbC123.tmp"), &sb), 0);
	assert_int_equal(fsutil_clean_tmp(at("missing")), 0);
}

/* Fills B with FSUTIL_HELD_MAX unnamed files, "h0" to "h319". */
static void
fill_held(struct fsutil_batch *b)
{
	char name[32];

	for (int i = 0; i < FSUTIL_HELD_MAX; i++) {
		snprintf(name, sizeof(name), "h%d", i);
		assert_int_equal(fsutil_batch_add(b, at(name), name,
		    strlen(name), 0), 0);
	}
	assert_int_equal(count_dot_files(scratch), 0);
}

/*
 * What fsutil leaves behind after a crash, fsutil_clean_tmp removes: a
 * batch that is never committed stands for the crashed process.  Unnamed
 * files leave nothing; the files past FSUTIL_HELD_MAX have names.
 */
static void
test_clean_own_tmp(void **state)
{
	struct fsutil_batch *b = fsutil_batch_create();

	assert_non_null(b);
	fill_held(b);
	assert_int_equal(fsutil_batch_add(b, at("2022-03-23-NW1.md"), "x", 1, 0),
	    0);
	assert_int_equal(fsutil_batch_add(b, at(".hidden"), "x", 1, 0), 0);
	assert_int_equal(count_dot_files(scratch), 2);
	assert_int_equal(fsutil_clean_tmp(scratch), 0);
	assert_int_equal(count_dot_files(scratch), 0);
	fsutil_batch_destroy(b);
}

/* Through /proc/self/fd, as before Linux 6.10: the same files, replaced
 * and kept the same. */
static void
test_link_proc(void **state)
{
	fsutil_set_empty_path(0);
	test_write_one(state);
	test_noreplace(state);
	fsutil_set_empty_path(1);
}

/* With no descriptor to spare (main's limit), every file is named. */
static void
test_held_none(void **state)
{
	struct fsutil_batch *b = fsutil_batch_create();

	assert_non_null(b);
	fsutil_set_held_max(0);
	assert_int_equal(fsutil_batch_add(b, at("a"), "a", 1, 0), 0);
	assert_int_equal(fsutil_batch_add(b, at("b"), "b", 1, 0), 0);
	assert_int_equal(count_dot_files(scratch), 2);
	assert_int_equal(fsutil_batch_commit(b), 0);
	check_file(at("a"), "a");
	assert_int_equal(count_dot_files(scratch), 0);
	fsutil_set_held_max(FSUTIL_HELD_MAX + 1);   /* capped at the most */
	fill_held(b);
	assert_int_equal(fsutil_batch_add(b, at("c"), "c", 1, 0), 0);
	assert_int_equal(count_dot_files(scratch), 1);
	fsutil_batch_destroy(b);
	assert_int_equal(count_dot_files(scratch), 0);
}

static void
test_long_name(void **state)
{
	char name[256];

	memset(name, 'n', 255);
	name[255] = '\0';
	assert_int_equal(write_one(at(name), "long", 4), 0);
	check_file(at(name), "long");
	assert_int_equal(count_dot_files(scratch), 0);
}

static void
test_mkdirs(void **state)
{
	struct stat sb;

	assert_int_equal(fsutil_mkdirs(at("a/b/c/d")), 0);
	assert_int_equal(stat(at("a/b/c/d"), &sb), 0);
	assert_true(S_ISDIR(sb.st_mode));
	assert_int_equal(fsutil_mkdirs(at("a/b/c/d")), 0);
	assert_int_equal(fsutil_mkdirs(at("a//b/e/")), 0);
	assert_int_equal(stat(at("a/b/e"), &sb), 0);
	touch(at("a/file"), "x");
	errno = 0;
	assert_int_equal(fsutil_mkdirs(at("a/file/sub")), -1);
	assert_int_equal(errno, ENOTDIR);
	assert_int_equal(fsutil_mkdirs(""), -1);
}

static void
test_read_file(void **state)
{
	size_t len, i, big = 300000;
	char *data, *got;

	errno = 0;
	assert_null(fsutil_read_file(at("missing"), big, &len));
	assert_int_equal(errno, ENOENT);
	data = malloc(big);
	assert_non_null(data);
	for (i = 0; i < big; i++)
		data[i] = 'a' + i % 26;
	assert_int_equal(write_one(at("big"), data, big), 0);
	got = fsutil_read_file(at("big"), big, &len);
	assert_non_null(got);
	assert_int_equal(len, big);
	assert_memory_equal(got, data, big);
	assert_int_equal(got[big], '\0');
	free(got);
	/* One byte over the cap is refused. */
	errno = 0;
	assert_null(fsutil_read_file(at("big"), big - 1, &len));
	assert_int_equal(errno, EFBIG);
	free(data);

	/* Empty, and a file that does not know its size (procfs). */
	assert_int_equal(write_one(at("empty"), "", 0), 0);
	got = fsutil_read_file(at("empty"), 0, NULL);
	assert_non_null(got);
	assert_string_equal(got, "");
	free(got);
	got = fsutil_read_file("/proc/self/status", 1 << 20, &len);
	assert_non_null(got);
	assert_true(len > 0 && strlen(got) == len);
	assert_non_null(strstr(got, "Pid:"));
	free(got);
	errno = 0;
	assert_null(fsutil_read_file("/proc/self/status", 10, &len));
	assert_int_equal(errno, EFBIG);
}

static void
test_dir_sync(void **state)
{
	assert_int_equal(fsutil_mkdirs(at("d")), 0);
	assert_int_equal(write_one(at("d/x"), "x", 1), 0);
	assert_int_equal(fsutil_dir_sync(at("d")), 0);
	errno = 0;
	assert_int_equal(fsutil_dir_sync(at("missing")), -1);
	assert_int_equal(errno, ENOENT);
	errno = 0;
	assert_int_equal(fsutil_dir_sync(at("d/x")), -1);
	assert_int_equal(errno, ENOTDIR);
}

/*
 * A batch grows past the room it first makes, and past the unnamed files
 * it may hold open: the rest are named temporary files, committed the
 * same, replacing and keeping as the unnamed ones do; then, the batch
 * empty, its files are unnamed again.
 */
static void
test_batch_many(void **state)
{
	struct fsutil_batch *b = fsutil_batch_create();
	char name[32];
	int i;

	assert_non_null(b);
	touch(at("h0"), "old");
	touch(at("f1"), "old");
	touch(at("f2"), "kept");
	fill_held(b);
	for (i = 0; i < 100; i++) {
		snprintf(name, sizeof(name), "f%d", i);
		assert_int_equal(fsutil_batch_add(b, at(name), name, strlen(name),
		    i == 2 ? FSUTIL_NOREPLACE : 0), 0);
	}
	assert_int_equal(count_dot_files(scratch), 100);
	assert_int_equal(fsutil_batch_count(b), FSUTIL_HELD_MAX + 100);
	assert_int_equal(fsutil_batch_commit(b), 0);
	check_file(at("h0"), "h0");
	check_file(at("h319"), "h319");
	check_file(at("f0"), "f0");
	check_file(at("f1"), "f1");
	check_file(at("f2"), "kept");
	check_file(at("f99"), "f99");
	assert_int_equal(count_dot_files(scratch), 0);
	assert_int_equal(fsutil_batch_add(b, at("again"), "a", 1, 0), 0);
	assert_int_equal(count_dot_files(scratch), 0);
	assert_int_equal(fsutil_batch_commit(b), 0);
	check_file(at("again"), "a");
	fsutil_batch_destroy(b);
}

/* close(2), counting the calls on a descriptor that was not open: a
 * descriptor closed twice may be another thread's by the second time. */
static int closes_ebadf;

int
close(int fd)
{
	long rc = syscall(SYS_close, fd);

	if (rc == -1 && errno == EBADF)
		closes_ebadf++;
	return (int)rc;
}

/* A file whose write fails (EFBIG, under RLIMIT_FSIZE) is closed once. */
static void
test_add_write_fails(void **state)
{
	struct fsutil_batch *b = fsutil_batch_create();
	struct rlimit old, rl;
	char data[8192];

	memset(data, 'x', sizeof(data));
	assert_non_null(b);
	assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
	rl = old;
	rl.rlim_cur = 4096;
	signal(SIGXFSZ, SIG_IGN);
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &rl), 0);
	closes_ebadf = 0;
	assert_int_equal(fsutil_batch_add(b, at("big"), data, sizeof(data), 0), -1);
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
	assert_int_equal(closes_ebadf, 0);
	fsutil_batch_destroy(b);
	assert_int_equal(closes_ebadf, 0);
	assert_int_equal(access(at("big"), F_OK), -1);
	assert_int_equal(count_dot_files(scratch), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_write_one, setup, teardown),
		cmocka_unit_test_setup_teardown(test_held_none, setup, teardown),
		cmocka_unit_test_setup_teardown(test_link_proc, setup, teardown),
		cmocka_unit_test_setup_teardown(test_batch, setup, teardown),
		cmocka_unit_test_setup_teardown(test_noreplace, setup, teardown),
		cmocka_unit_test_setup_teardown(test_destroy_uncommitted, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_add_missing_folder, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_commit_failure, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_clean_tmp, setup, teardown),
		cmocka_unit_test_setup_teardown(test_clean_own_tmp, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_long_name, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mkdirs, setup, teardown),
		cmocka_unit_test_setup_teardown(test_read_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dir_sync, setup, teardown),
		cmocka_unit_test_setup_teardown(test_batch_many, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_add_write_fails, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
