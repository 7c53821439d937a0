/*
 * metrics: the Prometheus text exposition format (version 0.0.4), as
 * node_exporter's textfile collector reads it, rendered into memory and
 * written through fsutil.  See metrics.h.
 *
 * Every family has its HELP and TYPE lines; counters end in _total, times
 * are seconds and sizes bytes, as Prometheus's naming rules ask, so that
 * `promtool check metrics` has nothing to say.  The request durations are
 * a summary without quantiles (a _sum and a _count), which gives the mean
 * and its rate without a histogram's many series.  Timestamps of events
 * that never happened are 0.  Calls store, conf, fsutil, util and log.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "fsutil.h"
#include "log.h"
#include "metrics.h"
#include "util.h"

#define NKINDS		2
#define NRESULTS	3

static const char *const kind_names[NKINDS] = { "list", "text" };
static const char *const result_names[NRESULTS] = {
	"ok", "not_modified", "failed",
};

struct metrics_src {
	char	*name;
	double	 requests[NKINDS][NRESULTS];
	double	 seconds[NKINDS];	/* summed over the requests */
	double	 count[NKINDS];
	double	 bytes;
	double	 poll_seconds;		/* of the last poll */
};

struct metrics {
	struct metrics_src *v;
	size_t	 n, cap;
	long long started;		/* the process's start, Unix time */
	int	 failing;		/* the last write failed (logged) */
};

struct metrics *
metrics_create(void)
{
	struct metrics *m;

	if ((m = calloc(1, sizeof(*m))) == NULL) {
		log_warn("metrics");
		return NULL;
	}
	m->started = (long long)time(NULL);
	return m;
}

void
metrics_destroy(struct metrics *m)
{
	if (m == NULL)
		return;
	for (size_t i = 0; i < m->n; i++)
		free(m->v[i].name);
	free(m->v);
	free(m);
}

/* The counters of SOURCE, made when first met; NULL when memory runs out. */
static struct metrics_src *
metrics_src(struct metrics *m, const char *source)
{
	struct metrics_src *s;

	for (size_t i = 0; i < m->n; i++)
		if (strcmp(m->v[i].name, source) == 0)
			return &m->v[i];
	if (VEC_RESERVE(m->v, m->cap, m->n + 1) == -1)
		return NULL;
	s = &m->v[m->n];
	memset(s, 0, sizeof(*s));
	if ((s->name = strdup(source)) == NULL)
		return NULL;
	m->n++;
	return s;
}

void
metrics_request(struct metrics *m, const char *source, enum metrics_kind kind,
    enum metrics_result result, double bytes, double seconds)
{
	struct metrics_src *s;

	if (m == NULL || (s = metrics_src(m, source)) == NULL)
		return;
	s->requests[kind][result]++;
	s->seconds[kind] += seconds;
	s->count[kind]++;
	s->bytes += bytes;
}

void
metrics_poll(struct metrics *m, const char *source, double seconds)
{
	struct metrics_src *s;

	if (m == NULL || (s = metrics_src(m, source)) == NULL)
		return;
	s->poll_seconds = seconds;
}

/* The counters of SOURCE, or a zeroed set when it has none yet. */
static const struct metrics_src *
metrics_find(const struct metrics *m, const char *source)
{
	static const struct metrics_src none;

	for (size_t i = 0; m != NULL && i < m->n; i++)
		if (strcmp(m->v[i].name, source) == 0)
			return &m->v[i];
	return &none;
}

/* A label value: '\', '"' and newlines escaped, as the format asks. */
static void
metrics_label(struct sbuf *b, const char *v)
{
	for (; *v != '\0'; v++) {
		if (*v == '\\' || *v == '"')
			sbuf_printf(b, "\\%c", *v);
		else if (*v == '\n')
			sbuf_str(b, "\\n");
		else
			sbuf_add(b, v, 1);
	}
}

