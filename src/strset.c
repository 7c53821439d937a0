/*
 * strset: a set of strings.  See strset.h.
 */
#include "config.h"

#include <search.h>
#include <stdlib.h>
#include <string.h>

#include "strset.h"
#include "util.h"

static int
strset_cmp(const void *a, const void *b)
{
	return strcmp(a, b);
}

int
strset_add(struct strset *s, const char *str)
{
	char *copy;

	if (strset_has(s, str))
		return 0;
	if (VEC_RESERVE(s->v, s->cap, s->n + 1) == -1 ||
	    (copy = strdup(str)) == NULL)
		return -1;
	if (tsearch(copy, &s->root, strset_cmp) == NULL) {
		free(copy);
		return -1;
	}
	s->v[s->n++] = copy;
	return 1;
}

int
strset_has(const struct strset *s, const char *str)
{
	/* tfind() does not change the tree; its prototype predates const. */
	void *root = s->root;

	return tfind(str, &root, strset_cmp) != NULL;
}

static void
strset_noop(void *p)
{
	(void)p;
}

void
strset_clear(struct strset *s)
{
	/* The tree's nodes point at the strings of V, freed below. */
	tdestroy(s->root, strset_noop);
	for (size_t i = 0; i < s->n; i++)
		free(s->v[i]);
	free(s->v);
	memset(s, 0, sizeof(*s));
}
