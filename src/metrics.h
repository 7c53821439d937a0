/*
 * metrics: the Prometheus text file (metrics_file) for node_exporter's
 * textfile collector.
 *
 * Owns the counters of this process that the store does not keep: HTTP
 * requests by source, kind (list, text) and result, the bytes received,
 * the time the requests and the polls took.  After each round of polls the
 * scheduler asks for the file, which is then rendered from those counters
 * and from the store (each source's last poll, last success, failures in a
 * row, posts written; the posts in the database; the last feed write), with
 * the process's resident memory, and written atomically: a collector never
 * reads half a file.  Counters are kept by source name, so a reload that
 * keeps a source keeps its counts.  Calls store, conf (read only), fsutil,
 * util and log.
 */
#ifndef FINEWSD_METRICS_H
#define FINEWSD_METRICS_H

#include <stddef.h>
#include "conf.h"
#include "store.h"

struct metrics;

/* The results a request is counted under. */
enum metrics_result { METRICS_OK, METRICS_NOT_MODIFIED, METRICS_FAILED };
/* The kinds of request. */
enum metrics_kind { METRICS_LIST, METRICS_TEXT };

/* NULL when memory runs out (logged). */
struct metrics *metrics_create(void);
void metrics_destroy(struct metrics *m);            /* accepts NULL */

/* Counts one request of SOURCE that took SECONDS and received BYTES.
 * M may be NULL (nothing is counted). */
void metrics_request(struct metrics *m, const char *source,
    enum metrics_kind kind, enum metrics_result result, double bytes,
    double seconds);
/* The time SOURCE's last poll took, from its list request to its last post. */
void metrics_poll(struct metrics *m, const char *source, double seconds);

/*
 * Renders the metrics of C's sources (pure: no I/O but the store's reads
 * and /proc/self/statm); malloc'd, its length in *LENP.  NULL on error.
 */
char *metrics_render(struct metrics *m, const struct conf *c, struct store *st,
    size_t *lenp);
/*
 * Writes C's metrics_file (nothing when it is unset), creating its folder
 * when missing.  0, or -1 logged (a folder that cannot be made once until
 * a write works again; fsutil logs each failed write with its path).
 */
int metrics_write(struct metrics *m, const struct conf *c, struct store *st);

#endif
