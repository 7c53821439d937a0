/*
 * charset: the charset of a response and its conversion to UTF-8.  See
 * charset.h.
 *
 * The labels follow the WHATWG Encoding Standard, which is how browsers,
 * and so the sites themselves, read them; the prescan of a page's <meta>
 * follows its HTML "prescan a byte stream" algorithm.  iconv does the
 * conversion: glibc's GB18030, BIG5 and CP1252 modules agree with what
 * Python's gbk, big5 and cp1252 codecs write for every character those
 * define outside a few symbols.  Calls iconv, utf8 and util.
 */
#include "config.h"

#include <errno.h>
#include <iconv.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "charset.h"
#include "utf8.h"
#include "util.h"

/* The marks: U+FDD0 opens, U+FDE0 + a digit per digit, U+FDD1 closes. */
#define MARK_LEAD	0xef
#define MARK_MID	0xb7
#define MARK_OPEN	0x90	/* U+FDD0 is EF B7 90 */
#define MARK_CLOSE	0x91	/* U+FDD1 */
#define MARK_DIGIT0	0xa0	/* U+FDE0 */
#define MARK_LAST	0xaf	/* U+FDEF, the last reserved noncharacter */

/* The labels whose meaning is fixed here rather than left to iconv. */
static const struct charset_alias {
	const char *label;
	const char *name;
} charset_aliases[] = {
	{ "utf-8", "UTF-8" }, { "utf8", "UTF-8" },
	{ "unicode-1-1-utf-8", "UTF-8" }, { "unicode11utf8", "UTF-8" },
	{ "unicode20utf8", "UTF-8" }, { "x-unicode20utf8", "UTF-8" },
	/* GBK and GB2312 pages carry GBK's characters, often GB18030's. */
	{ "gbk", "GB18030" }, { "gb2312", "GB18030" },
	{ "gb_2312", "GB18030" }, { "gb_2312-80", "GB18030" },
	{ "chinese", "GB18030" }, { "csgb2312", "GB18030" },
	{ "csiso58gb231280", "GB18030" }, { "iso-ir-58", "GB18030" },
	{ "x-gbk", "GB18030" }, { "cp936", "GB18030" },
	{ "ms936", "GB18030" }, { "windows-936", "GB18030" },
	{ "gb18030", "GB18030" },
	/* glibc's BIG5-HKSCS refuses a few symbols of plain Big5 ("／"). */
	{ "big5", "BIG5" }, { "cn-big5", "BIG5" }, { "csbig5", "BIG5" },
	{ "x-x-big5", "BIG5" }, { "big5-hkscs", "BIG5-HKSCS" },
	{ "ansi_x3.4-1968", "CP1252" }, { "ascii", "CP1252" },
	{ "cp1252", "CP1252" }, { "cp819", "CP1252" },
	{ "csisolatin1", "CP1252" }, { "ibm819", "CP1252" },
	{ "iso-8859-1", "CP1252" }, { "iso-ir-100", "CP1252" },
	{ "iso8859-1", "CP1252" }, { "iso88591", "CP1252" },
	{ "iso_8859-1", "CP1252" }, { "iso_8859-1:1987", "CP1252" },
	{ "l1", "CP1252" }, { "latin1", "CP1252" },
	{ "us-ascii", "CP1252" }, { "windows-1252", "CP1252" },
	{ "x-cp1252", "CP1252" },
	{ "utf-16", "UTF-16LE" }, { "utf-16le", "UTF-16LE" },
	{ "utf-16be", "UTF-16BE" },
};

#define CHARSET_NALIASES (sizeof(charset_aliases) / sizeof(charset_aliases[0]))

static int
charset_is_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r';
}

static int
charset_is_name_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '.' || c == '_' || c == ':' ||
	    c == '+' || c == '-';
}

