/*
 * record: the contract's rules for a record.  See record.h.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

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

void
record_list_shrink(struct record_list *l)
{
	struct record *v;

	if (l->cap == l->n)
		return;
	if (l->n == 0) {
		free(l->v);
		l->v = NULL;
		l->cap = 0;
		return;
	}
	/* A failure to shrink leaves the list as it was, only larger. */
	if ((v = realloc(l->v, l->n * sizeof(*v))) != NULL) {
		l->v = v;
		l->cap = l->n;
	}
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

/* FNV-1a, 32 bits: a stable, short fingerprint for file ids. */
static unsigned long
record_hash(const char *s)
{
	unsigned long h = 2166136261UL;

	for (const unsigned char *u = (const unsigned char *)s; *u; u++)
		h = ((h ^ *u) * 16777619UL) & 0xffffffffUL;
	return h;
}

/* A byte Jekyll's "pretty" slug keeps as it is (ASCII only: the ids of the
 * sources are). */
static int
record_url_safe(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || strchr("._~!$&'()+,;=@", c) != NULL;
}

char *
record_file_id_safe(const char *file_id)
{
	struct sbuf b = { 0 };
	const char *s;
	int safe = file_id[0] != '-', dash = 0;

	for (s = file_id; *s != '\0' && safe; s++)
		if (*s == '-')
			safe = s[1] != '-' && s[1] != '\0';
		else
			safe = record_url_safe((unsigned char)*s);
	if (safe)
		return strdup(file_id);
	/* Runs of other bytes become one '-', none at either end. */
	for (s = file_id; *s != '\0'; s++) {
		if (record_url_safe((unsigned char)*s)) {
			if (dash && b.len > 0)
				sbuf_add(&b, "-", 1);
			sbuf_add(&b, s, 1);
			dash = 0;
		} else
			dash = 1;
	}
	if (b.len > 0)
		sbuf_add(&b, "-", 1);
	sbuf_printf(&b, "%08lx", record_hash(file_id));
	return sbuf_finish(&b, NULL);
}

