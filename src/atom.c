/*
 * atom: the feeds, rendered to memory with libxml2's xmlwriter.
 *
 * Owns the Atom 1.0 documents (a feed per category and all.xml) and the OPML
 * list of the category feeds, and the conversion of the store's times to RFC
 * 3339.  Every byte of XML goes through xmlTextWriter, which escapes text and
 * attributes; what it cannot fix, characters XML 1.0 forbids and invalid
 * UTF-8, is cleaned here first.  The output is a pure function of the input
 * (no clock, no locale), so an unchanged feed renders to the same bytes.
 * Pure: no I/O, no logging; errors travel in errno.  Calls libxml2 and libc.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/xmlwriter.h>

#include "atom.h"

#define ATOM_NS		"http://www.w3.org/2005/Atom"
#define ATOM_EPOCH	"1970-01-01T00:00:00Z"	/* updated of an empty feed */

/* A writer and the first error met; later calls do nothing after one. */
struct aw {
	xmlBufferPtr	 buf;
	xmlTextWriterPtr w;
	int		 err;
};

/* A published time 'YYYY-MM-DD HH:MM:SS +HHMM', taken apart. */
struct atime {
	int	y, mo, d, h, mi, s;
	int	sign, oh, om;
};

/*
 * The length of the valid UTF-8 sequence at U that encodes an XML 1.0 Char
 * of at least 0x80, or 0 when the bytes there are not one (an invalid or
 * truncated sequence, or U+FFFE/U+FFFF).  Surrogates and overlong forms are
 * invalid UTF-8 and rejected by the second-byte ranges.
 */
static size_t
atom_utf8_len(const unsigned char *u)
{
	unsigned char lo = 0x80, hi = 0xbf;
	size_t n, i;

	if (u[0] >= 0xc2 && u[0] <= 0xdf)
		n = 2;
	else if (u[0] >= 0xe0 && u[0] <= 0xef)
		n = 3;
	else if (u[0] >= 0xf0 && u[0] <= 0xf4)
		n = 4;
	else
		return 0;
	if (u[0] == 0xe0)
		lo = 0xa0;
	else if (u[0] == 0xed)
		hi = 0x9f;
	else if (u[0] == 0xf0)
		lo = 0x90;
	else if (u[0] == 0xf4)
		hi = 0x8f;
	if (u[1] < lo || u[1] > hi)
		return 0;
	for (i = 2; i < n; i++)
		if (u[i] < 0x80 || u[i] > 0xbf)
			return 0;
	if (n == 3 && u[0] == 0xef && u[1] == 0xbf && u[2] >= 0xbe)
		return 0;
	return n;
}

/*
 * The length of S's prefix that is clean XML 1.0 text.  Most strings are
 * clean all through, and are then written without a copy.
 */
static size_t
atom_clean_prefix(const char *s)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0, n;

	for (;;) {
		if (u[i] >= 0x20 && u[i] < 0x80) {
			i++;
		} else if (u[i] == '\t' || u[i] == '\n' || u[i] == '\r') {
			i++;
		} else if (u[i] >= 0x80 && (n = atom_utf8_len(u + i)) > 0) {
			i += n;
		} else
			return i;
	}
}

/*
 * S made valid XML 1.0 text: C0 controls other than TAB, LF and CR dropped,
 * each byte of an invalid UTF-8 sequence (and U+FFFE, U+FFFF) replaced by
 * U+FFFD.  Returns S itself when it is clean, else a copy stored in *COPY
 * for the caller to free; NULL on allocation failure.
 */
static const char *
atom_clean(const char *s, char **copy)
{
	const unsigned char *u;
	size_t i, n, len, o;
	char *d;

	*copy = NULL;
	i = atom_clean_prefix(s);
	if (s[i] == '\0')
		return s;
	len = strlen(s);
	/* Each bad byte becomes at most three. */
	if ((d = malloc(len * 3 + 1)) == NULL)
		return NULL;
	memcpy(d, s, i);
	o = i;
	u = (const unsigned char *)s;
	while (u[i] != '\0') {
		n = atom_clean_prefix((const char *)u + i);
		memcpy(d + o, u + i, n);
		o += n;
		i += n;
		if (u[i] == '\0')
			break;
		if (u[i] >= 0x80) {
			memcpy(d + o, "\xef\xbf\xbd", 3);
			o += 3;
		}
		/* U+FFFE and U+FFFF are one character; anything else, one byte. */
		if (u[i] == 0xef && u[i + 1] == 0xbf &&
		    (u[i + 2] == 0xbe || u[i + 2] == 0xbf))
			i += 3;
		else
			i++;
	}
	d[o] = '\0';
	*copy = d;
	return d;
}

