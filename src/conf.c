/*
 * conf: reads the INI configuration with inih into a struct conf: the line
 * reader, the sections and their keys, the defaults, and the checks that
 * need a whole section or the whole file, so that a struct conf that loads
 * is complete and no other module checks it again.  See conf.h.  Owns
 * struct conf's memory and the lookups in it (conf_category_find,
 * conf_source_find, conf_source_hash).  Each single value is checked and
 * converted by conf_value.c, which knows the key's name but not the file
 * or the line; this file adds both to its messages.
 * Calls inih, conf_value, filter (freeing a source's compiled patterns),
 * slug (what a source name may be), util (growing the arrays of sources
 * and categories) and log.
 *
 * inih as Debian builds it passes no line numbers to the handler and cuts
 * lines at 199 bytes, so the file is fed to ini_parse_stream() by our own
 * reader: it counts lines, refuses long ones instead of letting inih split
 * them, and notes section headers itself (inih only calls the handler for
 * keys, and truncates long section names), so that a section without keys
 * still counts and every error can name its line.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <ini.h>

#include "conf.h"
#include "conf_value.h"
#include "filter.h"
#include "log.h"
#include "slug.h"
#include "util.h"

#define NITEMS(a)	(sizeof(a) / sizeof((a)[0]))

enum conf_section { SECT_NONE, SECT_FINEWSD, SECT_CATEGORIES, SECT_SOURCE };

/* How a key's value is checked and stored. */
enum conf_kind {
	KIND_STR,	/* any string */
	KIND_DIR,	/* a path that, if it exists, is a folder */
	KIND_FILE,	/* a path that, if it exists, is not a folder */
	KIND_OUTFILE,	/* a path written at run time, which logs its failures */
	KIND_URL,	/* an http or https URL */
	KIND_ID_URL,	/* the same with {id} in it */
	KIND_CAT_URL,	/* may hold {category} and start with "//" */
	KIND_SITE_URL,	/* site_url: also gives site_host */
	KIND_SLUG,
	KIND_XPATH,
	KIND_NUMBER,	/* a long in min..max */
	KIND_SIZE,	/* bytes, maybe with a K, M or G suffix, in min..max */
	KIND_TZ,
	KIND_ARGV,
	KIND_RELDIR,	/* relative, never climbing out with ".." */
	KIND_FORMAT,
	KIND_FORMATS,	/* a list of feed formats, as bits */
	KIND_CHARSET,	/* a charset iconv knows */
	KIND_DATE_FORMAT,
	KIND_SRC_TZ,	/* a source's own timezone */
	KIND_REGEX,	/* a PCRE2 pattern, kept with its compiled form */
	KIND_HEADER,	/* "Name: value", one more line each time it is set */
};

struct conf_key {
	const char *name;
	size_t off;		/* of the field in struct conf or conf_source */
	enum conf_kind kind;
	long min, max;
};

#define G(f)	offsetof(struct conf, f)
static const struct conf_key conf_keys[] = {
	{ "database", G(database), KIND_FILE, 0, 0 },
	{ "site_dir", G(site_dir), KIND_DIR, 0, 0 },
	{ "site_url", G(site_url), KIND_SITE_URL, 0, 0 },
	{ "timezone", G(tz), KIND_TZ, 0, 0 },
	{ "interval", G(interval), KIND_NUMBER, 1, 604800 },
	{ "max_transfers", G(max_transfers), KIND_NUMBER, 1, 1024 },
	{ "max_per_host", G(max_per_host), KIND_NUMBER, 1, 1024 },
	{ "timeout", G(timeout), KIND_NUMBER, 1, 3600 },
	{ "user_agent", G(user_agent), KIND_STR, 0, 0 },
	{ "feed_entries", G(feed_entries), KIND_NUMBER, 1, 10000 },
	{ "on_update", G(on_update), KIND_ARGV, 0, 0 },
	{ "on_update_timeout", G(on_update_timeout), KIND_NUMBER, 1, 86400 },
	{ "archive_after_days", G(archive_after_days), KIND_NUMBER, 0, 36500 },
	{ "archive_dir", G(archive_dir), KIND_RELDIR, 0, 0 },
	{ "metrics_file", G(metrics_file), KIND_OUTFILE, 0, 0 },
	{ "websub_hub", G(websub_hub), KIND_URL, 0, 0 },
	{ "formats", G(formats), KIND_FORMATS, 0, 0 },
	{ "max_list_size", G(max_list_size), KIND_SIZE, CONF_LIST_SIZE_MIN,
	    CONF_LIST_SIZE_MAX },
};
#undef G