/* LABEL[N] without the blanks around it, into OUT; 0, or -1 when unfit. */
static int
charset_label_trim(const char *label, size_t n, char out[CHARSET_NAME_MAX])
{
	size_t i;

	while (n > 0 && charset_is_space((unsigned char)*label)) {
		label++;
		n--;
	}
	while (n > 0 && charset_is_space((unsigned char)label[n - 1]))
		n--;
	if (n == 0 || n >= CHARSET_NAME_MAX)
		return -1;
	for (i = 0; i < n; i++)
		if (!charset_is_name_char((unsigned char)label[i]))
			return -1;
	memcpy(out, label, n);
	out[n] = '\0';
	return 0;
}

/* charset_resolve() on LABEL[N], which need not end with a NUL. */
static int
charset_resolve_n(const char *label, size_t n, char name[CHARSET_NAME_MAX])
{
	char l[CHARSET_NAME_MAX];
	iconv_t cd;
	size_t i;

	if (charset_label_trim(label, n, l) == -1)
		return -1;
	for (i = 0; i < CHARSET_NALIASES; i++)
		if (strcasecmp(charset_aliases[i].label, l) == 0) {
			strcpy(name, charset_aliases[i].name);
			return 0;
		}
	if ((cd = iconv_open("UTF-8", l)) == (iconv_t)-1)
		return -1;
	iconv_close(cd);
	memcpy(name, l, sizeof(l));
	return 0;
}

int
charset_resolve(const char *label, char name[CHARSET_NAME_MAX])
{
	return charset_resolve_n(label, strlen(label), name);
}

const char *
charset_origin_name(enum charset_origin origin)
{
	switch (origin) {
	case CHARSET_FROM_CONFIG:
		return "the configuration";
	case CHARSET_FROM_HEADER:
		return "the Content-Type";
	case CHARSET_FROM_BOM:
		return "a byte order mark";
	case CHARSET_FROM_META:
		return "a <meta> element";
	default:
		return "the default";
	}
}

/*
 * The charset parameter of the Content-Type CT, as (*LABEL, *N); 0 when it
 * has none.  Parameters are "; name=value", the value a token or a quoted
 * string (RFC 9110, 5.6.6).
 */
static int
charset_from_content_type(const char *ct, const char **label, size_t *n)
{
	const char *s = ct, *name, *v;
	size_t nlen;

	while ((s = strchr(s, ';')) != NULL) {
		s++;
		s += strspn(s, " \t");
		name = s;
		nlen = strcspn(s, "=; \t");
		s += nlen;
		s += strspn(s, " \t");
		if (*s != '=')
			continue;
		s++;
		s += strspn(s, " \t");
		if (*s == '"') {
			v = ++s;
			s += strcspn(s, "\"");
		} else {
			v = s;
			s += strcspn(s, "; \t");
		}
		if (nlen == 7 && strncasecmp(name, "charset", 7) == 0) {
			*label = v;
			*n = (size_t)(s - v);
			return 1;
		}
	}
	return 0;
}

/* The charset a BOM at BUF[LEN] names, and the BOM's length; NULL: none. */
static const char *
charset_from_bom(const unsigned char *b, size_t len, size_t *bom)
{
	if (len >= 3 && b[0] == 0xef && b[1] == 0xbb && b[2] == 0xbf) {
		*bom = 3;
		return "UTF-8";
	}
	if (len >= 2 && b[0] == 0xfe && b[1] == 0xff) {
		*bom = 2;
		return "UTF-16BE";
	}
	if (len >= 2 && b[0] == 0xff && b[1] == 0xfe) {
		*bom = 2;
		return "UTF-16LE";
	}
	return NULL;
}

/*
 * The <meta> prescan: a cursor over the page's first bytes and what the
 * current <meta> says.
 */
struct sniff {
	const char *p, *end;
};

struct sniff_attr {
	const char *name, *value;
	size_t nlen, vlen;
};

/* Moves S past the first occurrence of LIT; 0 when there is none. */
static int
sniff_skip_past(struct sniff *s, const char *lit)
{
	size_t n = strlen(lit);
	const char *hit;

	if ((size_t)(s->end - s->p) < n ||
	    (hit = memmem(s->p, (size_t)(s->end - s->p), lit, n)) == NULL)
		return 0;
	s->p = hit + n;
	return 1;
}

