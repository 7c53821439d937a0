/*
 * fsutil: durable, atomic file writes, batched.
 *
 * A file is written as an unnamed file in its own folder (O_TMPFILE, linked
 * in through /proc/self/fd), or where that cannot be to a temporary name
 * beside it (".NAME.XXXXXX.tmp"), and gets its final name only once its
 * data is on disk.  A batch collects many such files and makes them durable
 * with one sync (syncfs where available, else one fsync per file), then
 * links or renames them all into place and syncs each folder once.  A
 * reader never sees half a file; a crash leaves the old file or the new
 * one, and at worst a temporary file that fsutil_clean_tmp removes (an
 * unnamed file leaves nothing).  The folder sync and a size-capped
 * whole-file read are here too, for the modules that move or read the
 * site's files.  Calls libc, util and log.
 */
#ifndef FINEWSD_FSUTIL_H
#define FINEWSD_FSUTIL_H

#include <stddef.h>
#include <sys/types.h>

struct fsutil_batch;

/*
 * The unnamed files (O_TMPFILE) a batch holds open at most; past them its
 * files get temporary names.  A batch of posts is 256 files and a page or
 * two, and finewsd raises its soft limit on descriptors at start.
 */
#define FSUTIL_HELD_MAX	320
/* Lowers that to N for the process, when descriptors are short (main's). */
void fsutil_set_held_max(size_t n);
/* 0: unnamed files are linked in through /proc/self/fd only, as on Linux
 * before 6.10 without CAP_DAC_READ_SEARCH (for the tests of that path). */
void fsutil_set_empty_path(int on);

/* Flags of fsutil_batch_add. */
#define FSUTIL_NOREPLACE 0x1  /* leave an existing file as it is (category pages) */

/* Creates PATH and its missing parents with mode 0755.  0 or -1 (errno). */
int fsutil_mkdirs(const char *path);

/*
 * Creates the folder of file PATH when it is missing, with mode MODE (its
 * own missing parents get 0755, as fsutil_mkdirs makes them); an existing
 * folder is left as it is.  0 or -1 (errno).  For the database, whose
 * folder only finewsd's user should enter.
 */
int fsutil_mkparent(const char *path, mode_t mode);

/* Removes the temporary files a crash may have left in DIR ('.*.tmp'). */
int fsutil_clean_tmp(const char *dir);

struct fsutil_batch *fsutil_batch_create(void);
/*
 * Creates the folder of file PATH when it is missing, with mode MODE (its
 * own missing parents get 0755, as fsutil_mkdirs makes them); an existing
 * folder is left as it is.  0 or -1 (errno).  For the database, whose
 * folder only finewsd's user should enter.
 */
int fsutil_mkparent(const char *path, mode_t mode);

/* Removes the temporary files of a batch that was not committed.  Accepts NULL. */
void fsutil_batch_destroy(struct fsutil_batch *b);

/*
 * Writes DATA to an unnamed file in PATH's folder (which must exist), or a
 * temporary file beside PATH.  Nothing is visible under PATH until
 * fsutil_batch_commit.  0 or -1 (errno).
 */
int fsutil_batch_add(struct fsutil_batch *b, const char *path,
                     const void *data, size_t len, int flags);
/* Number of files waiting in the batch. */
size_t fsutil_batch_count(const struct fsutil_batch *b);
/*
 * Syncs all files of the batch, links or renames them to their final
 * names, syncs their folders, and empties the batch.  0, or -1 with errno set and the
 * offending path logged; on failure nothing not yet renamed becomes visible.
 */
int fsutil_batch_commit(struct fsutil_batch *b);

/*
 * Makes the renames, links and unlinks already done in folder DIR durable:
 * an fsync of the folder, which a rename needs before the database may say
 * the file moved.  0, or -1 with errno set and the failure logged with DIR,
 * so the caller need not log it again.
 */
int fsutil_dir_sync(const char *dir);

/*
 * Reads the whole file PATH into a NUL-terminated buffer the caller frees,
 * its length in *LENP when LENP is not NULL.  NULL with errno set, EFBIG
 * for a file of more than MAX bytes.  Nothing is logged: the caller knows
 * what the file is for.
 */
char *fsutil_read_file(const char *path, size_t max, size_t *lenp);

#endif
