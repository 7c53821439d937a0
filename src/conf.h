/*
 * conf: the configuration file (INI, read with inih) and its validation.
 *
 * Owns struct conf and everything in it.  Every error names FILE:LINE and the
 * key; a configuration that loads is complete and consistent, so no other
 * module checks it again.  Calls inih, conf_value (libcurl's URL parser,
 * libxml2's XPath compiler, charset, datetime, filter, tmpl), filter (a
 * source's compiled patterns), slug, util and log.
 */
#ifndef FINEWSD_CONF_H
#define FINEWSD_CONF_H

#include <stddef.h>

struct filter;

enum conf_format { CONF_FORMAT_JSON, CONF_FORMAT_HTML };

/*
 * max_list_size: how large a list response may be, decoded.  The default is
 * the cap every other response keeps (UTIL_MAX_RESPONSE, 8 MiB).  The
 * largest stays well below what the parsers take whole: SQLite's JSON
 * functions refuse a text past SQLITE_MAX_LENGTH (1,000,000,000 bytes),
 * and a page converted from GBK to UTF-8 grows by half.
 */
#define CONF_LIST_SIZE_MIN	(64L << 10)
#define CONF_LIST_SIZE_MAX	(512L << 20)

/* The feed formats written (the formats key), as bits. */
#define CONF_FEED_ATOM	0x1	/* feeds/<category>.xml, all.xml: always */
#define CONF_FEED_JSON	0x2	/* feeds/<category>.json, all.json */

/*
 * One [source NAME] section.  String keys that are unset or empty in the file
 * are NULL here, except where a default is documented in the contract
 * (id_field, title_field, date_field, text_field, list_items).
 */
struct conf_source {
	char *name;
	int line;               /* line of its [source NAME] header */
	char *list_url;
	char *list_items;
	char *id_field, *title_field, *date_field, *media_field;
	char *category, *tag;
	char *text_url;         /* contains {id} */
	char *text_field, *digest_field;
	char *link, *link_field, *file_id_field, *category_url;
	long interval;          /* seconds; this source's own or the global one */
	enum conf_format format;
	char *list_xpath, *id_xpath, *title_xpath, *date_xpath, *media_xpath;
	char *text_xpath;
	char *charset;          /* read every response in it; NULL: as the
	                         * response says (charset.h) */
	char *date_format;      /* strptime-like (datetime.h), "unix" or
	                         * "unix_ms"; NULL: 'YYYY-MM-DD HH:MM:SS' */
	char tz[6];             /* this source's own timezone, "+0800", */
	long tz_offset;         /* its seconds east of UTC, */
	int has_tz;             /* when set; else the global one */
	char *include, *exclude;/* regular expressions on titles, as written */
	struct filter *include_re, *exclude_re; /* the same, compiled */
	char **headers;         /* "Name: value" lines sent with each of its
	                         * requests, NULL-terminated; NULL: none */
	char *user_agent;       /* its own User-Agent; NULL: the global one */
	long max_list_size;     /* bytes of its list response, decoded; its
	                         * own or the global one */
};

struct conf_category {
	char *media;
	char *slug;
	int line;
};

struct conf {
	char *path;
	char *database;
	char *site_dir;
	char *site_url;         /* without a trailing '/' */
	char *site_host;        /* host[:port] of site_url */
	char tz[6];             /* "+0800", as written in posts */
	long tz_offset;         /* seconds east of UTC */
	long interval;
	long max_transfers;
	long max_per_host;
	long timeout;
	char *user_agent;
	long feed_entries;
	char **on_update;       /* argv (split on blanks), NULL-terminated; NULL if unset */
	long on_update_timeout; /* seconds a run of on_update may take */
	long archive_after_days;/* 0: never archive */
	char *archive_dir;      /* relative to site_dir; default "old_post" */
	char *metrics_file;     /* Prometheus text file; NULL if unset */
	char *websub_hub;       /* the WebSub hub to ping; NULL if unset */
	int formats;            /* CONF_FEED_* bits; CONF_FEED_ATOM by default */
	long max_list_size;     /* bytes of a list response, decoded, for the
	                         * sources without their own */
	struct conf_category *categories;
	size_t ncategories;
	struct conf_source *sources;
	size_t nsources;
};

/*
 * Reads and validates PATH.  Returns a conf the caller frees with
 * conf_destroy, or NULL with a message "PATH:LINE: key: what is wrong"
 * (or "PATH: …" for a file that cannot be read) in ERR.
 */
struct conf *conf_load(const char *path, char *err, size_t errlen);
void conf_destroy(struct conf *c);

/* The [categories] slug for MEDIA, or NULL. */
const char *conf_category_find(const struct conf *c, const char *media);

/*
 * A fingerprint of everything that decides how SC's responses are read (not
 * its name or interval), as 16 hex digits: the list validators saved under
 * one fingerprint are not used under another, so a corrected source is read
 * again in full even when its list has not changed.
 */
void conf_source_hash(const struct conf_source *sc, char buf[17]);

/* The source named NAME, or NULL. */
const struct conf_source *conf_source_find(const struct conf *c, const char *name);

#endif