static void
aw_check(struct aw *a, int rc)
{
	if (rc < 0)
		a->err = 1;
}

static void
aw_start(struct aw *a, const char *name)
{
	if (!a->err)
		aw_check(a, xmlTextWriterStartElement(a->w, BAD_CAST name));
}

static void
aw_end(struct aw *a)
{
	if (!a->err)
		aw_check(a, xmlTextWriterEndElement(a->w));
}

/* Writes TEXT, cleaned and escaped, into the open element. */
static void
aw_text(struct aw *a, const char *text)
{
	const char *t;
	char *copy;

	if (a->err)
		return;
	if (text == NULL || (t = atom_clean(text, &copy)) == NULL) {
		a->err = 1;
		return;
	}
	aw_check(a, xmlTextWriterWriteString(a->w, BAD_CAST t));
	free(copy);
}

/* Writes <NAME>TEXT</NAME>, TEXT cleaned and escaped. */
static void
aw_elem(struct aw *a, const char *name, const char *text)
{
	aw_start(a, name);
	aw_text(a, text);
	aw_end(a);
}

static void
aw_attr(struct aw *a, const char *name, const char *value)
{
	const char *v;
	char *copy;

	if (a->err)
		return;
	if (value == NULL || (v = atom_clean(value, &copy)) == NULL) {
		a->err = 1;
		return;
	}
	aw_check(a, xmlTextWriterWriteAttribute(a->w, BAD_CAST name,
	    BAD_CAST v));
	free(copy);
}

/* Writes <link rel=REL type=TYPE href=HREF/>. */
static void
aw_link(struct aw *a, const char *rel, const char *type, const char *href)
{
	aw_start(a, "link");
	aw_attr(a, "rel", rel);
	aw_attr(a, "type", type);
	aw_attr(a, "href", href);
	aw_end(a);
}

/* A string built with printf's FORMAT, malloc'd; NULL (and the error kept) on failure. */
static char *
aw_fmt(struct aw *a, const char *fmt, ...)
{
	va_list ap;
	char *s;
	int rc;

	va_start(ap, fmt);
	rc = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (rc < 0) {
		a->err = 1;
		return NULL;
	}
	return s;
}

static int
aw_open(struct aw *a, size_t hint)
{
	memset(a, 0, sizeof(*a));
	if (hint > INT32_MAX)
		hint = INT32_MAX;
	if ((a->buf = xmlBufferCreateSize(hint)) == NULL)
		return -1;
	if ((a->w = xmlNewTextWriterMemory(a->buf, 0)) == NULL) {
		xmlBufferFree(a->buf);
		return -1;
	}
	aw_check(a, xmlTextWriterSetIndent(a->w, 1));
	aw_check(a, xmlTextWriterSetIndentString(a->w, BAD_CAST "  "));
	aw_check(a, xmlTextWriterStartDocument(a->w, NULL, "UTF-8", NULL));
	return 0;
}

/*
 * Ends the document and hands out its bytes (malloc'd, NUL-terminated: the
 * caller frees them with free(), whatever allocator libxml2 was given).
 */
static char *
aw_close(struct aw *a, size_t *lenp)
{
	char *out = NULL;
	size_t len;

	if (!a->err)
		aw_check(a, xmlTextWriterEndDocument(a->w));
	/* Freeing the writer flushes it into the buffer. */
	xmlFreeTextWriter(a->w);
	if (!a->err) {
		len = xmlBufferLength(a->buf);
		if ((out = malloc(len + 1)) != NULL) {
			memcpy(out, xmlBufferContent(a->buf), len);
			out[len] = '\0';
			if (lenp != NULL)
				*lenp = len;
		}
	}
	xmlBufferFree(a->buf);
	if (out == NULL)
		errno = ENOMEM;
	return out;
}

/* Parses exactly N digits at S into *V. */
static int
atom_digits(const char *s, int n, int *v)
{
	*v = 0;
	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		*v = *v * 10 + (s[i] - '0');
	}
	return 0;
}

