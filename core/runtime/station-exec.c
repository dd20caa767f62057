/* SPDX-License-Identifier: MIT */
/*
 * Running a command inside a running station: join every namespace of its
 * init through /proc/PID/ns, then fork once more so that the command is
 * inside its PID namespace too.  Joining a mount namespace needs a single
 * threaded process, hence the fork first.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <grp.h>
#include <unistd.h>

#include "base/paths.h"
#include "runtime/station-priv.h"
#include "runtime/userns.h"
#include "base/util.h"

static const struct {
	const char *name;
	int type;
} nss[] = {
    {"ipc", CLONE_NEWIPC}, {"uts", CLONE_NEWUTS}, {"net", CLONE_NEWNET},
    {"pid", CLONE_NEWPID}, {"mnt", CLONE_NEWNS},
};

static int status_code(int st)
{
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static void relay(int master, pid_t child)
{
	struct termios old, raw;
	bool is_tty = tcgetattr(0, &old) == 0;
	struct winsize ws;
	char buf[4096];
	bool in_open = true;

	if (ioctl(0, TIOCGWINSZ, &ws) == 0)
		ioctl(master, TIOCSWINSZ, &ws);
	if (is_tty) {
		raw = old;
		cfmakeraw(&raw);
		tcsetattr(0, TCSANOW, &raw);
	}
	for (;;) {
		struct pollfd p[2] = {{.fd = master, .events = POLLIN},
				      {.fd = in_open ? 0 : -1, .events = POLLIN}};
		ssize_t n;

		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (p[0].revents & (POLLIN | POLLHUP | POLLERR)) {
			n = read(master, buf, sizeof(buf));
			if (n <= 0)
				break; /* EIO: the last slave fd closed */
			if (write(1, buf, (size_t)n) < 0)
				break;
		}
		if (p[1].revents & (POLLIN | POLLHUP | POLLERR)) {
			n = read(0, buf, sizeof(buf));
			if (n <= 0)
				in_open = false;
			else if (write(master, buf, (size_t)n) < 0)
				break;
		}
	}
	if (is_tty)
		tcsetattr(0, TCSANOW, &old);
	(void)child;
}

