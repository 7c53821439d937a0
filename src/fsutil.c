/*
 * fsutil: durable, atomic file writes, batched.
 *
 * Owns the files a batch writes until they are in place: unnamed files
 * (O_TMPFILE) in their folders, or temporary files beside their final
 * names where that cannot be; their sync to disk, their linking in or
 * renaming over the final names, and the sync of the folders that makes
 * that durable (fsutil_dir_sync, which archive.c calls for its own renames
 * too).  A batch holds only names and descriptors: the data goes straight
 * into its file, so a poll that writes many posts keeps little memory.
 * Also reads a whole file, with a cap, for the modules that read the
 * site's files back.  Errors are logged here, where the path is known, and
 * returned as -1 with errno; fsutil_read_file alone leaves the logging to
 * its caller.  Calls libc, util (VEC_RESERVE) and log.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "fault.h"
#include "fsutil.h"
#include "log.h"
#include "util.h"

#define TMP_SUFFIX	".tmp"
#define TMP_RANDOM	6	/* the "XXXXXX" of ".NAME.XXXXXX.tmp" */

struct fsutil_file {
	char	*path;	/* the final name */
	char	*tmp;	/* a temporary file beside it, by name, or NULL */
	int	 fd;	/* else an unnamed one, open until committed; or -1 */
	int	 flags;
};

/*
 * A descriptor on each filesystem the batch writes to, opened before the
 * first write there (it is a dup of that file's own descriptor): syncfs on
 * a descriptor reports a writeback error only if it happened after the
 * descriptor was opened (Linux 5.8 and later), so one opened at commit
 * could miss an error of the batch's own writes.
 */
struct fsutil_fs {
	dev_t	 dev;
	int	 fd;
};

/* A folder the batch wrote to, and its filesystem: one fstat a folder. */
struct fsutil_dir {
	char	*dir;
	dev_t	 dev;
};

struct fsutil_batch {
	struct fsutil_file *v;
	size_t	 n, cap;
	size_t	 nheld;		/* files with a descriptor held */
	int	 named;		/* unnamed files failed here: names only */
	struct fsutil_fs *fs;
	size_t	 nfs, capfs;
	struct fsutil_dir *dirs;
	size_t	 ndirs, capdirs;
};

int
fsutil_mkdirs(const char *path)
{
	char *p, *s;
	struct stat sb;
	int rc = -1;

	if (path[0] == '\0') {
		errno = ENOENT;
		return -1;
	}
	/* The usual case, a folder that exists, costs one stat. */
	if (stat(path, &sb) == 0 && S_ISDIR(sb.st_mode))
		return 0;
	if ((p = strdup(path)) == NULL)
		return -1;
	/* Each prefix ending before a '/', then the whole path. */
	for (s = p + 1; ; s++) {
		if (*s != '/' && *s != '\0')
			continue;
		if (s[-1] != '/') {
			char c = *s;

			*s = '\0';
			if (mkdir(p, 0755) == -1 && errno != EEXIST)
				goto out;
			if (stat(p, &sb) == -1)
				goto out;
			if (!S_ISDIR(sb.st_mode)) {
				errno = ENOTDIR;
				goto out;
			}
			*s = c;
		}
		if (*s == '\0')
			break;
	}
	rc = 0;
out:
	free(p);
	return rc;
}

int
fsutil_mkparent(const char *path, mode_t mode)
{
	char *dir, *slash;
	struct stat sb;
	int rc = -1;

	if ((dir = strdup(path)) == NULL)
		return -1;
	if ((slash = strrchr(dir, '/')) == NULL || slash == dir) {
		/* A name in the working folder, or in the root: nothing to make. */
		free(dir);
		return 0;
	}
	*slash = '\0';
	if (stat(dir, &sb) == 0) {
		rc = S_ISDIR(sb.st_mode) ? 0 : -1;
		if (rc == -1)
			errno = ENOTDIR;
		goto out;
	}
	if (errno != ENOENT)
		goto out;
	/* Its parents as fsutil_mkdirs makes them, then the folder itself. */
	if ((slash = strrchr(dir, '/')) != NULL && slash != dir) {
		*slash = '\0';
		if (fsutil_mkdirs(dir) == -1)
			goto out;
		*slash = '/';
	}
	if (mkdir(dir, mode) == -1 && errno != EEXIST)
		goto out;
	/* mkdir's mode went through the umask; the caller's mode is meant. */
	if (chmod(dir, mode) == -1)
		goto out;
	rc = 0;
out:
	free(dir);
	return rc;
}

