/*
 * strset: a set of strings, looked up in a tree and walked in the order
 * they were added, for the categories a batch knows a page of and the
 * feeds still to rewrite; and strmap, a map of strings to strings in a
 * tree, for the slugs the daemon derived per media.  Calls libc and util.
 */
#ifndef FINEWSD_STRSET_H
#define FINEWSD_STRSET_H

#include <stddef.h>

struct strset {
	void	*root;		/* tsearch tree over the strings of V */
	char	**v;		/* the strings, in the order added */
	size_t	 n, cap;
};

/* Adds a copy of STR: 1 if it was added, 0 if it was there, -1 without
 * memory (the set is unchanged). */
int strset_add(struct strset *s, const char *str);
/* 1 when STR is in the set. */
int strset_has(const struct strset *s, const char *str);
/* Empties the set and frees what it holds; a zeroed set is empty. */
void strset_clear(struct strset *s);

/* A map from strings to strings; a zeroed map is empty. */
struct strmap {
	void	*root;		/* tsearch tree of entries */
};

/* Maps KEY to VALUE (copies of both), replacing what KEY had: 0, or -1
 * without memory (the map is unchanged). */
int strmap_set(struct strmap *m, const char *key, const char *value);
/* The value of KEY, owned by the map until it changes; NULL when absent. */
const char *strmap_get(const struct strmap *m, const char *key);
/* Empties the map and frees what it holds. */
void strmap_clear(struct strmap *m);

#endif
