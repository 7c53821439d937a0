/*
 * json: JSON strings, escaped.  See json.h.  Escapes '"', '\\' and the C0
 * controls (RFC 8259 section 7), and also U+2028 and U+2029, which
 * JavaScript before ES2019 did not allow in a string literal, so that a
 * document stays safe to paste into a script.  Calls util and utf8.
 */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "json.h"
#include "utf8.h"

void
json_add_str(struct sbuf *b, const char *s)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t n = strlen(s), i = 0, k;
	uint32_t cp;

	sbuf_add(b, "\"", 1);
	while (i < n) {
		unsigned char c = u[i];

		if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
			k = i;
			while (k < n && u[k] >= 0x20 && u[k] < 0x80 &&
			    u[k] != '"' && u[k] != '\\')
				k++;
			sbuf_add(b, s + i, k - i);
			i = k;
			continue;
		}
		if (c < 0x80) {
			switch (c) {
			case '"': sbuf_str(b, "\\\""); break;
			case '\\': sbuf_str(b, "\\\\"); break;
			case '\n': sbuf_str(b, "\\n"); break;
			case '\r': sbuf_str(b, "\\r"); break;
			case '\t': sbuf_str(b, "\\t"); break;
			default: sbuf_printf(b, "\\u%04x", c); break;
			}
			i++;
			continue;
		}
		if ((k = utf8_decode(u + i, n - i, &cp)) == 0) {
			/* One U+FFFD per maximal subpart of a bad sequence. */
			int valid;

			sbuf_str(b, UTF8_FFFD);
			i += utf8_scan(u + i, n - i, &valid);
			continue;
		}
		if (cp == 0x2028 || cp == 0x2029)
			sbuf_printf(b, "\\u%04x", (unsigned)cp);
		else
			sbuf_add(b, s + i, k);
		i += k;
	}
	sbuf_add(b, "\"", 1);
}

void
json_add_str_null(struct sbuf *b, const char *s)
{
	if (s == NULL)
		sbuf_str(b, "null");
	else
		json_add_str(b, s);
}