/*
 * Whether NAME is one of fsutil's temporary files: ".NAME.XXXXXX.tmp", with
 * a non-empty NAME and six letters or digits, as fsutil_batch_add makes
 * them.  Other dot files ending in ".tmp" belong to someone else.
 */
static int
fsutil_is_tmp_name(const char *name)
{
	size_t len = strlen(name), sl = strlen(TMP_SUFFIX);
	const char *r;

	if (name[0] != '.' || len < 1 + 1 + 1 + TMP_RANDOM + sl)
		return 0;
	if (strcmp(name + len - sl, TMP_SUFFIX) != 0)
		return 0;
	r = name + len - sl - TMP_RANDOM;
	if (r[-1] != '.')
		return 0;
	for (int i = 0; i < TMP_RANDOM; i++)
		if (!((r[i] >= 'A' && r[i] <= 'Z') ||
		    (r[i] >= 'a' && r[i] <= 'z') || (r[i] >= '0' && r[i] <= '9')))
			return 0;
	return 1;
}

int
fsutil_clean_tmp(const char *dir)
{
	struct dirent *de;
	struct stat sb;
	DIR *d;
	int rc = 0;

	if ((d = opendir(dir)) == NULL) {
		if (errno == ENOENT)
			return 0;
		log_warn("%s", dir);
		return -1;
	}
	while ((de = readdir(d)) != NULL) {
		if (!fsutil_is_tmp_name(de->d_name))
			continue;
		if (fstatat(dirfd(d), de->d_name, &sb, AT_SYMLINK_NOFOLLOW) == -1 ||
		    !S_ISREG(sb.st_mode))
			continue;
		if (unlinkat(dirfd(d), de->d_name, 0) == -1 && errno != ENOENT) {
			log_warn("%s/%s", dir, de->d_name);
			rc = -1;
		} else
			log_info("removed stale temporary file %s/%s", dir,
			    de->d_name);
	}
	closedir(d);
	return rc;
}

struct fsutil_batch *
fsutil_batch_create(void)
{
	return calloc(1, sizeof(struct fsutil_batch));
}

static void
fsutil_file_drop(struct fsutil_file *f)
{
	if (f->tmp != NULL && unlink(f->tmp) == -1 && errno != ENOENT)
		log_warn("%s", f->tmp);
	/* An unnamed file not linked in is gone with its descriptor. */
	if (f->fd != -1)
		(void)close(f->fd);
	f->fd = -1;
	free(f->tmp);
	free(f->path);
	f->tmp = f->path = NULL;
}

/* Removes the temporary files from index I on, and empties the batch. */
static void
fsutil_batch_drop(struct fsutil_batch *b, size_t i)
{
	int saved = errno;

	for (; i < b->n; i++)
		fsutil_file_drop(&b->v[i]);
	b->n = 0;
	b->nheld = 0;
	errno = saved;
}

/* Closes the batch's filesystem descriptors (after a commit, or at the end). */
static void
fsutil_batch_drop_fs(struct fsutil_batch *b)
{
	for (size_t i = 0; i < b->nfs; i++)
		(void)close(b->fs[i].fd);
	b->nfs = 0;
	for (size_t i = 0; i < b->ndirs; i++)
		free(b->dirs[i].dir);
	b->ndirs = 0;
}

void
fsutil_batch_destroy(struct fsutil_batch *b)
{
	if (b == NULL)
		return;
	fsutil_batch_drop(b, 0);
	fsutil_batch_drop_fs(b);
	free(b->fs);
	free(b->dirs);
	free(b->v);
	free(b);
}

static size_t fsutil_dirlen(const char *path);

/* Keeps a descriptor on the filesystem of FD (DEV) unless one is kept. */
static int
fsutil_batch_keep_fs(struct fsutil_batch *b, int fd, dev_t dev)
{
	int copy;

	for (size_t i = 0; i < b->nfs; i++)
		if (b->fs[i].dev == dev)
			return 0;
	if (VEC_RESERVE(b->fs, b->capfs, b->nfs + 1) == -1 ||
	    (copy = fcntl(fd, F_DUPFD_CLOEXEC, 0)) == -1)
		return -1;
	b->fs[b->nfs].dev = dev;
	b->fs[b->nfs++].fd = copy;
	return 0;
}

