/*
 * status: `finewsd --status` and `finewsd --readings`.  See status.h.  Owns
 * nothing: it reads each configured source's state and the post count, or
 * the learned readings, from a read-only store handle and prints them,
 * times in the local time zone.  Calls store, conf (read only), slug, utf8
 * and stdio.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "slug.h"
#include "status.h"
#include "store.h"
#include "utf8.h"

static void
status_time(char *buf, size_t size, long long t)
{
	struct tm tm;
	time_t tt = (time_t)t;

	if (t <= 0 || localtime_r(&tt, &tm) == NULL)
		snprintf(buf, size, "never");
	else
		strftime(buf, size, "%Y-%m-%d %H:%M:%S", &tm);
}

int
status_print(const struct conf *c, FILE *fp)
{
	struct store *st;
	char err[1024], last[32], next[32];
	long long total, posts = 0;
	int failing = 0;

	if ((st = store_open_readonly(c->database, err, sizeof(err))) == NULL) {
		fprintf(stderr, "finewsd: %s\n", err);
		return 1;
	}
	fprintf(fp, "%-16s %-19s %-19s %8s  %s\n", "SOURCE", "LAST POLL", "NEXT POLL",
	    "POSTS", "RESULT");
	for (size_t i = 0; i < c->nsources; i++) {
		struct store_source s;

		if (store_source_get(st, c->sources[i].name, &s) == -1) {
			store_close(st);
			return 1;
		}
		status_time(last, sizeof(last), s.last_poll);
		status_time(next, sizeof(next), s.next_poll);
		if (s.failures > 0)
			failing++;
		posts += s.posts;
		fprintf(fp, "%-16s %-19s %-19s %8lld  %s", c->sources[i].name, last, next,
		    s.posts, s.result ? s.result : "-");
		if (s.failures > 1)
			fprintf(fp, " (%d failures in a row)", s.failures);
		fputc('\n', fp);
		store_source_clear(&s);
	}
	total = store_posts_count(st, NULL);
	fprintf(fp, "total: %zu sources, %d failing, %lld posts in the database "
	    "(%lld written by these sources)\n", c->nsources, failing, total, posts);
	store_close(st);
	return ferror(fp) || fflush(fp) == EOF ? 1 : 0;
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
