/*
 * notify: systemd's sd_notify protocol, spoken directly (no libsystemd).
 *
 * One datagram per message to $NOTIFY_SOCKET (abstract names included), sent
 * with MSG_DONTWAIT so that the loop never blocks on it.  Without
 * NOTIFY_SOCKET every call does nothing.  Calls only libc and log.
 */
#ifndef FINEWSD_NOTIFY_H
#define FINEWSD_NOTIFY_H

/* Reads NOTIFY_SOCKET and WATCHDOG_USEC/WATCHDOG_PID once. */
void notify_init(void);

int notify_ready(void);
/* RELOADING=1 with MONOTONIC_USEC, as systemd asks. */
int notify_reloading(void);
int notify_stopping(void);
int notify_status(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int notify_watchdog(void);

/* The watchdog ping interval in seconds (half WATCHDOG_USEC), or 0 when
 * systemd asked for none (or asked another process). */
double notify_watchdog_interval(void);

#endif
