/*
 * status: `finewsd --status`, one line per source and the totals.
 *
 * Reads the store read-only, so it works while the daemon runs.
 * Calls store, conf (read only) and stdio.
 */
#ifndef FINEWSD_STATUS_H
#define FINEWSD_STATUS_H

#include <stdio.h>
#include "conf.h"

/* Prints the status to FP; returns the exit status (0, or 1). */
int status_print(const struct conf *c, FILE *fp);

#endif
