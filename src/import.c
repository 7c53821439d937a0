/*
 * import: `finewsd --import DIR`, the posts the site already has into the
 * database.  See import.h.
 *
 * Every regular *.md file below DIR (hidden entries and symbolic links to
 * folders left out) is read in sorted order, so that two runs over the same
 * tree see the same file first.  A file becomes a post row when its name is
 * YYYY-MM-DD-<file id>.md and it reads back as a post (post_parse, the
 * inverse of the writer); the record rules' inverse gives its infoCode,
 * published time and media (record_name_parse, record_published_parse,
 * record_media_of).  The body is exactly what finewsd would have written in
 * its place.  Anything else is skipped and logged, never a failure: only an
 * unreadable DIR or a database error is.  The posts are stored in batches,
 * one transaction each, so that an interrupted import keeps what it stored
 * and a second run adds nothing twice.  Calls store, post, record, slug,
 * fsutil, strset and log; files are never rewritten.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "fsutil.h"
#include "import.h"
#include "log.h"
#include "post.h"
#include "record.h"
#include "slug.h"
#include "store.h"
#include "strset.h"

#define IMPORT_BATCH		1000		/* posts per transaction */
#define IMPORT_MAX_FILE		(16L << 20)	/* no post of the site is near it */

/* One run. */
struct import {
	const struct conf	*c;
	struct store		*st;
	char			*site_real;	/* site_dir resolved, or NULL */
	long long		 now;
	long			 imported, known, skipped, learned;
	long			 batch;		/* posts in the open transaction */
	int			 failed;	/* a file or folder was unreadable */
	struct strset		 media;		/* media whose slug this run settled */
};

/* One post file read back: the file's fields and what the rules make of them. */
struct import_post {
	struct post_file f;
	char		 file_id[NAME_MAX + 3];
	char		 info_code[NAME_MAX + 3];
	char		 published[32];		/* 'YYYY-MM-DD HH:MM:SS +ZZZZ' */
	long long	 published_at;
};

/*
 * Reads the post file BUF[0..LEN) into P (the file id is already there).
 * Returns NULL, or why it is not a post to import.
 */
static const char *
import_parse(const struct conf *c, char *buf, size_t len, struct import_post *p)
{
	const struct post_file *f = &p->f;
	const char *why;

	if ((why = post_parse(buf, len, &p->f)) != NULL)
		return why;
	if (f->layout == NULL || strcmp(f->layout, "post") != 0)
		return "layout is not post";
	if (f->title == NULL || *f->title == '\0')
		return "no title";
	if ((why = record_published_parse(c, f->date, p->published,
	    &p->published_at)) != NULL)
		return why;
	if (f->categories == NULL || *f->categories == '\0')
		return "no category";
	/* The category names feed files and pages of the site. */
	if (!record_id_is_fit(f->categories))
		return "category unfit for a file name";
	if (f->tags == NULL || *f->tags == '\0')
		return "no tag";
	return NULL;
}

/* slug_prefer_fn over the readings learned so far: where a slug can be
 * read two ways, the way the site read other names wins. */
static const char *
import_prefer(void *arg, unsigned cp)
{
	struct import *im = arg;
	const char *cand = NULL;
	char *r = NULL;

	if (store_reading_get(im->st, cp, &r) == 0 && r != NULL)
		cand = slug_candidate_find(cp, r);
	free(r);
	return cand;
}

/*
 * Learns which reading each character of MEDIA took in SLUG, the slug the
 * site made for it: one vote for each character with several candidate
 * readings, Unihan's first one included, so that a character the site read
 * the usual way keeps it (a character with one reading has nothing to
 * learn).  A slug that is not the media's pinyin (a hand-made one, say
 * yicai) teaches nothing.  0, or -1 on a database error or without memory.
 */
static int
import_learn_readings(struct import *im, const char *media, const char *slug)
{
	struct slug_choice out[SLUG_ALIGN_TOKENS];
	const char *cand[2];
	size_t n, i;

	if (slug_align(media, slug, import_prefer, im, out, SLUG_ALIGN_TOKENS,
	    &n) == -1) {
		if (errno == ENOMEM) {
			log_warn("import: media %s", media);
			return -1;
		}
		log_debug("import: media %s: slug %s does not spell its "
		    "readings: %s", media, slug, errno == E2BIG ? "too long" :
		    "no alignment");
		return 0;
	}
	for (i = 0; i < n; i++)
		if (slug_readings_find(out[i].cp, cand, 2) > 1 &&
		    store_reading_add(im->st, out[i].cp, out[i].reading) == -1)
			return -1;
	return 0;
}

