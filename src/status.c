/*
 * status: `finewsd --status` and `finewsd --readings`.  See status.h.
 * Owns the health rule and the two renderings of it.  The table fits 80
 * columns: a long source name or error is shortened in its middle (the end
 * of an error, "HTTP status 500", matters most), and a failing source's
 * error goes on a line of its own below it.  Times are local in the table, Unix seconds in the JSON.
 * Calls store, conf (read only), json, slug, utf8, util and stdio.
 */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "json.h"
#include "slug.h"
#include "status.h"
#include "store.h"
#include "utf8.h"
#include "util.h"

/* Columns of the table: 16 + 1 + 19 + 1 + 19 + 1 + 7 + 2 + 14 = 80. */
#define W_NAME		16
#define W_TIME		19
#define W_POSTS		7
#define W_RESULT	14
#define W_LINE		80
#define W_INDENT	(W_NAME + 1)

struct status_src {
	const char	*name;
	struct store_source s;
};

struct status {
	const struct conf *c;
	struct status_src *v;      /* one per configured source */
	int		 health;
	const char	*problem;  /* why there is no state, or NULL */
	char		 problem_buf[1024];
	int		 failing;
	long long	 posts_by_sources;
	long long	 posts;    /* in the database; -1 when unknown */
	long long	 feeds_at; /* last successful feed write, 0: none */
	long long	 feeds_ok; /* 1 fine, 0 the last write failed, -1 never */
};

/* The columns a code point takes on a terminal: 2 for the wide ones. */
static int
status_cp_width(uint32_t cp)
{
	if ((cp >= 0x1100 && cp <= 0x115f) || (cp >= 0x2e80 && cp <= 0xa4cf) ||
	    (cp >= 0xac00 && cp <= 0xd7a3) || (cp >= 0xf900 && cp <= 0xfaff) ||
	    (cp >= 0xfe30 && cp <= 0xfe4f) || (cp >= 0xff00 && cp <= 0xff60) ||
	    (cp >= 0xffe0 && cp <= 0xffe6) || (cp >= 0x20000 && cp <= 0x3fffd))
		return 2;
	return cp < 0x20 ? 0 : 1;
}

/*
 * The byte length of the longest prefix of S[N] (whole characters) that
 * takes at most MAX columns, its width in *WIDTH.
 */
static size_t
status_prefix(const char *s, size_t n, int max, int *width)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0, k;
	uint32_t cp;
	int w = 0, cw;

	while (i < n) {
		if ((k = utf8_decode(u + i, n - i, &cp)) == 0) {
			k = 1;
			cp = 0xfffd;
		}
		if (w + (cw = status_cp_width(cp)) > max)
			break;
		w += cw;
		i += k;
	}
	*width = w;
	return i;
}

/* The byte offset in S[N] after which the suffix takes at most MAX columns. */
static size_t
status_suffix(const char *s, size_t n, int max)
{
	size_t start = n;

	/* Walk back over whole characters: a continuation byte is 10xxxxxx. */
	while (start > 0) {
		size_t p = start - 1;
		int w;

		while (p > 0 && ((unsigned char)s[p] & 0xc0) == 0x80)
			p--;
		(void)status_prefix(s + p, n - p, W_LINE * 2, &w);
		if (w > max)
			break;
		start = p;
	}
	return start;
}

/*
 * Prints S in at most MAX columns, padded to MAX when PAD: as it is when it
 * fits, else its head (or, with MIDDLE, its head and its tail around
 * "...").  Control characters are shown as blanks, never sent raw.
 */
static void
status_put(FILE *fp, const char *s, int max, int pad, int middle)
{
	size_t n = strlen(s), head, tail;
	int w, wt;
	char *copy;

	if ((copy = strdup(s)) == NULL)
		return;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)copy[i] < 0x20 || copy[i] == 0x7f)
			copy[i] = ' ';
	head = status_prefix(copy, n, max, &w);
	if (head == n) {
		fwrite(copy, 1, n, fp);
	} else if (middle) {
		head = status_prefix(copy, n, (max - 3) / 2, &w);
		tail = status_suffix(copy, n, max - 3 - w);
		(void)status_prefix(copy + tail, n - tail, max, &wt);
		fwrite(copy, 1, head, fp);
		fputs("...", fp);
		fwrite(copy + tail, 1, n - tail, fp);
		w += 3 + wt;
	} else {
		head = status_prefix(copy, n, max - 3, &w);
		fwrite(copy, 1, head, fp);
		fputs("...", fp);
		w += 3;
	}
	for (; pad && w < max; w++)
		fputc(' ', fp);
	free(copy);
}

