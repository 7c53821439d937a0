/*
 * conf_value: the checks and conversions of single configuration values.
 * Private to conf.c and conf_value.c: no other module includes it; they go
 * through conf.h.
 *
 * conf.c owns the file, its sections and struct conf, and knows which key
 * is which kind; conf_value.c judges one value at a time and knows nothing
 * of files, lines or sections.  Each function here looks at VALUE, given
 * for the key NAME, and either stores what it makes of it and returns 0, or
 * returns -1 with a message such as "NAME: what is wrong: VALUE" in
 * ERR[ERRLEN], to which conf.c adds "PATH:LINE: ".  VALUE is never empty:
 * conf.c takes an empty value as "unset" before it gets here.
 */
#ifndef FINEWSD_CONF_VALUE_H
#define FINEWSD_CONF_VALUE_H

#include <stddef.h>

#include "conf.h"

/*
 * Room for any message below: inih hands over lines of at most a few
 * hundred bytes, and no message adds more than a hundred to its key and
 * value, so a buffer of this size never cuts one short.
 */
#define CONF_VALUE_ERRLEN	1024

/*
 * A slug (slug_is_clean: a non-empty run of [A-Za-z0-9_-]) stands in file
 * names and URLs as it is.
 */
int conf_value_check_slug(const char *name, const char *value, char *err,
    size_t errlen);

/* "json" or "html", into *FORMAT. */
/* formats = atom [json]: CONF_FEED_* bits into *FORMATS. */
int conf_value_parse_formats(const char *name, const char *value,
    int *formats, char *err, size_t errlen);
int conf_value_parse_format(const char *name, const char *value,
    enum conf_format *format, char *err, size_t errlen);

/* A whole-string decimal number in MIN..MAX (no blanks, no junk), into *N. */
int conf_value_parse_number(const char *name, const char *value, long min,
    long max, long *n, char *err, size_t errlen);

/*
 * A size in bytes: a whole decimal number, alone or followed by K, M or G
 * (KiB, MiB, GiB: 1024, 1024 * 1024, 1024 * 1024 * 1024; either case),
 * in MIN..MAX bytes, into *N.
 */
int conf_value_parse_size(const char *name, const char *value, long min,
    long max, long *n, char *err, size_t errlen);

/*
 * "+HHMM" or "-HHMM", as a post's date line carries it: copied into TZ
 * with its NUL, and its seconds east of UTC into *OFFSET.
 */
int conf_value_parse_tz(const char *name, const char *value, char tz[6],
    long *offset, char *err, size_t errlen);

/*
 * Splits VALUE on blanks into a NULL-terminated argv of separately
 * allocated words at *ARGVP; the caller frees each word and the array.
 */
int conf_value_split_argv(const char *value, char ***argvp, char *err,
    size_t errlen);

/* A relative directory that never climbs out with "..". */
int conf_value_check_reldir(const char *name, const char *value, char *err,
    size_t errlen);

/* An absolute http or https URL, as libcurl's URL parser reads it. */
int conf_value_check_url(const char *name, const char *value, char *err,
    size_t errlen);

/* The same with {id} in it, checked with {id} filled in. */
int conf_value_check_id_url(const char *name, const char *value, char *err,
    size_t errlen);

/*
 * The same with any number of {category} in it, checked with them filled
 * in; it may also be scheme-relative ("//host/…").
 */
int conf_value_check_category_url(const char *name, const char *value,
    char *err, size_t errlen);

/*
 * site_url: an http or https URL, handed out in *URL without its trailing
 * '/' and with its host[:port] in *HOST; the caller frees both.
 */
int conf_value_parse_site_url(const char *name, const char *value,
    char **url, char **host, char *err, size_t errlen);

/* A charset iconv knows, by a label charset_resolve() takes. */
int conf_value_check_charset(const char *name, const char *value, char *err,
    size_t errlen);

/*
 * A source's date_format: "unix", "unix_ms", or a format
 * datetime_parse_format() takes that names a day.
 */
int conf_value_check_date_format(const char *name, const char *value,
    char *err, size_t errlen);

/*
 * A request header line "Name: value": the name an HTTP token, the value
 * not empty; nothing that could end the line.
 */
int conf_value_check_header(const char *name, const char *value, char *err,
    size_t errlen);

/* A PCRE2 pattern (filter.h), compiled; NULL with ERR set. */
struct filter *conf_value_compile_regex(const char *name, const char *value,
    char *err, size_t errlen);

/* An XPath expression that libxml2 compiles. */
int conf_value_check_xpath(const char *name, const char *value, char *err,
    size_t errlen);

#endif
