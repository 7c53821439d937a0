/*
 * libFuzzer harness for the source parsers: every input goes through the
 * list and text parsers of a JSON and an HTML source (read as the response
 * says, so the charset detection runs on it too) and of an HTML source in
 * GBK with a date format of its own, and through the date and id checks,
 * and everything they return is freed.  Beyond what the
 * sanitizers catch it traps when a parser breaks its own contract: a failed
 * list call that touched the list, a record let through that the checks
 * should have stopped, a JSON response with a NUL byte in it that parsed,
 * a string from a JSON or an HTML response that is not valid UTF-8, or a
 * record or an article let through with the mark of bytes that did not
 * decode in it.
 *
 * Build and run (from the top of the tree):
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -I. -Isrc \
 *     $(pkg-config --cflags libxml-2.0 sqlite3) tests/fuzz/fuzz_source.c \
 *     src/source.c src/source_json.c src/source_html.c src/record.c \
 *     src/util.c src/utf8.c src/tmpl.c src/datetime.c \
 *     -o /tmp/fuzz_source $(pkg-config --libs libxml-2.0 sqlite3)
 *   /tmp/fuzz_source -max_total_time=60 tests/fuzz/corpus_source
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "charset.h"
#include "record.h"
#include "source.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* The market-news source of the contract, with the rolling-news extras. */
static const struct conf_source fuzz_json = {
	.name = "json",
	.format = CONF_FORMAT_JSON,
	.list_items = "record",
	.id_field = "infoCode",
	.title_field = "title",
	.date_field = "datetime",
	.media_field = "medianame",
	.text_field = "text",
	.digest_field = "digest",
	.link_field = "url_w",
	.file_id_field = "id",
};

/* A nested array, no media, a fixed category, the file id from the id. */
static const struct conf_source fuzz_json_nested = {
	.name = "nested",
	.format = CONF_FORMAT_JSON,
	.list_items = "data.list",
	.id_field = "infoCode",
	.title_field = "title",
	.date_field = "showtime",
	.category = "emnews",
	.text_field = "data.text",
};

static const struct conf_source fuzz_html = {
	.name = "html",
	.format = CONF_FORMAT_HTML,
	.list_xpath = "//li",
	.id_xpath = "substring-after(a/@href, 'infoCode=')",
	.title_xpath = "a",
	.date_xpath = "span[@class='time']",
	.media_xpath = "span[@class='media']/text()",
	.text_xpath = "//div[@id='content']",
};

/* The same page in GBK, whatever it says, with its links made absolute. */
static const struct conf_source fuzz_gbk = {
	.name = "gbk",
	.format = CONF_FORMAT_HTML,
	.charset = "gbk",
	.list_xpath = "//li",
	.id_xpath = "a/@href",
	.title_xpath = "a",
	.date_xpath = "span[@class='time']",
	.category = "web",
	.tag = "web",
	.text_xpath = "//div[@id='content']",
	.date_format = "%Y年%m月%d日 %H:%M",
	.has_tz = 1,
};

/*
 * Traps unless S (or NULL) is valid UTF-8, which the writers rely on: no
 * stray continuation byte, no overlong form, no surrogate, nothing past
 * U+10FFFF, no truncated sequence.
 */
static void
fuzz_utf8(const char *s)
{
	const unsigned char *u = (const unsigned char *)s;
	uint32_t cp;
	int n, i;

	if (s == NULL)
		return;
	while (*u != '\0') {
		if (*u < 0x80) {
			u++;
			continue;
		}
		if ((*u & 0xe0) == 0xc0)
			n = 1, cp = *u & 0x1f;
		else if ((*u & 0xf0) == 0xe0)
			n = 2, cp = *u & 0x0f;
		else if ((*u & 0xf8) == 0xf0)
			n = 3, cp = *u & 0x07;
		else
			__builtin_trap();
		for (i = 1; i <= n; i++) {
			if ((u[i] & 0xc0) != 0x80)
				__builtin_trap();
			cp = cp << 6 | (u[i] & 0x3f);
		}
		if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) ||
		    (n == 3 && cp < 0x10000) || cp > 0x10ffff ||
		    (cp >= 0xd800 && cp <= 0xdfff))
			__builtin_trap();
		u += n + 1;
	}
}