static int
atom_mdays(int y, int mo)
{
	static const int md[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	if (mo == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 29;
	return md[mo - 1];
}

/* Strictly 'YYYY-MM-DD HH:MM:SS +HHMM', a real date and time. */
static int
atom_time_parse(const char *s, struct atime *t)
{
	if (s == NULL || strlen(s) != 25 || s[4] != '-' || s[7] != '-' ||
	    s[10] != ' ' || s[13] != ':' || s[16] != ':' || s[19] != ' ' ||
	    (s[20] != '+' && s[20] != '-'))
		return -1;
	if (atom_digits(s, 4, &t->y) == -1 || atom_digits(s + 5, 2, &t->mo) ||
	    atom_digits(s + 8, 2, &t->d) || atom_digits(s + 11, 2, &t->h) ||
	    atom_digits(s + 14, 2, &t->mi) || atom_digits(s + 17, 2, &t->s) ||
	    atom_digits(s + 21, 2, &t->oh) || atom_digits(s + 23, 2, &t->om))
		return -1;
	t->sign = s[20] == '-' ? -1 : 1;
	if (t->mo < 1 || t->mo > 12 || t->d < 1 ||
	    t->d > atom_mdays(t->y, t->mo) || t->h > 23 || t->mi > 59 ||
	    t->s > 59 || t->oh > 23 || t->om > 59)
		return -1;
	return 0;
}

/* Seconds since the epoch (UTC) of T; days from civil after H. Hinnant. */
static long long
atom_time_epoch(const struct atime *t)
{
	long long y = t->y - (t->mo <= 2), era, yoe, doy, doe, days;

	era = y / 400;
	yoe = y - era * 400;
	doy = (153 * (t->mo + (t->mo > 2 ? -3 : 9)) + 2) / 5 + t->d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	days = era * 146097 + doe - 719468;
	return days * 86400 + t->h * 3600 + t->mi * 60 + t->s -
	    t->sign * (t->oh * 3600 + t->om * 60);
}

int
atom_time_rfc3339(const char *published, char *buf, size_t size)
{
	struct atime t;
	int n;

	if (atom_time_parse(published, &t) == -1) {
		errno = EINVAL;
		return -1;
	}
	n = snprintf(buf, size, "%04d-%02d-%02dT%02d:%02d:%02d%c%02d:%02d",
	    t.y, t.mo, t.d, t.h, t.mi, t.s, t.sign < 0 ? '-' : '+', t.oh, t.om);
	if (n < 0 || (size_t)n >= size) {
		errno = ENOSPC;
		return -1;
	}
	return 0;
}

/* S with every byte outside [A-Za-z0-9._~-] percent-encoded; malloc'd. */
static char *
atom_pct(const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	const unsigned char *u = (const unsigned char *)s;
	char *d, *o;

	if ((d = malloc(strlen(s) * 3 + 1)) == NULL)
		return NULL;
	for (o = d; *u != '\0'; u++) {
		if ((*u >= 'A' && *u <= 'Z') || (*u >= 'a' && *u <= 'z') ||
		    (*u >= '0' && *u <= '9') || strchr("._~-", *u) != NULL) {
			*o++ = *u;
		} else {
			*o++ = '%';
			*o++ = hex[*u >> 4];
			*o++ = hex[*u & 0xf];
		}
	}
	*o = '\0';
	return d;
}

/* The host of the site without its ":port", which a tag URI cannot hold. */
static char *
atom_host(const char *site_host)
{
	const char *end;

	if (site_host[0] == '[' && (end = strchr(site_host, ']')) != NULL)
		end++;
	else if ((end = strrchr(site_host, ':')) == NULL)
		end = site_host + strlen(site_host);
	return strndup(site_host, end - site_host);
}

/* Whether E has what an entry needs; entries that do not are left out. */
static int
atom_entry_ok(const struct atom_entry *e)
{
	struct atime t;

	return e->info_code != NULL && e->info_code[0] != '\0' &&
	    e->file_id != NULL && e->title != NULL && e->category != NULL &&
	    e->tag != NULL && atom_time_parse(e->published, &t) == 0;
}

/* The id, the alternate link, then the rest of one entry. */
static void
atom_write_entry(struct aw *a, const struct atom_feed *f, const char *host,
    const struct atom_entry *e)
{
	char when[32], *code, *fid, *cat, *id = NULL, *href = NULL;
	const char *p = e->published;

	(void)atom_time_rfc3339(p, when, sizeof(when));
	code = atom_pct(e->info_code);
	fid = atom_pct(e->file_id);
	cat = atom_pct(e->category);
	if (code == NULL || fid == NULL || cat == NULL)
		a->err = 1;
	else {
		/* Jekyll lowercases :categories in a permalink (FTzhongwenwang
		 * is served at /ftzhongwenwang/...): the link must too. */
		for (char *c = cat; *c != '\0'; c++)
			if (*c >= 'A' && *c <= 'Z')
				*c += 'a' - 'A';
		id = aw_fmt(a, "tag:%s,%.10s:%s", host, p, code);
		href = aw_fmt(a, "%s/%s/%.4s/%.2s/%.2s/%s.html", f->site_url,
		    cat, p, p + 5, p + 8, fid);
	}
	aw_start(a, "entry");
	aw_elem(a, "id", id);
	aw_elem(a, "title", e->title);
	aw_elem(a, "published", when);
	aw_elem(a, "updated", when);
	aw_link(a, "alternate", "text/html", href);
	aw_start(a, "category");
	aw_attr(a, "term", e->category);
	aw_attr(a, "label", e->tag);
	aw_end(a);
	aw_start(a, "author");
	aw_elem(a, "name", e->media != NULL && e->media[0] != '\0' ?
	    e->media : e->tag);
	aw_end(a);
	aw_start(a, "content");
	aw_attr(a, "type", "html");
	aw_text(a, e->body != NULL ? e->body : "");
	aw_end(a);
	aw_end(a);
	free(code);
	free(fid);
	free(cat);
	free(id);
	free(href);
}

/* The published time of the newest valid entry, RFC 3339, into BUF[32]. */
static void
atom_feed_updated(const struct atom_entry *e, size_t n, char *buf)
{
	long long best = 0, t;
	struct atime at;
	size_t i, newest = n;

	for (i = 0; i < n; i++) {
		if (!atom_entry_ok(&e[i]))
			continue;
		(void)atom_time_parse(e[i].published, &at);
		t = atom_time_epoch(&at);
		if (newest == n || t > best) {
			best = t;
			newest = i;
		}
	}
	if (newest == n || atom_time_rfc3339(e[newest].published, buf, 32) == -1)
		strcpy(buf, ATOM_EPOCH);
}

/*
 * Entries without an id, a file id, a title, a category, a tag or a valid
 * time are left out: they cannot make a valid Atom entry, and one bad row
 * must not stop the feed.  The store never hands on such a post anyway.
 */
char *
atom_render(const struct atom_feed *f, const struct atom_entry *entries,
    size_t n, size_t *lenp)
{
	char updated[32], *cat, *self = NULL, *host;
	size_t hint = 2048, i;
	struct aw a;

	if (f->site_url == NULL || f->site_host == NULL || f->title == NULL) {
		errno = EINVAL;
		return NULL;
	}
	for (i = 0; i < n; i++)
		hint += 1024 + (entries[i].body ? strlen(entries[i].body) : 0);
	cat = atom_pct(f->category != NULL ? f->category : "all");
	host = atom_host(f->site_host);
	if (cat == NULL || host == NULL || aw_open(&a, hint + hint / 8) == -1) {
		free(cat);
		free(host);
		errno = ENOMEM;
		return NULL;
	}
	self = aw_fmt(&a, "%s/feeds/%s.xml", f->site_url, cat);
	atom_feed_updated(entries, n, updated);
	if (!a.err)
		aw_check(&a, xmlTextWriterStartElementNS(a.w, NULL,
		    BAD_CAST "feed", BAD_CAST ATOM_NS));
	aw_elem(&a, "id", self);
	aw_elem(&a, "title", f->title);
	aw_elem(&a, "updated", updated);
	aw_link(&a, "self", "application/atom+xml", self);
	if (f->html_url != NULL)
		aw_link(&a, "alternate", "text/html", f->html_url);
	aw_elem(&a, "generator", "finewsd");
	for (i = 0; i < n; i++)
		if (atom_entry_ok(&entries[i]))
			atom_write_entry(&a, f, host, &entries[i]);
	aw_end(&a);
	free(self);
	free(cat);
	free(host);
	return aw_close(&a, lenp);
}

char *
atom_render_opml(const char *site_url, const char *title,
    const struct atom_outline *o, size_t n, size_t *lenp)
{
	char *cat, *url = NULL;
	struct aw a;

	if (site_url == NULL || title == NULL) {
		errno = EINVAL;
		return NULL;
	}
	if (aw_open(&a, 512 + n * 256) == -1) {
		errno = ENOMEM;
		return NULL;
	}
	aw_start(&a, "opml");
	aw_attr(&a, "version", "2.0");
	aw_start(&a, "head");
	aw_elem(&a, "title", title);
	aw_end(&a);
	aw_start(&a, "body");
	for (size_t i = 0; i < n && !a.err; i++) {
		if (o[i].category == NULL || o[i].title == NULL)
			continue;
		if ((cat = atom_pct(o[i].category)) == NULL) {
			a.err = 1;
			break;
		}
		url = aw_fmt(&a, "%s/feeds/%s.xml", site_url, cat);
		aw_start(&a, "outline");
		aw_attr(&a, "type", "rss");
		aw_attr(&a, "text", o[i].title);
		aw_attr(&a, "title", o[i].title);
		aw_attr(&a, "xmlUrl", url);
		if (o[i].html_url != NULL)
			aw_attr(&a, "htmlUrl", o[i].html_url);
		aw_end(&a);
		free(cat);
		free(url);
		url = NULL;
	}
	aw_end(&a);
	aw_end(&a);
	return aw_close(&a, lenp);
}
