/*
 * record: the contract's rules for a record.  See record.h.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "charset.h"
#include "datetime.h"
#include "filter.h"
#include "record.h"
#include "slug.h"
#include "tmpl.h"
#include "util.h"

/* The old script's rolling-news category: a feed, never a media. */
#define RECORD_ROLLING	"emnews"

void
record_clear(struct record *r)
{
	free(r->id);
	free(r->file_id);
	free(r->title);
	free(r->date);
	free(r->media);
	free(r->digest);
	free(r->link);
	free(r->body);
	memset(r, 0, sizeof(*r));
}

void
record_list_clear(struct record_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		record_clear(&l->v[i]);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

int
record_list_reserve(struct record_list *l, size_t extra)
{
	if (extra > (size_t)-1 - l->n)
		return -1;
	return VEC_RESERVE(l->v, l->cap, l->n + extra);
}

struct record *
record_list_push(struct record_list *l)
{
	struct record *r = &l->v[l->n++];

	memset(r, 0, sizeof(*r));
	return r;
}

void
record_list_truncate(struct record_list *l, size_t n)
{
	while (l->n > n)
		record_clear(&l->v[--l->n]);
}

int
record_id_is_fit(const char *s)
{
	const unsigned char *p;

	if (s == NULL || s[0] == '\0' || s[0] == '.')
		return 0;
	for (p = (const unsigned char *)s; *p != '\0'; p++)
		if (*p == '/' || *p < 0x20 || *p == 0x7f)
			return 0;
	return p - (const unsigned char *)s <= RECORD_ID_MAX;
}

/* The default shape of a source's dates, as a message shows it. */
#define RECORD_DATE_SHAPE	"YYYY-MM-DD HH:MM:SS"

/* Unix seconds (or with MS milliseconds) S, digits only, into *T. */
static int
record_date_unix(const char *s, int ms, long long *t)
{
	long long v = 0;
	size_t n = 0;

	for (; s[n] >= '0' && s[n] <= '9'; n++) {
		if (n >= 15)
			return -1;
		v = v * 10 + (s[n] - '0');
	}
	if (n == 0 || s[n] != '\0')
		return -1;
	*t = ms ? v / 1000 : v;
	return 0;
}

/* The default shape, seconds optional, into *DT. */
static int
record_date_default(const char *s, struct datetime *dt)
{
	char full[20];

	if (datetime_parse_local(s, dt) == 0)
		return 0;
	/* 'YYYY-MM-DD HH:MM': the seconds are 0. */
	if (strlen(s) != 16)
		return -1;
	memcpy(full, s, 16);
	memcpy(full + 16, ":00", 4);
	return datetime_parse_local(full, dt);
}

int
record_source_date(const struct conf_source *sc, const char *s,
    long tz_offset, long long *t)
{
	const char *fmt = sc != NULL ? sc->date_format : NULL;
	struct datetime dt;
	long long when = 0;
	int has_offset = 0, has_epoch = 0, rc;

	if (s == NULL)
		return -1;
	if (sc != NULL && sc->has_tz)
		tz_offset = sc->tz_offset;
	if (fmt == NULL)
		rc = record_date_default(s, &dt);
	else if (strcmp(fmt, "unix") == 0 || strcmp(fmt, "unix_ms") == 0) {
		rc = record_date_unix(s, fmt[4] != '\0', &when);
		has_epoch = 1;
	} else
		rc = datetime_parse_format(s, fmt, &dt, &has_offset, &when,
		    &has_epoch);
	if (rc == -1)
		return -1;
	if (!has_epoch) {
		if (!has_offset)
			dt.offset = tz_offset;
		when = datetime_epoch(&dt);
	}
	/* The date a post shows, at the offset it is read at. */
	datetime_from_epoch(when, tz_offset, &dt);
	if (dt.y < 1970 || dt.y > 9999)
		return -1;
	*t = when;
	return 0;
}

int
record_date_parse(const char *s, long tz_offset, long long *t)
{
	return record_source_date(NULL, s, tz_offset, t);
}

int
record_date_is_numeric(const struct conf_source *sc)
{
	return sc->date_format != NULL && (strcmp(sc->date_format, "unix") ==
	    0 || strcmp(sc->date_format, "unix_ms") == 0 ||
	    strcmp(sc->date_format, "%s") == 0);
}

const char record_undecoded[] = "bytes that do not decode";
static const char record_bad_date[] = "bad date";

int
record_check_marks(struct record *r)
{
	char *const fields[] = { r->id, r->file_id, r->title, r->date,
	    r->media, r->digest, r->link, r->body };
	size_t i, at, first = (size_t)-1;
	int found = 0;

	for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		if (fields[i] != NULL &&
		    charset_mark_find(fields[i], strlen(fields[i]), &at)) {
			if (!found || (at != (size_t)-1 && at < first))
				first = at;
			found = 1;
		}
	if (!found)
		return 0;
	r->skip = record_undecoded;
	r->skip_at = first;
	if (r->id != NULL && charset_mark_find(r->id, strlen(r->id), &at)) {
		free(r->id);
		r->id = NULL;
	}
	if (r->file_id != NULL &&
	    charset_mark_find(r->file_id, strlen(r->file_id), &at)) {
		free(r->file_id);
		r->file_id = NULL;
	}
	return 1;
}

const char *
record_skip_explain(const struct conf_source *sc, const struct record *r,
    const char *charset, char *buf, size_t size)
{
	const char *shape;

	if (r->skip == record_undecoded)
		charset_undecoded_message(buf, size, charset != NULL ?
		    charset : "UTF-8", r->skip_at);
	else if (r->skip == record_bad_date) {
		shape = sc->date_format == NULL ? RECORD_DATE_SHAPE :
		    strcmp(sc->date_format, "unix") == 0 ? "Unix seconds" :
		    strcmp(sc->date_format, "unix_ms") == 0 ?
		    "Unix milliseconds" : sc->date_format;
		(void)snprintf(buf, size, "bad date '%.80s', expected %s",
		    r->date != NULL ? r->date : "", shape);
	} else
		(void)snprintf(buf, size, "%s", r->skip != NULL ? r->skip : "");
	return buf;
}

const char *
record_check(const struct conf_source *sc, const struct record *r,
    int own_file_id, int media_wanted)
{
	long long t;

	if (str_is_blank(r->id))
		return "no id";
	if (!record_id_is_fit(r->id))
		return "id unfit for a file name";
	if (own_file_id) {
		if (str_is_blank(r->file_id))
			return "no file id";
		if (!record_id_is_fit(r->file_id))
			return "file id unfit for a file name";
	}
	if (str_is_blank(r->title))
		return "no title";
	if (str_is_blank(r->date))
		return "no date";
	if (record_source_date(sc, r->date, 0, &t) == -1)
		return record_bad_date;
	if (media_wanted && sc->category == NULL && str_is_blank(r->media))
		return "no media";
	return NULL;
}

int
record_title_wanted(const struct conf_source *sc, const char *title)
{
	if (title == NULL)
		return 0;
	if (sc->include_re != NULL && !filter_match(sc->include_re, title))
		return 0;
	return sc->exclude_re == NULL || !filter_match(sc->exclude_re, title);
}

char *
record_slug(const struct conf *c, const char *media, record_slug_fn *known,
    void *arg)
{
	const char *s = conf_category_find(c, media);
	char *learned = NULL;

	if (s != NULL)
		return strdup(s);
	if (known != NULL && known(arg, media, &learned) == 0 && learned != NULL) {
		if (slug_is_clean(learned))
			return learned;
		free(learned);
	}
	return slug_make(media);
}

void
record_post_free(struct record_post *p)
{
	if (p == NULL)
		return;
	free(p->info_code);
	free(p->file_id);
	free(p->source);
	free(p->category);
	free(p->tag);
	free(p->media);
	free(p->title);
	free(p->link);
	free(p->digest);
	free(p->body);
	free(p->path);
	free(p);
}

/* The link of a post: the record's own (link_field), else the template. */
static char *
record_link(const struct conf_source *sc, struct record *r)
{
	char *esc, *link;

	if (r->link != NULL && *r->link != '\0') {
		link = r->link;
		r->link = NULL;
		return link;
	}
	if (sc->link == NULL)
		return NULL;
	if ((esc = url_escape(r->id)) == NULL)
		return NULL;
	link = tmpl_fill(sc->link, "{id}", esc);
	free(esc);
	return link;
}

char *
record_text_url(const struct conf_source *sc, const char *id)
{
	char *esc, *url;

	if ((esc = url_escape(id)) == NULL)
		return NULL;
	url = tmpl_fill(sc->text_url, "{id}", esc);
	free(esc);
	return url;
}

/* The category and tag of a post of SC from media R->media.  0 or -1. */
static int
record_post_names(const struct conf *c, const struct conf_source *sc,
    const struct record *r, record_slug_fn *known, void *arg,
    struct record_post *p, const char **why)
{
	if (sc->category != NULL)
		p->category = strdup(sc->category);
	else if ((p->category = record_slug(c, r->media, known, arg)) != NULL &&
	    *p->category == '\0') {
		*why = "the media name gives an empty category slug";
		return -1;
	}
	if (sc->tag != NULL)
		p->tag = strdup(sc->tag);
	else if (asprintf(&p->tag, "%s" RECORD_TAG_SUFFIX, r->media) == -1)
		p->tag = NULL;
	return p->category != NULL && p->tag != NULL ? 0 : -1;
}

struct record_post *
record_post_make(const struct conf *c, const struct conf_source *sc,
    struct record *r, record_slug_fn *known, void *arg, const char **why)
{
	struct record_post *p;
	struct datetime dt;
	char path[4096];

	*why = "out of memory";
	if ((p = calloc(1, sizeof(*p))) == NULL)
		return NULL;
	if (record_source_date(sc, r->date, c->tz_offset, &p->published_at) ==
	    -1) {
		*why = "bad date";
		goto fail;
	}
	/* A post shows its time at the site's timezone, whatever the
	 * source's: Jekyll files it by that day. */
	datetime_from_epoch(p->published_at, c->tz_offset, &dt);
	if (dt.y < 1970 || dt.y > 9999) {
		*why = "bad date";
		goto fail;
	}
	(void)snprintf(p->published, sizeof(p->published),
	    "%04d-%02d-%02d %02d:%02d:%02d %s", dt.y, dt.mo, dt.d, dt.h, dt.mi,
	    dt.s, c->tz);
	if (record_post_names(c, sc, r, known, arg, p, why) == -1)
		goto fail;
	if ((p->link = record_link(sc, r)) == NULL) {
		*why = "no link";
		goto fail;
	}
	if (record_post_path(path, sizeof(path), p->published, r->file_id) == -1) {
		*why = "file id too long";
		goto fail;
	}
	if ((p->path = strdup(path)) == NULL || (p->source = strdup(sc->name)) == NULL)
		goto fail;
	/* The strings of the record move into the post. */
	p->info_code = r->id;
	p->file_id = r->file_id;
	p->title = r->title;
	p->media = r->media;
	p->digest = r->digest;
	r->id = r->file_id = r->title = r->media = r->digest = NULL;
	record_clear(r);
	*why = NULL;
	return p;
fail:
	record_post_free(p);
	return NULL;
}

int
record_post_path(char *buf, size_t size, const char *published,
    const char *file_id)
{
	struct datetime dt;
	size_t idlen;

	/* The store only hands on fit file ids, but a path is where a bad one
	 * would do harm (a '/' escapes _posts/), so it is checked again. */
	if (published == NULL || file_id == NULL ||
	    datetime_parse_published(published, &dt) == -1 ||
	    file_id[0] == '\0' || file_id[0] == '.' ||
	    strpbrk(file_id, "/") != NULL) {
		errno = EINVAL;
		return -1;
	}
	for (const unsigned char *u = (const unsigned char *)file_id; *u; u++)
		if (*u < 0x20 || *u == 0x7f) {
			errno = EINVAL;
			return -1;
		}
	idlen = strlen(file_id);
	/* "_posts/" (7) + date (10) + "-" + id + ".md" + NUL */
	if (size < 7 + 10 + 1 + idlen + 3 + 1) {
		errno = ENAMETOOLONG;
		return -1;
	}
	(void)snprintf(buf, size, "_posts/%.10s-%s.md", published, file_id);
	return 0;
}

char *
record_category_url(const struct conf *c, const struct conf_source *sc,
    const char *category, int absolute)
{
	char *url, *abs;

	if (sc == NULL) {
		/* A fixed category of some source may have its own page. */
		for (size_t i = 0; i < c->nsources; i++)
			if (c->sources[i].category != NULL &&
			    c->sources[i].category_url != NULL &&
			    strcmp(c->sources[i].category, category) == 0) {
				sc = &c->sources[i];
				break;
			}
	}
	if (sc != NULL && sc->category_url != NULL)
		url = tmpl_fill(sc->category_url, "{category}", category);
	else if (asprintf(&url, "//%s/category/%s.html", c->site_host, category) == -1)
		url = NULL;
	if (url == NULL || !absolute || strncmp(url, "//", 2) != 0)
		return url;
	/* "//host/x" takes the scheme of site_url. */
	if (asprintf(&abs, "%.*s%s", (int)(strchr(c->site_url, ':') - c->site_url + 1),
	    c->site_url, url) == -1)
		abs = NULL;
	free(url);
	return abs;
}

const char *
record_name_parse(const char *name, char *file_id, char *info_code,
    size_t size)
{
	static const char shape[] = "dddd-dd-dd-";
	static const char bad[] = "file name is not YYYY-MM-DD-<id>.md";
	size_t i, len = strlen(name);
	int digits = 1;

	for (i = 0; shape[i] != '\0'; i++)
		if (shape[i] == 'd' ? name[i] < '0' || name[i] > '9' :
		    name[i] != shape[i])
			return bad;
	if (len <= i + 3 || len - i - 3 + 2 >= size)
		return bad;
	len -= i + 3;
	if (strcmp(name + i + len, ".md") != 0)
		return bad;
	memcpy(file_id, name + i, len);
	file_id[len] = '\0';
	if (!record_id_is_fit(file_id))
		return "id unfit for a file name";
	for (i = 0; i < len; i++)
		if (file_id[i] < '0' || file_id[i] > '9')
			digits = 0;
	(void)snprintf(info_code, size, "%s%s", digits ? "NW" : "", file_id);
	return NULL;
}

const char *
record_published_parse(const struct conf *c, const char *date,
    char published[32], long long *at)
{
	struct datetime dt;
	char day[20];

	/* The broken posts of the old script have "date:  +0800". */
	if (date == NULL || *date == '\0' || *date == '+' || *date == '-')
		return "no date";
	if (strlen(date) < sizeof(day) - 1)
		return "bad date";
	memcpy(day, date, sizeof(day) - 1);
	day[sizeof(day) - 1] = '\0';
	if (date[19] == '\0') {
		if (record_date_parse(day, c->tz_offset, at) == -1)
			return "bad date";
		(void)snprintf(published, 32, "%s %s", day, c->tz);
		return NULL;
	}
	/* An offset of the site's posts stays below 20 hours. */
	if (datetime_parse_published(date, &dt) == -1 || dt.y < 1970 ||
	    dt.offset <= -20 * 3600 || dt.offset >= 20 * 3600)
		return "bad date";
	*at = datetime_epoch(&dt);
	(void)snprintf(published, 32, "%s", date);
	return NULL;
}

char *
record_media_of(const struct conf *c, const char *category, const char *tag)
{
	size_t n = strlen(tag), sn = sizeof(RECORD_TAG_SUFFIX) - 1;

	if (strcmp(category, RECORD_ROLLING) == 0)
		return NULL;
	for (size_t i = 0; i < c->nsources; i++)
		if (c->sources[i].category != NULL &&
		    strcmp(c->sources[i].category, category) == 0)
			return NULL;
	if (n <= sn || strcmp(tag + n - sn, RECORD_TAG_SUFFIX) != 0)
		return NULL;
	return strndup(tag, n - sn);
}

/* Appends the path segment SEG[0..N) percent-encoded, '/' kept. */
static void
record_url_add(struct sbuf *b, const char *seg, size_t n, int lower)
{
	char *copy, *esc;

	if ((copy = strndup(seg, n)) == NULL) {
		b->err = 1;
		return;
	}
	if (lower)
		for (char *c = copy; *c != '\0'; c++)
			if (*c >= 'A' && *c <= 'Z')
				*c += 'a' - 'A';
	if ((esc = url_escape(copy)) == NULL)
		b->err = 1;
	else
		sbuf_str(b, esc);
	free(esc);
	free(copy);
}

char *
record_page_url(const char *category, const char *published,
    const char *file_id, const char *path, const char *url)
{
	struct sbuf b = { 0 };
	const char *s, *e;

	if (url != NULL && url[0] != '\0')
		return strdup(url);
	if (path != NULL && strncmp(path, "_posts/", 7) != 0) {
		/* A page: each folder of its path, then the name as .html. */
		for (s = path; (e = strchr(s, '/')) != NULL; s = e + 1) {
			sbuf_str(&b, "/");
			record_url_add(&b, s, (size_t)(e - s), 0);
		}
		e = s + strlen(s);
		if (e - s > 3 && strcmp(e - 3, ".md") == 0)
			e -= 3;
		sbuf_str(&b, "/");
		record_url_add(&b, s, (size_t)(e - s), 0);
		sbuf_str(&b, ".html");
		return sbuf_finish(&b, NULL);
	}
	/* Jekyll splits "categories: a b" into two, and lowercases them. */
	for (s = category; *s != '\0'; s = e) {
		s += strspn(s, " \t");
		if ((e = s + strcspn(s, " \t")) == s)
			break;
		sbuf_str(&b, "/");
		record_url_add(&b, s, (size_t)(e - s), 1);
	}
	sbuf_printf(&b, "/%.4s/%.2s/%.2s/", published, published + 5,
	    published + 8);
	record_url_add(&b, file_id, strlen(file_id), 0);
	sbuf_str(&b, ".html");
	return sbuf_finish(&b, NULL);
}
