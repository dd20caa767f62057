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
#include <linux/close_range.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <sys/wait.h>
#include <termios.h>
#include <grp.h>
#include <unistd.h>

#include "base/paths.h"
#include "base/spawn.h"
#include "base/time.h"
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

/* The command's stdio when it has neither a pty nor a captured output:
 * pipes, never the caller's own descriptors (a terminal among them would
 * take TIOCSTI keystrokes from station code). */
struct relay_pipes {
	int in[2], out[2], err[2];
	bool weak; /* test-only: none, the caller's own (confine.h) */
};

static void close_pipe(int p[2])
{
	for (int i = 0; i < 2; i++)
		if (p[i] >= 0) {
			close(p[i]);
			p[i] = -1;
		}
}

static int open_pipes(struct relay_pipes *rp)
{
	if (pipe2(rp->in, O_CLOEXEC) < 0 || pipe2(rp->out, O_CLOEXEC) < 0 ||
	    pipe2(rp->err, O_CLOEXEC) < 0)
		return -errno;
	return 0;
}

static bool copy_once(int from, int to)
{
	char buf[16384];
	ssize_t n = read(from, buf, sizeof(buf));

	if (n < 0 && errno == EINTR)
		return true;
	if (n <= 0)
		return false;
	for (ssize_t off = 0; off < n;) {
		ssize_t w = write(to, buf + off, (size_t)(n - off));
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return false;
		off += w;
	}
	return true;
}

/* The caller's 0, 1, 2 to and from the command's pipes, until its output
 * ends, or until it exited (helper, through a pidfd) and what it wrote is
 * drained: a daemon it started may hold its stdout for ever, and `exec`
 * returns when the command does, as before.  Like ssh, what stdin had
 * ready is forwarded as it comes. */
