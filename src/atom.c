/*
 * atom: the feeds, rendered to memory with libxml2's xmlwriter.
 *
 * Owns the Atom 1.0 documents (a feed per category and all.xml) and the OPML
 * list of the category feeds: which entries go in, their ids and links, and
 * the feed's updated time.  Every byte of XML goes through xmlTextWriter,
 * which escapes text and attributes; what it cannot fix, characters XML 1.0
 * forbids and invalid UTF-8, is cleaned here first.  The output is a pure
 * function of the input (no clock, no locale), so an unchanged feed renders
 * to the same bytes.  Pure: no I/O, no logging; errors travel in errno.
 * Calls libxml2, datetime (parsing and RFC 3339), utf8 (decoding), util
 * (URL escaping) and libc.
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
#include "datetime.h"
#include "utf8.h"
#include "util.h"

#define ATOM_NS		"http://www.w3.org/2005/Atom"
#define ATOM_EPOCH	"1970-01-01T00:00:00Z"	/* updated of an empty feed */
#define ATOM_TIME_SIZE	32	/* an RFC 3339 time takes 26 bytes */

/* A writer and the first error met; later calls do nothing after one. */
struct aw {
	xmlBufferPtr	 buf;
	xmlTextWriterPtr w;
	int		 err;
};

/*
 * Whether CP, a character decoded from valid UTF-8 (so never a surrogate),
 * is an XML 1.0 Char: TAB, LF, CR, and everything from U+0020 on but
 * U+FFFE and U+FFFF.
 */
static int
atom_is_xml_char(uint32_t cp)
{
	if (cp < 0x20)
		return cp == '\t' || cp == '\n' || cp == '\r';
	return cp != 0xfffe && cp != 0xffff;
}

/*
 * The length of U[N]'s prefix that is clean XML 1.0 text.  Most strings are
 * clean all through, and are then written without a copy; printable ASCII,
 * by far the most common, skips the decoder.
 */
static size_t
atom_clean_prefix(const unsigned char *u, size_t n)
{
	size_t i = 0, k;
	uint32_t cp;

	while (i < n) {
		if (u[i] >= 0x20 && u[i] < 0x80) {
			i++;
			continue;
		}
		if ((k = utf8_decode(u + i, n - i, &cp)) == 0 ||
		    !atom_is_xml_char(cp))
			break;
		i += k;
	}
	return i;
}

/*
 * Writes at D + *O what stands for the bytes at U[N] that atom_clean_prefix
 * stopped at, and returns how many of them it took: a C0 control is dropped;
 * U+FFFE or U+FFFF becomes one U+FFFD; so does each byte of an invalid
 * sequence, taken one at a time.
 */
static size_t
atom_clean_one(const unsigned char *u, size_t n, char *d, size_t *o)
{
	uint32_t cp;
	size_t k = utf8_decode(u, n, &cp);

	if (k > 0 && cp < 0x20)
		return 1;
	memcpy(d + *o, UTF8_FFFD, sizeof(UTF8_FFFD) - 1);
	*o += sizeof(UTF8_FFFD) - 1;
	return k > 0 ? k : 1;
}

/*
 * S made valid XML 1.0 text: C0 controls other than TAB, LF and CR dropped,
 * each byte of an invalid UTF-8 sequence (one U+FFFD per byte, not per
 * maximal subpart, as the feeds have always had it) and each U+FFFE or
 * U+FFFF replaced by U+FFFD.  Returns S itself when it is clean, else a
 * copy stored in *COPY for the caller to free; NULL on allocation failure.
 */