#define S(f)	offsetof(struct conf_source, f)
static const struct conf_key source_keys[] = {
	{ "list_url", S(list_url), KIND_URL, 0, 0 },
	{ "list_items", S(list_items), KIND_STR, 0, 0 },
	{ "id_field", S(id_field), KIND_STR, 0, 0 },
	{ "title_field", S(title_field), KIND_STR, 0, 0 },
	{ "date_field", S(date_field), KIND_STR, 0, 0 },
	{ "media_field", S(media_field), KIND_STR, 0, 0 },
	{ "category", S(category), KIND_SLUG, 0, 0 },
	{ "tag", S(tag), KIND_STR, 0, 0 },
	{ "text_url", S(text_url), KIND_ID_URL, 0, 0 },
	{ "text_field", S(text_field), KIND_STR, 0, 0 },
	{ "digest_field", S(digest_field), KIND_STR, 0, 0 },
	{ "link", S(link), KIND_ID_URL, 0, 0 },
	{ "link_field", S(link_field), KIND_STR, 0, 0 },
	{ "file_id_field", S(file_id_field), KIND_STR, 0, 0 },
	{ "category_url", S(category_url), KIND_CAT_URL, 0, 0 },
	{ "interval", S(interval), KIND_NUMBER, 1, 604800 },
	{ "format", S(format), KIND_FORMAT, 0, 0 },
	{ "list_xpath", S(list_xpath), KIND_XPATH, 0, 0 },
	{ "id_xpath", S(id_xpath), KIND_XPATH, 0, 0 },
	{ "title_xpath", S(title_xpath), KIND_XPATH, 0, 0 },
	{ "date_xpath", S(date_xpath), KIND_XPATH, 0, 0 },
	{ "media_xpath", S(media_xpath), KIND_XPATH, 0, 0 },
	{ "text_xpath", S(text_xpath), KIND_XPATH, 0, 0 },
	{ "charset", S(charset), KIND_CHARSET, 0, 0 },
	{ "date_format", S(date_format), KIND_DATE_FORMAT, 0, 0 },
	{ "timezone", S(tz), KIND_SRC_TZ, 0, 0 },
	{ "include", S(include), KIND_REGEX, 0, 0 },
	{ "exclude", S(exclude), KIND_REGEX, 0, 0 },
	{ "headers", S(headers), KIND_HEADER, 0, 0 },
	{ "user_agent", S(user_agent), KIND_STR, 0, 0 },
	{ "max_list_size", S(max_list_size), KIND_SIZE, CONF_LIST_SIZE_MIN,
	    CONF_LIST_SIZE_MAX },
};
#undef S

_Static_assert(NITEMS(source_keys) <= 32 && NITEMS(conf_keys) <= 32,
    "struct conf_parse's keyline is too short");

/* The keys an html source must have, as conf_source_check lists them. */
static const char *const html_required[] = {
	"list_xpath", "id_xpath", "title_xpath", "date_xpath", "text_xpath",
};

struct conf_parse {
	const char *path;
	struct conf *c;
	FILE *fp;
	char *buf;		/* getline's buffer */
	size_t bufsize;
	int lineno;		/* of the line inih is working on */
	enum conf_section sect;
	char *sectname;		/* as written between the brackets */
	int finewsd_line;	/* of the [finewsd] header; 0 before it */
	int categories_line;
	int keyline[32];	/* where each key of this section was set */
	size_t ncap, scap;	/* room in c->categories and c->sources */
	char *err;
	size_t errlen;
	int errline;
	int failed;
};

/*
 * Records the first error only: "PATH:LINE: …", or "PATH: …" when LINE is
 * 0.  Later errors are often consequences of the first one.
 */
