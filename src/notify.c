/*
 * notify: sd_notify(3) without libsystemd.  See notify.h.  Owns the
 * notification socket's address and the watchdog interval, read once from
 * the environment; every public function is one message through the
 * file-local notify_send.  Calls only libc and log.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "notify.h"

static struct sockaddr_un notify_addr;
static socklen_t notify_addrlen;   /* 0: not under systemd */
static double notify_wd_interval;
static int notify_warned;

void
notify_init(void)
{
	const char *path = getenv("NOTIFY_SOCKET");
	const char *usec = getenv("WATCHDOG_USEC");
	const char *pid = getenv("WATCHDOG_PID");
	size_t len;

	notify_addrlen = 0;
	notify_wd_interval = 0;
	if (path != NULL && (path[0] == '/' || path[0] == '@') &&
	    (len = strlen(path)) < sizeof(notify_addr.sun_path)) {
		memset(&notify_addr, 0, sizeof(notify_addr));
		notify_addr.sun_family = AF_UNIX;
		memcpy(notify_addr.sun_path, path, len);
		/* An abstract name starts with a NUL byte and is not NUL-terminated. */
		if (path[0] == '@')
			notify_addr.sun_path[0] = '\0';
		notify_addrlen = offsetof(struct sockaddr_un, sun_path) + len +
		    (path[0] == '/');
	}
	if (usec != NULL && (pid == NULL || strtol(pid, NULL, 10) == (long)getpid())) {
		char *end;
		unsigned long long us;

		errno = 0;
		us = strtoull(usec, &end, 10);
		if (errno == 0 && *end == '\0' && us > 0)
			notify_wd_interval = (double)us / 2e6;
	}
}

static int
notify_vsend(const char *fmt, va_list ap)
{
	char msg[1024];
	int fd, n;

	if (notify_addrlen == 0)
		return 0;
	n = vsnprintf(msg, sizeof(msg), fmt, ap);
	if (n < 0 || (size_t)n >= sizeof(msg))
		n = sizeof(msg) - 1;
	if ((fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) == -1)
		goto fail;
	if (sendto(fd, msg, n, MSG_DONTWAIT | MSG_NOSIGNAL,
	    (struct sockaddr *)&notify_addr, notify_addrlen) == -1) {
		close(fd);
		goto fail;
	}
	close(fd);
	return 0;
fail:
	if (!notify_warned++)
		log_warn("notify %s", getenv("NOTIFY_SOCKET"));
	return -1;
}

/* Sends newline-separated KEY=VALUE lines.  0 or -1 (logged once). */
static int __attribute__((format(printf, 1, 2)))
notify_send(const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = notify_vsend(fmt, ap);
	va_end(ap);
	return rc;
}

int notify_ready(void) { return notify_send("READY=1"); }
int notify_stopping(void) { return notify_send("STOPPING=1"); }
int notify_watchdog(void) { return notify_send("WATCHDOG=1"); }

int
notify_reloading(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return notify_send("RELOADING=1\nMONOTONIC_USEC=%llu",
	    (unsigned long long)ts.tv_sec * 1000000ULL +
	    (unsigned long long)ts.tv_nsec / 1000ULL);
}

int
notify_status(const char *fmt, ...)
{
	char line[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	for (char *p = line; *p; p++)
		if (*p == '\n')
			*p = ' ';
	return notify_send("STATUS=%s", line);
}

double
notify_watchdog_interval(void)
{
	return notify_wd_interval;
}
