/*
 * record: the contract's rules for a record, in one place, both ways.
 *
 * A struct record is one article as a source parser read it (raw strings).
 * This module owns every rule that turns it into what the site shows, and
 * their inverse for --import:
 *   - what makes a record writable (record_check, record_id_is_fit), the
 *     date shape of the sources (or a source's date_format and timezone)
 *     and its parse, the skipping of a record with bytes that did not
 *     decode (record_check_marks), the title filters (record_title_wanted),
 *     and the words a skipped record is logged with (record_skip_explain);
 *   - record → post: the category slug ([categories], the site's own slug,
 *     a page the site has, pinyin with the site's readings), the tag
 *     '<media>新闻', the link (link_field or the template with {id}
 *     URL-encoded), the text URL, the published time at the site's offset
 *     (dates in a source's own shape and zone), the file id (made safe for
 *     Jekyll's URLs) and the path '_posts/YYYY-MM-DD-<file id>.md', the
 *     back link to the category page, and the page a post has on the site;
 *   - post → record (import): the infoCode of a file id ('NW' + a numeric
 *     id), the media of a tag.
 * Pure functions of their arguments: no I/O, no logging.  What the site
 * already has (the slugs of its media, its category pages, the readings
 * its slugs show) comes through callbacks, struct record_site, so that the
 * store stays outside.  Calls conf (read only), slug, datetime, charset
 * (marks), filter, tmpl, util.
 */
#ifndef FINEWSD_RECORD_H
#define FINEWSD_RECORD_H

#include <stddef.h>

#include "conf.h"

/*
 * The longest id that still leaves room for the rest of a post's file name
 * ("YYYY-MM-DD-", ".md", and a temporary suffix while it is written) within
 * the 255 bytes a file name may have on the usual file systems.
 */
#define RECORD_ID_MAX	200

/* A media whose slug would be reserved (slug_is_reserved: feeds/all.xml)
 * gets this after it. */
#define RECORD_RESERVED_SUFFIX	"-media"

/* How far ahead of now a record's date may be: beyond, it is held back
 * (skipped, and taken when its time comes), so that a date in 2099 does not
 * sit at the top of every feed. */
#define RECORD_FUTURE_MAX	(24 * 3600)

/* The tag of a media is its name and this suffix: 青岛财经日报新闻. */
#define RECORD_TAG_SUFFIX	"新闻"

/* One article as the source parser hands it on; malloc'd UTF-8, NULL when
 * absent. */
struct record {
	char *id;        /* the dedupe key (infoCode) */
	char *file_id;   /* names the post file; id unless file_id_field is set */
	char *title;
	char *date;      /* 'YYYY-MM-DD HH:MM:SS', the sources' local time */
	char *media;
	char *digest;
	char *link;      /* from link_field, when the source sets one */
	char *body;      /* the article HTML, once its text is fetched */
	const char *skip;/* why the record is unusable (static string), or NULL */
	size_t skip_at;  /* with record_undecoded: the offset in the response
	                  * of the bytes that did not decode ((size_t)-1: not
	                  * known) */
};

struct record_list {
	struct record *v;
	size_t n, cap;
};

void record_clear(struct record *r);              /* frees the strings */
void record_list_clear(struct record_list *l);   /* frees all; accepts an empty list */

/*
 * Makes room for EXTRA more records in L; 0, or -1 when memory runs out.
 * record_list_push() then appends a zeroed record to L, which must have
 * room for it, and record_list_truncate() drops the records appended after
 * the first N, so that a failed parse leaves L as it was.
 */
int record_list_reserve(struct record_list *l, size_t extra);
struct record *record_list_push(struct record_list *l);
void record_list_truncate(struct record_list *l, size_t n);
/* Gives back the room L has beyond its records (the array grows by
 * doubling while a list is parsed): for a list that is kept a while. */
void record_list_shrink(struct record_list *l);

/* 1 when S can stand in a file name as it is: non-empty, no '/', no leading
 * '.', no control character, at most RECORD_ID_MAX bytes; 0 otherwise. */
int record_id_is_fit(const char *s);

/*
 * The file id a post's file and URL use for the record's FILE_ID: FILE_ID
 * itself when Jekyll keeps it as it is in the page's URL (only
 * [A-Za-z0-9._~!$&'()+,;=@] and single inner '-'), else what Jekyll's
 * "pretty" slug of it gives, with '-' and 8 hex digits of a hash of
 * FILE_ID after it: "a:b" and "a\b" would both be served as a-b.html, one
 * over the other.  Malloc'd; NULL without memory.
 */