static void
metrics_family(struct sbuf *b, const char *name, const char *type,
    const char *help)
{
	sbuf_printf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* NAME{source="SOURCE"[,EXTRA]} VALUE */
static void
metrics_sample(struct sbuf *b, const char *name, const char *source,
    const char *extra, double value)
{
	sbuf_str(b, name);
	if (source != NULL) {
		sbuf_str(b, "{source=\"");
		metrics_label(b, source);
		sbuf_printf(b, "\"%s%s}", extra != NULL ? "," : "",
		    extra != NULL ? extra : "");
	}
	sbuf_printf(b, " %.17g\n", value);
}

/*
 * The process's resident set, in bytes: the second number of
 * /proc/self/statm, in pages.  -1 when /proc cannot tell.
 */
static double
metrics_rss(void)
{
	long page = sysconf(_SC_PAGESIZE);
	char buf[128], *p, *end;
	unsigned long long resident;
	size_t n;
	FILE *fp;

	if (page <= 0 || (fp = fopen("/proc/self/statm", "r")) == NULL)
		return -1;
	n = fread(buf, 1, sizeof(buf) - 1, fp);
	fclose(fp);
	buf[n] = '\0';
	if ((p = strchr(buf, ' ')) == NULL)
		return -1;
	errno = 0;
	resident = strtoull(p + 1, &end, 10);
	if (errno != 0 || end == p + 1 || (*end != ' ' && *end != '\n'))
		return -1;
	return (double)resident * (double)page;
}

/* The families read from the store, one sample per configured source. */
static int
metrics_render_state(struct sbuf *b, const struct conf *c, struct store *st,
    int *failing)
{
	static const struct {
		const char *name, *type, *help;
	} fam[] = {
		{ "finewsd_source_last_poll_timestamp_seconds", "gauge",
		  "When the source's last poll ended (Unix time; 0: never)." },
		{ "finewsd_source_last_success_timestamp_seconds", "gauge",
		  "When a poll of the source last worked (Unix time; 0: never)." },
		{ "finewsd_source_consecutive_failures", "gauge",
		  "Polls of the source that failed in a row, up to the last one." },
		{ "finewsd_source_posts_written_total", "counter",
		  "Posts written from the source, ever." },
	};
	struct store_source *s;
	int rc = -1;

	if ((s = calloc(c->nsources + 1, sizeof(*s))) == NULL)
		return -1;
	for (size_t i = 0; i < c->nsources; i++) {
		if (store_source_get(st, c->sources[i].name, &s[i]) == -1)
			goto out;
		if (s[i].failures > 0)
			(*failing)++;
	}
	for (size_t f = 0; f < sizeof(fam) / sizeof(fam[0]); f++) {
		metrics_family(b, fam[f].name, fam[f].type, fam[f].help);
		for (size_t i = 0; i < c->nsources; i++) {
			double v = f == 0 ? (double)s[i].last_poll :
			    f == 1 ? (double)s[i].last_success :
			    f == 2 ? (double)s[i].failures : (double)s[i].posts;

			metrics_sample(b, fam[f].name, c->sources[i].name, NULL, v);
		}
	}
	rc = 0;
out:
	for (size_t i = 0; i < c->nsources; i++)
		store_source_clear(&s[i]);
	free(s);
	return rc;
}

/* The families counted in this process. */
static void
metrics_render_counters(struct sbuf *b, const struct metrics *m,
    const struct conf *c)
{
	char extra[64];

	metrics_family(b, "finewsd_source_requests_total", "counter",
	    "HTTP requests of the source since finewsd started, by kind "
	    "(list, text) and result (ok, not_modified, failed).");
	for (size_t i = 0; i < c->nsources; i++) {
		const struct metrics_src *s = metrics_find(m, c->sources[i].name);

		for (int k = 0; k < NKINDS; k++)
			for (int r = 0; r < NRESULTS; r++) {
				/* A text request is never conditional. */
				if (k == METRICS_TEXT && r == METRICS_NOT_MODIFIED)
					continue;
				snprintf(extra, sizeof(extra),
				    "kind=\"%s\",result=\"%s\"", kind_names[k],
				    result_names[r]);
				metrics_sample(b, "finewsd_source_requests_total",
				    c->sources[i].name, extra, s->requests[k][r]);
			}
	}
	metrics_family(b, "finewsd_source_received_bytes_total", "counter",
	    "Bytes of response bodies received from the source since "
	    "finewsd started.");
	for (size_t i = 0; i < c->nsources; i++)
		metrics_sample(b, "finewsd_source_received_bytes_total",
		    c->sources[i].name, NULL,
		    metrics_find(m, c->sources[i].name)->bytes);
	metrics_family(b, "finewsd_source_request_duration_seconds", "summary",
	    "Time the source's HTTP requests took since finewsd started, "
	    "by kind.");
	for (size_t i = 0; i < c->nsources; i++) {
		const struct metrics_src *s = metrics_find(m, c->sources[i].name);

		for (int k = 0; k < NKINDS; k++) {
			snprintf(extra, sizeof(extra), "kind=\"%s\"",
			    kind_names[k]);
			metrics_sample(b,
			    "finewsd_source_request_duration_seconds_sum",
			    c->sources[i].name, extra, s->seconds[k]);
			metrics_sample(b,
			    "finewsd_source_request_duration_seconds_count",
			    c->sources[i].name, extra, s->count[k]);
		}
	}
	metrics_family(b, "finewsd_source_last_poll_duration_seconds", "gauge",
	    "Time the source's last poll took, from its list request to its "
	    "last post written.");
	for (size_t i = 0; i < c->nsources; i++)
		metrics_sample(b, "finewsd_source_last_poll_duration_seconds",
		    c->sources[i].name, NULL,
		    metrics_find(m, c->sources[i].name)->poll_seconds);
}

/* The totals, the feeds and the process. */
static int
metrics_render_totals(struct sbuf *b, const struct metrics *m,
    const struct conf *c, struct store *st, int failing)
{
	long long posts, state = 0, written = 0;
	double rss;

	if ((posts = store_posts_count(st, NULL)) < 0 ||
	    store_flag_get(st, "feeds_write_state", &state) == -1 ||
	    store_flag_get(st, "feeds_written_at", &written) == -1)
		return -1;
	metrics_family(b, "finewsd_sources", "gauge", "Sources configured.");
	metrics_sample(b, "finewsd_sources", NULL, NULL, (double)c->nsources);
	metrics_family(b, "finewsd_sources_failing", "gauge",
	    "Sources whose last poll failed.");
	metrics_sample(b, "finewsd_sources_failing", NULL, NULL, failing);
	metrics_family(b, "finewsd_posts", "gauge", "Posts in the database.");
	metrics_sample(b, "finewsd_posts", NULL, NULL, (double)posts);
	metrics_family(b, "finewsd_feeds_last_write_timestamp_seconds", "gauge",
	    "When the feeds were last written (Unix time; 0: never).");
	metrics_sample(b, "finewsd_feeds_last_write_timestamp_seconds", NULL,
	    NULL, (double)written);
	metrics_family(b, "finewsd_feeds_last_write_success", "gauge",
	    "1 when the last write of the feeds worked (or none was needed "
	    "yet), 0 when it failed.");
	metrics_sample(b, "finewsd_feeds_last_write_success", NULL, NULL,
	    state == 2 ? 0 : 1);
	if ((rss = metrics_rss()) >= 0) {
		metrics_family(b, "process_resident_memory_bytes", "gauge",
		    "Resident memory size in bytes.");
		metrics_sample(b, "process_resident_memory_bytes", NULL, NULL,
		    rss);
	}
	metrics_family(b, "process_start_time_seconds", "gauge",
	    "Start time of the process since the Unix epoch in seconds.");
	metrics_sample(b, "process_start_time_seconds", NULL, NULL,
	    (double)(m != NULL ? m->started : 0));
	metrics_family(b, "finewsd_build_info", "gauge",
	    "The version of finewsd that wrote this file, as a label.");
	sbuf_str(b, "finewsd_build_info{version=\"");
	metrics_label(b, PACKAGE_VERSION);
	sbuf_str(b, "\"} 1\n");
	return 0;
}

char *
metrics_render(struct metrics *m, const struct conf *c, struct store *st,
    size_t *lenp)
{
	struct sbuf b = { 0 };
	int failing = 0;

	if (metrics_render_state(&b, c, st, &failing) == -1) {
		sbuf_clear(&b);
		return NULL;
	}
	metrics_render_counters(&b, m, c);
	if (metrics_render_totals(&b, m, c, st, failing) == -1) {
		sbuf_clear(&b);
		return NULL;
	}
	return sbuf_finish(&b, lenp);
}

int
metrics_write(struct metrics *m, const struct conf *c, struct store *st)
{
	struct fsutil_batch *b = NULL;
	char *data = NULL, *dir = NULL, *slash;
	size_t len;
	int rc = -1;

	if (c->metrics_file == NULL)
		return 0;
	if ((data = metrics_render(m, c, st, &len)) == NULL) {
		if (m == NULL || !m->failing)
			log_warnx("metrics %s: not rendered", c->metrics_file);
		goto out;
	}
	if ((dir = strdup(c->metrics_file)) == NULL)
		goto out;
	/* Its folder is made like site_dir's, so that a fresh machine works. */
	if ((slash = strrchr(dir, '/')) != NULL && slash != dir) {
		*slash = '\0';
		if (fsutil_mkdirs(dir) == -1) {
			if (m == NULL || !m->failing)
				log_warn("metrics %s: folder %s", c->metrics_file, dir);
			goto out;
		}
	}
	/* fsutil logs its own failures, with the path. */
	if ((b = fsutil_batch_create()) == NULL ||
	    fsutil_batch_add(b, c->metrics_file, data, len, 0) == -1 ||
	    fsutil_batch_commit(b) == -1)
		goto out;
	rc = 0;
out:
	if (m != NULL) {
		if (rc == 0 && m->failing)
			log_info("metrics %s: written again", c->metrics_file);
		m->failing = rc == -1;
	}
	fsutil_batch_destroy(b);
	free(dir);
	free(data);
	return rc;
}
