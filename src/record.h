/*
 * record: one article as the source parser hands it on.
 *
 * A plain struct, no behaviour: the source parser fills it from a list
 * response (and later the body from the text response), the store and the
 * writers read it.  All strings are malloc'd UTF-8, NULL when absent.
 */
#ifndef FINEWSD_RECORD_H
#define FINEWSD_RECORD_H

#include <stddef.h>

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

#endif