#ifdef HAVE_SYNCFS
/*
 * Keeps a descriptor on the filesystem of PATH's folder, FD being a file
 * just created there: the folder's filesystem is looked up (one fstat) the
 * first time the batch writes in that folder, not for every file.
 */
static int
fsutil_batch_keep_dir(struct fsutil_batch *b, const char *path, int fd)
{
	size_t len = fsutil_dirlen(path);
	struct stat sb;
	char *dir;

	for (size_t i = 0; i < b->ndirs; i++)
		if (strlen(b->dirs[i].dir) == len &&
		    memcmp(b->dirs[i].dir, path, len) == 0)
			return 0;
	if (fstat(fd, &sb) == -1 ||
	    VEC_RESERVE(b->dirs, b->capdirs, b->ndirs + 1) == -1 ||
	    (dir = strndup(path, len)) == NULL)
		return -1;
	if (fsutil_batch_keep_fs(b, fd, sb.st_dev) == -1) {
		free(dir);
		return -1;
	}
	b->dirs[b->ndirs].dir = dir;
	b->dirs[b->ndirs++].dev = sb.st_dev;
	return 0;
}
#endif

size_t
fsutil_batch_count(const struct fsutil_batch *b)
{
	return b->n;
}

/* PATH's folder ("." for a bare name), malloc'd. */
static char *
fsutil_dirname(const char *path)
{
	const char *slash = strrchr(path, '/');

	if (slash == NULL)
		return strdup(".");
	if (slash == path)
		return strdup("/");
	return strndup(path, slash - path);
}

static mode_t fsutil_mask;

static void
fsutil_umask_read(void)
{
	fsutil_mask = umask(022);
	(void)umask(fsutil_mask);
}

/* The process's umask, read once (once for all threads: umask() is the
 * process's): nothing in finewsd changes it. */
static mode_t
fsutil_umask(void)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;

	(void)pthread_once(&once, fsutil_umask_read);
	return fsutil_mask;
}

/*
 * Six letters or digits for a temporary name, from a counter mixed with the
 * process id and the time: unique enough that O_EXCL rarely refuses one,
 * and when it does the next name is tried.
 */
static void
fsutil_tmp_random(char *out)
{
	static const char set[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
	static _Thread_local uint64_t state;   /* each thread its own */
	uint64_t v;

	if (state == 0)
		state = ((uint64_t)getpid() << 32) ^ (uint64_t)time(NULL) ^
		    (uint64_t)(uintptr_t)&state ^ 0x9e3779b97f4a7c15ULL;
	/* splitmix64: each call a different, well-spread value. */
	v = (state += 0x9e3779b97f4a7c15ULL);
	v = (v ^ (v >> 30)) * 0xbf58476d1ce4e5b9ULL;
	v = (v ^ (v >> 27)) * 0x94d049bb133111ebULL;
	v ^= v >> 31;
	for (int i = 0; i < TMP_RANDOM; i++, v /= sizeof(set) - 1)
		out[i] = set[v % (sizeof(set) - 1)];
}

/* ".NAME.XXXXXX.tmp" beside PATH, *RANDOMP at its "XXXXXX"; NULL (ENOMEM). */
static char *fsutil_tmp_name(const char *path, char **randomp);

/*
 * Creates ".NAME.XXXXXX.tmp" beside PATH and stores its name in *TMPP.  One
 * open(O_CREAT | O_EXCL) with mode 0644: mkostemps made the file 0600 and
 * needed an fchmod per file.  The file must be 0644 whatever the umask (the
 * web server reads the posts), so an fchmod follows only under a umask that
 * takes a bit of 0644 away.  NAME is cut so that the temporary name fits
 * NAME_MAX.
 */
static char *
fsutil_tmp_name(const char *path, char **randomp)
{
	const char *base = strrchr(path, '/');
	size_t dlen, blen, extra = 1 + 1 + TMP_RANDOM + strlen(TMP_SUFFIX);
	char *tmp;

	base = base != NULL ? base + 1 : path;
	dlen = base - path;
	blen = strlen(base);
	if (blen > NAME_MAX - extra)
		blen = NAME_MAX - extra;
	if (asprintf(&tmp, "%.*s.%.*s.XXXXXX" TMP_SUFFIX, (int)dlen, path,
	    (int)blen, base) == -1)
		return NULL;
	*randomp = tmp + strlen(tmp) - strlen(TMP_SUFFIX) - TMP_RANDOM;
	return tmp;
}

static int
fsutil_tmp_create(const char *path, char **tmpp)
{
	char *tmp, *r;
	int fd = -1;

	if ((tmp = fsutil_tmp_name(path, &r)) == NULL)
		return -1;
	for (int tries = 0; fd == -1 && tries < 100; tries++) {
		fsutil_tmp_random(r);
		fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
		if (fd == -1 && errno != EEXIST)
			break;
	}
	if (fd != -1 && (0644 & fsutil_umask()) != 0 && fchmod(fd, 0644) == -1) {
		int saved = errno;

		(void)unlink(tmp);
		close(fd);
		fd = -1;
		errno = saved;
	}
	if (fd == -1) {
		int saved = errno;

		free(tmp);
		errno = saved;
		return -1;
	}
	*tmpp = tmp;
	return fd;
}

static int fsutil_proc_ok;
static atomic_size_t fsutil_held_max = FSUTIL_HELD_MAX;

void
fsutil_set_held_max(size_t n)
{
	atomic_store(&fsutil_held_max, n < FSUTIL_HELD_MAX ? n : FSUTIL_HELD_MAX);
}

static void
fsutil_proc_read(void)
{
	fsutil_proc_ok = access("/proc/self/fd", X_OK) == 0;
}

/* Whether an unnamed file can be linked in for sure: through
 * /proc/self/fd, when linkat(AT_EMPTY_PATH) cannot (fsutil_linkat). */
static int
fsutil_proc_fd(void)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;

	(void)pthread_once(&once, fsutil_proc_read);
	return fsutil_proc_ok;
}

