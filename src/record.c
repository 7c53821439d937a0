/*
 * record: freeing records.  See record.h.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "record.h"

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
