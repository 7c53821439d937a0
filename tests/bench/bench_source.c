/*
 * Speed of the JSON source parsers, in microseconds per parse: the seed
 * text response of the contract 20,000 times, and lists of 100 records
 * 2,000 times each: one with the seed list's four fields per record, one
 * shaped as the rolling news API sends it (the fields finewsd reads and a
 * few it does not).  Each figure is the best of
 * BENCH_ROUNDS rounds, as other work on the machine only ever adds time.
 * A measuring tool, not a test: it checks only that each parse succeeds.
 *
 * Build and run (from the top of the tree):
 *   gcc -std=gnu11 -O2 -I. -Isrc $(pkg-config --cflags libxml-2.0 sqlite3) \
 *     tests/bench/bench_source.c src/source.c src/source_json.c \
 *     src/source_html.c src/record.c src/util.c src/utf8.c src/tmpl.c \
 *     src/datetime.c \
 *     -o /tmp/bench_source $(pkg-config --libs libxml-2.0 sqlite3)
 *   /tmp/bench_source [tests/fixtures/seed-text.json]
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "source.h"

#define BENCH_TEXT_RUNS	20000
#define BENCH_LIST_RUNS	2000
#define BENCH_RECORDS	100
#define BENCH_ROUNDS	5

static double
bench_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static char *
bench_read(const char *path, size_t *len)
{
	FILE *fp;
	char *buf;
	long n;

	if ((fp = fopen(path, "rb")) == NULL || fseek(fp, 0, SEEK_END) != 0 ||
	    (n = ftell(fp)) < 0 || fseek(fp, 0, SEEK_SET) != 0 ||
	    (buf = malloc(n + 1)) == NULL || fread(buf, 1, n, fp) != (size_t)n) {
		perror(path);
		exit(1);
	}
	fclose(fp);
	buf[n] = '\0';
	*len = n;
	return buf;
}

/*
 * A list response of N records: with FULL, with the rolling news API's
 * fields and a few finewsd does not read, else with only the four of the
 * seed list's record.
 */
static char *
bench_list(int n, int full, size_t *len)
{
	static const char *const media[] = { "青岛财经日报", "券商中国",
	    "每日经济新闻", "财联社", "上海证券报", "36氪" };
	size_t cap = 1024 * (size_t)n + 64, o;
	char *b;
	int i;

	if ((b = malloc(cap)) == NULL)
		exit(1);
	o = snprintf(b, cap, "{\"rc\":1,\"total\":%d,\"record\":[", n);
	for (i = 0; i < n; i++) {
		o += snprintf(b + o, cap - o, "%s{\"infoCode\":\"NW2022%014d\","
		    "\"title\":\"今年青岛产业政策将在这些领域发力（第%d条）\","
		    "\"datetime\":\"2022-03-23 10:%02d:%02d\","
		    "\"medianame\":\"%s\"", i > 0 ? "," : "", i, i, i % 60,
		    i % 60, media[i % 6]);
		if (full)
			o += snprintf(b + o, cap - o, ",\"id\":2022%014d,"
			    "\"digest\":\"【今年青岛产业政策将在这些领域发力】"
			    "青岛市政府发布今年产业政策要点。\","
			    "\"url_w\":\"http://finance.eastmoney.com/a/"
			    "2022%014d.html\",\"image\":\"\","
			    "\"columns\":[\"350\",\"1208\"],\"sort\":%d", i, i, i);
		o += snprintf(b + o, cap - o, "}");
	}
	o += snprintf(b + o, cap - o, "]}");
	*len = o;
	return b;
}

static struct conf_source
bench_conf(int rolling)
{
	struct conf_source sc;

	memset(&sc, 0, sizeof(sc));
	sc.name = "bench";
	sc.format = CONF_FORMAT_JSON;
	sc.list_items = "record";
	sc.id_field = "infoCode";
	sc.title_field = "title";
	sc.date_field = "datetime";
	sc.media_field = "medianame";
	sc.text_field = "text";
	if (rolling) {
		sc.file_id_field = "id";
		sc.digest_field = "digest";
		sc.link_field = "url_w";
	}
	return sc;
}

/* One round of RUNS text parses; microseconds per parse. */
static double
bench_text_round(const struct conf_source *sc, const char *buf, size_t len,
    int runs)
{
	char err[256], *s;
	double t0 = bench_now();
	int i;

	for (i = 0; i < runs; i++) {
		if ((s = source_parse_text(sc, NULL, buf, len, err,
		    sizeof(err))) == NULL) {
			fprintf(stderr, "text: %s\n", err);
			exit(1);
		}
		free(s);
	}
	return (bench_now() - t0) / runs;
}

/* One round of RUNS list parses; microseconds per parse. */
static double
bench_list_round(const struct conf_source *sc, const char *buf, size_t len,
    int runs)
{
	struct record_list l = { 0 };
	char err[256];
	double t0 = bench_now();
	int i;

	for (i = 0; i < runs; i++) {
		if (source_parse_list(sc, NULL, buf, len, &l, err, sizeof(err)) != 0 ||
		    l.n != BENCH_RECORDS || l.v[BENCH_RECORDS - 1].skip != NULL) {
			fprintf(stderr, "list: %s\n", err);
			exit(1);
		}
		record_list_clear(&l);
	}
	return (bench_now() - t0) / runs;
}

static void
bench_report(const char *what, double (*round)(const struct conf_source *,
    const char *, size_t, int), const struct conf_source *sc,
    const char *buf, size_t len, int runs)
{
	double t, best = 0;
	int i;

	for (i = 0; i < BENCH_ROUNDS; i++)
		if ((t = round(sc, buf, len, runs)) < best || i == 0)
			best = t;
	printf("%s: %.1f us per parse\n", what, best);
}

int
main(int argc, char *argv[])
{
	const char *path = argc > 1 ? argv[1] : "tests/fixtures/seed-text.json";
	struct conf_source market = bench_conf(0), rolling = bench_conf(1);
	char *buf;
	size_t len;

	buf = bench_read(path, &len);
	printf("text response: %zu bytes\n", len);
	bench_report("text", bench_text_round, &market, buf, len,
	    BENCH_TEXT_RUNS);
	free(buf);

	buf = bench_list(BENCH_RECORDS, 0, &len);
	printf("lean list: %d records of 4 fields, %zu bytes\n", BENCH_RECORDS,
	    len);
	bench_report("lean list, market news", bench_list_round, &market, buf,
	    len, BENCH_LIST_RUNS);
	free(buf);

	buf = bench_list(BENCH_RECORDS, 1, &len);
	printf("full list: %d records of 11 fields, %zu bytes\n",
	    BENCH_RECORDS, len);
	bench_report("full list, market news (4 fields read)",
	    bench_list_round, &market, buf, len, BENCH_LIST_RUNS);
	bench_report("full list, rolling news (7 fields read)",
	    bench_list_round, &rolling, buf, len, BENCH_LIST_RUNS);
	free(buf);
	source_cleanup();
	return 0;
}
