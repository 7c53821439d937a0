/*
 * record: the contract's rules for a record, in one place, both ways.
 *
 * A struct record is one article as a source parser read it (raw strings).
 * This module owns every rule that turns it into what the site shows, and
 * their inverse for --import:
 *   - what makes a record writable (record_check, record_id_is_fit), the
 *     date shape of the sources and its parse;
 *   - record → post: the category slug ([categories], the site's own slug,
 *     pinyin), the tag '<media>新闻', the link (link_field or the template
 *     with {id} URL-encoded), the text URL, the published time with the
 *     configured offset, the file id and the path '_posts/YYYY-MM-DD-<file
 *     id>.md', the body (ideographic spaces, digest line), the back link to
 *     the category page;
 *   - post → record (import): the infoCode of a file id ('NW' + a numeric
 *     id), the media of a tag.
 * Pure functions of their arguments: no I/O, no logging.  The slug the site
 * already uses comes through a callback, so that the store stays outside.
 * Calls conf (read only), slug, datetime, tmpl, util, utf8.
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
 * Parses a source's local time 'YYYY-MM-DD HH:MM:SS' strictly (whole
 * string, real calendar date, year 1970 or later) and returns the UTC time
 * it names at TZ_OFFSET seconds east of UTC in *T.  0 or -1.
 */
int record_date_parse(const char *s, long tz_offset, long long *t);

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

#endif
