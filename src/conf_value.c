/*
 * conf_value: checks and converts one configuration value at a time:
 * numbers and sizes in their ranges, the UTC offset, on_update's argv, slugs,
 * relative directories, URLs and URL templates, site_url and XPath
 * expressions.  See conf_value.h.  Owns no state; every message it writes
 * names the key, and conf.c adds the file and line.  Calls libcurl's URL
 * parser, libxml2's XPath compiler, charset (the charsets iconv knows),
 * datetime (the UTC offset, date formats), filter (PCRE2 patterns), slug
 * (what a slug is), tmpl (filling templates), util and libc, never back
 * into conf.c.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>
#include <libxml/xpath.h>

#include "charset.h"
#include "conf.h"
#include "conf_value.h"
#include "datetime.h"
#include "filter.h"
#include "slug.h"
#include "tmpl.h"
#include "util.h"

int
conf_value_check_slug(const char *name, const char *value, char *err,
    size_t errlen)
{
	if (!slug_is_clean(value)) {
		err_set(err, errlen, "%s: not a slug of [A-Za-z0-9_-]: %s", name,
		    value);
		return -1;
	}
	if (strlen(value) > SLUG_MAX) {
		err_set(err, errlen, "%s: longer than %d bytes: %s", name,
		    SLUG_MAX, value);
		return -1;
	}
	if (slug_is_reserved(value)) {
		err_set(err, errlen, "%s: reserved (feeds/%s.xml is the feed of "
		    "every category): %s", name, value, value);
		return -1;
	}
	return 0;
}

int
conf_value_parse_format(const char *name, const char *value,
    enum conf_format *format, char *err, size_t errlen)
{
	if (strcmp(value, "json") == 0)
		*format = CONF_FORMAT_JSON;
	else if (strcmp(value, "html") == 0)
		*format = CONF_FORMAT_HTML;
	else {
		err_set(err, errlen, "%s: not json or html: %s", name, value);
		return -1;
	}
	return 0;
}

/*
 * A list of feed formats, separated by blanks or commas: "atom" (the
 * contract's feeds, which cannot be left out) and "json" (JSON Feed 1.1).
 */
int
conf_value_parse_formats(const char *name, const char *value, int *formats,
    char *err, size_t errlen)
{
	const char *p = value;
	int f = 0;

	while (*p != '\0') {
		size_t n;

		p += strspn(p, " \t,");
		if ((n = strcspn(p, " \t,")) == 0)
			break;
		if (n == 4 && strncmp(p, "atom", 4) == 0)
			f |= CONF_FEED_ATOM;
		else if (n == 4 && strncmp(p, "json", 4) == 0)
			f |= CONF_FEED_JSON;
		else {
			err_set(err, errlen, "%s: not atom or json: %.*s", name,
			    (int)n, p);
			return -1;
		}
		p += n;
	}
	if (!(f & CONF_FEED_ATOM)) {
		err_set(err, errlen, "%s: atom cannot be left out (the Atom "
		    "feeds are always written): %s", name, value);
		return -1;
	}
	*formats = f;
	return 0;
}

int
conf_value_parse_number(const char *name, const char *value, long min,
    long max, long *n, char *err, size_t errlen)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(value, &end, 10);
	if (end == value || *end != '\0' ||
	    str_is_space((unsigned char)*value)) {
		err_set(err, errlen, "%s: not a whole number: %s", name, value);
		return -1;
	}
	if (errno == ERANGE || v < min || v > max) {
		err_set(err, errlen, "%s: out of range %ld..%ld: %s",
		    name, min, max, value);
		return -1;
	}
	*n = v;
	return 0;
}

/* N bytes as the shortest way a size is written: "64K", "8M", "1G", "1000". */
static void
conf_value_size_str(long n, char *buf, size_t size)
{
	static const char suffix[] = "GMK";

	for (int i = 0; i < 3; i++) {
		long unit = 1L << (10 * (3 - i));

		if (n >= unit && n % unit == 0) {
			snprintf(buf, size, "%ld%c", n / unit, suffix[i]);
			return;
		}
	}
	snprintf(buf, size, "%ld", n);
}

