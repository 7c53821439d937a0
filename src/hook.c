/*
 * hook: the on_update command.  See hook.h.  Owns a copy of the command's
 * argv and the ev_child watcher of the one run that may be going; a run
 * asked for meanwhile is a flag, not a queue.  Calls libev, posix_spawn
 * and log.
 */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "hook.h"
#include "log.h"

extern char **environ;

struct hook {
	struct ev_loop *loop;
	char **argv;        /* NULL: no command */
	ev_child child;
	int running;
	int again;          /* asked for while running */
};

static void
argv_free(char **argv)
{
	if (argv == NULL)
		return;
	for (char **a = argv; *a != NULL; a++)
		free(*a);
	free(argv);
}

static char **
argv_dup(char *const *argv)
{
	size_t n = 0;
	char **v;

	if (argv == NULL)
		return NULL;
	while (argv[n] != NULL)
		n++;
	if ((v = calloc(n + 1, sizeof(*v))) == NULL)
		return NULL;
	for (size_t i = 0; i < n; i++)
		if ((v[i] = strdup(argv[i])) == NULL) {
			argv_free(v);
			return NULL;
		}
	return v;
}

static void hook_spawn(struct hook *h);

static void
hook_child_cb(struct ev_loop *loop, ev_child *w, int revents)
{
	struct hook *h = w->data;
	int st = w->rstatus;

	ev_child_stop(loop, w);
	h->running = 0;
	if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
		log_info("on_update %s: exited 0", h->argv ? h->argv[0] : "?");
	else if (WIFEXITED(st))
		log_warnx("on_update %s: exit status %d", h->argv ? h->argv[0] : "?",
		    WEXITSTATUS(st));
	else if (WIFSIGNALED(st))
		log_warnx("on_update %s: killed by signal %d", h->argv ? h->argv[0] : "?",
		    WTERMSIG(st));
	if (h->again) {
		h->again = 0;
		hook_spawn(h);
	}
}

static void
hook_spawn(struct hook *h)
{
	posix_spawnattr_t attr;
	posix_spawn_file_actions_t fa;
	sigset_t none, dfl;
	pid_t pid;
	int rc;

	if (h->argv == NULL)
		return;
	/* The child starts with the signals a fresh process has. */
	sigemptyset(&none);
	sigemptyset(&dfl);
	sigaddset(&dfl, SIGPIPE);
	sigaddset(&dfl, SIGHUP);
	sigaddset(&dfl, SIGUSR1);
	sigaddset(&dfl, SIGTERM);
	sigaddset(&dfl, SIGINT);
	posix_spawnattr_init(&attr);
	posix_spawnattr_setsigmask(&attr, &none);
	posix_spawnattr_setsigdefault(&attr, &dfl);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
	/* Only stdin, stdout and stderr: not libcurl's sockets, which it does
	 * not open close-on-exec. */
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addclosefrom_np(&fa, 3);
	rc = posix_spawnp(&pid, h->argv[0], &fa, &attr, h->argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	if (rc != 0) {
		errno = rc;
		log_warn("on_update %s", h->argv[0]);
		return;
	}
	log_info("on_update %s: started (pid %ld)", h->argv[0], (long)pid);
	h->running = 1;
	ev_child_set(&h->child, pid, 0);
	ev_child_start(h->loop, &h->child);
}

struct hook *
hook_create(struct ev_loop *loop, char *const *argv)
{
	struct hook *h;

	if ((h = calloc(1, sizeof(*h))) == NULL)
		return NULL;
	h->loop = loop;
	ev_init(&h->child, hook_child_cb);
	h->child.data = h;
	if (argv != NULL && (h->argv = argv_dup(argv)) == NULL) {
		free(h);
		return NULL;
	}
	return h;
}

void
hook_destroy(struct hook *h)
{
	if (h == NULL)
		return;
	ev_child_stop(h->loop, &h->child);
	argv_free(h->argv);
	free(h);
}

int
hook_set_argv(struct hook *h, char *const *argv)
{
	char **v = NULL;

	if (argv != NULL && (v = argv_dup(argv)) == NULL)
		return -1;
	argv_free(h->argv);
	h->argv = v;
	return 0;
}

void
hook_run(struct hook *h)
{
	if (h->argv == NULL)
		return;
	if (h->running)
		h->again = 1;
	else
		hook_spawn(h);
}

void
hook_wait(struct hook *h)
{
	while (h->running)
		ev_run(h->loop, EVRUN_ONCE);
}