/*
 * The next attribute of the tag at S, as the WHATWG prescan's "get an
 * attribute" reads it; 0 at the tag's end (or the window's).
 */
static int
sniff_attr(struct sniff *s, struct sniff_attr *a)
{
	char q;

	while (s->p < s->end && (charset_is_space(*s->p) || *s->p == '/'))
		s->p++;
	if (s->p >= s->end || *s->p == '>')
		return 0;
	a->name = s->p;
	while (s->p < s->end && *s->p != '=' && *s->p != '>' &&
	    *s->p != '/' && !charset_is_space(*s->p))
		s->p++;
	a->nlen = (size_t)(s->p - a->name);
	a->value = s->p;
	a->vlen = 0;
	while (s->p < s->end && charset_is_space(*s->p))
		s->p++;
	if (s->p >= s->end || *s->p != '=')
		return 1;
	s->p++;
	while (s->p < s->end && charset_is_space(*s->p))
		s->p++;
	if (s->p < s->end && (*s->p == '"' || *s->p == '\'')) {
		q = *s->p++;
		a->value = s->p;
		while (s->p < s->end && *s->p != q)
			s->p++;
		a->vlen = (size_t)(s->p - a->value);
		if (s->p < s->end)
			s->p++;
		return 1;
	}
	a->value = s->p;
	while (s->p < s->end && *s->p != '>' && !charset_is_space(*s->p))
		s->p++;
	a->vlen = (size_t)(s->p - a->value);
	return 1;
}

static int
sniff_is(const struct sniff_attr *a, const char *name)
{
	return a->nlen == strlen(name) && strncasecmp(a->name, name, a->nlen) == 0;
}

/*
 * The charset in the content attribute V[N] of a <meta http-equiv>, as
 * "extracting a character encoding from a meta element" finds it.
 */
static int
sniff_content_charset(const char *v, size_t n, const char **label,
    size_t *lablen)
{
	const char *e = v + n, *s = v, *q;

	for (;;) {
		while (e - s >= 7 && strncasecmp(s, "charset", 7) != 0)
			s++;
		if (e - s < 7)
			return 0;
		s += 7;
		while (s < e && charset_is_space(*s))
			s++;
		if (s < e && *s == '=')
			break;
	}
	s++;
	while (s < e && charset_is_space(*s))
		s++;
	if (s < e && (*s == '"' || *s == '\'')) {
		if ((q = memchr(s + 1, *s, (size_t)(e - s - 1))) == NULL)
			return 0;
		*label = s + 1;
		*lablen = (size_t)(q - s - 1);
		return *lablen > 0;
	}
	*label = s;
	while (s < e && !charset_is_space(*s) && *s != ';')
		s++;
	*lablen = (size_t)(s - *label);
	return *lablen > 0;
}

/* The charset a <meta> whose attributes start at S declares, if any. */
static int
sniff_meta(struct sniff *s, const char **label, size_t *n)
{
	struct sniff_attr a;
	const char *content = NULL, *cs = NULL;
	size_t clen = 0, cslen = 0;
	int pragma = 0;

	while (sniff_attr(s, &a)) {
		if (sniff_is(&a, "http-equiv"))
			pragma |= a.vlen == 12 &&
			    strncasecmp(a.value, "content-type", 12) == 0;
		else if (sniff_is(&a, "content") && content == NULL) {
			content = a.value;
			clen = a.vlen;
		} else if (sniff_is(&a, "charset") && cs == NULL &&
		    a.vlen > 0) {
			cs = a.value;
			cslen = a.vlen;
		}
	}
	if (cs != NULL) {
		*label = cs;
		*n = cslen;
		return 1;
	}
	return pragma && content != NULL &&
	    sniff_content_charset(content, clen, label, n);
}

static int
sniff_is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* The WHATWG prescan over BUF[LEN]: the label of the first <meta> that
 * declares one, as (*LABEL, *N); 0 when none does. */