/*
 * Learns the slug the site uses for MEDIA from a post of category SLUG: the
 * first post seen settles it, and a slug already in the database stays.  A
 * slug with characters outside [A-Za-z0-9_-] is not kept: the daemon would
 * not use it anyway.  The readings SLUG shows are learned too, once per
 * media and run, its dirty characters dropped.  0, or -1 on a database
 * error.
 */
static int
import_learn(struct import *im, const char *media, const char *slug)
{
	char *known = NULL, *pinyin;

	if (strset_has(&im->media, media))
		return 0;
	if (store_media_slug_get(im->st, media, &known) == -1)
		return -1;
	if (known == NULL && !slug_is_clean(slug)) {
		pinyin = slug_make(media);
		log_warnx("import: media %s uses slug %s, which has characters "
		    "a URL would break on; the pinyin slug %s will be used",
		    media, slug, pinyin != NULL ? pinyin : "");
		free(pinyin);
	} else if (known == NULL) {
		if (store_media_slug_set(im->st, media, slug) == -1)
			return -1;
		im->learned++;
	}
	free(known);
	if (import_learn_readings(im, media, slug) == -1)
		return -1;
	if (strset_add(&im->media, media) == -1) {
		log_warn("import: media %s", media);
		return -1;
	}
	return 0;
}

/*
 * The path of the post file PATH as the database keeps it: relative to
 * site_dir when the file is inside it, else where the site keeps its posts.
 * A malloc'd string, or NULL when out of memory.
 */
static char *
import_relpath(const struct import *im, const char *path, const char *name)
{
	char *real, *rel = NULL;
	size_t n;

	if (im->site_real != NULL && (real = realpath(path, NULL)) != NULL) {
		n = strlen(im->site_real);
		if (strncmp(real, im->site_real, n) == 0 && real[n] == '/')
			rel = strdup(real + n + 1);
		free(real);
		if (rel != NULL)
			return rel;
	}
	if (asprintf(&rel, "_posts/%s", name) == -1)
		return NULL;
	return rel;
}

/* Stores P, read from PATH, unless its infoCode is known.  0 or -1. */
static int
import_store(struct import *im, const struct import_post *p, const char *media,
    const char *path, const char *name)
{
	struct store_post sp;
	char *rel;
	int rc;

	if ((rc = store_post_exists(im->st, p->info_code)) != 0) {
		if (rc == 1)
			im->known++;
		return rc == 1 ? 0 : -1;
	}
	if ((rel = import_relpath(im, path, name)) == NULL) {
		log_warn("import %s", path);
		return -1;
	}
	memset(&sp, 0, sizeof(sp));
	sp.info_code = p->info_code;
	sp.source = "import";
	sp.category = p->f.categories;
	sp.tag = p->f.tags;
	sp.media = media;
	sp.title = p->f.title;
	sp.published = p->published;
	sp.published_at = p->published_at;
	sp.link = p->f.link;
	sp.body = p->f.body;
	sp.path = rel;
	sp.file_id = p->file_id;
	sp.fetched_at = im->now;
	rc = store_post_add(im->st, &sp);
	free(rel);
	if (rc == -1)
		return -1;
	im->imported++;
	if (++im->batch < IMPORT_BATCH)
		return 0;
	im->batch = 0;
	return store_commit(im->st) == -1 || store_begin(im->st) == -1 ? -1 : 0;
}

/*
 * Imports the file PATH (named NAME).  A file that is no post is skipped and
 * logged; one that cannot be read is logged and fails the run at its end.
 * Returns -1 only on a database error, which stops the run.
 */
static int
import_file(struct import *im, const char *path, const char *name)
{
	struct import_post p;
	const char *why;
	char *buf = NULL, *media = NULL;
	size_t len;
	int ret = -1;

	memset(&p, 0, sizeof(p));
	if ((why = record_name_parse(name, p.file_id, p.info_code,
	    sizeof(p.info_code))) == NULL) {
		if ((buf = fsutil_read_file(path, IMPORT_MAX_FILE, &len)) == NULL) {
			log_warn("import %s", path);
			im->failed = 1;
			return 0;
		}
		why = import_parse(im->c, buf, len, &p);
	}
	if (why != NULL) {
		log_warnx("import %s: skipped: %s", path, why);
		im->skipped++;
		ret = 0;
		goto out;
	}
	/* Every post of the site tells its media's slug, a twin's included. */
	media = record_media_of(im->c, p.f.categories, p.f.tags);
	if (media != NULL && import_learn(im, media, p.f.categories) == -1)
		goto out;
	ret = import_store(im, &p, media, path, name);
out:
	free(media);
	free(buf);
	return ret;
}