int
conf_value_parse_size(const char *name, const char *value, long min,
    long max, long *n, char *err, size_t errlen)
{
	char *end, lo[32], hi[32];
	unsigned long long v;
	int shift = 0;

	/* Only a digit may start it: strtoull takes blanks and a sign. */
	if (*value < '0' || *value > '9')
		goto bad;
	errno = 0;
	v = strtoull(value, &end, 10);
	switch (*end) {
	case 'K': case 'k': shift = 10; end++; break;
	case 'M': case 'm': shift = 20; end++; break;
	case 'G': case 'g': shift = 30; end++; break;
	default: break;
	}
	if (*end != '\0')
		goto bad;
	if (errno == ERANGE || v > ((unsigned long long)max >> shift) ||
	    (v << shift) < (unsigned long long)min) {
		conf_value_size_str(min, lo, sizeof(lo));
		conf_value_size_str(max, hi, sizeof(hi));
		err_set(err, errlen, "%s: out of range %s..%s (%ld..%ld bytes): %s",
		    name, lo, hi, min, max, value);
		return -1;
	}
	*n = (long)(v << shift);
	return 0;
bad:
	err_set(err, errlen, "%s: not a size (a number of bytes, or one followed "
	    "by K, M or G): %s", name, value);
	return -1;
}

/*
 * Real zones stay within 14 hours of UTC (Kiribati's +1400), so anything
 * past that is a typing error.  "-0000" is taken as written: it is what a
 * post's date line will say.
 */
int
conf_value_parse_tz(const char *name, const char *value, char tz[6],
    long *offset, char *err, size_t errlen)
{
	long off;

	if (datetime_parse_offset(value, &off) == -1 || off <= -15 * 3600L ||
	    off >= 15 * 3600L) {
		err_set(err, errlen, "%s: not a UTC offset +HHMM or -HHMM: %s",
		    name, value);
		return -1;
	}
	memcpy(tz, value, 6);
	*offset = off;
	return 0;
}

/*
 * on_update is run without a shell, so a plain split on blanks is the whole
 * syntax.
 */
int
conf_value_split_argv(const char *value, char ***argvp, char *err,
    size_t errlen)
{
	static const char blanks[] = " \t";
	const char *s;
	char **argv;
	size_t n = 0, i = 0, len;

	for (s = value + strspn(value, blanks); *s != '\0';
	    s += len, s += strspn(s, blanks)) {
		len = strcspn(s, blanks);
		n++;
	}
	if ((argv = calloc(n + 1, sizeof(*argv))) == NULL)
		goto fail;
	for (s = value + strspn(value, blanks); *s != '\0';
	    s += len, s += strspn(s, blanks)) {
		len = strcspn(s, blanks);
		if ((argv[i++] = strndup(s, len)) == NULL)
			goto fail;
	}
	*argvp = argv;
	return 0;
fail:
	err_set(err, errlen, "%s", strerror(errno));
	if (argv != NULL)
		for (i = 0; argv[i] != NULL; i++)
			free(argv[i]);
	free(argv);
	return -1;
}

/* archive_dir lives below site_dir: no leading '/', no ".." component. */
int
conf_value_check_reldir(const char *name, const char *value, char *err,
    size_t errlen)
{
	const char *s = value;
	size_t len;
	int below = 0;

	if (*s == '/')
		goto bad;
	for (;;) {
		len = strcspn(s, "/");
		if (len == 2 && s[0] == '.' && s[1] == '.')
			goto bad;
		/* "", "." and "./" name site_dir itself. */
		if (len > 0 && !(len == 1 && s[0] == '.'))
			below = 1;
		if (s[len] == '\0')
			break;
		s += len + 1;
	}
	if (below)
		return 0;
bad:
	err_set(err, errlen, "%s: not a path below site_dir: %s", name,
	    value);
	return -1;
}

/*
 * Checks that URL is an absolute http or https URL, with libcurl's parser;
 * WHAT is what the error message shows.  With UP, hands the parsed URL
 * over (the caller frees it with curl_url_cleanup).
 */