/*
 * An unnamed file in PATH's folder (O_TMPFILE), mode 0644, that commit
 * links in under PATH.  It spares the folder a name made, renamed away and
 * looked up again, a fifth of what a post file costs the kernel, and a
 * crash leaves nothing of it.  -1 when the kernel, the file system or
 * /proc cannot: the caller names a temporary file instead.
 */
static int
fsutil_tmpfile_open(const char *path)
{
	char dir[PATH_MAX];
	size_t len = fsutil_dirlen(path);
	int fd;

	if (!fsutil_proc_fd() || len >= sizeof(dir)) {
		errno = EOPNOTSUPP;
		return -1;
	}
	if (len == 0)
		dir[len++] = '.';
	else
		memcpy(dir, path, len);
	dir[len] = '\0';
	fd = open(dir, O_WRONLY | O_TMPFILE | O_CLOEXEC, 0644);
	if (fd != -1 && (0644 & fsutil_umask()) != 0 && fchmod(fd, 0644) == -1) {
		int saved = errno;

		close(fd);
		errno = saved;
		return -1;
	}
	return fd;
}

static int
fsutil_write_all(int fd, const void *data, size_t len)
{
	const char *p = data;
	ssize_t n;

	while (len > 0) {
		n = write(fd, p, len > SSIZE_MAX ? SSIZE_MAX : len);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= n;
	}
	return 0;
}

#ifndef HAVE_SYNCFS
static int
fsutil_fsync(int fd)
{
	while (fsync(fd) == -1) {
		if (errno != EINTR)
			return -1;
	}
	return 0;
}
#endif

/*
 * Without syncfs each file is flushed before it is closed; with it, one
 * syncfs per filesystem at commit does the work of all the fsyncs.
 */
static int
fsutil_fill(int fd, const void *data, size_t len)
{
	if (fsutil_write_all(fd, data, len) == -1)
		return -1;
#ifndef HAVE_SYNCFS
	if (fsutil_fsync(fd) == -1)
		return -1;
#endif
	return 0;
}