static int
charset_from_meta(const char *buf, size_t len, const char **label, size_t *n)
{
	struct sniff s = { buf, buf + (len < CHARSET_SNIFF_MAX ? len :
	    CHARSET_SNIFF_MAX) };
	struct sniff_attr a;
	size_t left;

	while (s.p < s.end) {
		left = (size_t)(s.end - s.p);
		if (left >= 4 && memcmp(s.p, "<!--", 4) == 0) {
			/* "<!-->" is a whole comment. */
			s.p += 2;
			if (!sniff_skip_past(&s, "-->"))
				return 0;
		} else if (left >= 6 && strncasecmp(s.p, "<meta", 5) == 0 &&
		    (charset_is_space(s.p[5]) || s.p[5] == '/')) {
			s.p += 5;
			if (sniff_meta(&s, label, n))
				return 1;
		} else if (*s.p == '<' && left >= 2 && (sniff_is_alpha(s.p[1]) ||
		    (left >= 3 && s.p[1] == '/' && sniff_is_alpha(s.p[2])))) {
			while (s.p < s.end && *s.p != '>' &&
			    !charset_is_space(*s.p))
				s.p++;
			while (sniff_attr(&s, &a))
				;
		} else if (*s.p == '<' && left >= 2 && (s.p[1] == '!' ||
		    s.p[1] == '/' || s.p[1] == '?')) {
			if (!sniff_skip_past(&s, ">"))
				return 0;
		} else
			s.p++;
	}
	return 0;
}

/* "the charset 'x' named by the Content-Type is not one iconv knows" */
static int
charset_unknown(const char *label, size_t n, enum charset_origin origin,
    char *err, size_t errlen)
{
	err_set(err, errlen, "the charset '%.*s' named by %s is not one iconv "
	    "knows (a source's charset key overrides it)",
	    (int)(n > 64 ? 64 : n), label, charset_origin_name(origin));
	return -1;
}

int
charset_choose(const char *configured, const char *content_type,
    const char *buf, size_t len, int html, struct charset_choice *ch,
    char *err, size_t errlen)
{
	const unsigned char *u = (const unsigned char *)buf;
	const char *label, *bomname;
	size_t n, bom = 0;

	memset(ch, 0, sizeof(*ch));
	bomname = buf != NULL ? charset_from_bom(u, len, &bom) : NULL;
	if (configured != NULL) {
		ch->origin = CHARSET_FROM_CONFIG;
		if (charset_resolve(configured, ch->name) == -1)
			return charset_unknown(configured, strlen(configured),
			    ch->origin, err, errlen);
	} else if (content_type != NULL &&
	    charset_from_content_type(content_type, &label, &n)) {
		ch->origin = CHARSET_FROM_HEADER;
		if (charset_resolve_n(label, n, ch->name) == -1)
			return charset_unknown(label, n, ch->origin, err,
			    errlen);
	} else if (bomname != NULL) {
		ch->origin = CHARSET_FROM_BOM;
		strcpy(ch->name, bomname);
	} else if (html && buf != NULL && charset_from_meta(buf, len, &label,
	    &n)) {
		ch->origin = CHARSET_FROM_META;
		if (charset_resolve_n(label, n, ch->name) == -1)
			return charset_unknown(label, n, ch->origin, err,
			    errlen);
		/* A page the prescan could read is not UTF-16 (WHATWG). */
		if (strncmp(ch->name, "UTF-16", 6) == 0)
			strcpy(ch->name, "UTF-8");
	} else {
		ch->origin = CHARSET_FROM_DEFAULT;
		strcpy(ch->name, "UTF-8");
	}
	/* A BOM of the charset chosen is not text. */
	if (bomname != NULL && strcmp(bomname, ch->name) == 0)
		ch->bom = bom;
	return 0;
}

/*
 * The output being built: the UTF-8 so far, the marks made, and where the
 * last run of bad bytes ended, so that a run next to it grows it instead
 * of making a mark of its own.
 */