char *
record_file_id_distinct(const char *file_id, const char *info_code)
{
	char *s;

	if (asprintf(&s, "%s-%08lx", file_id, record_hash(info_code)) == -1)
		return NULL;
	return s;
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

/*
 * The learned readings of one media's characters, each asked of the site
 * once: alignment against every page of the site asks about the same few
 * characters again and again.
 */
struct record_prefs {
	const struct record_site *site;
	struct {
		unsigned	 cp;
		const char	*reading;	/* static, or NULL */
	} v[SLUG_ALIGN_TOKENS];
	size_t	 n;
	int	 failed;		/* a callback failed */
};

/* slug_prefer_fn over the site's learned readings.  A learned reading
 * that is no candidate of CP (an edited database) counts for nothing. */
static const char *
record_prefer(void *arg, unsigned cp)
{
	struct record_prefs *p = arg;
	const char *cand = NULL;
	char *r = NULL;

	for (size_t i = 0; i < p->n; i++)
		if (p->v[i].cp == cp)
			return p->v[i].reading;
	if (p->site->reading(p->site->arg, cp, &r) == -1)
		p->failed = 1;
	else if (r != NULL)
		cand = slug_candidate_find(cp, r);
	free(r);
	if (p->n < SLUG_ALIGN_TOKENS) {
		p->v[p->n].cp = cp;
		p->v[p->n++].reading = cand;
	}
	return cand;
}

/* The best page of rule 2 so far, and how far its reading is from the
 * preferred one. */
struct record_best {
	const char		*media;
	struct record_prefs	*prefs;
	char			*slug;		/* NULL until a page aligns */
	size_t			 others;	/* characters read another way */
	unsigned		 rank[SLUG_ALIGN_TOKENS];
	size_t			 n;
	int			 nomem;
};

/* <0, 0, >0 as the reading OUT[N] of page PAGE is closer to the preferred
 * one than B's best, as close, or farther. */
static int
record_best_cmp(const struct record_best *b, const struct slug_choice *out,
    size_t n, const char *page)
{
	size_t others = 0, i;

	for (i = 0; i < n; i++)
		others += out[i].rank != 0;
	if (others != b->others)
		return others < b->others ? -1 : 1;
	/* The same media aligned: as many choices as B's. */
	for (i = 0; i < n && i < b->n; i++)
		if (out[i].rank != b->rank[i])
			return out[i].rank < b->rank[i] ? -1 : 1;
	return strcmp(page, b->slug);
}

/* record_page_fn of rule 2: keeps PAGE when its media's characters can
 * spell it and it is closer to the preferred reading than the best. */
static int
record_page_try(void *arg, const char *page)
{
	struct record_best *b = arg;
	struct slug_choice out[SLUG_ALIGN_TOKENS];
	size_t n, i;
	char *copy;

	/* A page whose slug would break a URL cannot be the category. */
	if (!slug_is_clean(page))
		return 0;
	if (slug_align(b->media, page, record_prefer, b->prefs, out,
	    SLUG_ALIGN_TOKENS, &n) == -1) {
		b->nomem = errno == ENOMEM;
		return b->nomem ? -1 : 0;
	}
	if (b->slug != NULL && record_best_cmp(b, out, n, page) >= 0)
		return 0;
	if ((copy = strdup(page)) == NULL) {
		b->nomem = 1;
		return -1;
	}
	free(b->slug);
	b->slug = copy;
	b->n = n;
	b->others = 0;
	for (i = 0; i < n; i++) {
		b->rank[i] = out[i].rank;
		b->others += out[i].rank != 0;
	}
	return 0;
}

/*
 * Rule 2: the page of the site that MEDIA's characters spell closest to
 * PREFERRED, their preferred reading, into *PAGE (NULL for none).  0, or
 * -1 with errno.
 */
static int
record_slug_page(const struct record_site *site, const char *media,
    const char *preferred, struct record_prefs *prefs, char **page)
{
	struct record_best b = { .media = media, .prefs = prefs };
	int rc;

	*page = NULL;
	/* The preferred slug is the closest of all, and costs one lookup. */
	if (site->page_exists != NULL &&
	    (rc = site->page_exists(site->arg, preferred)) != 0) {
		if (rc == 1 && (*page = strdup(preferred)) != NULL)
			return 0;
		errno = rc == 1 ? ENOMEM : EIO;
		return -1;
	}
	if (site->pages_each == NULL)
		return 0;
	if (site->pages_each(site->arg, record_page_try, &b) == -1 ||
	    prefs->failed) {
		free(b.slug);
		errno = b.nomem ? ENOMEM : EIO;
		return -1;
	}
	*page = b.slug;
	return 0;
}

/* Rules 2 and 3 of record_slug: MEDIA has no slug of its own. */
static char *
record_slug_derive(const char *media, const struct record_site *site)
{
	struct record_prefs prefs = { .site = site };
	char *preferred, *page;

	preferred = slug_make_prefer(media, site->reading != NULL ?
	    record_prefer : NULL, &prefs);
	if (preferred == NULL)
		return NULL;
	if (prefs.failed) {
		free(preferred);
		errno = EIO;
		return NULL;
	}
	/* No letter, no page: the caller refuses an empty slug. */
	if (*preferred == '\0')
		return preferred;
	if (record_slug_page(site, media, preferred, &prefs, &page) == -1) {
		free(preferred);
		return NULL;
	}
	if (page != NULL) {
		free(preferred);
		preferred = page;
	}
	if (site->remember != NULL)
		site->remember(site->arg, media, preferred);
	return preferred;
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
record_slug(const struct conf *c, const char *media,
    const struct record_site *site)
{
	const char *s = conf_category_find(c, media);
	char *known = NULL;

	if (s != NULL)
		return strdup(s);
	if (site == NULL)
		return slug_make(media);
	if (site->media_slug != NULL) {
		if (site->media_slug(site->arg, media, &known) == -1) {
			errno = EIO;
			return NULL;
		}
		if (slug_is_clean(known))
			return known;
		free(known);
	}
	return record_slug_derive(media, site);
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
    const struct record *r, const struct record_site *site,
    struct record_post *p, const char **why)
{
	if (sc->tag == NULL && str_is_blank(r->media)) {
		*why = "no media to make the tag of (set tag for the source)";
		return -1;
	}
	if (sc->category != NULL)
		p->category = strdup(sc->category);
	else if ((p->category = record_slug(c, r->media, site)) == NULL) {
		if (errno == EIO)
			*why = RECORD_WHY_SITE;
		return -1;
	} else if (*p->category == '\0') {
		*why = "the media name gives an empty category slug";
		return -1;
	} else {
		/* Made safe, not refused: too long a slug is cut, a reserved
		 * one (feeds/all.xml) suffixed. */
		if (strlen(p->category) > SLUG_MAX)
			p->category[SLUG_MAX] = '\0';
		if (slug_is_reserved(p->category)) {
			char *s;

			if (asprintf(&s, "%s" RECORD_RESERVED_SUFFIX, p->category) == -1)
				return -1;
			free(p->category);
			p->category = s;
		}
	}
	if (sc->tag != NULL)
		p->tag = strdup(sc->tag);
	else if (asprintf(&p->tag, "%s" RECORD_TAG_SUFFIX, r->media) == -1)
		p->tag = NULL;
	return p->category != NULL && p->tag != NULL ? 0 : -1;
}

struct record_post *
record_post_make(const struct conf *c, const struct conf_source *sc,
    struct record *r, const struct record_site *site, const char **why)
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
	if (p->published_at > (long long)time(NULL) + RECORD_FUTURE_MAX) {
		*why = "date in the future (held back until then)";
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
	if (record_post_names(c, sc, r, site, p, why) == -1)
		goto fail;
	if ((p->link = record_link(sc, r)) == NULL) {
		*why = "no link";
		goto fail;
	}
	if ((p->file_id = record_file_id_safe(r->file_id)) == NULL)
		goto fail;
	if (record_post_path(path, sizeof(path), p->published, p->file_id) == -1) {
		*why = "file id too long";
		goto fail;
	}
	if ((p->path = strdup(path)) == NULL || (p->source = strdup(sc->name)) == NULL)
		goto fail;
	/* The strings of the record move into the post. */
	p->info_code = r->id;
	p->title = r->title;
	p->media = r->media;
	p->digest = r->digest;
	r->id = r->title = r->media = r->digest = NULL;
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
