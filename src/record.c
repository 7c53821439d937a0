/*
 * record: the contract's rules for a record.  See record.h.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "datetime.h"
#include "record.h"
#include "util.h"

void
record_clear(struct record *r)
{
	free(r->id);
	free(r->file_id);
	free(r->title);
	free(r->date);
	free(r->media);
	free(r->digest);
	free(r->link);
	free(r->body);
	memset(r, 0, sizeof(*r));
}

void
record_list_clear(struct record_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		record_clear(&l->v[i]);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

int
record_list_reserve(struct record_list *l, size_t extra)
{
	if (extra > (size_t)-1 - l->n)
		return -1;
	return VEC_RESERVE(l->v, l->cap, l->n + extra);
}

struct record *
record_list_push(struct record_list *l)
{
	struct record *r = &l->v[l->n++];

	memset(r, 0, sizeof(*r));
	return r;
}

void
record_list_truncate(struct record_list *l, size_t n)
{
	while (l->n > n)
		record_clear(&l->v[--l->n]);
}

int
record_id_is_fit(const char *s)
{
	const unsigned char *p;

	if (s == NULL || s[0] == '\0' || s[0] == '.')
		return 0;
	for (p = (const unsigned char *)s; *p != '\0'; p++)
		if (*p == '/' || *p < 0x20 || *p == 0x7f)
			return 0;
	return p - (const unsigned char *)s <= RECORD_ID_MAX;
}

int
record_date_parse(const char *s, long tz_offset, long long *t)
{
	struct datetime dt;

	if (datetime_parse_local(s, &dt) == -1 || dt.y < 1970)
		return -1;
	dt.offset = tz_offset;
	*t = datetime_epoch(&dt);
	return 0;
}

const char *
record_check(const struct conf_source *sc, const struct record *r,
    int own_file_id, int media_wanted)
{
	long long t;

	if (str_is_blank(r->id))
		return "no id";
	if (!record_id_is_fit(r->id))
		return "id unfit for a file name";
	if (own_file_id) {
		if (str_is_blank(r->file_id))
			return "no file id";
		if (!record_id_is_fit(r->file_id))
			return "file id unfit for a file name";
	}
	if (str_is_blank(r->title))
		return "no title";
	if (str_is_blank(r->date))
		return "no date";
	if (record_date_parse(r->date, 0, &t) == -1)
		return "bad date";
	if (media_wanted && sc->category == NULL && str_is_blank(r->media))
		return "no media";
	return NULL;
}
