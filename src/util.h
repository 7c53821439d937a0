/*
 * util: the small string and memory helpers every module shares.
 *
 * Error messages into a caller's buffer, growable arrays, a growing byte
 * buffer, white space, path joining and URL escaping.  The lowest layer:
 * pure functions of libc, no logging, no state, so parsers, writers and the
 * store can all sit on it.  One copy of each rule, here.
 */
#ifndef FINEWSD_UTIL_H
#define FINEWSD_UTIL_H

#include <stddef.h>

/*
 * The largest response body that finewsd reads: every text, and a list
 * unless its source's max_list_size (conf.h) says otherwise.  The parsers
 * set no size rule of their own; libxml2 reads at most 10,000,000 bytes of
 * one text of an HTML page (source_html.c).
 */
#define UTIL_MAX_RESPONSE	((size_t)8 << 20)

/*
 * The delay before the next try after FAILURES failures in a row (1 or
 * more), in seconds: FIRST (at most UTIL_BACKOFF_MIN), doubling with each
 * further failure up to UTIL_BACKOFF_MAX.  The one backoff of finewsd: the
 * sources' polls and the WebSub pings both wait by it.
 */
#define UTIL_BACKOFF_MIN	30.0
#define UTIL_BACKOFF_MAX	3600.0
double backoff_delay(double first, int failures);

/* Formats a message into ERR[ERRLEN]; nothing when ERR is NULL or ERRLEN 0. */
void err_set(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/*
 * Makes room for NEED elements of SIZE bytes in the array *VP of capacity
 * *CAP (both updated), growing geometrically so that a run of appends stays
 * linear.  VP points to the array pointer, of any element type.  0, or -1
 * with the array untouched when memory runs out or NEED*SIZE overflows.
 * VEC_RESERVE(v, cap, need) is the usual call.
 */
int vec_reserve(void *vp, size_t *cap, size_t need, size_t size);
#define VEC_RESERVE(v, cap, need) vec_reserve(&(v), &(cap), (need), sizeof(*(v)))

/* A growing NUL-terminated byte buffer; an allocation failure sticks. */
struct sbuf {
	char	*p;
	size_t	 len, cap;
	int	 err;
};

void sbuf_add(struct sbuf *b, const char *s, size_t n);
void sbuf_str(struct sbuf *b, const char *s);
void sbuf_printf(struct sbuf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Hands out the bytes (the caller frees them), their length in *LENP when
 * LENP is not NULL; NULL with errno ENOMEM after a failure (freed).  An
 * empty buffer gives "". */
char *sbuf_finish(struct sbuf *b, size_t *lenp);
/* The same, in a block of just its size: for a string that is kept. */
char *sbuf_finish_fit(struct sbuf *b, size_t *lenp);
/* Frees what the buffer holds (after a failure elsewhere). */
void sbuf_clear(struct sbuf *b);

/* 1 for ASCII white space (space, TAB, LF, CR, FF, VT). */
int str_is_space(int c);
/* 1 when S is NULL, empty, or nothing but ASCII white space. */
int str_is_blank(const char *s);
/* S without its leading ASCII white space; *N is set to its length without
 * the trailing white space. */
const char *str_strip(const char *s, size_t *n);
/* strdup(S), or NULL for a NULL S (check S before taking NULL as failure). */
char *str_dup_null(const char *s);

/* "DIR/REL", malloc'd; NULL when memory runs out. */
char *path_join(const char *dir, const char *rel);
/*
 * A number naming the folder PATH, for a flag in the store: a hash of its
 * canonical path (of PATH as written when it cannot be resolved), never 0
 * or 1.
 */
long long path_key(const char *path);

/*
 * S with every byte outside [A-Za-z0-9._~-] (RFC 3986's unreserved
 * characters) percent-encoded in upper-case hex, as libcurl's
 * curl_easy_escape() does.  Malloc'd; NULL when memory runs out.
 */
char *url_escape(const char *s);

#endif