char *record_file_id_safe(const char *file_id);

/* FILE_ID made distinct for INFO_CODE, when another post holds its path:
 * "<file id>-<8 hex of the info code's hash>".  Malloc'd. */
char *record_file_id_distinct(const char *file_id, const char *info_code);

/*
 * Parses a source's local time 'YYYY-MM-DD HH:MM:SS' (or without its
 * seconds, which are then 0) strictly (whole string, real calendar date,
 * year 1970 to 9999) and returns the UTC time it names at TZ_OFFSET
 * seconds east of UTC in *T.  0 or -1.
 */
int record_date_parse(const char *s, long tz_offset, long long *t);

/*
 * The same for a date of source SC, in its date_format (the shape above
 * when it has none; "unix" and "unix_ms" for Unix seconds and
 * milliseconds) and at its own timezone, else TZ_OFFSET, unless the date
 * carries its offset (%z).  0 or -1.
 */
int record_source_date(const struct conf_source *sc, const char *s,
    long tz_offset, long long *t);

/* 1 when SC's dates are numbers, which a JSON source may send as such. */
int record_date_is_numeric(const struct conf_source *sc);

/*
 * The skip reason of a record a field of which holds bytes that did not
 * decode in the response's charset (charset.h's marks): "bytes that do not
 * decode".  It comes before every other reason.
 */
extern const char record_undecoded[];

/*
 * Skips R (record_undecoded, the offset in skip_at) when one of its fields
 * holds the mark of bytes that did not decode; an id or file id with one
 * is dropped, as it names nothing.  1 when it did, 0 otherwise.
 */
int record_check_marks(struct record *r);

/*
 * R's skip reason as a log line gives it, into BUF[SIZE]: with the offset
 * and CHARSET (the charset the response was read in) for bytes that did
 * not decode, with the value and the shape expected for a bad date.
 * Returns BUF.
 */
const char *record_skip_explain(const struct conf_source *sc,
    const struct record *r, const char *charset, char *buf, size_t size);

/*
 * The skip reason of R, or NULL when R is fit to become a post: the checks
 * of the contract, in the order the skip reasons are documented ("no id",
 * "id unfit for a file name", "no file id", "file id unfit for a file
 * name", "no title", "no date", "bad date", "no media").  OWN_FILE_ID: the
 * file id was read from its own field, so it needs checking apart from the
 * id.  MEDIA_WANTED: the source names a media field, which gives the
 * category unless a fixed one is set.
 */
const char *record_check(const struct conf_source *sc, const struct record *r,
    int own_file_id, int media_wanted);

/*
 * 1 when SC wants a record titled TITLE: it matches SC's include pattern,
 * if any, and not its exclude pattern, if any.  A filtered record is not
 * fetched nor written.
 */
int record_title_wanted(const struct conf_source *sc, const char *title);

/*
 * Record → post.
 */

/* A record made ready for the site: every field its post file, its row and
 * its feed entry need.  Malloc'd strings; free with record_post_free. */
struct record_post {
	char *info_code;
	char *file_id;
	char *source;
	char *category;
	char *tag;
	char *media;           /* NULL for a source with a fixed tag and no media */
	char *title;
	char *link;
	char *digest;
	char *body;            /* the post's body, once the text is in */
	char *path;            /* "_posts/YYYY-MM-DD-<file id>.md" */
	char published[32];    /* 'YYYY-MM-DD HH:MM:SS +0800': the source's
	                        * date at the site's timezone */
	long long published_at;
};

/* Called once per category page of the site; 0 to go on, -1 to stop. */
typedef int record_page_fn(void *arg, const char *slug);

/*
 * What the site already has, for the category slug of a media: the daemon
 * hands on the store's (and remembers what it derived), the tests a fake.
 * Every callback is called with ARG and may be NULL, which skips its rule;
 * the strings handed out are malloc'd, and -1 means an error (logged by
 * the callback).
 */
struct record_site {
	/* The slug the site already uses for MEDIA (learned by --import, or
	 * remembered): 0 with *SLUG set, NULL when there is none; -1. */
	int	(*media_slug)(void *arg, const char *media, char **slug);
	/* 1 when the site has a category page SLUG, 0 if not, -1. */
	int	(*page_exists)(void *arg, const char *slug);
	/* Calls FN(FNARG, slug) for each category page the site has; 0, or
	 * -1 on error or when FN returned -1. */
	int	(*pages_each)(void *arg, record_page_fn *fn, void *fnarg);
	/* The reading the site chose for code point CP, learned from its
	 * slugs by --import: 0 with *READING set, NULL for none; -1. */
	int	(*reading)(void *arg, unsigned cp, char **reading);
	/* Told the slug derived for MEDIA by rule 2 or 3 below, so that the
	 * site can answer media_slug with it next time.  Its failure only
	 * means a later derivation. */
	void	(*remember)(void *arg, const char *media, const char *slug);
	void	*arg;
};

