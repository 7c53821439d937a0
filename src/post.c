/*
 * post: the Jekyll files finewsd writes, rendered to memory, and read back.
 *
 * Owns the exact bytes of a post file and of a category page (the contract's
 * "What it writes"), the body rule the site always applied (pairs of
 * ideographic spaces removed), the YAML escaping of the front matter, and
 * its inverse: the reader of post files that --import uses, next to the
 * writer it must invert.  Pure functions: no I/O, no logging; errors travel
 * in errno.  Calls utf8 and util.
 */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "post.h"
#include "utf8.h"
#include "util.h"

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
post_add_unpaired(struct sbuf *b, const char *html)
{
	const char *s = html, *hit;

	while ((hit = strstr(s, IDEO_SPACE)) != NULL) {
		sbuf_add(b, s, hit - s);
		if (strncmp(hit + IDEO_LEN, IDEO_SPACE, IDEO_LEN) == 0)
			s = hit + 2 * IDEO_LEN;
		else {
			sbuf_add(b, hit, IDEO_LEN);
			s = hit + IDEO_LEN;
		}
	}
	sbuf_str(b, s);
}

/*
 * Appends the digest line's text: what follows the digest's last "】" (the
 * sources put a "【headline】" before the summary).  A line break inside it
 * would end the Markdown quote, so breaks become spaces.
 */
static void
post_add_digest(struct sbuf *b, const char *digest)
{
	const char *s = digest, *hit;
	size_t n;

	while ((hit = strstr(s, "\xe3\x80\x91")) != NULL)	/* U+3011 】 */
		s = hit + 3;
	while (*s != '\0') {
		if (*s == '\r' || *s == '\n') {
			n = post_linebreak_len(s);
			sbuf_add(b, " ", 1);
			s += n;
			continue;
		}
		n = strcspn(s, "\r\n");
		sbuf_add(b, s, n);
		s += n;
	}
}

char *
post_body_make(const char *html, const char *digest)
{
	struct sbuf b = { 0 };

	if (digest != NULL) {
		sbuf_str(&b, "> ");
		post_add_digest(&b, digest);
		sbuf_str(&b, "\n\n");
	}
	post_add_unpaired(&b, html != NULL ? html : "");
	/* Kept in a batch until it is written: without the slack of growth. */
	return sbuf_finish_fit(&b, NULL);
}

/*
 * The digest line is HTML as far as the site goes (Jekyll's Markdown
 * passes markup in it through), so it goes into the quote as it is; the
 * feeds clean it with the rest.
 */
char *
post_body_html(const char *body)
{
	struct sbuf b = { 0 };
	const char *nl;

	if (strncmp(body, "> ", 2) != 0 || (nl = strchr(body, '\n')) == NULL ||
	    nl[1] != '\n')
		return strdup(body);
	sbuf_str(&b, "<blockquote><p>");
	sbuf_add(&b, body + 2, (size_t)(nl - body - 2));
	sbuf_str(&b, "</p></blockquote>\n");
	sbuf_str(&b, nl + 2);
	return sbuf_finish(&b, NULL);
}

/* Appends "\xHH", "\uHHHH" or "\UHHHHHHHH", YAML double-quoted escapes. */
static void
post_add_escape(struct sbuf *b, unsigned long cp)
{
	static const char hex[] = "0123456789ABCDEF";
	char esc[11];
	int digits, i;

	digits = cp <= 0xff ? 2 : cp <= 0xffff ? 4 : 8;
	esc[0] = '\\';
	esc[1] = digits == 2 ? 'x' : digits == 4 ? 'u' : 'U';
	for (i = 0; i < digits; i++)
		esc[2 + i] = hex[(cp >> (4 * (digits - 1 - i))) & 0xf];
	sbuf_add(b, esc, 2 + digits);
}

/*
 * The code point that must be escaped at S, or 0 when the bytes there can be
 * written as they are; *NP is the length of the character (one byte at an
 * invalid UTF-8 sequence, which is left alone: the source parsers only hand
 * on valid UTF-8).  YAML allows neither C0/C1 controls nor DEL, a BOM, or
 * U+FFFE/U+FFFF unescaped.
 */
