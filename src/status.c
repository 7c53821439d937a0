/*
 * status: `finewsd --status`.  See status.h.  Owns nothing: it reads each
 * configured source's state and the post count from a read-only store
 * handle and prints them, times in the local time zone.  Calls store,
 * conf (read only) and stdio.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "status.h"
#include "store.h"

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
