/*
 * status: `finewsd --status` (and --json), what each source last did, the
 * totals and the last feed write, and the health of it all as an exit
 * status for monitoring: 0 every source fine, 1 some failing (or the last
 * feed write failed), 2 no database (finewsd has not run yet) or one that
 * cannot be read.  A bad configuration is 2 as well, said by main.  And
 * `finewsd --readings`, the readings --import learned from the site's slugs.
 *
 * Reads the store read-only, so it works while the daemon runs.
 * Calls store, conf (read only), json, slug, utf8, util and stdio.
 */
#ifndef FINEWSD_STATUS_H
#define FINEWSD_STATUS_H

#include <stdio.h>
#include "conf.h"

/* The exit statuses of --status. */
#define STATUS_OK	0
#define STATUS_FAILING	1
#define STATUS_NO_DB	2

/*
 * Prints the status to FP, as a table that fits 80 columns or, with JSON,
 * as one JSON object; returns the exit status.  Problems with the database
 * go to stderr as well, for a person; the JSON holds them for a script.
 */
int status_print(const struct conf *c, int json, FILE *fp);

/* For --status --json when the configuration does not load: a JSON object
 * with status 2 and ERR.  Returns 2. */
int status_print_conf_error(const char *err, FILE *fp);

/*
 * Prints to FP each learned reading, one line each: the character, its
 * code point, the reading, its votes, Unihan's first reading of it, and
 * whether slugs take it (the most voted, no tie); then the totals.
 * Returns the exit status (0, or 1).
 */
int status_readings_print(const struct conf *c, FILE *fp);

#endif
