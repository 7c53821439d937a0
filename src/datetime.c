/*
 * datetime: strict date parsing and formatting.  See datetime.h.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "datetime.h"

/* Parses exactly N digits at S into *V; a NUL or any other byte fails. */
static int
datetime_digits(const char *s, int n, int *v)
{
	*v = 0;
	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		*v = *v * 10 + (s[i] - '0');
	}
	return 0;
}

static int
datetime_mdays(int y, int mo)
{
	static const int md[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	if (mo == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 29;
	return md[mo - 1];
}

/* The 19 bytes of 'YYYY-MM-DD HH:MM:SS' at S; what follows is not looked at. */
static int
datetime_parse_prefix(const char *s, struct datetime *dt)
{
	/* Each check stops at a NUL, so a short string is never read past. */
	if (datetime_digits(s, 4, &dt->y) == -1 || s[4] != '-' ||
	    datetime_digits(s + 5, 2, &dt->mo) == -1 || s[7] != '-' ||
	    datetime_digits(s + 8, 2, &dt->d) == -1 || s[10] != ' ' ||
	    datetime_digits(s + 11, 2, &dt->h) == -1 || s[13] != ':' ||
	    datetime_digits(s + 14, 2, &dt->mi) == -1 || s[16] != ':' ||
	    datetime_digits(s + 17, 2, &dt->s) == -1)
		return -1;
	if (dt->mo < 1 || dt->mo > 12 || dt->d < 1 ||
	    dt->d > datetime_mdays(dt->y, dt->mo) || dt->h > 23 ||
	    dt->mi > 59 || dt->s > 59)
		return -1;
	dt->offset = 0;
	return 0;
}

int
datetime_parse_local(const char *s, struct datetime *dt)
{
	if (s == NULL || datetime_parse_prefix(s, dt) == -1 || s[19] != '\0')
		return -1;
	return 0;
}

int
datetime_parse_offset(const char *s, long *offset)
{
	int h, m;

	if (s == NULL || (s[0] != '+' && s[0] != '-') ||
	    datetime_digits(s + 1, 2, &h) == -1 ||
	    datetime_digits(s + 3, 2, &m) == -1 || s[5] != '\0' || h > 23 ||
	    m > 59)
		return -1;
	*offset = (s[0] == '-' ? -1L : 1L) * (h * 3600L + m * 60L);
	return 0;
}

int
datetime_parse_published(const char *s, struct datetime *dt)
{
	long offset;

	if (s == NULL || datetime_parse_prefix(s, dt) == -1 || s[19] != ' ' ||
	    datetime_parse_offset(s + 20, &offset) == -1)
		return -1;
	dt->offset = offset;
	return 0;
}

long long
datetime_epoch(const struct datetime *dt)
{
	long long y = dt->y - (dt->mo <= 2), era, yoe, doy, doe, days;

	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (dt->mo + (dt->mo > 2 ? -3 : 9)) + 2) / 5 + dt->d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	days = era * 146097 + doe - 719468;
	return days * 86400 + dt->h * 3600 + dt->mi * 60 + dt->s - dt->offset;
}

int
datetime_rfc3339(const struct datetime *dt, char *buf, size_t size)
{
	long off = dt->offset < 0 ? -dt->offset : dt->offset;
	int n;

	n = snprintf(buf, size, "%04d-%02d-%02dT%02d:%02d:%02d%c%02ld:%02ld",
	    dt->y, dt->mo, dt->d, dt->h, dt->mi, dt->s,
	    dt->offset < 0 ? '-' : '+', off / 3600, off % 3600 / 60);
	if (n < 0 || (size_t)n >= size) {
		errno = ENOSPC;
		return -1;
	}
	return 0;
}
