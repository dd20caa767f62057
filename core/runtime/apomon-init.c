/* SPDX-License-Identifier: MIT */
/*
 * apomon-init: PID 1 of a station.
 *
 * Usage (by the launcher, never by hand): apomon-init ENTRYPOINT [ARGS...]
 * with fd 0 = /dev/null, fds 1 and 2 = a pipe to the station's logger, and
 * fd 3 = a pipe the logger copies to the station's status file on the
 * host (/run/apomon/ENV/stations/NAME/status): no file of the host is
 * open in a station (see apomon-log.c).  Only 0-2 reach the entrypoint.
 *
 * Contract: the entrypoint (startup.sh) is the station's long-running
 * process: it execs its server or waits for it.  While it runs, the
 * station runs; when it exits, init exits with its status and the kernel
 * kills whatever else is left in the PID namespace.  init appends one
 * line per event to the status fd, which is how the core (in another
 * process, possibly after `up` returned) learns what happened:
 *   running PID       the entrypoint was exec'd (PID inside the station)
 *   failed ERRNO      the entrypoint could not be exec'd
 *   exited CODE       the entrypoint exited with CODE
 *   killed SIGNAL     the entrypoint died of SIGNAL
 *
 * Kept tiny and linked statically: it runs after pivot_root, inside roots
 * that may have no C library, and 500 of them must cost little memory.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#define STATUS_FD 3

static void say(const char *word, long v)
{
	char buf[96];
	int n = snprintf(buf, sizeof(buf), "%s %ld\n", word, v);

	if (n > 0 && write(STATUS_FD, buf, (size_t)n) < 0)
		return; /* no host to tell: keep running the station */
}

static void msg(const char *what, int err)
{
	dprintf(2, "apomon-init: %s: %s\n", what, strerror(err));
}

/* The entrypoint runs in its own process group with default signals. */
static pid_t spawn(char **argv, const sigset_t *old)
{
	int pfd[2], err = 0;
	pid_t pid;

	if (pipe2(pfd, O_CLOEXEC) < 0)
		return -errno;
	pid = fork();
	if (pid < 0) {
		err = errno;
		close(pfd[0]);
		close(pfd[1]);
		return -err;
	}
	if (pid == 0) {
		close(pfd[0]);
		setpgid(0, 0);
		sigprocmask(SIG_SETMASK, old, NULL);
		execv(argv[0], argv);
		err = errno;
		if (write(pfd[1], &err, sizeof(err)) < 0)
			_exit(127);
		_exit(127);
	}
	close(pfd[1]);
	/* EOF means exec succeeded (the pipe is close-on-exec) */
	while (read(pfd[0], &err, sizeof(err)) < 0 && errno == EINTR)
		;
	close(pfd[0]);
	if (err) {
		waitpid(pid, NULL, 0);
		return -err;
	}
	return pid;
}

static void nothing(int sig)
{
	(void)sig;
}

int main(int argc, char **argv)
{
	sigset_t all, old;
	pid_t child;
	int code = 1;

	if (argc < 2) {
		dprintf(2, "usage: apomon-init ENTRYPOINT [ARGS...]\n");
		return 2;
	}
	if (fcntl(STATUS_FD, F_GETFD) < 0)
		open("/dev/null", O_WRONLY); /* takes fd 3: say() then goes nowhere */
	else
		fcntl(STATUS_FD, F_SETFD, FD_CLOEXEC);

	/* PID 1 only gets signals it handles; a handler that does nothing
	 * makes them deliverable, sigwaitinfo then takes them in order */
	struct sigaction sa = {.sa_handler = nothing};
	for (int s = 1; s < _NSIG; s++)
		if (s != SIGKILL && s != SIGSTOP)
			sigaction(s, &sa, NULL);
	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, &old);
	prctl(PR_SET_CHILD_SUBREAPER, 1);

	child = spawn(argv + 1, &old);
	if (child < 0) {
		msg(argv[1], (int)-child);
		say("failed", -child);
		return 127;
	}
	say("running", child);

	for (;;) {
		siginfo_t si;
		int sig = sigwaitinfo(&all, &si);

		if (sig < 0)
			continue;
		if (sig != SIGCHLD) {
			/* forward: to the group first, then the process in case
			 * it left its group */
			if (sig == SIGTERM || sig == SIGINT || sig == SIGHUP || sig == SIGQUIT ||
			    sig == SIGUSR1 || sig == SIGUSR2) {
				kill(-child, sig);
				kill(child, sig);
			}
			continue;
		}
		for (;;) {
			int st;
			pid_t p = waitpid(-1, &st, WNOHANG);

			if (p <= 0)
				break;
			if (p != child)
				continue; /* an orphan: reaped, nothing else to do */
			if (WIFEXITED(st)) {
				code = WEXITSTATUS(st);
				say("exited", code);
			} else {
				code = 128 + WTERMSIG(st);
				say("killed", WTERMSIG(st));
			}
			return code;
		}
	}
}