/*
 * The category slug of MEDIA, by the first rule that gives one:
 *  1. its [categories] entry; else the slug the site already uses for it
 *     (SITE's media_slug), when that one is clean;
 *  2. else, among the slugs its characters' candidate readings can make,
 *     one the site has a category page for: the one read closest to the
 *     preferred readings (the learned ones, else Unihan's first): fewest
 *     characters read another way, then, left to right, the earlier
 *     candidate, then the first in byte order;
 *  3. else its pinyin with the learned readings, else the first ones.
 * SITE may be NULL: then only [categories] and plain pinyin.  Malloc'd; may
 * be empty; NULL with errno ENOMEM, or EIO when SITE's callbacks failed.
 */
char *record_slug(const struct conf *c, const char *media,
    const struct record_site *site);

/* Why a record makes no post when SITE's callbacks failed: a failure of
 * the database, not of the record, which is worth trying again. */
#define RECORD_WHY_SITE	"the site's categories could not be read"

/*
 * Makes the post of the valid record R of source SC under C, taking R's
 * strings (R is cleared); the category slug is record_slug's with SITE.
 * NULL with the reason in *WHY (static) when the record cannot become a
 * post ("bad date", "no link", "file id too long", "the media name gives
 * an empty category slug", RECORD_WHY_SITE, "out of memory").
 */
struct record_post *record_post_make(const struct conf *c,
    const struct conf_source *sc, struct record *r,
    const struct record_site *site, const char **why);
void record_post_free(struct record_post *p);      /* accepts NULL */

/* The URL of the text of record ID: text_url with {id} URL-encoded.
 * Malloc'd; NULL without memory. */
char *record_text_url(const struct conf_source *sc, const char *id);

/* "_posts/YYYY-MM-DD-<file id>.md" from PUBLISHED's date into BUF.  0, or
 * -1 (errno EINVAL for a bad date or file id, ENAMETOOLONG). */
int record_post_path(char *buf, size_t size, const char *published,
    const char *file_id);

/*
 * The category page of CATEGORY as the back link of a post shows it: SC's
 * category_url (when SC is NULL, that of a source whose fixed category it
 * is), else //<site host>/category/<category>.html.  With ABSOLUTE, a
 * scheme-relative URL takes site_url's scheme (for the feeds).  Malloc'd.
 */
char *record_category_url(const struct conf *c, const struct conf_source *sc,
    const char *category, int absolute);

/*
 * The page of a post on the site, from the site's root and percent-encoded
 * ("/emnews/2024/01/16/202401162984655555.html"), as Jekyll builds it: URL
 * when the post has one of its own (a permalink: an archived post keeps its
 * address), else the page its file at PATH gets: for a file in _posts/,
 * Jekyll's default permalink /<categories>/YYYY/MM/DD/<file id>.html (the
 * categories lowercased, one folder per word), for any other file its own
 * page, PATH with .html for .md.  Malloc'd; NULL without memory.
 */
char *record_page_url(const char *category, const char *published,
    const char *file_id, const char *path, const char *url);

/*
 * Post → record, for --import: the inverse of the rules above.
 */

/*
 * From a post's file name "YYYY-MM-DD-<file id>.md": the file id into
 * FILE_ID and the infoCode into INFO_CODE (a numeric id is a rolling post's,
 * whose infoCode is "NW" + id), each of SIZE bytes.  NULL, or why the name
 * is not a post's.
 */
const char *record_name_parse(const char *name, char *file_id,
    char *info_code, size_t size);

/*
 * A post's date line, 'YYYY-MM-DD HH:MM:SS' with or without ' +ZZZZ' (the
 * configured offset when without), as a published time into PUBLISHED[32]
 * and its epoch into *AT.  NULL, or "no date" / "bad date".
 */
const char *record_published_parse(const struct conf *c, const char *date,
    char published[32], long long *at);

/*
 * The media of a post of CATEGORY with TAG: the tag minus "新闻", malloc'd;
 * NULL for a fixed category (rolling news: its tag names the feed, not a
 * media) and for a tag without that suffix.
 */
char *record_media_of(const struct conf *c, const char *category,
    const char *tag);

#endif