static void relay_pipes(struct relay_pipes *rp, pid_t helper)
{
	struct sigaction ign = {.sa_handler = SIG_IGN}, old;
	int pidfd = (int)syscall(SYS_pidfd_open, helper, 0);
	bool in_open = true, gone = false;

	sigaction(SIGPIPE, &ign, &old);
	while (rp->out[0] >= 0 || rp->err[0] >= 0) {
		struct pollfd p[4] = {{.fd = in_open ? 0 : -1, .events = POLLIN},
				      {.fd = rp->out[0], .events = POLLIN},
				      {.fd = rp->err[0], .events = POLLIN},
				      {.fd = gone ? -1 : pidfd, .events = POLLIN}};
		if (gone) {
			/* exited: what is in the pipes now, then no more */
			for (int i = 1; i < 3; i++) {
				int *fd = i == 1 ? &rp->out[0] : &rp->err[0];
				if (*fd >= 0 && fcntl(*fd, F_SETFL, O_NONBLOCK) == 0)
					while (copy_once(*fd, i))
						;
				if (*fd >= 0) {
					close(*fd);
					*fd = -1;
				}
			}
			break;
		}
		if (poll(p, 4, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (p[0].revents && !copy_once(0, rp->in[1])) {
			in_open = false;
			close_pipe(rp->in); /* EOF for the command */
		}
		for (int i = 1; i < 3; i++) {
			int *fd = i == 1 ? &rp->out[0] : &rp->err[0];
			if (p[i].revents && !copy_once(*fd, i)) {
				close(*fd);
				*fd = -1;
			}
		}
		gone = p[3].revents != 0;
	}
	if (pidfd >= 0)
		close(pidfd);
	close_pipe(rp->in);
	sigaction(SIGPIPE, &old, NULL);
}

/* What the helper and the command it forks are given. */
struct helper_args {
	const char *env, *name;
	const struct apo_init_rec *r;
	const char *const *argv;
	bool tty;
	int out_fd;
	const struct relay_pipes *rp;
	const struct apo_bpf *bpf;
	unsigned long long caps;
	int drop[4]; /* the parent's ends, closed first in the helper (-1: none) */
	int slave;   /* the pty's, in the command (tty) */
};

/* In the helper's child, inside the station: stdio, the station's walls,
 * exec. */
static int command(void *ctx)
{
	const struct helper_args *a = ctx;
	const struct relay_pipes *rp = a->rp;
	const char *name = a->name;
	const char *const *argv = a->argv;
	int out_fd = a->out_fd, slave = a->slave;
	bool tty = a->tty;
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
	/* a session of its own: no controlling terminal of the caller's */
	if (!rp->weak)
		setsid();
	if (tty) {
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
	} else if (!rp->weak &&
		   (dup2(rp->in[0], 0) < 0 || dup2(rp->out[1], 1) < 0 || dup2(rp->err[1], 2) < 0)) {
		_exit(126);
	}
	/* the same walls as the station's own processes (confine.h) */
	syscall(SYS_close_range, 3U, ~0U, CLOSE_RANGE_CLOEXEC);
	if (apo_seccomp_load(a->bpf) < 0) {
		dprintf(2, "apomon: %s: exec: load the seccomp filter: %s\n", name,
			strerror(errno));
		_exit(126);
	}
	if (apo_caps_drop(a->caps) < 0) {
		dprintf(2, "apomon: %s: exec: drop capabilities: %s\n", name, strerror(errno));
		_exit(126);
	}
	execvpe(argv[0], (char *const *)argv, envp);
	dprintf(2, "apomon: %s: exec: %s: %s\n", name, argv[0], strerror(errno));
	_exit(errno == ENOENT ? 127 : 126);
}

/* In the forked helper: join, fork the command, wait, exit with its code. */
static int helper(void *ctx)
{
	struct helper_args *a = ctx;
	const char *env = a->env, *name = a->name;
	const struct apo_init_rec *r = a->r;
	const struct relay_pipes *rp = a->rp;
	int out_fd = a->out_fd;
	bool tty = a->tty;
	int fds[APO_ARRAY_SIZE(nss)];
	char path[64];
	int master = -1, slave = -1, user_fd = -1, root_fd, st;
	pid_t pid;

	for (size_t i = 0; i < APO_ARRAY_SIZE(a->drop); i++)
		if (a->drop[i] >= 0)
			close(a->drop[i]);
	for (size_t i = 0; i < APO_ARRAY_SIZE(nss); i++) {
		snprintf(path, sizeof(path), "/proc/%d/ns/%s", (int)r->pid, nss[i].name);
		fds[i] = open(path, O_RDONLY | O_CLOEXEC);
		if (fds[i] < 0) {
			dprintf(2, "apomon: %s: exec: %s: %s\n", name, path, strerror(errno));
			_exit(126);
		}
	}
	/* init's root: joining the mount namespace puts us at its /, which is
	 * the station's root only when the runtime made it so (not in a
	 * chroot, APOMON_TEST_WEAKEN=root: the escape tests' commands must
	 * land where the station's own processes are) */
	snprintf(path, sizeof(path), "/proc/%d/root", (int)r->pid);
	root_fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (root_fd < 0) {
		dprintf(2, "apomon: %s: exec: %s: %s\n", name, path, strerror(errno));
		_exit(126);
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
	/* our pipes become the station root's: a command may reopen its
	 * stdio (/dev/stdout: Postfix's postlog), and a pipe's owner decides
	 * (never the caller's own descriptors, in the weakened test mode);
	 * before we join its mount namespace, where /proc has not its PID */
	if (user_fd >= 0) {
		int mine[] = {rp->weak ? -1 : rp->in[0], rp->weak ? -1 : rp->out[1],
			      rp->weak ? -1 : rp->err[1], out_fd};
		for (size_t i = 0; i < APO_ARRAY_SIZE(mine); i++)
			if (mine[i] >= 0 && apo_userns_give_fd(mine[i], r->pid) < 0) {
				dprintf(2, "apomon: %s: exec: stdio: %s\n", name, strerror(errno));
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
	if (fchdir(root_fd) < 0 || chroot(".") < 0 || chdir("/") < 0) {
		dprintf(2, "apomon: %s: exec: enter the root: %s\n", name, strerror(errno));
		_exit(126);
	}
	close(root_fd);
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
	a->slave = slave;
	if (apo_spawn_fn(command, a, &pid) < 0)
		_exit(126);
	if (tty) {
		close(slave);
		relay(master, pid);
	} else if (out_fd < 0 && !rp->weak) {
		/* only the command holds its ends: EOF reaches the relay */
		close(rp->in[0]);
		close(rp->out[1]);
		close(rp->err[1]);
		/* the caller's 0 and 1 go no further than this process */
		int null = open("/dev/null", O_RDWR | O_CLOEXEC);
		if (null >= 0) {
			dup2(null, 0);
			dup2(null, 1);
			close(null);
		}
	}
	if (apo_spawn_wait(pid, &st) < 0)
		_exit(126);
	_exit(status_code(st));
}

int apo_station_exec(const char *env, const char *name, const char *const argv[], bool tty,
		     char **output)
{
	struct apo_init_rec r;
	struct relay_pipes rp = {{-1, -1}, {-1, -1}, {-1, -1}, false};
	struct apo_bpf bpf = {0};
	unsigned long long caps;
	/* APOMON_TEST_WEAKEN=stdio: the caller's own descriptors, as before */
	bool weak = apo_test_weakened("stdio");
	bool pipes = !output && !tty && !weak;
	int pipefd[2] = {-1, -1};
	char *buf = NULL;
	size_t len = 0, cap = 0;
	pid_t pid;
	int st, rc;

	if (output)
		*output = NULL;
	if ((rc = apo_station_read_init(env, name, &r)) < 0 || !apo_station_alive(&r))
		return -ESRCH;
	if ((rc = apo_station_confinement(env, name, &bpf, &caps)) < 0)
		goto out;
	if (output && pipe2(pipefd, O_CLOEXEC) < 0) {
		rc = -errno;
		goto out;
	}
	rp.weak = weak && !output && !tty;
	if (pipes && (rc = open_pipes(&rp)) < 0)
		goto out;
	struct helper_args a = {env,	   name, &r,   argv, tty && !output,
				pipefd[1], &rp,	 &bpf, caps, {pipefd[0], -1, -1, -1},
				-1};
	if (pipes) {
		a.drop[1] = rp.in[1];
		a.drop[2] = rp.out[0];
		a.drop[3] = rp.err[0];
	}
	if ((rc = apo_spawn_fn(helper, &a, &pid)) < 0)
		goto out;
	if (pipes) {
		close(rp.in[0]);
		close(rp.out[1]);
		close(rp.err[1]);
		rp.in[0] = rp.out[1] = rp.err[1] = -1;
		relay_pipes(&rp, pid);
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
	if ((rc = apo_spawn_wait(pid, &st)) < 0)
		goto out;
	rc = status_code(st);
	if (output) {
		*output = buf;
		buf = NULL;
	}
out:
	close_pipe(rp.in);
	close_pipe(rp.out);
	close_pipe(rp.err);
	free(bpf.insns);
	free(buf);
	if (pipefd[0] >= 0)
		close(pipefd[0]);
	if (pipefd[1] >= 0)
		close(pipefd[1]);
	return rc;
}

/* ---- the bounded run of host->run: a deadline and an output cap ---- */

/* every descendant of pid (its children, theirs...), deepest last */
static void descendants(pid_t pid, pid_t **v, size_t *n, size_t *cap, int depth)
{
	char path[64], buf[4096];

	if (depth > 32)
		return;
	snprintf(path, sizeof(path), "/proc/%d/task/%d/children", (int)pid, (int)pid);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	ssize_t l = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (l <= 0)
		return;
	buf[l] = '\0';
	for (char *p = buf, *end; *p; p = end) {
		long c = strtol(p, &end, 10);
		if (end == p)
			break;
		if (c > 0) {
			APO_PUSH(*v, *n, *cap, (pid_t)c);
			descendants((pid_t)c, v, n, cap, depth + 1);
		}
	}
}

/* the helper and what it started inside the station: a command left
 * running would hold the station's resources (and its pipe) forever */
static void kill_run(pid_t helper_pid)
{
	for (int pass = 0; pass < 3; pass++) {
		pid_t *v = NULL;
		size_t n = 0, cap = 0;
		kill(helper_pid, SIGSTOP); /* no new children while we look */
		descendants(helper_pid, &v, &n, &cap, 0);
		for (size_t i = 0; i < n; i++)
			kill(v[i], SIGKILL);
		free(v);
		if (!n)
			break;
	}
	kill(helper_pid, SIGKILL);
}

int apo_station_run(const char *env, const char *name, const char *const argv[],
		    const struct apo_run_limits *lim, char **output, size_t *discarded)
{
	struct apo_init_rec r;
	/* the command runs as confined as the station's own processes */
	struct relay_pipes rp = {{-1, -1}, {-1, -1}, {-1, -1}, false};
	struct apo_bpf bpf = {0};
	unsigned long long caps;
	int pipefd[2] = {-1, -1}, pidfd = -1, st, rc;
	size_t max = lim && lim->max_output ? lim->max_output : APO_RUN_MAX_OUTPUT;
	unsigned timeout = lim && lim->timeout_ms ? lim->timeout_ms : APO_RUN_TIMEOUT_MS;
	char *buf = apo_xcalloc(1, max + 1), sink[65536];
	size_t len = 0, dropped = 0;
	bool eof = false, exited = false;
	pid_t pid;

	*output = NULL;
	if (discarded)
		*discarded = 0;
	if ((rc = apo_station_read_init(env, name, &r)) < 0 || !apo_station_alive(&r)) {
		free(buf);
		return -ESRCH;
	}
	if ((rc = apo_station_confinement(env, name, &bpf, &caps)) < 0)
		goto out;
	if (pipe2(pipefd, O_CLOEXEC) < 0) {
		rc = -errno;
		goto out;
	}
	struct helper_args a = {
	    env, name, &r, argv, false, pipefd[1], &rp, &bpf, caps, {pipefd[0], -1, -1, -1}, -1};
	if ((rc = apo_spawn_fn(helper, &a, &pid)) < 0)
		goto out;
	close(pipefd[1]);
	pipefd[1] = -1;
	pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	uint64_t deadline = (uint64_t)apo_now_ms() + timeout;
	/* until the helper exited (the command's status is known) and its
	 * output ended, or until the deadline; past the cap, output is read
	 * and dropped so that the command is never blocked on a full pipe */
	while (!(eof && exited)) {
		uint64_t now = (uint64_t)apo_now_ms();
		if (now >= deadline && !exited) {
			kill_run(pid);
			apo_spawn_wait(pid, &st);
			rc = -ETIMEDOUT;
			goto out;
		}
		struct pollfd p[2] = {{.fd = eof ? -1 : pipefd[0], .events = POLLIN},
				      {.fd = exited ? -1 : pidfd, .events = POLLIN}};
		/* without a pidfd (old kernel): look at the helper every 50 ms */
		int wait_ms = (int)(deadline - now);
		if (pidfd < 0 && wait_ms > 50)
			wait_ms = 50;
		if (poll(p, 2, wait_ms) < 0 && errno != EINTR) {
			rc = -errno;
			kill_run(pid);
			apo_spawn_wait(pid, &st);
			goto out;
		}
		if (!eof && !exited && (p[0].revents & (POLLIN | POLLHUP | POLLERR))) {
			ssize_t n = len < max ? read(pipefd[0], buf + len, max - len)
					      : read(pipefd[0], sink, sizeof(sink));
			if (n < 0 && errno != EINTR && errno != EAGAIN)
				eof = true;
			else if (n == 0)
				eof = true;
			else if (n > 0 && len < max)
				len += (size_t)n;
			else if (n > 0)
				dropped += (size_t)n;
		}
		if (!exited && (pidfd < 0 || (p[1].revents & POLLIN))) {
			pid_t w = waitpid(pid, &st, pidfd < 0 ? WNOHANG : 0);
			if (w == pid) {
				exited = true;
				/* what a background child keeps writing is not the
				 * command's: take what is there, then stop */
				if (!eof) {
					int fl = fcntl(pipefd[0], F_GETFL);
					fcntl(pipefd[0], F_SETFL, fl | O_NONBLOCK);
				}
			} else if (w < 0 && errno != EINTR) {
				rc = -errno;
				goto out;
			}
		}
		if (exited && !eof) {
			/* what is in the pipe now, at most a few reads: a
			 * background child writing on is not waited for */
			for (int i = 0; i < 64 && !eof; i++) {
				ssize_t n = len < max ? read(pipefd[0], buf + len, max - len)
						      : read(pipefd[0], sink, sizeof(sink));
				if (n > 0 && len < max)
					len += (size_t)n;
				else if (n > 0)
					dropped += (size_t)n;
				else if (n == 0 || errno != EINTR)
					eof = true;
			}
			eof = true;
		}
	}
	rc = status_code(st);
	buf[len] = '\0';
	*output = buf;
	buf = NULL;
out:
	if (discarded)
		*discarded = dropped;
	free(buf);
	free(bpf.insns);
	if (pidfd >= 0)
		close(pidfd);
	if (pipefd[0] >= 0)
		close(pipefd[0]);
	if (pipefd[1] >= 0)
		close(pipefd[1]);
	return rc;
}