static int
conf_value_url_parse(const char *name, const char *url, const char *what,
    CURLU **up, char *err, size_t errlen)
{
	CURLU *u;
	CURLUcode rc;
	char *scheme = NULL;
	int failed = 0;

	if ((u = curl_url()) == NULL) {
		err_set(err, errlen, "%s", strerror(ENOMEM));
		return -1;
	}
	if ((rc = curl_url_set(u, CURLUPART_URL, url, 0)) != CURLUE_OK) {
		err_set(err, errlen, "%s: bad URL (%s): %s", name,
		    curl_url_strerror(rc), what);
		failed = 1;
	} else if (curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    (strcasecmp(scheme, "http") != 0 &&
	    strcasecmp(scheme, "https") != 0)) {
		err_set(err, errlen, "%s: not an http or https URL: %s",
		    name, what);
		failed = 1;
	}
	curl_free(scheme);
	if (failed || up == NULL) {
		curl_url_cleanup(u);
		return failed ? -1 : 0;
	}
	*up = u;
	return 0;
}

int
conf_value_check_url(const char *name, const char *value, char *err,
    size_t errlen)
{
	return conf_value_url_parse(name, value, value, NULL, err, errlen);
}

/*
 * A template is checked as the URL it becomes once every VAR is filled in
 * (with "x", which any part of a URL takes), after PREFIX.
 */
static int
conf_value_template_check(const char *name, const char *value,
    const char *prefix, const char *var, char *err, size_t errlen)
{
	char *tmpl, *url = NULL;
	int rv;

	if (asprintf(&tmpl, "%s%s", prefix, value) == -1)
		tmpl = NULL;	/* asprintf leaves it undefined */
	else
		url = tmpl_fill(tmpl, var, "x");
	free(tmpl);
	if (url == NULL) {
		err_set(err, errlen, "%s", strerror(ENOMEM));
		return -1;
	}
	rv = conf_value_url_parse(name, url, value, NULL, err, errlen);
	free(url);
	return rv;
}

int
conf_value_check_id_url(const char *name, const char *value, char *err,
    size_t errlen)
{
	if (strstr(value, "{id}") == NULL) {
		err_set(err, errlen, "%s: no {id} in %s", name, value);
		return -1;
	}
	return conf_value_template_check(name, value, "", "{id}", err,
	    errlen);
}

/* Scheme-relative, as the site's back links are, means https here. */
int
conf_value_check_category_url(const char *name, const char *value,
    char *err, size_t errlen)
{
	return conf_value_template_check(name, value,
	    strncmp(value, "//", 2) == 0 ? "https:" : "", "{category}", err,
	    errlen);
}

int
conf_value_parse_site_url(const char *name, const char *value,
    char **url, char **host, char *err, size_t errlen)
{
	CURLU *u;
	char *h = NULL, *port = NULL, *hostport = NULL, *d = NULL;
	CURLUcode rc;
	size_t len;
	int rv = -1;

	if (conf_value_url_parse(name, value, value, &u, err, errlen) == -1)
		return -1;
	if ((rc = curl_url_get(u, CURLUPART_HOST, &h, 0)) == CURLUE_OK &&
	    (rc = curl_url_get(u, CURLUPART_PORT, &port, 0)) == CURLUE_NO_PORT)
		rc = CURLUE_OK;
	if (rc != CURLUE_OK) {
		err_set(err, errlen, "%s: bad URL (%s): %s", name,
		    curl_url_strerror(rc), value);
		goto out;
	}
	/* Every feed link is site_url followed by a path: a query, a fragment
	 * or user info in it would break them all. */
	if (strpbrk(value, "?#@") != NULL) {
		err_set(err, errlen, "%s: a site URL has no query, fragment or "
		    "user: %s", name, value);
		goto out;
	}
	if (asprintf(&hostport, "%s%s%s", h, port != NULL ? ":" : "",
	    port != NULL ? port : "") == -1) {
		hostport = NULL;	/* asprintf leaves it undefined */
		err_set(err, errlen, "%s", strerror(ENOMEM));
		goto out;
	}
	if ((d = strdup(value)) == NULL) {
		err_set(err, errlen, "%s", strerror(ENOMEM));
		goto out;
	}
	for (len = strlen(d); len > 0 && d[len - 1] == '/'; len--)
		d[len - 1] = '\0';
	*url = d;
	*host = hostport;
	d = hostport = NULL;
	rv = 0;
out:
	curl_free(h);
	curl_free(port);
	curl_url_cleanup(u);
	free(hostport);
	free(d);
	return rv;
}

