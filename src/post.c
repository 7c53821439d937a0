/*
 * post: the Jekyll files finewsd writes, rendered to memory.
 *
 * Owns the exact bytes of a post file and of a category page (the contract's
 * "What it writes"), the body rule the site always applied (pairs of
 * ideographic spaces removed), the YAML escaping of the front matter, and the
 * post's path below site_dir.  Pure functions: no I/O, no logging; errors
 * travel in errno.  Calls only libc.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "post.h"

/* A growing byte buffer; any allocation failure sticks in ERR. */
struct pbuf {
	char	*p;
	size_t	 len, cap;
	int	 err;
};

static void
pbuf_add(struct pbuf *b, const char *s, size_t n)
{
	size_t ncap;
	char *np;

	if (b->err)
		return;
	if (b->len + n + 1 > b->cap) {
		ncap = b->cap ? b->cap : 256;
		while (ncap < b->len + n + 1)
			ncap *= 2;
		if ((np = realloc(b->p, ncap)) == NULL) {
			b->err = 1;
			return;
		}
		b->p = np;
		b->cap = ncap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void
pbuf_str(struct pbuf *b, const char *s)
{
	pbuf_add(b, s, strlen(s));
}

/* Hands out the buffer's bytes (the caller frees them), or NULL on error. */
static char *
pbuf_finish(struct pbuf *b, size_t *lenp)
{
	if (b->err || b->p == NULL) {
		free(b->p);
		errno = ENOMEM;
		return NULL;
	}
	if (lenp != NULL)
		*lenp = b->len;
	return b->p;
}

/*
 * The length of a line break at S: CRLF counts as one break, as do a lone CR
 * or LF.  NEL, LS and PS are line breaks to YAML 1.1 (Jekyll's parser), so a
 * title holding one would be folded by the parser; they become spaces too.
 */
static size_t
post_linebreak_len(const char *s)
{
	const unsigned char *u = (const unsigned char *)s;

	if (u[0] == '\r')
		return u[1] == '\n' ? 2 : 1;
	if (u[0] == '\n')
		return 1;
	if (u[0] == 0xc2 && u[1] == 0x85)
		return 2;
	if (u[0] == 0xe2 && u[1] == 0x80 && (u[2] == 0xa8 || u[2] == 0xa9))
		return 3;
	return 0;
}

#define IDEO_SPACE	"\xe3\x80\x80"	/* U+3000, ideographic space */
#define IDEO_LEN	3

/*
 * Appends HTML with every pair of ideographic spaces removed, pairs taken
 * left to right without overlap: three in a row leave one, four leave none.
 */
static void
post_add_unpaired(struct pbuf *b, const char *html)
{
	const char *s = html, *hit;

	while ((hit = strstr(s, IDEO_SPACE)) != NULL) {
		pbuf_add(b, s, hit - s);
		if (strncmp(hit + IDEO_LEN, IDEO_SPACE, IDEO_LEN) == 0)
			s = hit + 2 * IDEO_LEN;
		else {
			pbuf_add(b, hit, IDEO_LEN);
			s = hit + IDEO_LEN;
		}
	}
	pbuf_str(b, s);
}

/*
 * Appends the digest line's text: what follows the digest's last "】" (the
 * sources put a "【headline】" before the summary).  A line break inside it
 * would end the Markdown quote, so breaks become spaces.
 */
static void
post_add_digest(struct pbuf *b, const char *digest)
{
	const char *s = digest, *hit;
	size_t n;

	while ((hit = strstr(s, "\xe3\x80\x91")) != NULL)	/* U+3011 】 */
		s = hit + 3;
	while (*s != '\0') {
		if (*s == '\r' || *s == '\n') {
			n = post_linebreak_len(s);
			pbuf_add(b, " ", 1);
			s += n;
			continue;
		}
		n = strcspn(s, "\r\n");
		pbuf_add(b, s, n);
		s += n;
	}
}

char *
post_body_make(const char *html, const char *digest)
{
	struct pbuf b = { 0 };

	if (digest != NULL) {
		pbuf_str(&b, "> ");
		post_add_digest(&b, digest);
		pbuf_str(&b, "\n\n");
	}
	post_add_unpaired(&b, html != NULL ? html : "");
	return pbuf_finish(&b, NULL);
}

/* Appends "\xHH", "\uHHHH" or "\UHHHHHHHH", YAML double-quoted escapes. */
static void
post_add_escape(struct pbuf *b, unsigned long cp)
{
	static const char hex[] = "0123456789ABCDEF";
	char esc[11];
	int digits, i;

	digits = cp <= 0xff ? 2 : cp <= 0xffff ? 4 : 8;
	esc[0] = '\\';
	esc[1] = digits == 2 ? 'x' : digits == 4 ? 'u' : 'U';
	for (i = 0; i < digits; i++)
		esc[2 + i] = hex[(cp >> (4 * (digits - 1 - i))) & 0xf];
	pbuf_add(b, esc, 2 + digits);
}

/*
 * The code point that must be escaped at S, or 0 when the bytes there can be
 * written as they are; *NP is the length of the character (one byte at an
 * invalid UTF-8 sequence, which is left alone: the source parsers only hand
 * on valid UTF-8).  YAML allows neither C0/C1 controls nor DEL, a BOM, or
 * U+FFFE/U+FFFF unescaped.
 */
static unsigned long
post_needs_escape(const char *s, size_t *np)
{
	const unsigned char *u = (const unsigned char *)s;

	*np = 1;
	if (u[0] < 0x20 || u[0] == 0x7f)
		return u[0];
	if (u[0] == 0xc2 && u[1] >= 0x80 && u[1] <= 0x9f) {
		*np = 2;
		return u[1];
	}
	if (u[0] == 0xef && u[1] == 0xbb && u[2] == 0xbf) {
		*np = 3;
		return 0xfeff;
	}
	if (u[0] == 0xef && u[1] == 0xbf && (u[2] == 0xbe || u[2] == 0xbf)) {
		*np = 3;
		return 0xff00 | u[2];
	}
	return 0;
}

char *
post_title_escape(const char *title)
{
	struct pbuf b = { 0 };
	const char *s = title;
	unsigned long cp;
	size_t n;

	pbuf_add(&b, "", 0);	/* an empty title is an empty string */
	while (*s != '\0') {
		if ((n = post_linebreak_len(s)) > 0) {
			pbuf_add(&b, " ", 1);
			s += n;
		} else if (*s == '\\' || *s == '"') {
			pbuf_add(&b, "\\", 1);
			pbuf_add(&b, s++, 1);
		} else if ((cp = post_needs_escape(s, &n)) != 0) {
			post_add_escape(&b, cp);
			s += n;
		} else
			pbuf_add(&b, s++, 1);
	}
	return pbuf_finish(&b, NULL);
}

/*
 * Whether S can stand as a YAML plain scalar after "key: " and read back as
 * the same string.  The tags the site uses always can ("青岛财经日报新闻"); a
 * configured tag like "a: b" or "#x" could not, and is double-quoted rather
 * than breaking the front matter.
 */
static int
post_plain_ok(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || strchr("-?:,[]{}#&*!|>'\"%@` ", s[0]) != NULL)
		return 0;
	if (s[n - 1] == ' ' || s[n - 1] == ':')
		return 0;
	if (strstr(s, ": ") != NULL || strstr(s, " #") != NULL)
		return 0;
	for (const char *p = s; *p != '\0'; p += n)
		if (post_needs_escape(p, &n) != 0)
			return 0;
	return 1;
}

/* Appends a one-line front matter value: line breaks become spaces. */
static void
post_add_value(struct pbuf *b, const char *value)
{
	struct pbuf one = { 0 };
	const char *s = value;
	char *esc;
	size_t n;

	while (*s != '\0') {
		if ((n = post_linebreak_len(s)) > 0) {
			pbuf_add(&one, " ", 1);
			s += n;
		} else
			pbuf_add(&one, s++, 1);
	}
	pbuf_add(&one, "", 0);
	if (one.err) {
		b->err = 1;
	} else if (post_plain_ok(one.p)) {
		pbuf_str(b, one.p);
	} else if ((esc = post_title_escape(one.p)) == NULL) {
		b->err = 1;
	} else {
		pbuf_str(b, "\"");
		pbuf_str(b, esc);
		pbuf_str(b, "\"");
		free(esc);
	}
	free(one.p);
}

char *
post_render(const struct post *p, size_t *lenp)
{
	struct pbuf b = { 0 };
	char *title;

	if (p->title == NULL || p->published == NULL || p->category == NULL ||
	    p->tag == NULL || p->body == NULL || p->category_url == NULL ||
	    p->site_host == NULL) {
		errno = EINVAL;
		return NULL;
	}
	if ((title = post_title_escape(p->title)) == NULL)
		return NULL;
	pbuf_str(&b, "---\nlayout: post\ntitle: \"");
	pbuf_str(&b, title);
	pbuf_str(&b, "\"\ndate: ");
	pbuf_str(&b, p->published);
	pbuf_str(&b, "\ncategories: ");
	post_add_value(&b, p->category);
	pbuf_str(&b, "\ntags: ");
	post_add_value(&b, p->tag);
	pbuf_str(&b, "\n---\n");
	pbuf_str(&b, p->body);
	/* A record without a link gets no empty "<>" line. */
	if (p->link != NULL && p->link[0] != '\0') {
		pbuf_str(&b, "\n\n<");
		pbuf_str(&b, p->link);
		pbuf_str(&b, ">");
	}
	pbuf_str(&b, "\n\n[返回");
	pbuf_str(&b, p->tag);
	pbuf_str(&b, "](");
	pbuf_str(&b, p->category_url);
	pbuf_str(&b, ")｜[返回首页](//");	/* U+FF5C, as the site has it */
	pbuf_str(&b, p->site_host);
	pbuf_str(&b, "/)");
	free(title);
	return pbuf_finish(&b, lenp);
}

char *
post_render_category(const char *category, const char *tag, size_t *lenp)
{
	struct pbuf b = { 0 };

	if (category == NULL || tag == NULL) {
		errno = EINVAL;
		return NULL;
	}
	pbuf_str(&b, "---\nlayout: category\ntitle: ");
	post_add_value(&b, tag);
	pbuf_str(&b, "\ncategory: ");
	post_add_value(&b, category);
	pbuf_str(&b, "\n---");
	return pbuf_finish(&b, lenp);
}

/* Whether S starts with a plausible "YYYY-MM-DD" (digits and dashes). */
static int
post_date_ok(const char *s)
{
	static const char shape[] = "dddd-dd-dd";

	for (int i = 0; shape[i] != '\0'; i++) {
		if (shape[i] == 'd' ? (s[i] < '0' || s[i] > '9') : s[i] != '-')
			return 0;
	}
	return 1;
}

/*
 * The store only hands on file ids that can name a file, but a path is where
 * a bad id would do harm (a '/' escapes _posts/), so it is checked again.
 */
static int
post_file_id_ok(const char *id)
{
	if (id[0] == '\0' || id[0] == '.')
		return 0;
	for (const unsigned char *u = (const unsigned char *)id; *u; u++)
		if (*u == '/' || *u < 0x20 || *u == 0x7f)
			return 0;
	return 1;
}

int
post_path(char *buf, size_t size, const char *published, const char *file_id)
{
	size_t idlen;

	if (published == NULL || file_id == NULL || !post_date_ok(published) ||
	    !post_file_id_ok(file_id)) {
		errno = EINVAL;
		return -1;
	}
	idlen = strlen(file_id);
	/* "_posts/" (7) + date (10) + "-" + id + ".md" + NUL */
	if (size < 7 + 10 + 1 + idlen + 3 + 1) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(buf, "_posts/", 7);
	memcpy(buf + 7, published, 10);
	buf[17] = '-';
	memcpy(buf + 18, file_id, idlen);
	memcpy(buf + 18 + idlen, ".md", 4);
	return 0;
}
