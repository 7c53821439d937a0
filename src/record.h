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
 *     pinyin), the tag '<media>新闻', the link (link_field or the template
 *     with {id} URL-encoded), the text URL, the published time at the
 *     site's offset, the file id and the path '_posts/YYYY-MM-DD-<file
 *     id>.md', the body (ideographic spaces, digest line), the back link to
 *     the category page;
 *   - post → record (import): the infoCode of a file id ('NW' + a numeric
 *     id), the media of a tag.
 * Pure functions of their arguments: no I/O, no logging.  The slug the site
 * already uses comes through a callback, so that the store stays outside.
 * Calls conf (read only), slug, datetime, charset (marks), filter, tmpl,
 * util.
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

/* 1 when S can stand in a file name as it is: non-empty, no '/', no leading
 * '.', no control character, at most RECORD_ID_MAX bytes; 0 otherwise. */
int record_id_is_fit(const char *s);

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

/*
 * Looks up the slug the site already uses for MEDIA (learned by --import):
 * 0 with a malloc'd slug in *SLUG, or NULL there when there is none; -1 on
 * error.
 */
typedef int record_slug_fn(void *arg, const char *media, char **slug);

/*
 * The category slug of MEDIA: its [categories] entry, else the slug the
 * site already uses (through KNOWN, which may be NULL) when that one is
 * clean, else its pinyin.  Malloc'd; may be empty; NULL without memory.
 */
char *record_slug(const struct conf *c, const char *media,
    record_slug_fn *known, void *arg);

/*
 * Makes the post of the valid record R of source SC under C, taking R's
 * strings (R is cleared).  NULL with the reason in *WHY (static) when the
 * record cannot become a post ("bad date", "no link", "file id too long",
 * "the media name gives an empty category slug", "out of memory").
 */
struct record_post *record_post_make(const struct conf *c,
    const struct conf_source *sc, struct record *r, record_slug_fn *known,
    void *arg, const char **why);
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