static uint32_t
post_needs_escape(const char *s, size_t *np)
{
	uint32_t cp;
	size_t n;

	/* S is NUL-terminated: the decoder stops at the NUL. */
	if ((n = utf8_decode((const unsigned char *)s, 4, &cp)) == 0) {
		*np = 1;
		return 0;
	}
	*np = n;
	if (cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp <= 0x9f) ||
	    cp == 0xfeff || cp == 0xfffe || cp == 0xffff)
		return cp;
	return 0;
}

char *
post_title_escape(const char *title)
{
	struct sbuf b = { 0 };
	const char *s = title;
	unsigned long cp;
	size_t n;

	sbuf_add(&b, "", 0);	/* an empty title is an empty string */
	while (*s != '\0') {
		if ((n = post_linebreak_len(s)) > 0) {
			sbuf_add(&b, " ", 1);
			s += n;
		} else if (*s == '\\' || *s == '"') {
			sbuf_add(&b, "\\", 1);
			sbuf_add(&b, s++, 1);
		} else if ((cp = post_needs_escape(s, &n)) != 0) {
			post_add_escape(&b, cp);
			s += n;
		} else
			sbuf_add(&b, s++, 1);
	}
	return sbuf_finish(&b, NULL);
}

/*
 * Whether the plain scalar S would be read by YAML 1.1 (Psych, Jekyll's
 * parser) as something other than a string: a boolean, a null, or a number
 * (decimal, octal, hex, binary, sexagesimal, float).  A category "123" or
 * "yes" unquoted breaks Jekyll ("no implicit conversion of Integer into
 * Array").  The test errs on the side of quoting: a quoted string reads
 * back the same.
 */
static int
post_yaml_typed(const char *s)
{
	static const char *const words[] = {
		"y", "n", "yes", "no", "true", "false", "on", "off", "null", "~",
	};

	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (strcasecmp(s, words[i]) == 0)
			return 1;
	if (!((*s >= '0' && *s <= '9') || *s == '+' || *s == '-' || *s == '.'))
		return 0;
	/* Numbers of every base and form use only these. */
	return s[strspn(s, "0123456789abcdefABCDEFxXoO_.,:+-")] == '\0' ||
	    strcasecmp(s, ".inf") == 0 || strcasecmp(s, "-.inf") == 0 ||
	    strcasecmp(s, ".nan") == 0;
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
	if (post_yaml_typed(s))
		return 0;
	for (const char *p = s; *p != '\0'; p += n)
		if (post_needs_escape(p, &n) != 0)
			return 0;
	return 1;
}

/* Appends a one-line front matter value: line breaks become spaces. */
static void
post_add_value(struct sbuf *b, const char *value)
{
	struct sbuf one = { 0 };
	const char *s = value;
	char *esc;
	size_t n;

	while (*s != '\0') {
		if ((n = post_linebreak_len(s)) > 0) {
			sbuf_add(&one, " ", 1);
			s += n;
		} else
			sbuf_add(&one, s++, 1);
	}
	sbuf_add(&one, "", 0);
	esc = one.err || post_plain_ok(one.p) ? NULL : post_title_escape(one.p);
	if (one.err || (esc == NULL && !post_plain_ok(one.p)))
		b->err = 1;
	else if (esc == NULL)
		sbuf_str(b, one.p);
	else {
		sbuf_str(b, "\"");
		sbuf_str(b, esc);
		sbuf_str(b, "\"");
	}
	free(esc);
	sbuf_clear(&one);
}

char *
post_render(const struct post *p, size_t *lenp)
{
	struct sbuf b = { 0 };
	char *title;

	if (p->title == NULL || p->published == NULL || p->category == NULL ||
	    p->tag == NULL || p->body == NULL || p->category_url == NULL ||
	    p->site_host == NULL) {
		errno = EINVAL;
		return NULL;
	}
	if ((title = post_title_escape(p->title)) == NULL)
		return NULL;
	sbuf_str(&b, "---\nlayout: post\ntitle: \"");
	sbuf_str(&b, title);
	sbuf_str(&b, "\"\ndate: ");
	sbuf_str(&b, p->published);
	sbuf_str(&b, "\ncategories: ");
	post_add_value(&b, p->category);
	sbuf_str(&b, "\ntags: ");
	post_add_value(&b, p->tag);
	if (p->permalink != NULL) {
		sbuf_str(&b, "\npermalink: ");
		post_add_value(&b, p->permalink);
	}
	sbuf_str(&b, "\n---\n");
	sbuf_str(&b, p->body);
	/* A record without a link gets no empty "<>" line. */
	if (p->link != NULL && p->link[0] != '\0') {
		sbuf_str(&b, "\n\n<");
		sbuf_str(&b, p->link);
		sbuf_str(&b, ">");
	}
	sbuf_str(&b, "\n\n[返回");
	sbuf_str(&b, p->tag);
	sbuf_str(&b, "](");
	sbuf_str(&b, p->category_url);
	sbuf_str(&b, ")｜[返回首页](//");	/* U+FF5C, as the site has it */
	sbuf_str(&b, p->site_host);
	sbuf_str(&b, "/)");
	free(title);
	return sbuf_finish(&b, lenp);
}

