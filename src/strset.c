/*
 * strset: a set of strings, and a map of strings.  See strset.h.
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

/* An entry of a strmap.  KEY points into BUF, but for the probe of a
 * lookup, which points it at the caller's string. */
struct strmap_entry {
	const char	*key;
	char		*value;
	char		 buf[];
};

static int
strmap_cmp(const void *a, const void *b)
{
	const struct strmap_entry *x = a, *y = b;

	return strcmp(x->key, y->key);
}

int
strmap_set(struct strmap *m, const char *key, const char *value)
{
	struct strmap_entry *e, **found;
	size_t n = strlen(key);

	if ((e = malloc(sizeof(*e) + n + 1)) == NULL)
		return -1;
	memcpy(e->buf, key, n + 1);
	e->key = e->buf;
	if ((e->value = strdup(value)) == NULL ||
	    (found = tsearch(e, &m->root, strmap_cmp)) == NULL) {
		free(e->value);
		free(e);
		return -1;
	}
	if (*found != e) {
		/* KEY was there: it takes the new value. */
		free((*found)->value);
		(*found)->value = e->value;
		free(e);
	}
	return 0;
}

const char *
strmap_get(const struct strmap *m, const char *key)
{
	struct strmap_entry probe = { .key = key }, **found;
	/* tfind() does not change the tree; its prototype predates const. */
	void *root = m->root;

	found = tfind(&probe, &root, strmap_cmp);
	return found != NULL ? (*found)->value : NULL;
}

static void
strmap_free_entry(void *p)
{
	struct strmap_entry *e = p;

	free(e->value);
	free(e);
}

void
strmap_clear(struct strmap *m)
{
	tdestroy(m->root, strmap_free_entry);
	m->root = NULL;
}
