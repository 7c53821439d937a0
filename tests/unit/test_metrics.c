/*
 * test_metrics: the Prometheus text rendered from a store and the
 * process's counters: every family has its HELP and TYPE, every sample a
 * value that follows from the state, label values escaped; and written
 * atomically, in a folder made when missing.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "conf.h"
#include "fsutil.h"
#include "metrics.h"
#include "store.h"

struct fixture {
	char dir[64];
	char db[128];
	struct store *st;
	struct conf c;
	struct conf_source src[2];
};

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	char err[512];

	if (f == NULL)
		return -1;
	strcpy(f->dir, "/tmp/test_metrics.XXXXXX");
	if (mkdtemp(f->dir) == NULL)
		return -1;
	snprintf(f->db, sizeof(f->db), "%s/finewsd.db", f->dir);
	if ((f->st = store_open(f->db, err, sizeof(err))) == NULL)
		return -1;
	f->src[0].name = (char *)"good";
	f->src[1].name = (char *)"we\"ird";
	f->c.sources = f->src;
	f->c.nsources = 2;
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;
	char cmd[256];

	store_close(f->st);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
	if (system(cmd) != 0)
		return -1;
	free(f);
	return 0;
}

/* Whether TEXT has LINE as a whole line. */
static int
has_line(const char *text, const char *line)
{
	size_t n = strlen(line);

	for (const char *p = text; (p = strstr(p, line)) != NULL; p++)
		if ((p == text || p[-1] == '\n') && p[n] == '\n')
			return 1;
	return 0;
}

static void
test_render(void **state)
{
	struct fixture *f = *state;
	struct store_source s = { .last_poll = 1700000100, .last_success = 1700000100,
	    .posts = 7, .result = (char *)"ok" };
	struct metrics *m = metrics_create();
	char *text;
	size_t len;

	assert_non_null(m);
	assert_int_equal(store_source_set(f->st, "good", &s), 0);
	s.failures = 3;
	s.last_success = 0;
	s.result = (char *)"list: HTTP status 500";
	assert_int_equal(store_source_set(f->st, "we\"ird", &s), 0);
	assert_int_equal(store_flag_set(f->st, "feeds_write_state", 2), 0);
	metrics_request(m, "good", METRICS_LIST, METRICS_OK, 1000, 0.25);
	metrics_request(m, "good", METRICS_LIST, METRICS_NOT_MODIFIED, 0, 0.5);
	metrics_request(m, "good", METRICS_TEXT, METRICS_OK, 500, 0.125);
	metrics_poll(m, "good", 1.5);

	text = metrics_render(m, &f->c, f->st, &len);
	assert_non_null(text);
	assert_int_equal(strlen(text), len);
	assert_true(has_line(text, "# TYPE finewsd_source_requests_total counter"));
	assert_true(has_line(text, "finewsd_source_last_poll_timestamp_seconds{source=\"good\"} 1700000100"));
	assert_true(has_line(text, "finewsd_source_last_success_timestamp_seconds{source=\"we\\\"ird\"} 0"));
	assert_true(has_line(text, "finewsd_source_consecutive_failures{source=\"we\\\"ird\"} 3"));
	assert_true(has_line(text, "finewsd_source_posts_written_total{source=\"good\"} 7"));
	assert_true(has_line(text, "finewsd_source_requests_total{source=\"good\",kind=\"list\",result=\"ok\"} 1"));
	assert_true(has_line(text, "finewsd_source_requests_total{source=\"good\",kind=\"list\",result=\"not_modified\"} 1"));
	assert_true(has_line(text, "finewsd_source_requests_total{source=\"good\",kind=\"text\",result=\"ok\"} 1"));
	assert_null(strstr(text, "kind=\"text\",result=\"not_modified\""));
	assert_true(has_line(text, "finewsd_source_requests_total{source=\"we\\\"ird\",kind=\"list\",result=\"failed\"} 0"));
	assert_true(has_line(text, "finewsd_source_received_bytes_total{source=\"good\"} 1500"));
	assert_true(has_line(text, "finewsd_source_request_duration_seconds_sum{source=\"good\",kind=\"list\"} 0.75"));
	assert_true(has_line(text, "finewsd_source_request_duration_seconds_count{source=\"good\",kind=\"list\"} 2"));
	assert_true(has_line(text, "finewsd_source_last_poll_duration_seconds{source=\"good\"} 1.5"));
	assert_true(has_line(text, "finewsd_sources 2"));
	assert_true(has_line(text, "finewsd_sources_failing 1"));
	assert_true(has_line(text, "finewsd_posts 0"));
	assert_true(has_line(text, "finewsd_feeds_last_write_success 0"));
	assert_true(has_line(text, "finewsd_build_info{version=\"" PACKAGE_VERSION "\"} 1"));
	assert_non_null(strstr(text, "\nprocess_resident_memory_bytes "));
	/* Every sample's family is declared before it. */
	for (const char *p = text; *p != '\0'; p = strchr(p, '\n') + 1) {
		char name[128], decl[160];
		size_t n = strcspn(p, "{ ");

		if (*p == '#')
			continue;
		assert_true(n < sizeof(name));
		memcpy(name, p, n);
		name[n] = '\0';
		if (strstr(name, "_sum") == name + n - 4 ||
		    (n > 6 && strcmp(name + n - 6, "_count") == 0))
			name[n - (name[n - 1] == 'm' ? 4 : 6)] = '\0';
		snprintf(decl, sizeof(decl), "# TYPE %s ", name);
		assert_non_null(strstr(text, decl));
	}
	free(text);
	metrics_destroy(m);
}

static void
test_write(void **state)
{
	struct fixture *f = *state;
	char path[256], *text;
	struct stat sb;

	snprintf(path, sizeof(path), "%s/a/b/finewsd.prom", f->dir);
	f->c.metrics_file = path;
	/* Without counters (NULL) as well: a --once run that polled nothing. */
	assert_int_equal(metrics_write(NULL, &f->c, f->st), 0);
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0644);
	text = fsutil_read_file(path, 1 << 20, NULL);
	assert_non_null(text);
	assert_true(has_line(text, "finewsd_source_requests_total{source=\"good\",kind=\"list\",result=\"ok\"} 0"));
	free(text);
	f->c.metrics_file = NULL;
	assert_int_equal(metrics_write(NULL, &f->c, f->st), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_render, setup, teardown),
		cmocka_unit_test_setup_teardown(test_write, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