/* Traps when S holds the mark of bytes that did not decode. */
static void
fuzz_unmarked(const char *s)
{
	size_t at;

	if (s != NULL && charset_mark_find(s, strlen(s), &at))
		__builtin_trap();
}

/* Checks what the contract promises of a record let through. */
static void
fuzz_check(const struct conf_source *sc, const struct record *r)
{
	long long t;

	fuzz_utf8(r->id);
	fuzz_utf8(r->file_id);
	fuzz_utf8(r->title);
	fuzz_utf8(r->date);
	fuzz_utf8(r->media);
	fuzz_utf8(r->digest);
	fuzz_utf8(r->link);
	if (r->skip != NULL)
		return;
	fuzz_unmarked(r->id);
	fuzz_unmarked(r->file_id);
	fuzz_unmarked(r->title);
	fuzz_unmarked(r->date);
	fuzz_unmarked(r->media);
	fuzz_unmarked(r->digest);
	fuzz_unmarked(r->link);
	if (!record_id_is_fit(r->id) || !record_id_is_fit(r->file_id) ||
	    r->title == NULL || r->title[0] == '\0' ||
	    record_source_date(sc, r->date, 0, &t) != 0 || r->body != NULL)
		__builtin_trap();
	if (sc->file_id_field == NULL && strcmp(r->id, r->file_id) != 0)
		__builtin_trap();
}

/* What the transport says of the response: nothing, or a charset. */
static struct source_response fuzz_resp_big5 = {
	.url = "http://news.example/a/b.html",
	.content_type = "text/html; charset=big5",
};

static void
fuzz_list(const struct conf_source *sc, struct source_response *resp,
    const uint8_t *data, size_t size)
{
	struct record_list l = { 0 };
	char err[256];
	size_t i;

	err[0] = '\0';
	if (source_parse_list(sc, resp, (const char *)data, size, &l, err,
	    sizeof(err)) == -1) {
		if (l.n != 0 || err[0] == '\0')
			__builtin_trap();
		record_list_clear(&l);
		return;
	}
	if (sc->format == CONF_FORMAT_JSON && memchr(data, '\0', size) != NULL)
		__builtin_trap();
	for (i = 0; i < l.n; i++)
		fuzz_check(sc, &l.v[i]);
	record_list_clear(&l);
}

static void
fuzz_text(const struct conf_source *sc, struct source_response *resp,
    const uint8_t *data, size_t size)
{
	char err[256], *s;

	err[0] = '\0';
	if ((s = source_parse_text(sc, resp, (const char *)data, size, err,
	    sizeof(err))) == NULL) {
		if (err[0] == '\0')
			__builtin_trap();
		return;
	}
	if (sc->format == CONF_FORMAT_JSON && memchr(data, '\0', size) != NULL)
		__builtin_trap();
	fuzz_utf8(s);
	fuzz_unmarked(s);
	free(s);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s;
	long long t;

	fuzz_list(&fuzz_json, NULL, data, size);
	fuzz_list(&fuzz_json_nested, NULL, data, size);
	fuzz_list(&fuzz_html, NULL, data, size);
	fuzz_list(&fuzz_html, &fuzz_resp_big5, data, size);
	fuzz_list(&fuzz_gbk, &fuzz_resp_big5, data, size);
	fuzz_text(&fuzz_json, NULL, data, size);
	fuzz_text(&fuzz_json_nested, NULL, data, size);
	fuzz_text(&fuzz_html, NULL, data, size);
	fuzz_text(&fuzz_gbk, &fuzz_resp_big5, data, size);

	if ((s = malloc(size + 1)) == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	(void)record_date_parse(s, 28800, &t);
	(void)record_id_is_fit(s);
	free(s);
	return 0;
}
