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
#include <time.h>
#include <unistd.h>

#include "hook.h"
#include "log.h"

extern char **environ;

/* After the timeout, SIGTERM; this many seconds later, SIGKILL. */
#define HOOK_KILL_GRACE	5.0

struct hook {
	struct ev_loop *loop;
	char **argv;        /* NULL: no command */
	ev_child child;
	ev_timer timer;     /* the run's timeout, then its grace period */
	double timeout;     /* seconds a run may take */
	pid_t pid;          /* of the running command (its process group) */
	int running;
	int again;          /* asked for while running */
	int terminated;     /* SIGTERM was sent to this run */
	int failures;       /* runs that failed, ever */
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
	ev_timer_stop(loop, &h->timer);
	h->running = 0;
	/* What the command left behind in its group goes with it. */
	(void)kill(-h->pid, SIGKILL);
	if (WIFEXITED(st) && WEXITSTATUS(st) == 0) {
		log_info("on_update %s: exited 0", h->argv ? h->argv[0] : "?");
	} else {
		h->failures++;
		if (WIFEXITED(st))
			log_warnx("on_update %s: exit status %d",
			    h->argv ? h->argv[0] : "?", WEXITSTATUS(st));
		else if (WIFSIGNALED(st))
			log_warnx("on_update %s: killed by signal %d",
			    h->argv ? h->argv[0] : "?", WTERMSIG(st));
	}
	if (h->again) {
		h->again = 0;
		hook_spawn(h);
	}
}

/* The run took too long: SIGTERM to its group, SIGKILL after a grace. */
static void
hook_timer_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct hook *h = w->data;

	(void)revents;
	if (!h->running)
		return;
	if (!h->terminated) {
		log_warnx("on_update %s: still running after %.0f s; stopping it",
		    h->argv ? h->argv[0] : "?", h->timeout);
		h->terminated = 1;
		(void)kill(-h->pid, SIGTERM);
		ev_timer_set(w, HOOK_KILL_GRACE, 0.);
	} else {
		(void)kill(-h->pid, SIGKILL);
		ev_timer_set(w, HOOK_KILL_GRACE, 0.);
	}
	ev_timer_start(loop, w);
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
	/* A group of its own, so that a timeout or a stop reaches what it
	 * started too (a shell script's children). */
	posix_spawnattr_setpgroup(&attr, 0);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK |
	    POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP);
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
		h->failures++;
		return;
	}
	log_info("on_update %s: started (pid %ld)", h->argv[0], (long)pid);
	h->running = 1;
	h->terminated = 0;
	h->pid = pid;
	ev_child_set(&h->child, pid, 0);
	ev_child_start(h->loop, &h->child);
	ev_timer_set(&h->timer, h->timeout, 0.);
	ev_timer_start(h->loop, &h->timer);
}

struct hook *
hook_create(struct ev_loop *loop, char *const *argv, double timeout)
{
	struct hook *h;

	if ((h = calloc(1, sizeof(*h))) == NULL)
		return NULL;
	h->loop = loop;
	h->timeout = timeout;
	ev_init(&h->child, hook_child_cb);
	h->child.data = h;
	ev_init(&h->timer, hook_timer_cb);
	h->timer.data = h;
	if (argv != NULL && (h->argv = argv_dup(argv)) == NULL) {
		free(h);
		return NULL;
	}
	return h;
}

/*
 * Stops a run still going at shutdown: SIGTERM to its group, then SIGKILL
 * if it has not exited within the grace period, and reaps it, so that no
 * command outlives finewsd unsupervised.
 */
static void
hook_stop(struct hook *h)
{
	struct timespec ts = { 0, 50 * 1000 * 1000 };
	int st;

	if (!h->running)
		return;
	log_info("on_update %s: stopping it (pid %ld)", h->argv ? h->argv[0] : "?",
	    (long)h->pid);
	(void)kill(-h->pid, SIGTERM);
	for (int i = 0; i < (int)(HOOK_KILL_GRACE * 20); i++) {
		if (waitpid(h->pid, &st, WNOHANG) == h->pid) {
			h->running = 0;
			break;
		}
		(void)nanosleep(&ts, NULL);
	}
	(void)kill(-h->pid, SIGKILL);
	if (h->running)
		(void)waitpid(h->pid, &st, 0);
	h->running = 0;
}

void
hook_destroy(struct hook *h)
{
	if (h == NULL)
		return;
	hook_stop(h);
	ev_child_stop(h->loop, &h->child);
	ev_timer_stop(h->loop, &h->timer);
	argv_free(h->argv);
	free(h);
}

int
hook_failed(const struct hook *h)
{
	return h->failures;
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