int
fsutil_batch_add(struct fsutil_batch *b, const char *path,
    const void *data, size_t len, int flags)
{
	struct fsutil_file f = { .fd = -1, .flags = flags };
	int fd = -1, unnamed, saved;

	if (VEC_RESERVE(b->v, b->cap, b->n + 1) == -1 ||
	    (f.path = strdup(path)) == NULL) {
		log_warn("%s", path);
		return -1;
	}
	/* A file system without O_TMPFILE says so once a batch. */
	if (!b->named && b->nheld < atomic_load(&fsutil_held_max) &&
	    (fd = fsutil_tmpfile_open(path)) == -1 && (errno == EOPNOTSUPP ||
	    errno == EISDIR || errno == EINVAL))
		b->named = 1;
	unnamed = fd != -1;
	if (!unnamed && (fd = fsutil_tmp_create(path, &f.tmp)) == -1) {
		log_warn("%s: temporary file", path);
		free(f.path);
		return -1;
	}
	/*
	 * FD is closed here, once, on every path but the one that keeps an
	 * unnamed file (which is the file until commit): closed twice, its
	 * number could be another thread's by the second time.  Linux closes
	 * the descriptor even when close fails with EINTR, and the data is
	 * synced later anyway; any other error (NFS) is real.
	 */
	if (fsutil_fill(fd, data, len) == -1
#ifdef HAVE_SYNCFS
	    || fsutil_batch_keep_dir(b, path, fd) == -1
#endif
	    ) {
		saved = errno;
		close(fd);
		goto fail;
	}
	if (unnamed) {
		f.fd = fd;
		b->nheld++;
	} else if (close(fd) == -1 && errno != EINTR) {
		saved = errno;
		goto fail;
	}
	b->v[b->n++] = f;
	return 0;
fail:
	errno = saved;
	log_warn("%s", f.tmp != NULL ? f.tmp : path);
	fsutil_file_drop(&f);
	errno = saved;
	return -1;
}

/*
 * Opens DIR and applies FN (fsync or syncfs) to it, again after EINTR.
 * 0, or -1 with errno set and the failure logged with DIR.
 */
static int
fsutil_dir_apply(const char *dir, int (*fn)(int))
{
	int fd, rc, saved;

	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1) {
		log_warn("%s", dir);
		return -1;
	}
	while ((rc = fn(fd)) == -1 && errno == EINTR)
		;
	saved = errno;
	if (rc == -1)
		log_warn("%s: sync", dir);
	close(fd);
	errno = saved;
	return rc;
}

int
fsutil_dir_sync(const char *dir)
{
	return fsutil_dir_apply(dir, fsync);
}

#ifdef HAVE_SYNCFS
/* One syncfs per filesystem the batch wrote to. */
static int
fsutil_batch_syncfs(struct fsutil_batch *b)
{
	int rc;

	for (size_t i = 0; i < b->nfs; i++) {
		while ((rc = syncfs(b->fs[i].fd)) == -1 && errno == EINTR)
			;
		if (rc == -1) {
			log_warn("sync of the files written");
			return -1;
		}
	}
	return 0;
}
#endif

/*
 * Whether linkat(fd, "", AT_EMPTY_PATH) links an unnamed file of ours in:
 * since Linux 6.10 it does for the process that opened the file, before
 * only with CAP_DAC_READ_SEARCH.  Cleared at the first refusal, after
 * which the link goes through /proc/self/fd, a path lookup dearer by
 * about 3 us a file.
 */
static atomic_int fsutil_empty_path = 1;

void
fsutil_set_empty_path(int on)
{
	atomic_store(&fsutil_empty_path, on);
}

static int
fsutil_linkat(int fd, const char *to)
{
	char proc[64];

	if (atomic_load(&fsutil_empty_path)) {
		if (linkat(fd, "", AT_FDCWD, to, AT_EMPTY_PATH) == 0)
			return 0;
		if (errno != ENOENT && errno != EPERM)
			return -1;
	}
	(void)snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	if (linkat(AT_FDCWD, proc, AT_FDCWD, to, AT_SYMLINK_FOLLOW) == -1)
		return -1;
	atomic_store(&fsutil_empty_path, 0);
	return 0;
}

/*
 * Links the unnamed file F in under its final name; an existing file there
 * stays with FSUTIL_NOREPLACE, or else is replaced, atomically: F is
 * linked under a temporary name and renamed over it.
 */
