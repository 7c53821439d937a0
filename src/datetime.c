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

/* Reads 1 to MAX digits at *S into *V, moving *S past them. */
static int
datetime_digits_upto(const char **s, int max, long long *v)
{
	int n = 0;

	*v = 0;
	while (n < max && **s >= '0' && **s <= '9') {
		*v = *v * 10 + (**s - '0');
		(*s)++;
		n++;
	}
	return n > 0 ? 0 : -1;
}

static int
datetime_is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/* %z at *S: Z, +HH, +HHMM or +HH:MM, into *OFFSET. */
static int
datetime_zone(const char **s, long *offset)
{
	int sign, h, m = 0;

	if (**s == 'Z') {
		(*s)++;
		*offset = 0;
		return 0;
	}
	if (**s != '+' && **s != '-')
		return -1;
	sign = **s == '-' ? -1 : 1;
	if (datetime_digits(*s + 1, 2, &h) == -1 || h > 23)
		return -1;
	*s += 3;
	if (**s == ':')
		(*s)++;
	if (**s >= '0' && **s <= '9') {
		if (datetime_digits(*s, 2, &m) == -1 || m > 59)
			return -1;
		*s += 2;
	} else if ((*s)[-1] == ':')
		return -1;
	*offset = sign * (h * 3600L + m * 60L);
	return 0;
}

/* The parse of one directive C at *S into the fields.  0 or -1. */
static int
datetime_directive(char c, const char **s, struct datetime *dt,
    int *has_offset, long long *epoch, int *has_epoch)
{
	long long v;

	switch (c) {
	case 'Y':
		if (datetime_digits(*s, 4, &dt->y) == -1)
			return -1;
		*s += 4;
		return 0;
	case 'y':
		if (datetime_digits(*s, 2, &dt->y) == -1)
			return -1;
		dt->y += 2000;
		*s += 2;
		return 0;
	case 'z':
		*has_offset = 1;
		return datetime_zone(s, &dt->offset);
	case 's':
		if (datetime_digits_upto(s, 12, &v) == -1)
			return -1;
		*epoch = v;
		*has_epoch = 1;
		return 0;
	}
	if (datetime_digits_upto(s, 2, &v) == -1)
		return -1;
	switch (c) {
	case 'm':
		dt->mo = (int)v;
		break;
	case 'd':
		dt->d = (int)v;
		break;
	case 'H':
		dt->h = (int)v;
		break;
	case 'M':
		dt->mi = (int)v;
		break;
	default:	/* 'S' */
		dt->s = (int)v;
		break;
	}
	return 0;
}

/* The directives FMT may hold, and what %F and %T stand for. */
static const char datetime_directives[] = "YymdHMSzs%FT";

int
datetime_parse_format(const char *s, const char *fmt, struct datetime *dt,
    int *has_offset, long long *epoch, int *has_epoch)
{
	const char *f = fmt, *sub = NULL;
	char c;

	memset(dt, 0, sizeof(*dt));
	dt->mo = dt->d = 1;
	*has_offset = *has_epoch = 0;
	*epoch = 0;
	if (s == NULL || fmt == NULL)
		return -1;
	for (;;) {
		if (*f == '\0' && sub != NULL) {
			f = sub;
			sub = NULL;
		}
		if (*f == '\0')
			break;
		/* A ":%S" ending the format may be missing from S. */
		if (*s == '\0' && strcmp(f, ":%S") == 0 &&
		    (sub == NULL || *sub == '\0'))
			break;
		if (datetime_is_blank(*f)) {
			if (!datetime_is_blank(*s))
				return -1;
			while (datetime_is_blank(*f))
				f++;
			while (datetime_is_blank(*s))
				s++;
			continue;
		}
		if (*f != '%' || f[1] == '%') {
			if (*s != *f)
				return -1;
			s++;
			f += *f == '%' ? 2 : 1;
			continue;
		}
		c = f[1];
		f += 2;
		if (c == 'F' || c == 'T') {
			if (sub != NULL)
				return -1;
			sub = f;
			f = c == 'F' ? "%Y-%m-%d" : "%H:%M:%S";
			continue;
		}
		if (c == '\0' || strchr(datetime_directives, c) == NULL ||
		    datetime_directive(c, &s, dt, has_offset, epoch,
		    has_epoch) == -1)
			return -1;
	}
	if (*s != '\0')
		return -1;
	if (*has_epoch)
		return 0;
	if (dt->mo < 1 || dt->mo > 12 || dt->d < 1 ||
	    dt->d > datetime_mdays(dt->y, dt->mo) || dt->h > 23 ||
	    dt->mi > 59 || dt->s > 59)
		return -1;
	return 0;
}

int
datetime_format_check(const char *fmt, char *err, size_t errlen)
{
	int y = 0, m = 0, d = 0, epoch = 0;
	const char *f;
	int n;

	for (f = fmt; *f != '\0'; f++) {
		if (*f != '%')
			continue;
		f++;
		if (*f == '\0' || strchr(datetime_directives, *f) == NULL) {
			n = *f == '\0' ? 0 : 1;
			if (errlen > 0)
				(void)snprintf(err, errlen, "unknown directive "
				    "%%%.*s (known: %%Y %%y %%m %%d %%H %%M %%S "
				    "%%F %%T %%z %%s %%%%)", n, f);
			return -1;
		}
		y |= *f == 'Y' || *f == 'y' || *f == 'F';
		m |= *f == 'm' || *f == 'F';
		d |= *f == 'd' || *f == 'F';
		epoch |= *f == 's';
	}
	if ((y && m && d) || epoch)
		return 0;
	if (errlen > 0)
		(void)snprintf(err, errlen, "names no day (it needs %%Y, %%m and "
		    "%%d, or %%s)");
	return -1;
}

void
datetime_from_epoch(long long t, long offset, struct datetime *dt)
{
	long long days, secs, z, era, doe, yoe, doy, mp;

	t += offset;
	days = t >= 0 ? t / 86400 : -((-t + 86399) / 86400);
	secs = t - days * 86400;
	/* Howard Hinnant's civil_from_days. */
	z = days + 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	dt->d = (int)(doy - (153 * mp + 2) / 5 + 1);
	dt->mo = (int)(mp < 10 ? mp + 3 : mp - 9);
	dt->y = (int)(yoe + era * 400 + (dt->mo <= 2));
	dt->h = (int)(secs / 3600);
	dt->mi = (int)(secs % 3600 / 60);
	dt->s = (int)(secs % 60);
	dt->offset = offset;
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
