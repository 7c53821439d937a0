/*
 * jsonfeed: the feeds as JSON Feed 1.1 (https://jsonfeed.org/version/1.1),
 * written beside the Atom feeds when the formats key asks for "json".
 *
 * The same entries as the Atom feed of the same category, with the same
 * ids, links and times, so that a reader switching formats sees no new
 * item.  Pure, like atom: the same posts give the same bytes.  Calls atom
 * (the entry's id and time), json, util and libc.
 */
#ifndef FINEWSD_JSONFEED_H
#define FINEWSD_JSONFEED_H

#include <stddef.h>
#include "atom.h"

/*
 * The JSON Feed of ENTRIES[N] (newest first) described by F (its hub, if
 * any, listed under "hubs"); malloc'd, its length in *LENP; NULL on error.
 */
char *jsonfeed_render(const struct atom_feed *f, const struct atom_entry *entries,
    size_t n, size_t *lenp);

#endif
