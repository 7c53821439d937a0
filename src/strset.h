/*
 * strset: a set of strings, looked up in a tree and walked in the order
 * they were added.  For the categories a batch knows a page of and the
 * feeds still to rewrite.  Calls libc and util.
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

#endif
