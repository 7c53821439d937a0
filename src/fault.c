/*
 * fault: named fault-injection points.  See fault.h.
 *
 * The batch writer's thread hits points too (rename, page): the
 * environment is read once for the process and the hits are counted
 * atomically, so that the Nth hit is one hit whichever thread makes it.
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fault.h"

static struct {
	char	 name[64];	/* the armed point, "" for none */
	int	 kill;
	long	 at;
	atomic_long hits;
} fault;

static void
fault_parse(const char *v)
{
	const char *c;
	char *end;
	size_t n;

	fault.name[0] = '\0';
	atomic_store(&fault.hits, 0);
	fault.kill = 1;
	fault.at = 1;
	if (v == NULL || *v == '\0')
		return;
	n = strcspn(v, ":");
	if (n >= sizeof(fault.name))
		return;
	memcpy(fault.name, v, n);
	fault.name[n] = '\0';
	if (v[n] != ':')
		return;
	c = v + n + 1;
	fault.kill = strncmp(c, "fail", 4) != 0;
	if ((c = strchr(c, ':')) != NULL) {
		fault.at = strtol(c + 1, &end, 10);
		if (*end != '\0' || fault.at < 1)
			fault.at = 1;
	}
}

static pthread_once_t fault_once = PTHREAD_ONCE_INIT;

static void
fault_read_env(void)
{
	fault_parse(getenv("FINEWSD_FAULT"));
}

/* What fault_arm sets is not overwritten by the environment later. */
void
fault_arm(const char *spec)
{
	(void)pthread_once(&fault_once, fault_read_env);
	fault_parse(spec);
}

int
fault_hit(const char *name)
{
	(void)pthread_once(&fault_once, fault_read_env);
	if (fault.name[0] == '\0' || strcmp(fault.name, name) != 0 ||
	    atomic_fetch_add(&fault.hits, 1) + 1 != fault.at)
		return 0;
	if (fault.kill) {
		(void)kill(getpid(), SIGKILL);
		_exit(137);
	}
	errno = EIO;
	return 1;
}
