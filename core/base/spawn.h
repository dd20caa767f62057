/* SPDX-License-Identifier: MIT */
/* Running a helper program (cp, dot, debootstrap): fork, exec, wait; or a
 * child that does more than exec (joins a station's namespaces). */
#ifndef APO_SPAWN_H
#define APO_SPAWN_H

#include <sys/types.h>

/*
 * Starts ARGV: PATH when not NULL, else argv[0] searched in $PATH.  FDS,
 * unless NULL, are the child's stdin, stdout and stderr (-1: inherited).
 * SETUP, unless NULL, runs in the child before exec (chroot, environment);
 * it may _exit(127).  A child that cannot exec says why on its stderr and
 * exits 127.  0 and *pid, or negative errno.
 */
int apo_spawn(const char *path, char *const argv[], const int fds[3], void (*setup)(void *ctx),
	      void *ctx, pid_t *pid);

/*
 * Forks; the child runs FN(CTX) and exits with what it returns (FN may
 * also _exit itself), never returning into the caller's code.  The child
 * of a threaded caller has one thread: FN keeps to async-signal-safe
 * calls where other threads may hold locks.  0 and *pid, or negative
 * errno.
 */
int apo_spawn_fn(int (*fn)(void *ctx), void *ctx, pid_t *pid);

/* Waits for PID (EINTR retried): 0 and *status, or negative errno. */
int apo_spawn_wait(pid_t pid, int *status);

/* apo_spawn, then apo_spawn_wait: 0 when it exited 0, -EIO when it failed
 * or was killed, negative errno when it could not run. */
int apo_spawn_run(const char *path, char *const argv[]);

#endif
