/*
 * datetime: the one parser and formatter of the dates finewsd handles.
 *
 * Three shapes, all strict (the whole string, digits where digits go, a
 * real calendar date and time): a source's local time 'YYYY-MM-DD HH:MM:SS',
 * a UTC offset '+HHMM', and a post's published time, the two joined by a
 * space ('YYYY-MM-DD HH:MM:SS +0800').  Out: seconds since the epoch, and
 * RFC 3339 for the feeds.  Days from civil after Howard Hinnant's
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

/* Seconds since the epoch of DT (its offset taken into account). */
long long datetime_epoch(const struct datetime *dt);

/* DT as RFC 3339 ('YYYY-MM-DDTHH:MM:SS+08:00') into BUF (26 bytes are
 * enough).  0, or -1 with errno ENOSPC when it does not fit. */
int datetime_rfc3339(const struct datetime *dt, char *buf, size_t size);

#endif
