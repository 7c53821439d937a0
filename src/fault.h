/*
 * fault: named fault-injection points, for the tests that make failure
 * paths deterministic.
 *
 * FINEWSD_FAULT=NAME[:ACTION[:N]] in the environment arms the point NAME:
 * at its Nth hit (default 1) the process is killed (ACTION "kill", the
 * default: SIGKILL, as a power cut would stop it) or the step fails
 * (ACTION "fail": fault_hit returns 1 and errno is EIO).  Unset, every
 * point costs one comparison.  The points: rename (a file linked or
 * renamed into place), page (a category page queued), row-commit-before
 * and row-commit-after (a batch's rows), feeds (the feeds' files),
 * archive-copy and archive-unlink (archiving), import-post (a post
 * --import stored).  Calls libc only.
 */
#ifndef FINEWSD_FAULT_H
#define FINEWSD_FAULT_H

/* 1 when the step at NAME must fail now (errno EIO); 0 to go on.  Never
 * returns when the point is armed to kill. */
int fault_hit(const char *name);

/* Arms the point SPEC names (the syntax of FINEWSD_FAULT; NULL disarms),
 * its hits counted from zero: for unit tests, instead of the environment. */
void fault_arm(const char *spec);

#endif
