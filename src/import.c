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

#include "feeds.h"
#include "fsutil.h"
#include "fault.h"
#include "import.h"
#include "log.h"
#include "post.h"
#include "record.h"
#include "slug.h"
#include "store.h"
#include "strset.h"
#include "util.h"

#define IMPORT_BATCH		1000		/* posts per transaction */
#define IMPORT_MAX_FILE		(16L << 20)	/* no post of the site is near it */

/* One run. */
struct import {
	const struct conf	*c;
	struct store		*st;
	char			*base;		/* DIR's place in site_dir ("" for
						 * the site itself), or NULL: DIR is
						 * outside the site */
	char			*dirname;	/* the last name of DIR's path */
	long long		 now;
	long			 files, imported, known, twins, copies;
	long			 skipped, learned, pages;
	long			 batch;		/* posts in the open transaction */
	int			 failed;	/* a file or folder was unreadable */
	int			 progress;	/* stderr is a terminal */
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
 * The path of the post file REL (relative to DIR) as the database keeps it:
 * relative to site_dir when DIR is inside it, else as if DIR were a copy of
 * the site (its _posts/ and old_post/ where the site has them), a file at
 * DIR's top being a post of _posts/.  Malloc'd, or NULL without memory.
 * No realpath per file: DIR's place in the site is found once.
 */
static char *
import_relpath(const struct import *im, const char *rel)
{
	char *p;

	if (im->base != NULL && im->base[0] != '\0') {
		if (asprintf(&p, "%s/%s", im->base, rel) == -1)
			return NULL;
		return p;
	}
	if (im->base != NULL || strchr(rel, '/') != NULL)
		return strdup(rel);
	if (asprintf(&p, "_posts/%s", rel) == -1)
		return NULL;
	return p;
}

/* The path of an imported row, for telling a twin from a copy. */
static int
import_known_path(void *arg, const struct store_post *sp)
{
	char **path = arg;

	*path = strdup(sp->path);
	return *path != NULL ? 0 : -1;
}

/*
 * P's infoCode is in the database already: a post imported before (the same
 * file), a copy of a post in another folder (_posts/ and old_post/), or its
 * twin, the same article as a rolling post named by its id and a market
 * post named by its infoCode.  One article, one row: the other file is left
 * alone, and a twin or a copy is named in the log.  0 or -1.
 */
static int
import_known(struct import *im, const struct import_post *p, const char *rel,
    const char *path)
{
	char *known = NULL;
	const char *a, *b;

	if (store_post_get(im->st, p->info_code, import_known_path, &known) == -1)
		return -1;
	if (known == NULL || strcmp(known, rel) == 0) {
		im->known++;
	} else {
		a = strrchr(known, '/');
		b = strrchr(rel, '/');
		if (strcmp(a != NULL ? a + 1 : known, b != NULL ? b + 1 : rel) == 0) {
			log_info("import %s: a copy of %s, which holds infoCode %s; "
			    "left alone", path, known, p->info_code);
			im->copies++;
		} else {
			log_info("import %s: the twin of %s (infoCode %s, one "
			    "article); left alone", path, known, p->info_code);
			im->twins++;
		}
	}
	free(known);
	return 0;
}

/*
 * The page of an imported post, when its file says where it is
 * (permalink:) and that is not where its path puts it; else NULL.
 */
static char *
import_url(const struct import_post *p, const char *rel)
{
	char *natural;

	if (p->f.permalink == NULL || p->f.permalink[0] != '/')
		return NULL;
	natural = record_page_url(p->f.categories, p->published, p->file_id,
	    rel, NULL);
	if (natural != NULL && strcmp(natural, p->f.permalink) == 0) {
		free(natural);
		return NULL;
	}
	free(natural);
	return strdup(p->f.permalink);
}

/* Stores P, read from PATH (REL below DIR), unless its infoCode is known.
 * 0 or -1. */
static int
import_store(struct import *im, const struct import_post *p, const char *media,
    const char *path, const char *relpath)
{
	struct store_post sp;
	char *rel, *url = NULL;
	int rc;

	if ((rel = import_relpath(im, relpath)) == NULL) {
		log_warn("import %s", path);
		return -1;
	}
	if ((rc = store_post_exists(im->st, p->info_code)) != 0) {
		if (rc == 1)
			rc = import_known(im, p, rel, path);
		free(rel);
		return rc;
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
	sp.url = url = import_url(p, rel);
	rc = store_post_add(im->st, &sp);
	free(rel);
	free(url);
	if (rc == -1 || fault_hit("import-post"))
		return -1;
	im->imported++;
	if (++im->batch < IMPORT_BATCH)
		return 0;
	im->batch = 0;
	return store_commit(im->st) == -1 || store_begin(im->st) == -1 ? -1 : 0;
}

/*
 * Imports the file PATH (named NAME, REL below DIR).  A file that is no post
 * is skipped and logged; one that cannot be read is logged and fails the
 * run at its end.  Returns -1 only on a database error, which stops the run.
 */
static int
import_file(struct import *im, const char *path, const char *rel,
    const char *name)
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
	ret = import_store(im, &p, media, path, rel);
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

static int import_walk(struct import *, const char *, const char *);

/* A line on a terminal every so many files, so that a long import shows
 * it is alive; nothing when stderr is a log. */
static void
import_progress(struct import *im, int done)
{
	if (!im->progress || (!done && ++im->files % 1000 != 0))
		return;
	(void)fprintf(stderr, "\rimport: %ld files, %ld posts imported%s",
	    im->files, im->imported, done ? "\n" : "");
}

/* A page category/<slug>.html of the site: the slug has a page. */
static int
import_page(struct import *im, const char *rel, const char *name)
{
	const char *slash = strrchr(rel, '/'), *parent;
	char slug[NAME_MAX + 1];
	size_t n = strlen(name);

	if (slash != NULL) {
		/* The folder's name: REL's segment before the last. */
		for (parent = slash; parent > rel && parent[-1] != '/'; parent--)
			;
		if ((size_t)(slash - parent) != 8 || strncmp(parent, "category", 8) != 0)
			return 0;
	} else if (im->dirname == NULL || strcmp(im->dirname, "category") != 0)
		return 0;
	if (n <= 5 || n - 5 >= sizeof(slug) || strcmp(name + n - 5, ".html") != 0)
		return 0;
	memcpy(slug, name, n - 5);
	slug[n - 5] = '\0';
	if (!record_id_is_fit(slug))
		return 0;
	im->pages++;
	return store_page_add(im->st, slug);
}

/*
 * Imports the folder entry PATH (named NAME, REL below DIR): a folder is
 * walked, a *.md file imported, a category page noted.  A link to a folder
 * is not followed, since it could loop; a link to a file is.  -1 only on a
 * database error.
 */
static int
import_entry(struct import *im, const char *path, const char *rel,
    const char *name)
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
		return link ? 0 : import_walk(im, path, rel);
	if (!S_ISREG(sb.st_mode))
		return 0;
	import_progress(im, 0);
	if (import_is_md(name))
		return import_file(im, path, rel, name);
	return import_page(im, rel, name);
}

/*
 * Imports every *.md below the folder DIR (REL below the top, "" for the
 * top).  An unreadable folder is logged and marks the run failed; -1 only
 * on a database error.
 */
static int
import_walk(struct import *im, const char *dir, const char *rel)
{
	struct dirent **ents = NULL;
	char *path, *sub;
	int i, n, ret = 0;

	if ((n = scandir(dir, &ents, import_entry_filter,
	    import_entry_compare)) == -1) {
		log_warn("import %s", dir);
		im->failed = 1;
		return 0;
	}
	for (i = 0; i < n && ret == 0; i++) {
		const char *name = ents[i]->d_name;

		if (asprintf(&path, "%s/%s", dir, name) == -1) {
			log_warn("import %s", dir);
			ret = -1;
			break;
		}
		if (asprintf(&sub, "%s%s%s", rel, *rel != '\0' ? "/" : "", name) == -1) {
			free(path);
			log_warn("import %s", dir);
			ret = -1;
			break;
		}
		ret = import_entry(im, path, sub, name);
		free(sub);
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
	free(im->base);
	free(im->dirname);
	store_close(im->st);
}

/* Logs the summary and prints it on stdout, where the user ran the command. */
static int
import_report(const struct import *im, const char *dir)
{
	char line[512];

	(void)snprintf(line, sizeof(line), "import %s: %ld posts imported, "
	    "%ld already known, %ld skipped, %ld media slugs learned, "
	    "%ld twins and %ld copies left alone, %ld category pages", dir,
	    im->imported, im->known, im->skipped, im->learned, im->twins,
	    im->copies, im->pages);
	log_info("%s", line);
	if (printf("%s\n", line) < 0 || fflush(stdout) == EOF) {
		log_warn("import: stdout");
		return -1;
	}
	return 0;
}

/* The category pages written at the end of an import. */
struct import_pages {
	const struct conf	*c;
	struct fsutil_batch	*fb;
};

/* The category page of one category, unless the site has it already. */
static int
import_page_write(void *arg, const char *category, const char *tag)
{
	struct import_pages *ip = arg;
	char *data = NULL, *path = NULL;
	size_t len;
	int rc = -1;

	if ((data = post_render_category(category, tag, &len)) != NULL &&
	    asprintf(&path, "%s/category/%s.html", ip->c->site_dir, category) != -1)
		rc = fsutil_batch_add(ip->fb, path, data, len, FSUTIL_NOREPLACE);
	else
		log_warn("import: category page %s", category);
	free(data);
	free(path);
	return rc;
}

/*
 * Leaves a complete site: a page for every category the database knows (the
 * site's own are kept as they are), and every feed and the OPML list, so
 * that no link of the OPML or of a feed points at nothing.  0 or -1.
 */
static int
import_finish(struct import *im)
{
	struct import_pages ip = { .c = im->c };
	struct feeds *f = NULL;
	char *dir = NULL;
	int rc = -1;

	if ((dir = path_join(im->c->site_dir, "category")) == NULL ||
	    fsutil_mkdirs(dir) == -1) {
		log_warn("import: %s", dir != NULL ? dir : im->c->site_dir);
		goto out;
	}
	if ((ip.fb = fsutil_batch_create()) == NULL)
		goto out;
	if (store_categories_each(im->st, import_page_write, &ip) == -1 ||
	    fsutil_batch_commit(ip.fb) == -1)
		goto out;
	if ((f = feeds_create(im->c, im->st)) == NULL ||
	    feeds_mark_all(f) == -1 || feeds_write(f) == -1) {
		log_warnx("import: the feeds could not be written");
		goto out;
	}
	rc = 0;
out:
	feeds_destroy(f);
	fsutil_batch_destroy(ip.fb);
	free(dir);
	return rc;
}

/*
 * Where DIR is in the site: BASE ("" for site_dir itself, "_posts" for its
 * posts folder), or NULL when it is outside; and DIR's own last name.
 */
static int
import_locate(struct import *im, const char *dir)
{
	char *real = realpath(dir, NULL), *site = realpath(im->c->site_dir, NULL);
	const char *slash;
	size_t n;
	int rc = -1;

	if (real == NULL) {
		log_warn("import %s", dir);
		goto out;
	}
	slash = strrchr(real, '/');
	if ((im->dirname = strdup(slash != NULL ? slash + 1 : real)) == NULL)
		goto out;
	/* A site_dir not made yet holds no post: paths then default. */
	n = site != NULL ? strlen(site) : 0;
	if (site != NULL && strcmp(real, site) == 0)
		im->base = strdup("");
	else if (site != NULL && strncmp(real, site, n) == 0 && real[n] == '/')
		im->base = strdup(real + n + 1);
	else
		rc = 0;
	if (rc == -1 && im->base != NULL)
		rc = 0;
out:
	free(real);
	free(site);
	return rc;
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
	im.progress = isatty(STDERR_FILENO);
	if (stat(dir, &sb) == -1) {
		log_warn("import %s", dir);
		return 1;
	}
	if (!S_ISDIR(sb.st_mode)) {
		log_warnx("import %s: not a folder", dir);
		return 1;
	}
	if (import_locate(&im, dir) == -1)
		goto out;
	if ((im.st = store_open(c->database, err, sizeof(err))) == NULL) {
		log_warnx("%s", err);
		goto out;
	}
	/* Until its last commit, a start is refused (main.c: site_check). */
	if (store_flag_set(im.st, "import_running", 1) == -1 ||
	    store_begin(im.st) == -1)
		goto out;
	/* An import of the whole site is the site taken over, even when
	 * none of its files was a post to store (hand-written ones). */
	if (import_walk(&im, dir, "") == -1 ||
	    store_flag_set(im.st, "import_running", 0) == -1 ||
	    (im.base != NULL && im.base[0] == '\0' &&
	    store_flag_set(im.st, "site_checked", path_key(c->site_dir)) == -1) ||
	    store_commit(im.st) == -1) {
		store_rollback(im.st);
		import_progress(&im, 1);
		log_warnx("import %s: stopped on a database error; the %ld "
		    "posts of the last batch are not stored", dir, im.batch);
		goto out;
	}
	import_progress(&im, 1);
	if (import_finish(&im) == 0 && import_report(&im, dir) == 0 && !im.failed)
		ret = 0;
out:
	import_free(&im);
	return ret;
}