static void
status_time(char *buf, size_t size, long long t, const char *none)
{
	struct tm tm;
	time_t tt = (time_t)t;

	if (t <= 0 || localtime_r(&tt, &tm) == NULL)
		snprintf(buf, size, "%s", none);
	else
		strftime(buf, size, "%Y-%m-%d %H:%M:%S", &tm);
}

/* What the RESULT column says of a source. */
static void
status_result(char *buf, size_t size, const struct store_source *s)
{
	if (s->last_poll <= 0)
		snprintf(buf, size, "never polled");
	else if (s->failures == 1)
		snprintf(buf, size, "1 failure");
	else if (s->failures > 1)
		snprintf(buf, size, "%d failures", s->failures);
	else
		snprintf(buf, size, "%s", s->result != NULL ? s->result : "ok");
}

/* Reads every source's state and the totals; sets ST->health. */
static void
status_gather(struct status *st)
{
	const struct conf *c = st->c;
	struct store *db = NULL;
	struct stat sb;
	char err[1024];
	long long state = 0;

	st->posts = -1;
	st->feeds_ok = -1;
	if (stat(c->database, &sb) == -1 && errno == ENOENT) {
		snprintf(st->problem_buf, sizeof(st->problem_buf),
		    "no database at %s: finewsd has not run yet", c->database);
		st->problem = st->problem_buf;
		st->health = STATUS_NO_DB;
		return;
	}
	if ((db = store_open_readonly(c->database, err, sizeof(err))) == NULL) {
		snprintf(st->problem_buf, sizeof(st->problem_buf), "%s", err);
		st->problem = st->problem_buf;
		st->health = STATUS_NO_DB;
		return;
	}
	for (size_t i = 0; i < c->nsources; i++) {
		struct status_src *r = &st->v[i];

		if (store_source_get(db, r->name, &r->s) == -1) {
			snprintf(st->problem_buf, sizeof(st->problem_buf),
			    "database %s: cannot read the state of source %s",
			    c->database, r->name);
			st->problem = st->problem_buf;
			st->health = STATUS_NO_DB;
			goto out;
		}
		if (r->s.failures > 0)
			st->failing++;
		st->posts_by_sources += r->s.posts;
	}
	st->posts = store_posts_count(db, NULL);
	if (store_flag_get(db, "feeds_written_at", &st->feeds_at) == -1 ||
	    store_flag_get(db, "feeds_write_state", &state) == -1)
		state = 0;
	/* 0: no feed written yet; 1: the last write worked; 2: it failed. */
	st->feeds_ok = state == 1 ? 1 : state == 2 ? 0 : -1;
	st->health = st->failing > 0 || st->feeds_ok == 0 ? STATUS_FAILING :
	    STATUS_OK;
out:
	store_close(db);
}