static void __attribute__((format(printf, 3, 4)))
conf_fail(struct conf_parse *p, int line, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (p->failed)
		return;
	p->failed = 1;
	p->errline = line;
	if (p->errlen == 0)
		return;
	if (line > 0)
		n = snprintf(p->err, p->errlen, "%s:%d: ", p->path, line);
	else
		n = snprintf(p->err, p->errlen, "%s: ", p->path);
	if (n < 0 || (size_t)n >= p->errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(p->err + n, p->errlen - n, fmt, ap);
	va_end(ap);
}

static char *
conf_strdup(struct conf_parse *p, const char *s)
{
	char *d;

	if ((d = strdup(s)) == NULL)
		conf_fail(p, p->lineno, "%s", strerror(errno));
	return d;
}

/* Replaces the string at *FIELD with a copy of VALUE. */
static int
conf_string_set(struct conf_parse *p, char **field, const char *value)
{
	char *d;

	if ((d = conf_strdup(p, value)) == NULL)
		return -1;
	free(*field);
	*field = d;
	return 0;
}

/*
 * A path that exists must be of the kind the key wants, and one that does
 * not must be makeable: a file on the way is an operator's typo, told here
 * with the key rather than later as a bare "Not a directory".
 */
static int
conf_path_check(const struct conf_key *k, const char *value, char *msg,
    size_t msglen)
{
	struct stat sb;
	int dir = k->kind == KIND_DIR;

	if (stat(value, &sb) == -1) {
		/* Missing: made at start; not ours to look at: --check run by
		 * another user than the daemon's. */
		if (errno == ENOENT || errno == EACCES)
			return 0;
		snprintf(msg, msglen, "%s: %s: %s", k->name, strerror(errno),
		    value);
		return -1;
	}
	if (dir && !S_ISDIR(sb.st_mode)) {
		snprintf(msg, msglen, "%s: not a folder: %s", k->name, value);
		return -1;
	}
	if (!dir && S_ISDIR(sb.st_mode)) {
		snprintf(msg, msglen, "%s: a folder, not a file: %s", k->name,
		    value);
		return -1;
	}
	return 0;
}

/*
 * A path must be absolute: a relative one would name one file from the
 * shell an operator runs --check or --status in and another under the
 * service manager (finewsd.service starts in /var/lib/finewsd).
 */
static int
conf_path_set(struct conf_parse *p, const struct conf_key *k, char **field,
    const char *value)
{
	struct stat sb;
	char msg[1024];

	if (value[0] != '/') {
		conf_fail(p, p->lineno, "%s: not an absolute path: %s", k->name,
		    value);
		return -1;
	}
	if (k->kind == KIND_OUTFILE) {
		/* Written at run time: refused here only when it is a folder;
		 * a write that fails later is logged, the poll goes on. */
		if (stat(value, &sb) == 0 && S_ISDIR(sb.st_mode)) {
			conf_fail(p, p->lineno, "%s: a folder, not a file: %s",
			    k->name, value);
			return -1;
		}
	} else if (conf_path_check(k, value, msg, sizeof(msg)) == -1) {
		conf_fail(p, p->lineno, "%s", msg);
		return -1;
	}
	return conf_string_set(p, field, value);
}

/*
 * The kinds that are kept as the string they are written as, once
 * conf_value.c has checked them.
 */
static int
conf_string_check(const struct conf_key *k, const char *value, char *msg,
    size_t msglen)
{
	switch (k->kind) {
	case KIND_URL:
		return conf_value_check_url(k->name, value, msg, msglen);
	case KIND_ID_URL:
		return conf_value_check_id_url(k->name, value, msg, msglen);
	case KIND_CAT_URL:
		return conf_value_check_category_url(k->name, value, msg,
		    msglen);
	case KIND_SLUG:
		return conf_value_check_slug(k->name, value, msg, msglen);
	case KIND_XPATH:
		return conf_value_check_xpath(k->name, value, msg, msglen);
	case KIND_RELDIR:
		return conf_value_check_reldir(k->name, value, msg, msglen);
	case KIND_CHARSET:
		return conf_value_check_charset(k->name, value, msg, msglen);
	case KIND_DATE_FORMAT:
		return conf_value_check_date_format(k->name, value, msg,
		    msglen);
	default:
		return 0;
	}
}

/* site_url without its trailing '/', and site_host = host[:port]. */
static int
conf_site_set(struct conf_parse *p, const struct conf_key *k,
    const char *value, char *msg, size_t msglen)
{
	struct conf *c = p->c;
	char *url, *host;

	if (conf_value_parse_site_url(k->name, value, &url, &host, msg,
	    msglen) == -1)
		return -1;
	free(c->site_url);
	free(c->site_host);
	c->site_url = url;
	c->site_host = host;
	return 0;
}

/*
 * include or exclude of the source SRC: the pattern compiled, and kept as
 * written beside it.
 */
static int
conf_regex_set(struct conf_parse *p, struct conf_source *src,
    const struct conf_key *k, const char *value)
{
	struct filter **re = strcmp(k->name, "include") == 0 ?
	    &src->include_re : &src->exclude_re;
	struct filter *f;
	char msg[CONF_VALUE_ERRLEN];

	if ((f = conf_value_compile_regex(k->name, value, msg,
	    sizeof(msg))) == NULL) {
		conf_fail(p, p->lineno, "%s", msg);
		return -1;
	}
	if (conf_string_set(p, (char **)(void *)((char *)src + k->off),
	    value) == -1) {
		filter_free(f);
		return -1;
	}
	filter_free(*re);
	*re = f;
	return 0;
}

/* Appends a copy of LINE to the NULL-terminated array at *V. */
static int
conf_header_add(struct conf_parse *p, char ***v, const char *line)
{
	size_t n = 0;
	char **grown, *copy;

	while (*v != NULL && (*v)[n] != NULL)
		n++;
	if ((copy = conf_strdup(p, line)) == NULL)
		return -1;
	if ((grown = realloc(*v, (n + 2) * sizeof(**v))) == NULL) {
		free(copy);
		conf_fail(p, p->lineno, "%s", strerror(errno));
		return -1;
	}
	grown[n] = copy;
	grown[n + 1] = NULL;
	*v = grown;
	return 0;
}

/* Checks VALUE (never empty) as K says and stores it in the struct at BASE. */
static int
conf_field_set(struct conf_parse *p, void *base, const struct conf_key *k,
    const char *value)
{
	char *field = (char *)base + k->off;
	char msg[CONF_VALUE_ERRLEN];
	int rv;

	switch (k->kind) {
	case KIND_NUMBER:
		rv = conf_value_parse_number(k->name, value, k->min, k->max,
		    (long *)(void *)field, msg, sizeof(msg));
		break;
	case KIND_SIZE:
		rv = conf_value_parse_size(k->name, value, k->min, k->max,
		    (long *)(void *)field, msg, sizeof(msg));
		break;
	case KIND_TZ:
		rv = conf_value_parse_tz(k->name, value, p->c->tz,
		    &p->c->tz_offset, msg, sizeof(msg));
		break;
	case KIND_SRC_TZ: {
		struct conf_source *src = base;

		rv = conf_value_parse_tz(k->name, value, src->tz,
		    &src->tz_offset, msg, sizeof(msg));
		src->has_tz = rv == 0;
		break;
	}
	case KIND_REGEX:
		return conf_regex_set(p, base, k, value);
	case KIND_HEADER:
		rv = conf_value_check_header(k->name, value, msg, sizeof(msg));
		if (rv == 0)
			return conf_header_add(p, (char ***)(void *)field, value);
		break;
	case KIND_ARGV:
		rv = conf_value_split_argv(value, (char ***)(void *)field, msg,
		    sizeof(msg));
		break;
	case KIND_SITE_URL:
		rv = conf_site_set(p, k, value, msg, sizeof(msg));
		break;
	case KIND_FORMAT:
		rv = conf_value_parse_format(k->name, value,
		    (enum conf_format *)(void *)field, msg, sizeof(msg));
		break;
	case KIND_FORMATS:
		rv = conf_value_parse_formats(k->name, value,
		    (int *)(void *)field, msg, sizeof(msg));
		break;
	case KIND_DIR:
	case KIND_FILE:
	case KIND_OUTFILE:
		return conf_path_set(p, k, (char **)(void *)field, value);
	default:
		if ((rv = conf_string_check(k, value, msg, sizeof(msg))) == 0)
			return conf_string_set(p, (char **)(void *)field,
			    value);
		break;
	}
	if (rv == -1)
		conf_fail(p, p->lineno, "%s", msg);
	return rv;
}

/*
 * An empty value means "unset": the key keeps its default (or NULL), but
 * still counts as given for the duplicate check.
 */
static void
conf_key_set(struct conf_parse *p, void *base, const struct conf_key *keys,
    size_t nkeys, const char *name, const char *value)
{
	size_t i;

	for (i = 0; i < nkeys; i++)
		if (strcmp(keys[i].name, name) == 0)
			break;
	if (i == nkeys) {
		conf_fail(p, p->lineno, "%s: unknown key in [%s]", name,
		    p->sectname);
		return;
	}
	/* A header per line: "headers" may be given again. */
	if (p->keyline[i] != 0 && keys[i].kind != KIND_HEADER) {
		conf_fail(p, p->lineno, "%s: duplicate key (first at line %d)",
		    name, p->keyline[i]);
		return;
	}
	p->keyline[i] = p->lineno;
	if (*value != '\0')
		(void)conf_field_set(p, base, &keys[i], value);
}

static void
conf_category_add(struct conf_parse *p, const char *media, const char *slug)
{
	struct conf *c = p->c;
	struct conf_category *cat;
	char msg[CONF_VALUE_ERRLEN];
	size_t i;

	for (i = 0; i < c->ncategories; i++)
		if (strcmp(c->categories[i].media, media) == 0) {
			conf_fail(p, p->lineno,
			    "%s: duplicate key (first at line %d)", media,
			    c->categories[i].line);
			return;
		}
	if (conf_value_check_slug(media, slug, msg, sizeof(msg)) == -1) {
		conf_fail(p, p->lineno, "%s", msg);
		return;
	}
	if (VEC_RESERVE(c->categories, p->ncap, c->ncategories + 1) == -1) {
		conf_fail(p, p->lineno, "%s", strerror(errno));
		return;
	}
	cat = &c->categories[c->ncategories++];
	cat->line = p->lineno;
	cat->media = conf_strdup(p, media);
	cat->slug = conf_strdup(p, slug);
}

static int
conf_handler(void *user, const char *section, const char *name,
    const char *value)
{
	struct conf_parse *p = user;
	struct conf *c = p->c;

	/* Our own p->sect is used: inih cuts long section names short. */
	(void)section;
	if (p->failed)
		return 0;
	switch (p->sect) {
	case SECT_NONE:
		conf_fail(p, p->lineno, "%s: key outside any section", name);
		break;
	case SECT_FINEWSD:
		conf_key_set(p, c, conf_keys, NITEMS(conf_keys), name, value);
		break;
	case SECT_CATEGORIES:
		conf_category_add(p, name, value);
		break;
	case SECT_SOURCE:
		conf_key_set(p, &c->sources[c->nsources - 1], source_keys,
		    NITEMS(source_keys), name, value);
		break;
	}
	return !p->failed;
}

static void
conf_source_add(struct conf_parse *p, const char *name)
{
	struct conf *c = p->c;
	struct conf_source *s;
	const struct conf_source *old;

	if (!slug_is_clean(name)) {
		conf_fail(p, p->lineno, "[%s]: bad source name: use letters, "
		    "digits, '-' and '_'", p->sectname);
		return;
	}
	if ((old = conf_source_find(c, name)) != NULL) {
		conf_fail(p, p->lineno, "[%s]: duplicate source (first at "
		    "line %d)", p->sectname, old->line);
		return;
	}
	if (VEC_RESERVE(c->sources, p->scap, c->nsources + 1) == -1) {
		conf_fail(p, p->lineno, "%s", strerror(errno));
		return;
	}
	s = &c->sources[c->nsources++];
	memset(s, 0, sizeof(*s));
	s->line = p->lineno;
	s->format = CONF_FORMAT_JSON;
	s->name = conf_strdup(p, name);
	s->list_items = conf_strdup(p, "record");
	s->id_field = conf_strdup(p, "infoCode");
	s->title_field = conf_strdup(p, "title");
	s->date_field = conf_strdup(p, "datetime");
	s->text_field = conf_strdup(p, "text");
}

/* Starts the section written as NAME between brackets on this line. */
static void
conf_section_start(struct conf_parse *p, const char *name)
{
	free(p->sectname);
	if ((p->sectname = conf_strdup(p, name)) == NULL)
		return;
	memset(p->keyline, 0, sizeof(p->keyline));
	if (strcmp(name, "finewsd") == 0 || strcmp(name, "categories") == 0) {
		int *first = name[0] == 'f' ? &p->finewsd_line :
		    &p->categories_line;

		if (*first != 0) {
			conf_fail(p, p->lineno, "[%s]: duplicate section "
			    "(first at line %d)", name, *first);
			return;
		}
		*first = p->lineno;
		p->sect = name[0] == 'f' ? SECT_FINEWSD : SECT_CATEGORIES;
	} else if (strncmp(name, "source", 6) == 0 &&
	    (name[6] == '\0' || isblank((unsigned char)name[6]))) {
		p->sect = SECT_SOURCE;
		conf_source_add(p, name + 6 + strspn(name + 6, " \t"));
	} else
		conf_fail(p, p->lineno, "[%s]: unknown section", name);
}

/*
 * Finds a section header the way inih does: the name ends at ']', and an
 * inline comment (';' after a blank) before it makes the line one that
 * inih reports as a syntax error, so no section starts there.
 */
static void
conf_header_scan(struct conf_parse *p, const char *line)
{
	const char *e;
	char *name;
	int was_space = 0;

	for (e = line + 1; *e != '\0' && *e != ']'; e++) {
		if (was_space && *e == ';')
			return;
		was_space = isspace((unsigned char)*e);
	}
	if (*e != ']')
		return;
	if ((name = strndup(line + 1, e - line - 1)) == NULL) {
		conf_fail(p, p->lineno, "%s", strerror(errno));
		return;
	}
	conf_section_start(p, name);
	free(name);
}

/*
 * inih's reader: hands over one line at a time.  Leading blanks are taken
 * off, so that inih never joins an indented line to the previous value
 * (its multi-line values would hide keys); returning NULL ends the parse,
 * which is how an error stops it.
 */
static char *
conf_read_line(char *str, int num, void *stream)
{
	struct conf_parse *p = stream;
	ssize_t n;
	char *s;

	if (p->failed)
		return NULL;
	errno = 0;
	if ((n = getline(&p->buf, &p->bufsize, p->fp)) == -1) {
		if (ferror(p->fp))
			conf_fail(p, 0, "%s", strerror(errno));
		return NULL;
	}
	p->lineno++;
	if (n > 0 && p->buf[n - 1] == '\n')
		p->buf[--n] = '\0';
	if (n > 0 && p->buf[n - 1] == '\r')
		p->buf[--n] = '\0';
	if (n > num - 1) {
		conf_fail(p, p->lineno, "line longer than %d bytes", num - 1);
		return NULL;
	}
	if (memchr(p->buf, '\0', n) != NULL) {
		conf_fail(p, p->lineno, "NUL byte in line");
		return NULL;
	}
	s = p->buf;
	if (p->lineno == 1 && strncmp(s, "\xef\xbb\xbf", 3) == 0)
		s += 3;
	s += strspn(s, " \t\f\v");
	if (*s == '[')
		conf_header_scan(p, s);
	if (p->failed)
		return NULL;
	memcpy(str, s, strlen(s) + 1);
	return str;
}

/* The checks that need the whole section: what a source cannot do without. */
static void
conf_source_check(struct conf_parse *p, struct conf_source *s)
{
	int html = s->format == CONF_FORMAT_HTML;
	int media = html ? s->media_xpath != NULL : s->media_field != NULL;
	const char *const xpaths[] = { s->list_xpath, s->id_xpath,
	    s->title_xpath, s->date_xpath, s->text_xpath };
	size_t i;

	if (s->list_url == NULL || s->text_url == NULL) {
		conf_fail(p, s->line, "[source %s]: missing key %s", s->name,
		    s->list_url == NULL ? "list_url" : "text_url");
		return;
	}
	for (i = 0; html && i < NITEMS(xpaths); i++)
		if (xpaths[i] == NULL) {
			conf_fail(p, s->line, "[source %s]: missing key %s",
			    s->name, html_required[i]);
			return;
		}
	if (!media && s->category == NULL)
		conf_fail(p, s->line, "[source %s]: missing key %s or "
		    "category", s->name, html ? "media_xpath" : "media_field");
	else if (!media && s->tag == NULL)
		conf_fail(p, s->line, "[source %s]: missing key tag (a fixed "
		    "category without media needs one)", s->name);
	else if (html && s->link == NULL)
		conf_fail(p, s->line, "[source %s]: missing key link", s->name);
	else if (s->link == NULL && s->link_field == NULL)
		conf_fail(p, s->line, "[source %s]: missing key link or "
		    "link_field", s->name);
}

/* The checks that need the whole file. */
static void
conf_finish(struct conf_parse *p)
{
	struct conf *c = p->c;
	size_t i;

	if (p->finewsd_line == 0) {
		conf_fail(p, 0, "no [finewsd] section");
		return;
	}
	if (c->database == NULL || c->site_dir == NULL || c->site_url == NULL) {
		conf_fail(p, p->finewsd_line, "[finewsd]: missing key %s",
		    c->database == NULL ? "database" :
		    c->site_dir == NULL ? "site_dir" : "site_url");
		return;
	}
	if (c->nsources == 0) {
		conf_fail(p, 0, "no [source NAME] section");
		return;
	}
	for (i = 0; i < c->nsources && !p->failed; i++) {
		conf_source_check(p, &c->sources[i]);
		/* The global values may come after the source. */
		if (c->sources[i].interval == 0)
			c->sources[i].interval = c->interval;
		if (c->sources[i].max_list_size == 0)
			c->sources[i].max_list_size = c->max_list_size;
	}
}

static struct conf *
conf_new(const char *path)
{
	struct conf *c;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	memcpy(c->tz, "+0800", 6);
	c->tz_offset = 8 * 3600;
	c->interval = 300;
	c->max_transfers = 8;
	c->max_per_host = 4;
	c->timeout = 30;
	c->feed_entries = 50;
	c->on_update_timeout = 300;
	c->archive_after_days = 0;
	c->formats = CONF_FEED_ATOM;
	c->max_list_size = (long)UTIL_MAX_RESPONSE;
	c->path = strdup(path);
	c->user_agent = strdup("finewsd/" PACKAGE_VERSION);
	c->archive_dir = strdup("old_post");
	if (c->path == NULL || c->user_agent == NULL || c->archive_dir == NULL) {
		conf_destroy(c);
		return NULL;
	}
	return c;
}

struct conf *
conf_load(const char *path, char *err, size_t errlen)
{
	struct conf_parse p;
	int rc;

	memset(&p, 0, sizeof(p));
	p.path = path;
	p.err = err;
	p.errlen = errlen;
	if (errlen > 0)
		err[0] = '\0';
	if ((p.c = conf_new(path)) == NULL) {
		conf_fail(&p, 0, "%s", strerror(errno));
		return NULL;
	}
	if ((p.fp = fopen(path, "r")) == NULL) {
		conf_fail(&p, 0, "%s", strerror(errno));
		goto fail;
	}
	rc = ini_parse_stream(conf_read_line, &p, conf_handler, &p);
	/*
	 * inih returns the first line it found wrong: ours (the handler
	 * returned 0 there) or a line it could not parse, which wins when it
	 * comes first.
	 */
	if (rc > 0 && (!p.failed || rc < p.errline)) {
		p.failed = 0;
		conf_fail(&p, rc, "syntax error: expected [section], "
		    "key = value or a comment");
	} else if (rc < 0)
		conf_fail(&p, 0, "%s", strerror(ENOMEM));
	if (!p.failed)
		conf_finish(&p);
	if (p.failed)
		goto fail;
	log_debug("%s: %zu sources, %zu categories", path, p.c->nsources,
	    p.c->ncategories);
	goto out;
fail:
	conf_destroy(p.c);
	p.c = NULL;
out:
	if (p.fp != NULL)
		fclose(p.fp);
	free(p.buf);
	free(p.sectname);
	return p.c;
}

/* 1 for the kinds kept as a malloc'd string in their field. */
static int
conf_kind_is_string(enum conf_kind kind)
{
	return kind != KIND_NUMBER && kind != KIND_SIZE && kind != KIND_FORMAT &&
	    kind != KIND_SRC_TZ && kind != KIND_HEADER;
}

static void
conf_source_free(struct conf_source *s)
{
	size_t i;

	free(s->name);
	for (i = 0; i < NITEMS(source_keys); i++)
		if (conf_kind_is_string(source_keys[i].kind))
			free(*(char **)(void *)((char *)s +
			    source_keys[i].off));
	filter_free(s->include_re);
	filter_free(s->exclude_re);
	for (i = 0; s->headers != NULL && s->headers[i] != NULL; i++)
		free(s->headers[i]);
	free(s->headers);
}

void
conf_destroy(struct conf *c)
{
	size_t i;

	if (c == NULL)
		return;
	for (i = 0; i < c->nsources; i++)
		conf_source_free(&c->sources[i]);
	free(c->sources);
	for (i = 0; i < c->ncategories; i++) {
		free(c->categories[i].media);
		free(c->categories[i].slug);
	}
	free(c->categories);
	for (i = 0; c->on_update != NULL && c->on_update[i] != NULL; i++)
		free(c->on_update[i]);
	free(c->on_update);
	free(c->path);
	free(c->database);
	free(c->site_dir);
	free(c->site_url);
	free(c->site_host);
	free(c->user_agent);
	free(c->archive_dir);
	free(c->metrics_file);
	free(c->websub_hub);
	free(c);
}

const char *
conf_category_find(const struct conf *c, const char *media)
{
	size_t i;

	for (i = 0; i < c->ncategories; i++)
		if (strcmp(c->categories[i].media, media) == 0)
			return c->categories[i].slug;
	return NULL;
}

const struct conf_source *
conf_source_find(const struct conf *c, const char *name)
{
	size_t i;

	for (i = 0; i < c->nsources; i++)
		if (c->sources[i].name != NULL &&
		    strcmp(c->sources[i].name, name) == 0)
			return &c->sources[i];
	return NULL;
}

/* FNV-1a, 64 bits, over S and its terminating NUL (NULL hashes as a lone 0xff). */
static uint64_t
conf_hash_str(uint64_t h, const char *s)
{
	if (s == NULL)
		return (h ^ 0xff) * 0x100000001b3ULL;
	do {
		h = (h ^ (unsigned char)*s) * 0x100000001b3ULL;
	} while (*s++ != '\0');
	return h;
}

void
conf_source_hash(const struct conf_source *sc, char buf[17])
{
	const char *const keys[] = {
		sc->list_url, sc->list_items, sc->id_field, sc->title_field,
		sc->date_field, sc->media_field, sc->category, sc->tag,
		sc->text_url, sc->text_field, sc->digest_field, sc->link,
		sc->link_field, sc->file_id_field, sc->category_url,
		sc->format == CONF_FORMAT_HTML ? "html" : "json",
		sc->list_xpath, sc->id_xpath, sc->title_xpath, sc->date_xpath,
		sc->media_xpath, sc->text_xpath,
	};
	/*
	 * Keys added since: each counts only when set, so that a source
	 * that does not use them keeps the fingerprint it had.
	 */
	const char *const later[] = {
		"charset", sc->charset,
		"date_format", sc->date_format,
		"timezone", sc->has_tz ? sc->tz : NULL,
		"include", sc->include,
		"exclude", sc->exclude,
		"user_agent", sc->user_agent,
	};
	uint64_t h = 0xcbf29ce484222325ULL;

	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		h = conf_hash_str(h, keys[i]);
	for (size_t i = 0; i < sizeof(later) / sizeof(later[0]); i += 2)
		if (later[i + 1] != NULL)
			h = conf_hash_str(conf_hash_str(h, later[i]),
			    later[i + 1]);
	/* A Cookie or a Referer can change what a site answers. */
	for (size_t i = 0; sc->headers != NULL && sc->headers[i] != NULL; i++)
		h = conf_hash_str(conf_hash_str(h, "headers"), sc->headers[i]);
	snprintf(buf, 17, "%016llx", (unsigned long long)h);
}