/* In the forked helper: join, fork the command, wait, exit with its code. */
static void __attribute__((noreturn))
helper(const char *env, const char *name, const struct apo_init_rec *r, const char *const argv[],
       bool tty, int out_fd)
{
	int fds[APO_ARRAY_SIZE(nss)];
	char path[64];
	int master = -1, slave = -1, user_fd = -1, st;
	pid_t pid;

	for (size_t i = 0; i < APO_ARRAY_SIZE(nss); i++) {
		snprintf(path, sizeof(path), "/proc/%d/ns/%s", (int)r->pid, nss[i].name);
		fds[i] = open(path, O_RDONLY | O_CLOEXEC);
		if (fds[i] < 0) {
			dprintf(2, "apomon: %s: exec: %s: %s\n", name, path, strerror(errno));
			_exit(126);
		}
	}
	/* opened first, joined last: the others belong to the host's user
	 * namespace, and joining them takes host root */
	if (apo_userns_other(r->pid)) {
		snprintf(path, sizeof(path), "/proc/%d/ns/user", (int)r->pid);
		user_fd = open(path, O_RDONLY | O_CLOEXEC);
		if (user_fd < 0) {
			dprintf(2, "apomon: %s: exec: %s: %s\n", name, path, strerror(errno));
			_exit(126);
		}
	}
	apo_cgroup_attach(env, name, getpid());
	for (size_t i = 0; i < APO_ARRAY_SIZE(nss); i++) {
		if (setns(fds[i], nss[i].type) < 0) {
			dprintf(2, "apomon: %s: exec: join %s namespace: %s\n", name, nss[i].name,
				strerror(errno));
			_exit(126);
		}
		close(fds[i]);
	}
	/* as the station's root, not host root: what the command makes is
	 * the station's, and it can do no more than the station can */
	if (user_fd >= 0 && (setns(user_fd, CLONE_NEWUSER) < 0 || setgroups(0, NULL) < 0 ||
			     setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0)) {
		dprintf(2, "apomon: %s: exec: join user namespace: %s\n", name, strerror(errno));
		_exit(126);
	}
	if (user_fd >= 0)
		close(user_fd);
	if (tty) {
		int unlock = 0;
		/* the station's own devpts instance, through its /dev/ptmx */
		master = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
		if (master < 0 || ioctl(master, TIOCSPTLCK, &unlock) < 0 ||
		    (slave = ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY)) < 0) {
			dprintf(2, "apomon: %s: exec: pseudo-terminal: %s\n", name,
				strerror(errno));
			_exit(126);
		}
	}
	pid = fork();
	if (pid < 0)
		_exit(126);
	if (pid == 0) {
		const char *term = getenv("TERM");
		char *e_term = NULL;
		if (term) {
			e_term = malloc(strlen(term) + 6);
			if (e_term)
				sprintf(e_term, "TERM=%s", term);
		}
		char *envp[] = {"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
				"HOME=/root",
				"container=apomon",
				"LANG=C.UTF-8",
				e_term,
				NULL};

		if (chdir("/") < 0)
			_exit(126);
		if (tty) {
			setsid();
			ioctl(slave, TIOCSCTTY, 0);
			dup2(slave, 0);
			dup2(slave, 1);
			dup2(slave, 2);
		} else if (out_fd >= 0) {
			int null = open("/dev/null", O_RDONLY | O_CLOEXEC);
			if (null >= 0)
				dup2(null, 0);
			dup2(out_fd, 1);
			dup2(out_fd, 2);
		}
		if (apo_caps_drop(r->net_admin) < 0) {
			dprintf(2, "apomon: %s: exec: drop capabilities: %s\n", name,
				strerror(errno));
			_exit(126);
		}
		execvpe(argv[0], (char *const *)argv, envp);
		dprintf(2, "apomon: %s: exec: %s: %s\n", name, argv[0], strerror(errno));
		_exit(errno == ENOENT ? 127 : 126);
	}
	if (tty) {
		close(slave);
		relay(master, pid);
	}
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			_exit(126);
	_exit(status_code(st));
}

int apo_station_exec(const char *env, const char *name, const char *const argv[], bool tty,
		     char **output)
{
	struct apo_init_rec r;
	int pipefd[2] = {-1, -1};
	char *buf = NULL;
	size_t len = 0, cap = 0;
	pid_t pid;
	int st, rc;

	if (output)
		*output = NULL;
	if ((rc = apo_station_read_init(env, name, &r)) < 0 || !apo_station_alive(&r))
		return -ESRCH;
	if (output && pipe2(pipefd, O_CLOEXEC) < 0)
		return -errno;
	pid = fork();
	if (pid < 0) {
		rc = -errno;
		goto out;
	}
	if (pid == 0) {
		if (pipefd[0] >= 0)
			close(pipefd[0]);
		helper(env, name, &r, argv, tty && !output, pipefd[1]);
	}
	if (output) {
		close(pipefd[1]);
		pipefd[1] = -1;
		for (;;) {
			if (len + 4096 + 1 > cap) {
				cap = cap ? cap * 2 : 8192;
				buf = apo_xreallocarray(buf, cap, 1);
			}
			ssize_t n = read(pipefd[0], buf + len, cap - len - 1);
			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0)
				break;
			len += (size_t)n;
		}
		if (!buf)
			buf = apo_xcalloc(1, 1);
		buf[len] = '\0';
	}
	while (waitpid(pid, &st, 0) < 0) {
		if (errno != EINTR) {
			rc = -errno;
			goto out;
		}
	}
	rc = status_code(st);
	if (output) {
		*output = buf;
		buf = NULL;
	}
out:
	free(buf);
	if (pipefd[0] >= 0)
		close(pipefd[0]);
	if (pipefd[1] >= 0)
		close(pipefd[1]);
	return rc;
}
