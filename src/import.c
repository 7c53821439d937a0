/*
 * import: `finewsd --import DIR`, the posts the site already has into the
 * database.  See import.h.
 *
 * Every regular *.md file below DIR (hidden entries and symbolic links to
 * folders left out) is read in sorted order, so that two runs over the same
 * tree see the same file first.  A file becomes a post row when its name is
 * YYYY-MM-DD-<file id>.md and it holds what the old script wrote:
 *
 *	---
 *	layout: post
 *	title: "<title>"
 *	date: YYYY-MM-DD HH:MM:SS [+ZZZZ]
 *	categories: <category>
 *	tags: <tag>
 *	---
 *	<body>
 *
 *	<<link>>
 *
 *	[返回<tag>](…)｜[返回首页](…)
 *
 * with the back links on one line, on two, or missing, and the link empty in
 * some early posts.  The body is exactly what finewsd would have written in
 * its place: the bytes after the front matter up to the "\n\n" before the
 * link line.  Anything else is skipped and logged, never a failure: only an
 * unreadable DIR or a database error is.  The posts are stored in batches,
 * one transaction each, so that an interrupted import keeps what it stored
 * and a second run adds nothing twice.  Calls store, source (date and file
 * name checks), slug and log; files are never rewritten.
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

#include "import.h"
#include "log.h"
#include "slug.h"
#include "source.h"
#include "store.h"

#define IMPORT_BATCH		1000		/* posts per transaction */
#define IMPORT_MAX_FILE		(16L << 20)	/* no post of the site is near it */
#define IMPORT_BACK_LINK	"[返回"		/* opens every back link line */
#define IMPORT_TAG_SUFFIX	"新闻"		/* the tag is "<media>新闻" */
#define IMPORT_ROLLING		"emnews"	/* the old script's rolling category */

/* One run. */
struct import {
	const struct conf	*c;
	struct store		*st;
	char			*site_real;	/* site_dir resolved, or NULL */
	long long		 now;
	long			 imported, known, skipped, learned;
	long			 batch;		/* posts in the open transaction */
	int			 failed;	/* a file or folder was unreadable */
	char			**media;	/* media whose slug this run settled */
	size_t			 nmedia, capmedia;
};

/*
 * One parsed post file.  The strings point into the file's buffer, which the
 * parser cuts up in place, except the few built here.
 */
struct import_post {
	char		 file_id[NAME_MAX + 1];
	char		 info_code[NAME_MAX + 3];
	const char	*layout, *title, *date, *categories, *tags;
	const char	*body;
	const char	*link;			/* NULL when the link is empty */
	char		 published[32];		/* 'YYYY-MM-DD HH:MM:SS +ZZZZ' */
	long long	 published_at;
};

/*
 * Reads the whole file PATH into a NUL-terminated buffer the caller frees.
 * 0, or -1 with errno set (EFBIG for a file past IMPORT_MAX_FILE).
 */
static int
import_read(const char *path, char **bufp, size_t *lenp)
{
	struct stat sb;
	char *buf = NULL;
	size_t len = 0;
	ssize_t n;
	int fd, saved;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return -1;
	if (fstat(fd, &sb) == -1)
		goto fail;
	if (sb.st_size > IMPORT_MAX_FILE) {
		errno = EFBIG;
		goto fail;
	}
	if ((buf = malloc((size_t)sb.st_size + 1)) == NULL)
		goto fail;
	/* The size is only a hint: a file may change while it is read. */
	while (len < (size_t)sb.st_size &&
	    (n = read(fd, buf + len, (size_t)sb.st_size - len)) != 0) {
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			goto fail;
		len += (size_t)n;
	}
	buf[len] = '\0';
	(void)close(fd);
	*bufp = buf;
	*lenp = len;
	return 0;
fail:
	saved = errno;
	free(buf);
	(void)close(fd);
	errno = saved;
	return -1;
}

/*
 * Takes the file id and the infoCode from the file name NAME.  A rolling
 * post is named by the article's numeric id, whose infoCode is "NW" + id
 * (the market sources name the same article by that infoCode).  Returns
 * NULL, or why the name is not a post's.
 */
static const char *
import_parse_name(const char *name, struct import_post *p)
{
	static const char shape[] = "dddd-dd-dd-";
	size_t i, len = strlen(name);
	int digits = 1;

	for (i = 0; shape[i] != '\0'; i++)
		if (shape[i] == 'd' ? name[i] < '0' || name[i] > '9' :
		    name[i] != shape[i])
			return "file name is not YYYY-MM-DD-<id>.md";
	if (len <= i + 3 || len - i - 3 >= sizeof(p->file_id))
		return "file name is not YYYY-MM-DD-<id>.md";
	len -= i + 3;
	if (strcmp(name + i + len, ".md") != 0)
		return "file name is not YYYY-MM-DD-<id>.md";
	memcpy(p->file_id, name + i, len);
	p->file_id[len] = '\0';
	if (!record_id_is_fit(p->file_id))
		return "id unfit for a file name";
	for (i = 0; i < len; i++)
		if (p->file_id[i] < '0' || p->file_id[i] > '9')
			digits = 0;
	(void)snprintf(p->info_code, sizeof(p->info_code), "%s%s",
	    digits ? "NW" : "", p->file_id);
	return NULL;
}