static const char *
atom_clean(const char *s, char **copy)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i, k, len = strlen(s), o;
	char *d;

	*copy = NULL;
	if ((i = atom_clean_prefix(u, len)) == len)
		return s;
	/* Each bad byte becomes at most three. */
	if (len > (SIZE_MAX - 1) / 3 || (d = malloc(len * 3 + 1)) == NULL) {
		errno = ENOMEM;
		return NULL;
	}
	memcpy(d, s, i);
	o = i;
	while (i < len) {
		i += atom_clean_one(u + i, len - i, d, &o);
		k = atom_clean_prefix(u + i, len - i);
		memcpy(d + o, u + i, k);
		o += k;
		i += k;
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

/*
 * PUBLISHED ('YYYY-MM-DD HH:MM:SS +0800') as RFC 3339 into BUF[SIZE], and
 * its seconds since the epoch in *EPOCH when EPOCH is not NULL.  0, or -1
 * when it is not a valid time (or BUF is too small).
 */
static int
atom_time(const char *published, char *buf, size_t size, long long *epoch)
{
	struct datetime dt;

	if (datetime_parse_published(published, &dt) == -1 ||
	    datetime_rfc3339(&dt, buf, size) == -1)
		return -1;
	/*
	 * datetime keeps the offset as a number, so "-0000" comes back as
	 * "+00:00"; the feeds keep the sign as the post writes it (RFC 3339
	 * reads "-00:00" as "the local offset is unknown").  The sign follows
	 * the 19 bytes of 'YYYY-MM-DDTHH:MM:SS'.
	 */
	if (published[20] == '-')
		buf[19] = '-';
	if (epoch != NULL)
		*epoch = datetime_epoch(&dt);
	return 0;
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
	struct datetime dt;

	return e->info_code != NULL && e->info_code[0] != '\0' &&
	    e->href != NULL && e->title != NULL && e->category != NULL &&
	    e->tag != NULL && datetime_parse_published(e->published, &dt) == 0;
}

/* The id, the alternate link, then the rest of one entry. */
static void
atom_write_entry(struct aw *a, const struct atom_feed *f, const char *host,
    const struct atom_entry *e)
{
	char when[ATOM_TIME_SIZE], *code, *id = NULL;
	const char *p = e->published;

	/* atom_entry_ok has checked the time. */
	(void)atom_time(p, when, sizeof(when), NULL);
	if ((code = url_escape(e->info_code)) == NULL)
		a->err = 1;
	else
		id = aw_fmt(a, "tag:%s,%.10s:%s", host, p, code);
	aw_start(a, "entry");
	aw_elem(a, "id", id);
	aw_elem(a, "title", e->title);
	aw_elem(a, "published", when);
	aw_elem(a, "updated", when);
	aw_link(a, "alternate", "text/html", e->href);
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
	free(id);
}

/* The published time of the newest valid entry, RFC 3339, into BUF. */
static void
atom_feed_updated(const struct atom_entry *e, size_t n,
    char buf[ATOM_TIME_SIZE])
{
	char when[ATOM_TIME_SIZE];
	long long best = 0, t;
	int found = 0;

	strcpy(buf, ATOM_EPOCH);
	for (size_t i = 0; i < n; i++) {
		if (!atom_entry_ok(&e[i]) ||
		    atom_time(e[i].published, when, sizeof(when), &t) == -1)
			continue;
		if (!found || t > best) {
			best = t;
			found = 1;
			memcpy(buf, when, sizeof(when));
		}
	}
}

/*
 * <?xml-stylesheet type="text/xsl" href="HREF"?>: a browser shows the feed
 * through the stylesheet, a feed reader ignores it.  The href is written as
 * a pseudo-attribute, so '"', '&' and '<' in it are escaped as in an
 * attribute, and "?>" cannot end the instruction early.
 */
static void
atom_write_stylesheet(struct aw *a, const char *href)
{
	struct sbuf b = { 0 };
	char *pi;

	sbuf_str(&b, "type=\"text/xsl\" href=\"");
	for (const char *p = href; *p != '\0'; p++) {
		switch (*p) {
		case '"': sbuf_str(&b, "&quot;"); break;
		case '&': sbuf_str(&b, "&amp;"); break;
		case '<': sbuf_str(&b, "&lt;"); break;
		case '>': sbuf_str(&b, "&gt;"); break;
		default: sbuf_add(&b, p, 1); break;
		}
	}
	sbuf_str(&b, "\"");
	if ((pi = sbuf_finish(&b, NULL)) == NULL) {
		a->err = 1;
		return;
	}
	if (!a->err)
		aw_check(a, xmlTextWriterWritePI(a->w, BAD_CAST "xml-stylesheet",
		    BAD_CAST pi));
	free(pi);
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
	char updated[ATOM_TIME_SIZE], *cat, *self = NULL, *host;
	size_t hint = 2048, i;
	struct aw a;

	if (f->site_url == NULL || f->site_host == NULL || f->title == NULL) {
		errno = EINVAL;
		return NULL;
	}
	for (i = 0; i < n; i++)
		hint += 1024 + (entries[i].body ? strlen(entries[i].body) : 0);
	cat = url_escape(f->category != NULL ? f->category : "all");
	host = atom_host(f->site_host);
	if (cat == NULL || host == NULL || aw_open(&a, hint + hint / 8) == -1) {
		free(cat);
		free(host);
		errno = ENOMEM;
		return NULL;
	}
	self = aw_fmt(&a, "%s/feeds/%s.xml", f->site_url, cat);
	atom_feed_updated(entries, n, updated);
	if (f->stylesheet != NULL)
		atom_write_stylesheet(&a, f->stylesheet);
	if (!a.err)
		aw_check(&a, xmlTextWriterStartElementNS(a.w, NULL,
		    BAD_CAST "feed", BAD_CAST ATOM_NS));
	aw_elem(&a, "id", self);
	aw_elem(&a, "title", f->title);
	aw_elem(&a, "updated", updated);
	aw_link(&a, "self", "application/atom+xml", self);
	if (f->html_url != NULL)
		aw_link(&a, "alternate", "text/html", f->html_url);
	if (f->hub != NULL) {
		aw_start(&a, "link");
		aw_attr(&a, "rel", "hub");
		aw_attr(&a, "href", f->hub);
		aw_end(&a);
	}
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
		if ((cat = url_escape(o[i].category)) == NULL) {
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

int
atom_entry_time(const char *published, char *buf, size_t size)
{
	return atom_time(published, buf, size, NULL);
}

int
atom_entry_valid(const struct atom_entry *e)
{
	return atom_entry_ok(e);
}

char *
atom_entry_id(const char *site_host, const struct atom_entry *e)
{
	char *host, *code, *id = NULL;

	if ((host = atom_host(site_host)) == NULL)
		return NULL;
	if ((code = url_escape(e->info_code)) != NULL &&
	    asprintf(&id, "tag:%s,%.10s:%s", host, e->published, code) == -1)
		id = NULL;
	free(host);
	free(code);
	return id;
}