static int
import_entry_filter(const struct dirent *d)
{
	return d->d_name[0] != '.';
}

/* Byte order, not the locale's: the same tree gives the same order anywhere. */
static int
import_entry_compare(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

static int
import_is_md(const char *name)
{
	size_t n = strlen(name);

	return n > 3 && strcmp(name + n - 3, ".md") == 0;
}

static int import_walk(struct import *, const char *);

/*
 * Imports the folder entry PATH (named NAME): a folder is walked, a *.md
 * file imported.  A link to a folder is not followed, since it could loop;
 * a link to a file is.  -1 only on a database error.
 */
static int
import_entry(struct import *im, const char *path, const char *name)
{
	struct stat sb;
	int link;

	if (lstat(path, &sb) == -1 || ((link = S_ISLNK(sb.st_mode)) &&
	    stat(path, &sb) == -1)) {
		log_warn("import %s", path);
		im->failed = 1;
		return 0;
	}
	if (S_ISDIR(sb.st_mode))
		return link ? 0 : import_walk(im, path);
	if (S_ISREG(sb.st_mode) && import_is_md(name))
		return import_file(im, path, name);
	return 0;
}

/*
 * Imports every *.md below the folder DIR.  An unreadable folder is logged
 * and marks the run failed; -1 only on a database error.
 */
static int
import_walk(struct import *im, const char *dir)
{
	struct dirent **ents = NULL;
	char *path;
	int i, n, ret = 0;

	if ((n = scandir(dir, &ents, import_entry_filter,
	    import_entry_compare)) == -1) {
		log_warn("import %s", dir);
		im->failed = 1;
		return 0;
	}
	for (i = 0; i < n && ret == 0; i++) {
		if (asprintf(&path, "%s/%s", dir, ents[i]->d_name) == -1) {
			log_warn("import %s", dir);
			ret = -1;
			break;
		}
		ret = import_entry(im, path, ents[i]->d_name);
		free(path);
	}
	for (i = 0; i < n; i++)
		free(ents[i]);
	free(ents);
	return ret;
}

static void
import_free(struct import *im)
{
	strset_clear(&im->media);
	free(im->site_real);
	store_close(im->st);
}

/* Logs the summary and prints it on stdout, where the user ran the command. */
static int
import_report(const struct import *im, const char *dir)
{
	char line[512];

	(void)snprintf(line, sizeof(line), "import %s: %ld posts imported, "
	    "%ld already known, %ld skipped, %ld media slugs learned", dir,
	    im->imported, im->known, im->skipped, im->learned);
	log_info("%s", line);
	if (printf("%s\n", line) < 0 || fflush(stdout) == EOF) {
		log_warn("import: stdout");
		return -1;
	}
	return 0;
}

int
import_run(const struct conf *c, const char *dir)
{
	struct import im;
	struct stat sb;
	char err[512];
	int ret = 1;

	memset(&im, 0, sizeof(im));
	im.c = c;
	im.now = (long long)time(NULL);
	if (stat(dir, &sb) == -1) {
		log_warn("import %s", dir);
		return 1;
	}
	if (!S_ISDIR(sb.st_mode)) {
		log_warnx("import %s: not a folder", dir);
		return 1;
	}
	/* A site_dir not made yet holds no post: paths then default. */
	im.site_real = realpath(c->site_dir, NULL);
	if ((im.st = store_open(c->database, err, sizeof(err))) == NULL) {
		log_warnx("%s", err);
		goto out;
	}
	if (store_begin(im.st) == -1)
		goto out;
	if (import_walk(&im, dir) == -1 || store_commit(im.st) == -1) {
		store_rollback(im.st);
		log_warnx("import %s: stopped on a database error; the %ld "
		    "posts of the last batch are not stored", dir, im.batch);
		goto out;
	}
	if (import_report(&im, dir) == 0 && !im.failed)
		ret = 0;
out:
	import_free(&im);
	return ret;
}