static void
status_print_table(const struct status *st, FILE *fp)
{
	char last[32], next[32], result[48], posts[32];

	fprintf(fp, "%-*s %-*s %-*s %*s  %s\n", W_NAME, "SOURCE", W_TIME,
	    "LAST POLL", W_TIME, "NEXT POLL", W_POSTS, "POSTS", "RESULT");
	for (size_t i = 0; i < st->c->nsources; i++) {
		const struct status_src *r = &st->v[i];

		status_time(last, sizeof(last), r->s.last_poll, "never");
		status_time(next, sizeof(next), r->s.next_poll, "-");
		status_result(result, sizeof(result), &r->s);
		snprintf(posts, sizeof(posts), "%lld", r->s.posts);
		status_put(fp, r->name, W_NAME, 1, 0);
		fprintf(fp, " %-*s %-*s %*s  ", W_TIME, last, W_TIME, next,
		    W_POSTS, posts);
		status_put(fp, result, W_RESULT, 0, 0);
		fputc('\n', fp);
		if (r->s.failures > 0 && r->s.result != NULL) {
			fprintf(fp, "%*s", W_INDENT, "");
			status_put(fp, r->s.result, W_LINE - W_INDENT, 0, 1);
			fputc('\n', fp);
		}
	}
	if (st->problem != NULL)
		return;
	fprintf(fp, "total: %zu %s, %d failing, %lld %s (%lld from these "
	    "sources)\n", st->c->nsources, st->c->nsources == 1 ? "source" :
	    "sources", st->failing, st->posts, st->posts == 1 ? "post" : "posts",
	    st->posts_by_sources);
	status_time(last, sizeof(last), st->feeds_at, "never");
	if (st->feeds_ok == 0)
		fprintf(fp, "feeds: the last write FAILED (last written: %s)\n",
		    last);
	else if (st->feeds_ok == 1)
		fprintf(fp, "feeds: last written %s\n", last);
	else
		fprintf(fp, "feeds: not written yet\n");
}

static void
status_json_num(struct sbuf *b, const char *key, long long v, int null_if_0)
{
	if (null_if_0 && v <= 0)
		sbuf_printf(b, "\"%s\": null", key);
	else
		sbuf_printf(b, "\"%s\": %lld", key, v);
}

static const char *
status_health_word(int health)
{
	switch (health) {
	case STATUS_OK: return "ok";
	case STATUS_FAILING: return "failing";
	default: return "no database";
	}
}

static char *
status_render_json(const struct status *st, size_t *lenp)
{
	struct sbuf b = { 0 };

	sbuf_printf(&b, "{\"status\": %d, \"health\": \"%s\", \"problem\": ",
	    st->health, status_health_word(st->health));
	json_add_str_null(&b, st->problem);
	sbuf_str(&b, ", \"configuration\": ");
	json_add_str(&b, st->c->path);
	sbuf_str(&b, ", \"database\": ");
	json_add_str(&b, st->c->database);
	sbuf_str(&b, ",\n \"sources\": [");
	for (size_t i = 0; i < st->c->nsources; i++) {
		const struct status_src *r = &st->v[i];

		sbuf_str(&b, i > 0 ? ",\n  {\"name\": " : "\n  {\"name\": ");
		json_add_str(&b, r->name);
		sbuf_printf(&b, ", \"polled\": %s, ", r->s.last_poll > 0 ?
		    "true" : "false");
		status_json_num(&b, "last_poll", r->s.last_poll, 1);
		sbuf_str(&b, ", ");
		status_json_num(&b, "last_success", r->s.last_success, 1);
		sbuf_str(&b, ", ");
		status_json_num(&b, "next_poll", r->s.next_poll, 1);
		sbuf_str(&b, ", \"result\": ");
		json_add_str_null(&b, r->s.last_poll > 0 ? r->s.result : NULL);
		sbuf_printf(&b, ", \"failing\": %s, \"failures\": %d, "
		    "\"posts\": %lld}", r->s.failures > 0 ? "true" : "false",
		    r->s.failures, r->s.posts);
	}
	sbuf_printf(&b, "%s],\n \"totals\": {\"sources\": %zu, \"failing\": %d, ",
	    st->c->nsources > 0 ? "\n " : "", st->c->nsources, st->failing);
	if (st->posts >= 0)
		sbuf_printf(&b, "\"posts\": %lld, ", st->posts);
	else
		sbuf_str(&b, "\"posts\": null, ");
	sbuf_printf(&b, "\"posts_from_sources\": %lld},\n \"feeds\": {",
	    st->posts_by_sources);
	status_json_num(&b, "last_write", st->feeds_at, 1);
	sbuf_printf(&b, ", \"ok\": %s}}\n", st->feeds_ok == 1 ? "true" :
	    st->feeds_ok == 0 ? "false" : "null");
	return sbuf_finish(&b, lenp);
}