struct decoder {
	struct sbuf out;
	size_t marks;
	size_t first_bad;	/* offset of the first bad byte */
	size_t run_end;		/* offset after the last bad byte */
	size_t run_out;		/* out.len right after its mark */
	const char *name;
	char *err;
	size_t errlen;
};

/* Notes the bad bytes at OFFSET..OFFSET+N of the response; -1 past the
 * most marks a response may have. */
static int
decoder_bad(struct decoder *d, size_t offset, size_t n)
{
	char mark[3 * 24];
	char digits[24];
	size_t k = 0, nd, i;

	if (d->marks > 0 && offset == d->run_end && d->out.len == d->run_out) {
		d->run_end = offset + n;
		return 0;
	}
	if (d->marks == 0)
		d->first_bad = offset;
	if (++d->marks > CHARSET_MARKS_MAX) {
		err_set(d->err, d->errlen, "more than %d runs of bytes that do "
		    "not decode as %s, the first at offset %zu",
		    CHARSET_MARKS_MAX, d->name, d->first_bad);
		errno = EILSEQ;
		return -1;
	}
	nd = 0;
	do {
		digits[nd++] = (char)(offset % 10);
		offset /= 10;
	} while (offset > 0);
	mark[k++] = (char)MARK_LEAD;
	mark[k++] = (char)MARK_MID;
	mark[k++] = (char)MARK_OPEN;
	for (i = nd; i-- > 0;) {
		mark[k++] = (char)MARK_LEAD;
		mark[k++] = (char)MARK_MID;
		mark[k++] = (char)(MARK_DIGIT0 + digits[i]);
	}
	mark[k++] = (char)MARK_LEAD;
	mark[k++] = (char)MARK_MID;
	mark[k++] = (char)MARK_CLOSE;
	sbuf_add(&d->out, mark, k);
	return 0;
}

/* 1 when the 3 bytes at U are one of the reserved U+FDD0..U+FDEF. */
static int
charset_is_reserved(const unsigned char *u, size_t n)
{
	return n >= 3 && u[0] == MARK_LEAD && u[1] == MARK_MID &&
	    u[2] >= MARK_OPEN && u[2] <= MARK_LAST;
}

/*
 * Records the mark of a bad run at OFFSET..OFFSET+N; decoder_bad() does
 * the work, this sets where the run ends once the mark is out.
 */
static int
decoder_run(struct decoder *d, size_t offset, size_t n)
{
	size_t before = d->marks;

	if (decoder_bad(d, offset, n) == -1)
		return -1;
	if (d->marks != before) {
		d->run_end = offset + n;
		d->run_out = d->out.len;
	}
	return 0;
}

/*
 * The length of the prefix of U[N] that is valid UTF-8 without a reserved
 * noncharacter: the whole of almost every response, found here without a
 * call per character (the daemon reads thousands of texts a second).
 */
static size_t
charset_utf8_prefix(const unsigned char *u, size_t n)
{
	size_t i = 0;
	unsigned char c, c1;
	uint64_t w;

	while (i < n) {
		if ((c = u[i]) < 0x80) {
			/* ASCII eight bytes at a time. */
			for (i++; i + 8 <= n; i += 8) {
				memcpy(&w, u + i, 8);
				if (w & 0x8080808080808080ULL)
					break;
			}
			continue;
		}
		/* Most of a Chinese text: a lead byte whose second byte may be
		 * any continuation byte, and which no mark starts with. */
		if ((c >= 0xe1 && c <= 0xec) || c == 0xee) {
			if (i + 2 >= n ||
			    ((u[i + 1] << 8 | u[i + 2]) & 0xc0c0) != 0x8080)
				break;
			i += 3;
		} else if (c >= 0xc2 && c <= 0xdf) {
			if (i + 1 >= n || (u[i + 1] & 0xc0) != 0x80)
				break;
			i += 2;
		} else if (c >= 0xe0 && c <= 0xef) {
			if (i + 2 >= n || ((c1 = u[i + 1]) & 0xc0) != 0x80 ||
			    (u[i + 2] & 0xc0) != 0x80 || (c == 0xe0 && c1 < 0xa0) ||
			    (c == 0xed && c1 >= 0xa0) ||
			    charset_is_reserved(u + i, n - i))
				break;
			i += 3;
		} else if (c >= 0xf0 && c <= 0xf4) {
			if (i + 3 >= n || ((c1 = u[i + 1]) & 0xc0) != 0x80 ||
			    (u[i + 2] & 0xc0) != 0x80 || (u[i + 3] & 0xc0) != 0x80 ||
			    (c == 0xf0 && c1 < 0x90) || (c == 0xf4 && c1 >= 0x90))
				break;
			i += 4;
		} else
			break;
	}
	return i;
}

