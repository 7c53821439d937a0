/*
 * tmpl: string templates.  See tmpl.h.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tmpl.h"

char *
tmpl_fill(const char *tmpl, const char *key, const char *val)
{
	size_t klen = strlen(key), vlen = strlen(val), tlen = strlen(tmpl);
	size_t n = 0;
	const char *p, *q;
	char *out, *o;

	if (klen == 0)
		return strdup(tmpl);
	for (p = tmpl; (q = strstr(p, key)) != NULL; p = q + klen)
		n++;
	if (vlen > klen && n > (SIZE_MAX - tlen - 1) / (vlen - klen))
		return NULL;
	if ((out = malloc(tlen - n * klen + n * vlen + 1)) == NULL)
		return NULL;
	for (o = out, p = tmpl; (q = strstr(p, key)) != NULL; p = q + klen) {
		memcpy(o, p, (size_t)(q - p));
		o += q - p;
		memcpy(o, val, vlen);
		o += vlen;
	}
	strcpy(o, p);
	return out;
}
