/*
 * log: one logging family for the whole program (after OpenBSD's log.c).
 *
 * Every event is one line on stderr.  Under journald (JOURNAL_STREAM set, and
 * matching our stderr) each line starts with its "<N>" syslog priority so the
 * journal files it under the right level.  log_warn appends strerror(errno),
 * log_warnx does not.  There is no fatal(): every error travels back to
 * main.c, which alone decides to exit.  Calls nothing else in finewsd.
 */
#ifndef FINEWSD_LOG_H
#define FINEWSD_LOG_H

#include <stdarg.h>

/* Reads JOURNAL_STREAM once; verbose enables log_debug. */
void log_init(int verbose);

void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* An error that is not a warning: "<3>" under journald. */
void log_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
