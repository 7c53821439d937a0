/*
 * hook: the on_update command, run after a poll that wrote posts.
 *
 * Spawned without a shell (posix_spawnp), in a process group of its own,
 * never blocking the loop (an ev_child watcher collects it), never two at
 * once: a run asked for while one is going starts when it ends.  Its exit
 * status is logged and a failure counted; a run past its timeout is sent
 * SIGTERM, then SIGKILL; at shutdown a run still going is stopped the same
 * way.
 * Calls libev, log.
 */
#ifndef FINEWSD_HOOK_H
#define FINEWSD_HOOK_H

#include <ev.h>

struct hook;

/* ARGV (NULL-terminated) is copied; NULL means no command.  A run may take
 * TIMEOUT seconds. */
struct hook *hook_create(struct ev_loop *loop, char *const *argv,
    double timeout);
/* Accepts NULL; a run still going is stopped (at most a few seconds). */
void hook_destroy(struct hook *h);
/* How many runs failed (exit status, signal, could not start). */
int hook_failed(const struct hook *h);
int hook_set_argv(struct hook *h, char *const *argv);
/* Starts the command, or marks it to start again when the running one ends. */
void hook_run(struct hook *h);
/* Runs the loop until no command runs or is due (for --once). */
void hook_wait(struct hook *h);

#endif