/*
 * UTF-8 in, UTF-8 out: only invalid sequences (their maximal subparts,
 * a run of them one mark) and reserved noncharacters change.  *CHANGED is
 * 0 when nothing did, and the output is then not built.
 */
static int
decode_utf8(struct decoder *d, const unsigned char *u, size_t len,
    size_t base, int *changed)
{
	size_t i = charset_utf8_prefix(u, len), good = 0, k;
	int valid;

	*changed = 0;
	while (i < len) {
		if (u[i] < 0x80) {
			i++;
			continue;
		}
		k = utf8_scan(u + i, len - i, &valid);
		if (valid && !charset_is_reserved(u + i, len - i)) {
			i += k;
			continue;
		}
		*changed = 1;
		sbuf_add(&d->out, (const char *)u + good, i - good);
		if (decoder_run(d, base + i, k) == -1)
			return -1;
		i += k;
		good = i;
	}
	if (*changed)
		sbuf_add(&d->out, (const char *)u + good, len - good);
	return 0;
}

/*
 * Appends iconv's output OUT[N], converted from the input starting at
 * *IN (offset IN - BUF in the response); a reserved noncharacter in it
 * (GB18030 and UTF-16 can encode them) becomes a mark of the input bytes
 * that gave it, found again by converting up to it once more.  *IN and
 * *INLEFT are moved back to just after that character when there is
 * one, so that the caller converts the rest afresh; 1 then, else 0, -1 on
 * error.
 */
static int
decode_emit(struct decoder *d, iconv_t cd, const char *buf, char **in,
    size_t *inleft, const char *seg, const char *out, size_t n)
{
	const unsigned char *u = (const unsigned char *)out, *p = u;
	char tmp[8], *ip, *op;
	size_t i, il, ol, at;

	while ((p = memchr(p, MARK_LEAD, n - (size_t)(p - u))) != NULL &&
	    !charset_is_reserved(p, n - (size_t)(p - u)))
		p++;
	if (p == NULL) {
		sbuf_add(&d->out, out, n);
		return 0;
	}
	i = (size_t)(p - u);
	sbuf_add(&d->out, out, i);
	/* Convert SEG again, stopping right before the character... */
	(void)iconv(cd, NULL, NULL, NULL, NULL);
	ip = (char *)seg;
	il = (size_t)(*in - seg) + *inleft;
	for (size_t done = 0; done < i; done += (size_t)(op - tmp)) {
		op = tmp;
		ol = i - done < sizeof(tmp) ? i - done : sizeof(tmp);
		if (iconv(cd, &ip, &il, &op, &ol) == (size_t)-1 &&
		    errno != E2BIG)
			break;
		if (op == tmp)
			break;
	}
	at = (size_t)(ip - buf);
	/* ...then over it alone. */
	op = tmp;
	ol = 3;
	(void)iconv(cd, &ip, &il, &op, &ol);
	if (decoder_run(d, at, (size_t)(ip - buf) - at) == -1)
		return -1;
	*in = ip;
	*inleft = il;
	return 1;
}