/*
 * Keeps libxml2 from printing the error; it stays in the context's
 * lastError, whose int1 is where the parser stopped.  libxml2 2.12 made
 * the error const, and a compiler that checks function pointer types
 * (GCC 14) takes only the signature of the version at hand.
 */
#if LIBXML_VERSION >= 21200
static void
conf_value_xpath_quiet(void *data, const xmlError *e)
#else
static void
conf_value_xpath_quiet(void *data, xmlErrorPtr e)
#endif
{
	(void)data;
	(void)e;
}

/*
 * libxml2 is the judge of what compiles (it accepts some unfinished
 * expressions, such as a function call cut short at the end).
 */
int
conf_value_check_xpath(const char *name, const char *value, char *err,
    size_t errlen)
{
	xmlXPathContextPtr ctx;
	xmlXPathCompExprPtr comp;

	if ((ctx = xmlXPathNewContext(NULL)) == NULL) {
		err_set(err, errlen, "%s", strerror(ENOMEM));
		return -1;
	}
	ctx->error = conf_value_xpath_quiet;
	if ((comp = xmlXPathCtxtCompile(ctx, (const xmlChar *)value)) != NULL) {
		xmlXPathFreeCompExpr(comp);
		xmlXPathFreeContext(ctx);
		return 0;
	}
	err_set(err, errlen, "%s: XPath syntax error at column %d: %s",
	    name, ctx->lastError.int1 + 1, value);
	xmlXPathFreeContext(ctx);
	return -1;
}

int
conf_value_check_charset(const char *name, const char *value, char *err,
    size_t errlen)
{
	char cs[CHARSET_NAME_MAX];

	if (charset_resolve(value, cs) == 0)
		return 0;
	err_set(err, errlen, "%s: not a charset iconv knows (gbk, gb18030, "
	    "big5, utf-8, iso-8859-1, ...): %s", name, value);
	return -1;
}

int
conf_value_check_date_format(const char *name, const char *value, char *err,
    size_t errlen)
{
	char why[256];

	if (strcmp(value, "unix") == 0 || strcmp(value, "unix_ms") == 0 ||
	    datetime_format_check(value, why, sizeof(why)) == 0)
		return 0;
	err_set(err, errlen, "%s: %s: %s", name, why, value);
	return -1;
}

struct filter *
conf_value_compile_regex(const char *name, const char *value, char *err,
    size_t errlen)
{
	struct filter *f;
	char why[512];

	if ((f = filter_compile(value, why, sizeof(why))) == NULL)
		err_set(err, errlen, "%s: %s: %s", name, why, value);
	return f;
}

/* An HTTP token character (RFC 9110, 5.6.2). */
static int
conf_value_is_tchar(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || (c != '\0' && strchr("!#$%&'*+-.^_`|~",
	    c) != NULL);
}

int
conf_value_check_header(const char *name, const char *value, char *err,
    size_t errlen)
{
	const unsigned char *s = (const unsigned char *)value;
	size_t n = 0;

	while (conf_value_is_tchar(s[n]))
		n++;
	if (n == 0 || s[n] != ':')
		goto bad;
	for (s += n + 1; *s == ' ' || *s == '\t'; s++)
		;
	if (*s == '\0')
		goto bad;
	for (; *s != '\0'; s++)
		if ((*s < 0x20 && *s != '\t') || *s == 0x7f)
			goto bad;
	return 0;
bad:
	err_set(err, errlen, "%s: not a header line 'Name: value': %s", name,
	    value);
	return -1;
}