/*
 * Unquotes the YAML scalar V in place: a double-quoted one with its
 * backslash escapes (finewsd writes \" and \\ only), a single-quoted one
 * ('' for '), or a plain one as it is.  NULL when a quote is not closed or
 * followed by more than blanks.
 */
static const char *
import_unquote(char *v)
{
	char q = v[0], *r, *w;

	if (q != '"' && q != '\'')
		return v;
	for (r = v + 1, w = v; *r != '\0'; r++) {
		if (q == '"' && *r == '\\' && r[1] != '\0') {
			r++;
			*w++ = *r == 'n' ? '\n' : *r == 't' ? '\t' : *r;
		} else if (*r == q && q == '\'' && r[1] == '\'') {
			*w++ = *r++;
		} else if (*r == q) {
			break;
		} else
			*w++ = *r;
	}
	if (*r != q || r[1 + strspn(r + 1, " \t")] != '\0')
		return NULL;
	*w = '\0';
	return v;
}

/* Reads the front matter line LINE ("key: value") into P. */
static void
import_parse_key(char *line, struct import_post *p)
{
	char *colon = strchr(line, ':'), *v, *e;

	if (colon == NULL)
		return;
	*colon = '\0';
	v = colon + 1 + strspn(colon + 1, " \t");
	for (e = v + strlen(v); e > v && (e[-1] == ' ' || e[-1] == '\t'); e--)
		e[-1] = '\0';
	if (strcmp(line, "layout") == 0)
		p->layout = v;
	else if (strcmp(line, "title") == 0)
		p->title = import_unquote(v);
	else if (strcmp(line, "date") == 0)
		p->date = v;
	else if (strcmp(line, "categories") == 0)
		p->categories = v;
	else if (strcmp(line, "tags") == 0)
		p->tags = v;
}

/*
 * Cuts the front matter at the start of BUF into P and returns where the
 * body starts, or NULL when BUF opens with no front matter or never closes
 * it.  A title whose quotes do not close reads as no title.
 */
static char *
import_parse_front(char *buf, struct import_post *p)
{
	char *line, *eol;

	if (strncmp(buf, "---\n", 4) != 0)
		return NULL;
	for (line = buf + 4; (eol = strchr(line, '\n')) != NULL;
	    line = eol + 1) {
		*eol = '\0';
		if (eol > line && eol[-1] == '\r')
			eol[-1] = '\0';
		if (strcmp(line, "---") == 0)
			return eol + 1;
		import_parse_key(line, p);
	}
	return NULL;
}

/* 1 when LINE[0..N) is "<" URL ">" (or the empty "<>"), 0 otherwise. */
static int
import_is_link(const char *line, size_t n)
{
	size_t i;

	if (n < 2 || line[0] != '<' || line[n - 1] != '>')
		return 0;
	for (i = 1; i < n - 1; i++)
		if ((unsigned char)line[i] <= ' ' || line[i] == '<' ||
		    line[i] == '>' || line[i] == 0x7f)
			return 0;
	/* Not an HTML tag alone on its line, such as "<br>". */
	return n == 2 || memmem(line, n, "://", 3) != NULL || line[1] == '/';
}

/*
 * Finds the link line of the body BODY[0..LEN): the last line before the
 * back links, skipping blank lines, or the last line when there are none.
 * Returns its start, or NULL; its length in *N.
 */
static char *
import_find_link(char *body, size_t len, size_t *n)
{
	char *e = body + len, *s, *nl;

	for (;;) {
		nl = memrchr(body, '\n', (size_t)(e - body));
		s = nl != NULL ? nl + 1 : body;
		*n = (size_t)(e - s);
		if (*n > 0 && s[*n - 1] == '\r')
			(*n)--;
		if (*n > 0 && strncmp(s, IMPORT_BACK_LINK,
		    sizeof(IMPORT_BACK_LINK) - 1) != 0)
			return import_is_link(s, *n) ? s : NULL;
		if (nl == NULL)
			return NULL;
		e = nl;
	}
}

/*
 * Splits the text after the front matter, TEXT[0..LEN), into body and link.
 * finewsd writes body "\n\n<" link ">": exactly that "\n\n" is dropped (a
 * lone "\n" where an early post had only that), so that the body is
 * byte for byte the one finewsd would write.
 */
static const char *
import_parse_body(char *text, size_t len, struct import_post *p)
{
	char *link, *end;
	size_t n;

	if ((link = import_find_link(text, len, &n)) == NULL)
		return "no <link> line";
	end = link;
	if (end - text >= 2 && end[-1] == '\n' && end[-2] == '\n')
		end -= 2;
	else if (end > text && end[-1] == '\n')
		end--;
	link[n - 1] = '\0';
	p->link = n > 2 ? link + 1 : NULL;
	*end = '\0';
	p->body = text;
	return NULL;
}

/*
 * Checks the date of P, "YYYY-MM-DD HH:MM:SS" with or without a "+ZZZZ"
 * offset (then it is the configured one), and fills published and
 * published_at.
 */
