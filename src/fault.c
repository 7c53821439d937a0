/*
 * fault: named fault-injection points.  See fault.h.
 */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fault.h"

static struct {
	int	 read;		/* the environment was read */
	char	 name[64];	/* the armed point, "" for none */
	int	 kill;
	long	 at, hits;
} fault;

static void
fault_parse(const char *v)
{
	const char *c;
	char *end;
	size_t n;

	fault.read = 1;
	fault.name[0] = '\0';
	fault.hits = 0;
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

void
fault_arm(const char *spec)
{
	fault_parse(spec);
}

int
fault_hit(const char *name)
{
	if (!fault.read)
		fault_parse(getenv("FINEWSD_FAULT"));
	if (fault.name[0] == '\0' || strcmp(fault.name, name) != 0 ||
	    ++fault.hits != fault.at)
		return 0;
	if (fault.kill) {
		(void)kill(getpid(), SIGKILL);
		_exit(137);
	}
	errno = EIO;
	return 1;
}
