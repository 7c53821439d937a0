/*
 * status: `finewsd --status`, one line per source and the totals; and
 * `finewsd --readings`, the readings --import learned from the site's slugs.
 *
 * Reads the store read-only, so it works while the daemon runs.
 * Calls store, conf (read only), slug, utf8 and stdio.
 */
#ifndef FINEWSD_STATUS_H
#define FINEWSD_STATUS_H

#include <stdio.h>
#include "conf.h"

/* Prints the status to FP; returns the exit status (0, or 1). */
int status_print(const struct conf *c, FILE *fp);

/*
 * Prints to FP each learned reading, one line each: the character, its
 * code point, the reading, its votes, Unihan's first reading of it, and
 * whether slugs take it (the most voted, no tie); then the totals.
 * Returns the exit status (0, or 1).
 */
int status_readings_print(const struct conf *c, FILE *fp);

#endif
