/*
 * libFuzzer harness for charset: the choice of a response's charset (the
 * Content-Type's parameter, a BOM, the <meta> prescan) and its conversion
 * to UTF-8, over every charset finewsd names.  The first input byte picks
 * the configuration, the Content-Type and the kind of response; the rest
 * is the response, and also, read as a string, a Content-Type of its own.
 * Beyond what the sanitizers catch it traps when the promise of charset.h
 * breaks: output that is not valid UTF-8, a mark naming an offset past the
 * response, valid UTF-8 without reserved characters that comes out other
 * than it went in, or a failure without a message.
 *
 * Build and run (from the top of the tree):
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -I. -Isrc \
 *     tests/fuzz/fuzz_charset.c src/charset.c src/utf8.c src/util.c \
 *     -o /tmp/fuzz_charset
 *   /tmp/fuzz_charset -max_total_time=30 tests/fuzz/corpus_charset
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "charset.h"
#include "utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static const char *const fuzz_configured[] = {
	NULL, "gbk", "big5", "utf-8", "iso-8859-1", "utf-16le",
};

static const char *const fuzz_content_types[] = {
	NULL, "text/html", "text/html; charset=gbk",
	"application/json; charset=\"GB18030\"", "text/html;charset=big5",
	"text/html; charset=utf-16be", "text/html; charset=x-klingon",
	"text/html; charset=", "text/html; charset=EUC-JP",
};

#define NITEMS(a)	(sizeof(a) / sizeof((a)[0]))

/* Decodes BUF[LEN] as CH says and checks the output. */
static void
fuzz_decode(const struct charset_choice *ch, const uint8_t *buf, size_t len)
{
	char err[256], *copy;
	const char *out;
	size_t n, at, marks;

	err[0] = '\0';
	if ((out = charset_decode(ch, (const char *)buf, len, &n, &copy, &marks,
	    err, sizeof(err))) == NULL) {
		if (err[0] == '\0')
			__builtin_trap();
		return;
	}
	if (!utf8_is_valid((const unsigned char *)out, n))
		__builtin_trap();
	if (charset_mark_find(out, n, &at) && at != (size_t)-1 && at >= len)
		__builtin_trap();
	/* Marks made and marks found agree. */
	if ((marks > 0) != charset_mark_find(out, n, &at))
		__builtin_trap();
	/* UTF-8 that needs nothing is handed back as it is. */
	if (strcmp(ch->name, "UTF-8") == 0 && ch->bom == 0 &&
	    utf8_is_valid(buf, len) && !charset_mark_find((const char *)buf,
	    len, &at) && (out != (const char *)buf || n != len))
		__builtin_trap();
	free(copy);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct charset_choice ch;
	char err[256], *s;
	uint8_t pick;

	if (size == 0)
		return 0;
	pick = data[0];
	data++;
	size--;
	err[0] = '\0';
	if (charset_choose(fuzz_configured[pick % NITEMS(fuzz_configured)],
	    fuzz_content_types[(pick / 8) % NITEMS(fuzz_content_types)],
	    (const char *)data, size, pick & 0x80, &ch, err, sizeof(err)) == 0)
		fuzz_decode(&ch, data, size);
	else if (err[0] == '\0')
		__builtin_trap();

	/* The input as a Content-Type of its own. */
	if ((s = malloc(size + 1)) == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	if (charset_choose(NULL, s, (const char *)data, size, 1, &ch, err,
	    sizeof(err)) == 0)
		fuzz_decode(&ch, data, size);
	(void)charset_resolve(s, ch.name);
	free(s);
	return 0;
}