static const char *
import_parse_date(const struct conf *c, struct import_post *p)
{
	char day[20];
	const char *tz = c->tz, *d = p->date;
	long off = c->tz_offset;
	long long t;

	/* The broken posts of the old script have "date:  +0800". */
	if (d == NULL || *d == '\0' || *d == '+' || *d == '-')
		return "no date";
	if (strlen(d) < sizeof(day) - 1)
		return "bad date";
	memcpy(day, d, sizeof(day) - 1);
	day[sizeof(day) - 1] = '\0';
	if (d[19] != '\0') {
		tz = d + 20;
		if (d[19] != ' ' || strlen(tz) != 5 || (tz[0] != '+' &&
		    tz[0] != '-') || strspn(tz + 1, "0123456789") != 4 ||
		    tz[1] > '1' || tz[3] > '5')
			return "bad date";
		off = ((tz[1] - '0') * 10 + tz[2] - '0') * 3600L +
		    ((tz[3] - '0') * 10 + tz[4] - '0') * 60L;
		if (tz[0] == '-')
			off = -off;
	}
	if (record_date_parse(day, off, &t) == -1)
		return "bad date";
	(void)snprintf(p->published, sizeof(p->published), "%s %s", day, tz);
	p->published_at = (long long)t;
	return NULL;
}

/*
 * Parses the post file BUF[0..LEN) into P (the file id is already there).
 * Returns NULL, or why it is not a post to import.
 */
static const char *
import_parse(const struct conf *c, char *buf, size_t len, struct import_post *p)
{
	const char *why;
	char *body;

	if (memchr(buf, '\0', len) != NULL)
		return "a NUL byte in the file";
	if ((body = import_parse_front(buf, p)) == NULL)
		return "no front matter";
	if (p->layout == NULL || strcmp(p->layout, "post") != 0)
		return "layout is not post";
	if (p->title == NULL || *p->title == '\0')
		return "no title";
	if ((why = import_parse_date(c, p)) != NULL)
		return why;
	if (p->categories == NULL || *p->categories == '\0')
		return "no category";
	/* The category names feed files and pages of the site. */
	if (!record_id_is_fit(p->categories))
		return "category unfit for a file name";
	if (p->tags == NULL || *p->tags == '\0')
		return "no tag";
	return import_parse_body(body, len - (size_t)(body - buf), p);
}

/*
 * The media of a post: its tag minus the "新闻" the writers add, a malloc'd
 * string, or NULL for a rolling post (its tag names the feed, not a media)
 * and a tag without that suffix.
 */
static char *
import_media(const struct conf *c, const struct import_post *p)
{
	size_t n = strlen(p->tags), sn = sizeof(IMPORT_TAG_SUFFIX) - 1;

	if (strcmp(p->categories, IMPORT_ROLLING) == 0)
		return NULL;
	for (size_t i = 0; i < c->nsources; i++)
		if (c->sources[i].category != NULL &&
		    strcmp(c->sources[i].category, p->categories) == 0)
			return NULL;
	if (n <= sn || strcmp(p->tags + n - sn, IMPORT_TAG_SUFFIX) != 0)
		return NULL;
	return strndup(p->tags, n - sn);
}

/* 1 when this run already settled the slug of MEDIA. */
static int
import_media_seen(const struct import *im, const char *media)
{
	for (size_t i = 0; i < im->nmedia; i++)
		if (strcmp(im->media[i], media) == 0)
			return 1;
	return 0;
}

static int
import_media_remember(struct import *im, const char *media)
{
	char **v;

	if (im->nmedia == im->capmedia) {
		size_t cap = im->capmedia ? im->capmedia * 2 : 32;

		if ((v = reallocarray(im->media, cap, sizeof(*v))) == NULL)
			goto fail;
		im->media = v;
		im->capmedia = cap;
	}
	if ((im->media[im->nmedia] = strdup(media)) == NULL)
		goto fail;
	im->nmedia++;
	return 0;
fail:
	log_warn("import: media %s", media);
	return -1;
}

/*
 * Learns the slug the site uses for MEDIA from a post of category SLUG: the
 * first post seen settles it, and a slug already in the database stays.  A
 * slug with characters outside [A-Za-z0-9_-] is not kept: the daemon would
 * not use it anyway.  0, or -1 on a database error.
 */
static int
import_learn(struct import *im, const char *media, const char *slug)
{
	char *known = NULL, *pinyin;

	if (import_media_seen(im, media))
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
	return import_media_remember(im, media);
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
	sp.category = p->categories;
	sp.tag = p->tags;
	sp.media = media;
	sp.title = p->title;
	sp.published = p->published;
	sp.published_at = p->published_at;
	sp.link = p->link;
	sp.body = p->body;
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
	if ((why = import_parse_name(name, &p)) == NULL) {
		if (import_read(path, &buf, &len) == -1) {
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
	media = import_media(im->c, &p);
	if (media != NULL && import_learn(im, media, p.categories) == -1)
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
	for (size_t i = 0; i < im->nmedia; i++)
		free(im->media[i]);
	free(im->media);
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