/* BUF[LEN] (from offset BASE) through iconv into D. */
static int
decode_iconv(struct decoder *d, const char *buf, size_t base, size_t len)
{
	char chunk[16384], *in = (char *)buf + base, *op, *seg;
	size_t inleft = len - base, ol, rc;
	iconv_t cd;
	int e, r = -1, emitted;

	if ((cd = iconv_open("UTF-8", d->name)) == (iconv_t)-1) {
		err_set(d->err, d->errlen, "iconv cannot read %s", d->name);
		errno = EINVAL;
		return -1;
	}
	while (inleft > 0) {
		seg = in;
		op = chunk;
		ol = sizeof(chunk);
		rc = iconv(cd, &in, &inleft, &op, &ol);
		e = errno;
		if ((emitted = decode_emit(d, cd, buf, &in, &inleft, seg, chunk,
		    (size_t)(op - chunk))) == -1)
			goto done;
		if (emitted || rc != (size_t)-1 || e == E2BIG)
			continue;
		if (e == EILSEQ) {
			if (decoder_run(d, (size_t)(in - buf), 1) == -1)
				goto done;
			in++;
			inleft--;
		} else if (e == EINVAL) {
			/* A character cut off by the end of the response. */
			if (decoder_run(d, (size_t)(in - buf), inleft) == -1)
				goto done;
			inleft = 0;
		} else {
			err_set(d->err, d->errlen, "iconv %s: %s", d->name,
			    strerror(e));
			goto done;
		}
	}
	op = chunk;
	ol = sizeof(chunk);
	(void)iconv(cd, NULL, NULL, &op, &ol);
	sbuf_add(&d->out, chunk, (size_t)(op - chunk));
	r = 0;
done:
	iconv_close(cd);
	return r;
}

const char *
charset_decode(const struct charset_choice *ch, const char *buf, size_t len,
    size_t *outlen, char **copy, size_t *marks, char *err, size_t errlen)
{
	struct decoder d;
	size_t bom = ch->bom <= len ? ch->bom : 0;
	int changed = 1, rc;

	*copy = NULL;
	*outlen = 0;
	if (marks != NULL)
		*marks = 0;
	memset(&d, 0, sizeof(d));
	d.name = ch->name;
	d.err = err;
	d.errlen = errlen;
	if (buf == NULL)
		return "";
	if (strcmp(ch->name, "UTF-8") == 0) {
		rc = decode_utf8(&d, (const unsigned char *)buf + bom,
		    len - bom, bom, &changed);
		if (rc == 0 && !changed) {
			*outlen = len - bom;
			return buf + bom;
		}
	} else
		rc = decode_iconv(&d, buf, bom, len);
	if (rc == -1) {
		sbuf_clear(&d.out);
		return NULL;
	}
	if ((*copy = sbuf_finish(&d.out, outlen)) == NULL) {
		err_set(err, errlen, "out of memory");
		errno = ENOMEM;
		return NULL;
	}
	if (marks != NULL)
		*marks = d.marks;
	return *copy;
}

int
charset_mark_find(const char *s, size_t n, size_t *offset)
{
	const unsigned char *u = (const unsigned char *)s, *p, *end = u + n;
	size_t off = 0;
	int digits = 0;

	for (p = u; (p = memchr(p, MARK_LEAD, (size_t)(end - p))) != NULL;
	    p++)
		if (charset_is_reserved(p, (size_t)(end - p)))
			break;
	if (p == NULL)
		return 0;
	*offset = (size_t)-1;
	if (p[2] != MARK_OPEN)
		return 1;
	for (p += 3; charset_is_reserved(p, (size_t)(end - p)) &&
	    p[2] >= MARK_DIGIT0 && p[2] <= MARK_DIGIT0 + 9; p += 3) {
		if (off > (SIZE_MAX - 9) / 10)
			return 1;
		off = off * 10 + (size_t)(p[2] - MARK_DIGIT0);
		digits++;
	}
	if (digits > 0 && charset_is_reserved(p, (size_t)(end - p)) &&
	    p[2] == MARK_CLOSE)
		*offset = off;
	return 1;
}

void
charset_undecoded_message(char *err, size_t errlen, const char *name,
    size_t offset)
{
	if (offset == (size_t)-1)
		err_set(err, errlen, "bytes that do not decode as %s", name);
	else
		err_set(err, errlen, "bytes that do not decode as %s at offset "
		    "%zu", name, offset);
}
