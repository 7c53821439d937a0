/*
 * datetime: the one parser and formatter of the dates finewsd handles.
 *
 * Three shapes, all strict (the whole string, digits where digits go, a
 * real calendar date and time): a source's local time 'YYYY-MM-DD HH:MM:SS',
 * a UTC offset '+HHMM', and a post's published time, the two joined by a
 * space ('YYYY-MM-DD HH:MM:SS +0800'); and any shape a source writes, by a
 * strptime-like format of a few directives, read as strictly (glibc's
 * strptime() follows the locale and takes loose input, so it is not used).
 * Out: seconds since the epoch, the date and time of an epoch at an
 * offset, and RFC 3339 for the feeds.  Days from civil after Howard Hinnant's
 * algorithm, so neither the machine's time zone nor mktime() plays a part.
 * Pure functions of libc.
 */
#ifndef FINEWSD_DATETIME_H
#define FINEWSD_DATETIME_H

#include <stddef.h>

/* A date and time taken apart; OFFSET in seconds east of UTC. */
struct datetime {
	int	y, mo, d, h, mi, s;
	long	offset;
};

/* 'YYYY-MM-DD HH:MM:SS' into *DT (offset 0).  0, or -1 when it is not one. */
int datetime_parse_local(const char *s, struct datetime *dt);

/* '+HHMM' or '-HHMM' (HH ≤ 23, MM ≤ 59): its seconds east of UTC.  0 or -1. */
int datetime_parse_offset(const char *s, long *offset);

/* 'YYYY-MM-DD HH:MM:SS +HHMM' into *DT.  0 or -1. */
int datetime_parse_published(const char *s, struct datetime *dt);

/*
 * S read as FMT, strptime-like, into *DT (its offset that of a %z, else 0;
 * *HAS_OFFSET says which), or with %s straight into *EPOCH (then
 * *HAS_EPOCH is 1).  The directives: %Y (four digits), %y (two: 20yy),
 * %m, %d, %H, %M, %S (one or two digits), %F (%Y-%m-%d), %T (%H:%M:%S),
 * %z (Z, +HH, +HHMM or +HH:MM), %s (Unix seconds), %% (a '%').  A blank
 * in FMT matches one or more blanks; anything else, UTF-8 included,
 * matches itself.  The whole of S must match, except that a ":%S" ending
 * FMT may be missing from S (seconds 0); a field FMT lacks is 0 (a date
 * alone is midnight).  0, or -1 when S does not match or is no real date.
 */
int datetime_parse_format(const char *s, const char *fmt, struct datetime *dt,
    int *has_offset, long long *epoch, int *has_epoch);

/*
 * Checks FMT as datetime_parse_format() takes it: only its directives, and
 * a day named (%Y or %y, %m and %d; or %s).  0, or -1 with why in ERR.
 */
int datetime_format_check(const char *fmt, char *err, size_t errlen);

/* The date and time of epoch T at OFFSET seconds east of UTC, into *DT. */
void datetime_from_epoch(long long t, long offset, struct datetime *dt);

/* Seconds since the epoch of DT (its offset taken into account). */
long long datetime_epoch(const struct datetime *dt);

/* DT as RFC 3339 ('YYYY-MM-DDTHH:MM:SS+08:00') into BUF (26 bytes are
 * enough).  0, or -1 with errno ENOSPC when it does not fit. */
int datetime_rfc3339(const struct datetime *dt, char *buf, size_t size);

#endif