int
status_print(const struct conf *c, int json, FILE *fp)
{
	struct status st;
	char *out;
	size_t len;
	int rc;

	memset(&st, 0, sizeof(st));
	st.c = c;
	if ((st.v = calloc(c->nsources + 1, sizeof(*st.v))) == NULL) {
		fprintf(stderr, "finewsd: --status: out of memory\n");
		return STATUS_NO_DB;
	}
	for (size_t i = 0; i < c->nsources; i++)
		st.v[i].name = c->sources[i].name;
	status_gather(&st);
	rc = st.health;
	if (json) {
		if ((out = status_render_json(&st, &len)) == NULL)
			rc = STATUS_NO_DB;
		else
			fwrite(out, 1, len, fp);
		free(out);
	} else
		status_print_table(&st, fp);
	if (st.problem != NULL)
		fprintf(stderr, "finewsd: %s\n", st.problem);
	for (size_t i = 0; i < c->nsources; i++)
		store_source_clear(&st.v[i].s);
	free(st.v);
	if ((ferror(fp) || fflush(fp) == EOF) && rc == STATUS_OK)
		rc = STATUS_FAILING;
	return rc;
}

int
status_print_conf_error(const char *err, FILE *fp)
{
	struct sbuf b = { 0 };
	char *out;
	size_t len;

	sbuf_str(&b, "{\"status\": 2, \"health\": \"bad configuration\", "
	    "\"problem\": ");
	json_add_str(&b, err);
	sbuf_str(&b, "}\n");
	if ((out = sbuf_finish(&b, &len)) != NULL)
		fwrite(out, 1, len, fp);
	free(out);
	(void)fflush(fp);
	return STATUS_NO_DB;
}

/* The walk of the learned readings: the character being printed. */
struct status_readings {
	FILE		*fp;
	struct store	*st;
	unsigned	 cp;		/* 0 before the first */
	char		*used;		/* its reading slugs take, or NULL */
	long long	 most;		/* its most votes */
	long		 readings, chars, differ;
	int		 failed;
};

/* Starts the lines of character CP, whose first line has VOTES votes. */
static int
status_reading_char(struct status_readings *w, unsigned cp, long long votes)
{
	const char *first = slug_reading_find(cp);

	free(w->used);
	w->used = NULL;
	w->cp = cp;
	w->most = votes;
	w->chars++;
	if (store_reading_get(w->st, cp, &w->used) == -1) {
		w->failed = 1;
		return -1;
	}
	if (w->used != NULL && (first == NULL || strcmp(w->used, first) != 0))
		w->differ++;
	return 0;
}

static int
status_reading_line(void *arg, unsigned cp, const char *reading,
    long long votes)
{
	struct status_readings *w = arg;
	unsigned char ch[5] = "?";
	const char *first, *used;
	size_t n;

	if ((w->chars == 0 || cp != w->cp) &&
	    status_reading_char(w, cp, votes) == -1)
		return -1;
	if ((n = utf8_encode(cp, ch)) > 0)
		ch[n] = '\0';
	first = slug_reading_find(cp);
	used = w->used != NULL ? (strcmp(w->used, reading) == 0 ? "yes" : "no") :
	    votes == w->most ? "tie" : "no";
	/* A Han character takes two columns: pad as if it were two bytes. */
	fprintf(w->fp, "%s%*s U+%-6X %-8s %7lld  %-8s %s\n", (char *)ch,
	    n > 1 ? 3 : 4, "", cp, reading, votes, first != NULL ? first : "-",
	    used);
	w->readings++;
	return 0;
}

int
status_readings_print(const struct conf *c, FILE *fp)
{
	struct status_readings w = { .fp = fp };
	char err[1024];
	int rc;

	if ((w.st = store_open_readonly(c->database, err, sizeof(err))) == NULL) {
		fprintf(stderr, "finewsd: %s\n", err);
		return 1;
	}
	fprintf(fp, "%-5s %-8s %-8s %7s  %-8s %s\n", "CHAR", "CODE", "READING",
	    "VOTES", "UNIHAN", "USED");
	rc = store_readings_each(w.st, status_reading_line, &w);
	free(w.used);
	store_close(w.st);
	if (rc == -1)
		return 1;
	fprintf(fp, "total: %ld readings of %ld characters; %ld read unlike "
	    "Unihan's first\n", w.readings, w.chars, w.differ);
	return ferror(fp) || fflush(fp) == EOF ? 1 : 0;
}
