/*
 * util: shared string and memory helpers.  See util.h.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

void
err_set(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/*
 * The array pointer is read and written through memcpy, so that one
 * function serves every element type without type punning.
 */
int
vec_reserve(void *vp, size_t *cap, size_t need, size_t size)
{
	void *v, *nv;
	size_t ncap;

	if (need <= *cap)
		return 0;
	if (size == 0 || need > SIZE_MAX / size) {
		errno = ENOMEM;
		return -1;
	}
	ncap = *cap < 16 ? 16 : *cap;
	/*
	 * Sixteen elements of SIZE bytes may not fit in a size_t where NEED
	 * of them do: NCAP * SIZE must not wrap around to a small allocation
	 * that is then taken for sixteen elements.
	 */
	if (ncap > SIZE_MAX / size)
		ncap = need;
	while (ncap < need)
		ncap = ncap > SIZE_MAX / size / 2 ? need : ncap * 2;
	memcpy(&v, vp, sizeof(v));
	if ((nv = realloc(v, ncap * size)) == NULL)
		return -1;
	memcpy(vp, &nv, sizeof(nv));
	*cap = ncap;
	return 0;
}

void
sbuf_add(struct sbuf *b, const char *s, size_t n)
{
	if (b->err)
		return;
	if (n > SIZE_MAX - b->len - 1 || (b->len + n + 1 > b->cap &&
	    vec_reserve(&b->p, &b->cap, b->len + n + 1, 1) == -1)) {
		b->err = 1;
		return;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

void
sbuf_str(struct sbuf *b, const char *s)
{
	sbuf_add(b, s, strlen(s));
}

void
sbuf_printf(struct sbuf *b, const char *fmt, ...)
{
	va_list ap;
	char *s;
	int n;

	if (b->err)
		return;
	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0) {
		b->err = 1;
		return;
	}
	sbuf_add(b, s, (size_t)n);
	free(s);
}

char *
sbuf_finish(struct sbuf *b, size_t *lenp)
{
	char *p;

	sbuf_add(b, "", 0);
	if (b->err) {
		sbuf_clear(b);
		errno = ENOMEM;
		return NULL;
	}
	if (lenp != NULL)
		*lenp = b->len;
	p = b->p;
	memset(b, 0, sizeof(*b));
	return p;
}

char *
sbuf_finish_fit(struct sbuf *b, size_t *lenp)
{
	size_t len;
	char *p = sbuf_finish(b, &len), *fit;

	/* A smaller block: realloc keeps P where it fails. */
	if (p != NULL && (fit = realloc(p, len + 1)) != NULL)
		p = fit;
	if (p != NULL && lenp != NULL)
		*lenp = len;
	return p;
}

void
sbuf_clear(struct sbuf *b)
{
	free(b->p);
	memset(b, 0, sizeof(*b));
}

int
str_is_space(int c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
	    c == '\v';
}

int
str_is_blank(const char *s)
{
	if (s == NULL)
		return 1;
	for (; *s != '\0'; s++)
		if (!str_is_space((unsigned char)*s))
			return 0;
	return 1;
}

const char *
str_strip(const char *s, size_t *n)
{
	size_t k;

	while (str_is_space((unsigned char)*s))
		s++;
	k = strlen(s);
	while (k > 0 && str_is_space((unsigned char)s[k - 1]))
		k--;
	*n = k;
	return s;
}

char *
str_dup_null(const char *s)
{
	return s != NULL ? strdup(s) : NULL;
}

char *
path_join(const char *dir, const char *rel)
{
	char *p;

	if (asprintf(&p, "%s/%s", dir, rel) == -1)
		return NULL;
	return p;
}

long long
path_key(const char *path)
{
	char *real = realpath(path, NULL);
	const unsigned char *u = (const unsigned char *)(real != NULL ? real : path);
	uint64_t h = 14695981039346656037ULL;   /* FNV-1a */

	for (; *u != '\0'; u++)
		h = (h ^ *u) * 1099511628211ULL;
	free(real);
	return (long long)(h >> 2) + 2;
}

char *
url_escape(const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	const unsigned char *u = (const unsigned char *)s;
	size_t len = strlen(s);
	char *d, *o;

	if (len > (SIZE_MAX - 1) / 3 || (d = malloc(len * 3 + 1)) == NULL)
		return NULL;
	for (o = d; *u != '\0'; u++) {
		if ((*u >= 'A' && *u <= 'Z') || (*u >= 'a' && *u <= 'z') ||
		    (*u >= '0' && *u <= '9') || *u == '.' || *u == '_' ||
		    *u == '~' || *u == '-') {
			*o++ = (char)*u;
		} else {
			*o++ = '%';
			*o++ = hex[*u >> 4];
			*o++ = hex[*u & 0xf];
		}
	}
	*o = '\0';
	return d;
}

double
backoff_delay(double first, int failures)
{
	double d = first < UTIL_BACKOFF_MIN ? first : UTIL_BACKOFF_MIN;

	for (int i = 1; i < failures && d < UTIL_BACKOFF_MAX; i++)
		d *= 2;
	return d > UTIL_BACKOFF_MAX ? UTIL_BACKOFF_MAX : d;
}
