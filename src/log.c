/*
 * log: one line per event on stderr, with a syslog priority prefix under
 * journald.  See log.h.  Calls only libc.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"

static int log_journal;   /* stderr is connected to journald */
static int log_verbose;

/*
 * The decimal number at S, which must end at the byte STOP, into *V; END
 * is left at that byte.  0, or -1 for anything else (strictly, unlike
 * sscanf, which takes signs, blanks and overflow silently).
 */
static int
log_parse_number(const char *s, char stop, unsigned long long *v,
    const char **end)
{
	char *e;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	*v = strtoull(s, &e, 10);
	if (errno != 0 || *e != stop)
		return -1;
	*end = e;
	return 0;
}

/*
 * JOURNAL_STREAM is "DEVICE:INODE" of the stream systemd connected; it only
 * counts when it is still our stderr (a child of the service may have had
 * its stderr redirected while inheriting the variable).
 */
static int
log_is_journal(void)
{
	const char *js = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat sb;

	if (js == NULL || log_parse_number(js, ':', &dev, &js) == -1 ||
	    log_parse_number(js + 1, '\0', &ino, &js) == -1)
		return 0;
	if (fstat(STDERR_FILENO, &sb) == -1)
		return 0;
	return (unsigned long long)sb.st_dev == dev &&
	    (unsigned long long)sb.st_ino == ino;
}

void
log_init(int verbose)
{
	log_journal = log_is_journal();
	log_verbose = verbose;
}

/* Formats the whole line first so that it reaches stderr in one write. */
static void
log_vline(int prio, const char *err, const char *fmt, va_list ap)
{
	char line[2048];
	int n = 0, m;

	if (log_journal)
		n = snprintf(line, sizeof(line), "<%d>", prio);
	m = vsnprintf(line + n, sizeof(line) - n, fmt, ap);
	if (m < 0)
		return;
	n += m;
	if (n > (int)sizeof(line) - 2)
		n = sizeof(line) - 2;
	if (err != NULL) {
		m = snprintf(line + n, sizeof(line) - n, ": %s", err);
		if (m > 0)
			n += m;
		if (n > (int)sizeof(line) - 2)
			n = sizeof(line) - 2;
	}
	/* One event, one line: a newline inside a message would split it. */
	for (int i = log_journal ? 3 : 0; i < n; i++)
		if (line[i] == '\n' || line[i] == '\r')
			line[i] = ' ';
	line[n++] = '\n';
	(void)!write(STDERR_FILENO, line, n);
}

#define LOG_BODY(prio, err) do {		\
	va_list ap;				\
	va_start(ap, fmt);			\
	log_vline((prio), (err), fmt, ap);	\
	va_end(ap);				\
} while (0)

void
log_warn(const char *fmt, ...)
{
	const char *e = strerror(errno);

	LOG_BODY(4, e);
}

void log_warnx(const char *fmt, ...) { LOG_BODY(4, NULL); }
void log_error(const char *fmt, ...) { LOG_BODY(3, NULL); }
void log_info(const char *fmt, ...) { LOG_BODY(6, NULL); }

void
log_debug(const char *fmt, ...)
{
	if (log_verbose)
		LOG_BODY(7, NULL);
}