char *
post_render_category(const char *category, const char *tag, size_t *lenp)
{
	struct sbuf b = { 0 };

	if (category == NULL || tag == NULL) {
		errno = EINVAL;
		return NULL;
	}
	sbuf_str(&b, "---\nlayout: category\ntitle: ");
	post_add_value(&b, tag);
	sbuf_str(&b, "\ncategory: ");
	post_add_value(&b, category);
	sbuf_str(&b, "\n---");
	return sbuf_finish(&b, lenp);
}

/*
 * The reader.  A post file of the site is what post_render writes, or what
 * the old script wrote before it:
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
 * some early posts.
 */
#define POST_BACK_LINK	"[返回"		/* opens every back link line */

/*
 * Unquotes the YAML scalar V in place: a double-quoted one with its
 * backslash escapes (finewsd writes \" and \\ only), a single-quoted one
 * ('' for '), or a plain one as it is.  NULL when a quote is not closed or
 * followed by more than blanks.
 */
static const char *
post_unquote(char *v)
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
post_parse_key(char *line, struct post_file *p)
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
		p->title = post_unquote(v);
	else if (strcmp(line, "date") == 0)
		p->date = v;
	else if (strcmp(line, "categories") == 0)
		p->categories = post_unquote(v);
	else if (strcmp(line, "tags") == 0)
		p->tags = post_unquote(v);
	else if (strcmp(line, "permalink") == 0)
		p->permalink = post_unquote(v);
}

/*
 * Cuts the front matter at the start of BUF into P and returns where the
 * body starts, or NULL when BUF opens with no front matter or never closes
 * it.  A title whose quotes do not close reads as no title.
 */
static char *
post_parse_front(char *buf, struct post_file *p)
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
		post_parse_key(line, p);
	}
	return NULL;
}

/* 1 when LINE[0..N) is "<" URL ">" (or the empty "<>"), 0 otherwise. */
static int
post_is_link(const char *line, size_t n)
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
post_find_link(char *body, size_t len, size_t *n)
{
	char *e = body + len, *s, *nl;

	for (;;) {
		nl = memrchr(body, '\n', (size_t)(e - body));
		s = nl != NULL ? nl + 1 : body;
		*n = (size_t)(e - s);
		if (*n > 0 && s[*n - 1] == '\r')
			(*n)--;
		if (*n > 0 && strncmp(s, POST_BACK_LINK,
		    sizeof(POST_BACK_LINK) - 1) != 0)
			return post_is_link(s, *n) ? s : NULL;
		if (nl == NULL)
			return NULL;
		e = nl;
	}
}

/*
 * Splits the text after the front matter, TEXT[0..LEN), into body and link.
 * post_render writes body "\n\n<" link ">": exactly that "\n\n" is dropped
 * (a lone "\n" where an early post had only that), so that the body is byte
 * for byte the one post_render was handed.
 */
static const char *
post_parse_body(char *text, size_t len, struct post_file *p)
{
	char *link, *end;
	size_t n;

	if ((link = post_find_link(text, len, &n)) == NULL)
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

const char *
post_parse(char *buf, size_t len, struct post_file *p)
{
	char *body;

	memset(p, 0, sizeof(*p));
	if (memchr(buf, '\0', len) != NULL)
		return "a NUL byte in the file";
	if ((body = post_parse_front(buf, p)) == NULL)
		return "no front matter";
	return post_parse_body(body, len - (size_t)(body - buf), p);
}