static int
fsutil_file_link(struct fsutil_file *f)
{
	char *r;

	if (fsutil_linkat(f->fd, f->path) == 0)
		return 0;
	if (errno != EEXIST)
		return -1;
	if (f->flags & FSUTIL_NOREPLACE)
		return 0;
	if ((f->tmp = fsutil_tmp_name(f->path, &r)) == NULL)
		return -1;
	for (int tries = 0;; tries++) {
		fsutil_tmp_random(r);
		if (fsutil_linkat(f->fd, f->tmp) == 0)
			break;
		if (errno != EEXIST || tries == 100) {
			free(f->tmp);
			f->tmp = NULL;
			return -1;
		}
	}
	if (rename(f->tmp, f->path) == -1)
		return -1;
	free(f->tmp);
	f->tmp = NULL;
	return 0;
}

/*
 * Gives F its final name.  With FSUTIL_NOREPLACE an existing file stays as
 * it is: link() fails with EEXIST instead of replacing it, atomically.
 */
static int
fsutil_file_install(struct fsutil_file *f)
{
	if (f->fd != -1)
		return fsutil_file_link(f);
	if (!(f->flags & FSUTIL_NOREPLACE)) {
		if (rename(f->tmp, f->path) == -1)
			return -1;
	} else if (link(f->tmp, f->path) == -1 && errno != EEXIST) {
		return -1;
	} else if (unlink(f->tmp) == -1 && errno != ENOENT)
		log_warn("%s", f->tmp);
	free(f->tmp);
	f->tmp = NULL;
	return 0;
}

/* The length of PATH's folder part: 0 for a bare name, 1 for "/" itself. */
static size_t
fsutil_dirlen(const char *path)
{
	const char *slash = strrchr(path, '/');

	if (slash == NULL)
		return 0;
	return slash == path ? 1 : (size_t)(slash - path);
}

/* Syncs each distinct folder of the batch once, which makes renames durable. */
static int
fsutil_batch_syncdirs(struct fsutil_batch *b)
{
	const char *pi;
	char *dir;
	size_t i, j, li;
	int rc;

	for (i = 0; i < b->n; i++) {
		pi = b->v[i].path;
		li = fsutil_dirlen(pi);
		for (j = 0; j < i; j++)
			if (fsutil_dirlen(b->v[j].path) == li &&
			    memcmp(b->v[j].path, pi, li) == 0)
				break;
		if (j < i)
			continue;
		if ((dir = fsutil_dirname(pi)) == NULL)
			return -1;
		rc = fsutil_dir_sync(dir);
		free(dir);
		if (rc == -1)
			return -1;
	}
	return 0;
}

int
fsutil_batch_commit(struct fsutil_batch *b)
{
	size_t i = 0;
	int rc = -1;

#ifdef HAVE_SYNCFS
	if (fsutil_batch_syncfs(b) == -1)
		goto out;
#endif
	for (i = 0; i < b->n; i++) {
		if (fsutil_file_install(&b->v[i]) == -1 || fault_hit("rename")) {
			log_warn("%s", b->v[i].path);
			goto out;
		}
	}
	if (fsutil_batch_syncdirs(b) == -1)
		goto out;
	rc = 0;
out:
	fsutil_batch_drop(b, 0);
	fsutil_batch_drop_fs(b);
	return rc;
}

/*
 * The file's size is only a hint, since it may change while it is read;
 * the bytes actually read are what MAX is held against.
 */
char *
fsutil_read_file(const char *path, size_t max, size_t *lenp)
{
	struct stat sb;
	char *buf = NULL;
	size_t len = 0, cap = 0;
	ssize_t n;
	int fd, saved;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return NULL;
	if (fstat(fd, &sb) == -1)
		goto fail;
	if ((uintmax_t)sb.st_size > max) {
		errno = EFBIG;
		goto fail;
	}
	if (VEC_RESERVE(buf, cap, (size_t)sb.st_size + 1) == -1)
		goto fail;
	for (;;) {
		if (len + 1 == cap && VEC_RESERVE(buf, cap, cap + 1) == -1)
			goto fail;
		if ((n = read(fd, buf + len, cap - len - 1)) == -1) {
			if (errno == EINTR)
				continue;
			goto fail;
		}
		if (n == 0)
			break;
		if ((len += (size_t)n) > max) {
			errno = EFBIG;
			goto fail;
		}
	}
	(void)close(fd);
	buf[len] = '\0';
	if (lenp != NULL)
		*lenp = len;
	return buf;
fail:
	saved = errno;
	free(buf);
	(void)close(fd);
	errno = saved;
	return NULL;
}
