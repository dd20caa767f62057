/* SPDX-License-Identifier: MIT */
/*
 * A station's output and status reach the host through pipes read by its
 * environment's logger, apomon-log (see apomon-log.c for why), one process
 * for all the environment's stations.  Each launch hands it the pipes'
 * read ends over its socket; the first launch of an environment starts it,
 * and so does the first after it died, which then also hands it the pipes
 * of every station still running (their inits keep a copy of the read
 * ends for this, log-proto.h).
 *
 *   state dir   .../ENV/logger.sock          the logger's socket (0600)
 *               .../ENV/logger               its "PID STARTTIME"
 *               .../ENV/stations/NAME/logger "PID STARTTIME MAX_BYTES"
 *                                            while it logs NAME
 *
 * When the logger dies (a kill -9 by hand: only root can reach it), the
 * stations' inits still hold the read ends: no write gets EPIPE, no
 * service dies of SIGPIPE, and what they write waits in the pipes (64 KiB
 * each; a writer blocks once its pipe is full) until the next start,
 * restart or up of the environment starts a new logger, which takes the
 * pipes over and writes what waited in them: nothing is lost.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/paths.h"
#include "base/util.h"
#include "runtime/log-proto.h"
#include "runtime/station-log.h"
#include "runtime/station-priv.h"

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_pidfd_getfd
#define SYS_pidfd_getfd 438
#endif
#ifndef SYS_pidfd_send_signal
#define SYS_pidfd_send_signal 424
#endif

char *apo_logger_path(void)
{
	const char *p = getenv("APOMON_LOGGER");
	const char *init = apo_init_path();
	const char *slash = strrchr(init, '/');

	if (p && *p)
		return apo_xstrdup(p);
	/* installed next to apomon-init, and built next to it too */
	if (!slash)
		return apo_xstrdup("apomon-log");
	return apo_xasprintf("%.*s/apomon-log", (int)(slash - init), init);
}

char *apo_logger_record_path(const char *env, const char *name)
{
	_cleanup_free_ char *state = apo_station_state_dir(env, name);
	return apo_xasprintf("%s/logger", state);
}

static char *env_file(const char *env, const char *what)
{
	_cleanup_free_ char *run = apo_env_run_dir(env);
	return apo_xasprintf("%s/%s", run, what);
}

/* "PID STARTTIME [MAX]" of a record; 0 when it has none */
static int read_record(const char *path, struct apo_init_rec *r, unsigned long long *max)
{
	FILE *f = fopen(path, "re");
	unsigned long long m = 0;
	int pid = 0, n;

	memset(r, 0, sizeof(*r));
	if (!f)
		return -errno;
	n = fscanf(f, "%d %llu %llu", &pid, &r->start, &m);
	fclose(f);
	if (n < 2)
		return -EBADMSG;
	r->pid = pid;
	if (max)
		*max = n == 3 ? m : 0;
	return 0;
}

/* A unix address for path; a long one goes through /proc/self/fd of its
 * directory (sun_path holds 108 bytes, state dirs may be longer). */
static int sock_addr(const char *path, int dirfd, struct sockaddr_un *sa, socklen_t *len)
{
	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	if (strlen(path) < sizeof(sa->sun_path))
		snprintf(sa->sun_path, sizeof(sa->sun_path), "%s", path);
	else if (snprintf(sa->sun_path, sizeof(sa->sun_path), "/proc/self/fd/%d/logger.sock",
			  dirfd) >= (int)sizeof(sa->sun_path))
		return -ENAMETOOLONG;
	*len = (socklen_t)sizeof(*sa);
	return 0;
}

static int connect_logger(const char *path, int dirfd)
{
	struct sockaddr_un sa;
	socklen_t len;
	int fd, rc;

	if ((rc = sock_addr(path, dirfd, &sa, &len)) < 0)
		return rc;
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&sa, len) < 0) {
		rc = -errno;
		close(fd);
		return rc;
	}
	return fd;
}

/* Binds the socket (a stale one of a logger killed before it could remove
 * it goes first), starts the logger on it, detached. */
static int spawn_logger(const char *env, const char *path, int dirfd)
{
	_cleanup_free_ char *prog = apo_logger_path();
	_cleanup_free_ char *record = env_file(env, "logger");
	char *argv[] = {"apomon-log", (char *)path, record, NULL};
	char *envp[] = {NULL}; /* it needs none, and its stack pages stay few */
	posix_spawn_file_actions_t fa;
	struct sockaddr_un sa;
	socklen_t len;
	pid_t pid;
	int fd, rc, wst;

	if ((rc = sock_addr(path, dirfd, &sa, &len)) < 0)
		return rc;
	if (unlink(path) < 0 && errno != ENOENT)
		return -errno;
	fd = apo_high_fd(socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0));
	if (fd < 0)
		return -errno;
	/* root's alone before anyone may connect (listen comes after) */
	if (bind(fd, (struct sockaddr *)&sa, len) < 0 || chmod(path, 0600) < 0 ||
	    listen(fd, 128) < 0) {
		rc = -errno;
		goto out;
	}
	if ((rc = -posix_spawn_file_actions_init(&fa)) < 0)
		goto out;
	posix_spawn_file_actions_adddup2(&fa, fd, 0);
	/* nothing of the caller's: a `$(apomon up)` must not wait for it */
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, 1, 2);
	rc = -posix_spawn(&pid, prog, &fa, NULL, argv, envp);
	posix_spawn_file_actions_destroy(&fa);
	if (rc < 0)
		goto out;
	/* the first process leaves once the logger's record is written */
	while (waitpid(pid, &wst, 0) < 0) {
		if (errno != EINTR) {
			rc = -errno;
			goto out;
		}
	}
	rc = WIFEXITED(wst) && WEXITSTATUS(wst) == 0 ? 0 : -EIO;
out:
	close(fd);
	if (rc < 0)
		unlink(path);
	return rc;
}

/* The logger's answer to a hand-over: 0, or its negative errno. */
static int hand_over_reply(int c)
{
	int32_t reply;
	ssize_t n;

	do
		n = recv(c, &reply, sizeof(reply), 0);
	while (n < 0 && errno == EINTR);
	if (n == 0)
		return -ECONNRESET;
	if (n < 0)
		return -errno;
	if (n != sizeof(reply))
		return -EPROTO;
	return reply ? -reply : 0;
}

/* One station to the logger: 0, or a negative errno (-ECONNRESET: the
 * logger was on its way out, start another).  defer: sent only;
 * hand_over_reply reads the answer later. */
static int hand_over(int c, enum apo_log_op op, const char *logp, const char *state,
		     unsigned long long max, int out_r, int status_r, bool defer)
{
	struct apo_log_msg m = {.op = op,
				.log_len = (uint32_t)strlen(logp) + 1,
				.state_len = (uint32_t)strlen(state) + 1,
				.max_bytes = max};
	struct iovec iov[3] = {
	    {&m, sizeof(m)}, {(void *)logp, m.log_len}, {(void *)state, m.state_len}};
	union {
		char buf[CMSG_SPACE(2 * sizeof(int))];
		struct cmsghdr align;
	} cb;
	struct msghdr mh = {.msg_iov = iov,
			    .msg_iovlen = 3,
			    .msg_control = cb.buf,
			    .msg_controllen = sizeof(cb.buf)};
	struct cmsghdr *h = CMSG_FIRSTHDR(&mh);

	if (m.log_len > APO_LOG_PATH_MAX || m.state_len > APO_LOG_PATH_MAX)
		return -ENAMETOOLONG;
	memset(&cb, 0, sizeof(cb));
	h->cmsg_level = SOL_SOCKET;
	h->cmsg_type = SCM_RIGHTS;
	h->cmsg_len = CMSG_LEN(2 * sizeof(int));
	memcpy(CMSG_DATA(h), (int[]){out_r, status_r}, 2 * sizeof(int));
	if (sendmsg(c, &mh, MSG_NOSIGNAL) < 0)
		return errno == EPIPE ? -ECONNRESET : -errno;
	return defer ? 0 : hand_over_reply(c);
}

/* A new logger takes over the pipes of the stations still running, from
 * their inits' copies of the read ends.  A station started before there
 * were such copies, or gone meanwhile, is skipped. */
static void adopt_running(const char *env, const char *skip, int c)
{
	char **names = NULL;
	size_t n = 0;

	if (apo_station_list(env, &names, &n) < 0)
		return;
	for (size_t i = 0; i < n; i++) {
		_cleanup_free_ char *state = apo_station_state_dir(env, names[i]);
		_cleanup_free_ char *logp = apo_station_log_path(env, names[i]);
		_cleanup_free_ char *rec = apo_logger_record_path(env, names[i]);
		struct apo_init_rec r, old;
		unsigned long long max = 0;
		int pfd = -1, out = -1, st = -1;

		if ((skip && !strcmp(names[i], skip)) ||
		    apo_station_read_init(env, names[i], &r) < 0 || !apo_station_alive(&r))
			goto next;
		/* the cap it was started with */
		read_record(rec, &old, &max);
		pfd = (int)syscall(SYS_pidfd_open, r.pid, 0);
		if (pfd < 0 || !apo_station_alive(&r))
			goto next;
		out = (int)syscall(SYS_pidfd_getfd, pfd, APO_INIT_OUT_READ_FD, 0);
		st = (int)syscall(SYS_pidfd_getfd, pfd, APO_INIT_STATUS_READ_FD, 0);
		if (out >= 0 && st >= 0)
			hand_over(c, APO_LOG_ADOPT, logp, state, max, out, st, false);
	next:
		if (pfd >= 0)
			close(pfd);
		if (out >= 0)
			close(out);
		if (st >= 0)
			close(st);
		free(names[i]);
	}
	free(names);
}

static bool any_running(const char *env, const char *skip)
{
	char **names = NULL;
	size_t n = 0;
	bool any = false;

	if (apo_station_list(env, &names, &n) < 0)
		return false;
	for (size_t i = 0; i < n; i++) {
		struct apo_init_rec r;
		if (!any && !(skip && !strcmp(names[i], skip)) &&
		    apo_station_read_init(env, names[i], &r) == 0 && apo_station_alive(&r))
			any = true;
		free(names[i]);
	}
	free(names);
	return any;
}

/*
 * A connection to the environment's logger, started when there is none;
 * with the env's state dir locked (flock on the directory: launches in
 * other threads and other apomon processes wait).  name: the station being
 * launched (not adopted), or NULL.  With name NULL, a logger is started
 * only in place of one that was killed while a station of the environment
 * runs.
 */
static int logger_connect(const char *env, const char *name, int dirfd, const char *sock)
{
	int c = connect_logger(sock, dirfd), rc;

	if (c >= 0)
		return c;
	if (c != -ENOENT && c != -ECONNREFUSED)
		return c;
	/* none (it left with the last station: nothing to take over), or a
	 * stale socket of one that was killed */
	if (!name && (c == -ENOENT || !any_running(env, NULL))) {
		if (c == -ECONNREFUSED)
			unlink(sock);
		return -ENOENT;
	}
	if ((rc = spawn_logger(env, sock, dirfd)) < 0)
		return rc;
	if ((c = connect_logger(sock, dirfd)) < 0)
		return c;
	adopt_running(env, name, c);
	return c;
}

static int lock_env(const char *env, char **sock)
{
	_cleanup_free_ char *run = apo_env_run_dir(env);
	int fd = apo_high_fd(open(run, O_RDONLY | O_DIRECTORY | O_CLOEXEC));

	if (fd < 0)
		return -errno;
	while (flock(fd, LOCK_EX) < 0) {
		if (errno != EINTR) {
			int rc = -errno;
			close(fd);
			return rc;
		}
	}
	*sock = apo_xasprintf("%s/logger.sock", run);
	return fd;
}

/* Unlocked explicitly: a station child cloned meanwhile by another thread
 * holds a copy of the descriptor until it execs, and with it the lock. */
static void unlock_env(int dirfd)
{
	flock(dirfd, LOCK_UN);
	close(dirfd);
}

/* Hands the read ends to the environment's logger, under the
 * environment's lock (one logger started at most, none leaving under
 * us).  defer: *pending gets the connection whose answer is still to be
 * read (apo_logger_confirm), the lock is not held while the logger makes
 * the station's files. */
static int register_station(const char *env, const char *name, unsigned long long max_bytes,
			    int out_r, int status_r, int *pending)
{
	_cleanup_free_ char *state = apo_station_state_dir(env, name);
	_cleanup_free_ char *logp = apo_station_log_path(env, name);
	_cleanup_free_ char *sock = NULL;
	int dirfd, c = -1, rc = 0;

	if ((dirfd = lock_env(env, &sock)) < 0)
		return dirfd;
	/* again while a logger that was leaving as we connected is not gone */
	for (int attempt = 0; attempt < 100; attempt++) {
		if (attempt)
			poll(NULL, 0, 1);
		if ((c = logger_connect(env, name, dirfd, sock)) < 0) {
			rc = c;
			c = -1;
			break;
		}
		rc = hand_over(c, APO_LOG_START, logp, state, max_bytes, out_r, status_r,
			       pending != NULL);
		if (rc != -ECONNRESET)
			break;
		close(c);
		c = -1;
	}
	unlock_env(dirfd);
	if (rc == 0 && pending)
		*pending = c;
	else if (c >= 0)
		close(c);
	return rc;
}

int apo_logger_start(const char *env, const char *name, unsigned long long max_bytes, int *out_w,
		     int *status_w, int *out_r, int *status_r, int *pending)
{
	int out[2] = {-1, -1}, st[2] = {-1, -1};
	int rc;

	*out_w = *status_w = *out_r = *status_r = -1;
	if (pending)
		*pending = -1;
	if (pipe2(out, O_CLOEXEC) < 0 || pipe2(st, O_CLOEXEC) < 0) {
		rc = -errno;
		goto out;
	}
	/* out of the way of 0..5, which the child's dup2s fill */
	for (int i = 0; i < 2; i++) {
		out[i] = apo_high_fd(out[i]);
		st[i] = apo_high_fd(st[i]);
		if (out[i] < 0 || st[i] < 0) {
			rc = -EMFILE;
			goto out;
		}
	}
	if ((rc = register_station(env, name, max_bytes, out[0], st[0], pending)) < 0)
		goto out;
	*out_w = out[1];
	*status_w = st[1];
	*out_r = out[0];
	*status_r = st[0];
	out[0] = out[1] = st[0] = st[1] = -1;
	rc = 0;
out:
	for (int i = 0; i < 2; i++) {
		if (out[i] >= 0)
			close(out[i]);
		if (st[i] >= 0)
			close(st[i]);
	}
	return rc;
}

int apo_logger_confirm(const char *env, const char *name, unsigned long long max_bytes, int pending,
		       int out_r, int status_r)
{
	int rc = hand_over_reply(pending);

	close(pending);
	/* the logger left before it took the station: to the next one, and
	 * wait for its answer this time */
	if (rc == -ECONNRESET)
		rc = register_station(env, name, max_bytes, out_r, status_r, NULL);
	return rc;
}

int apo_logger_ensure(const char *env)
{
	_cleanup_free_ char *sock = NULL;
	int dirfd = lock_env(env, &sock), c;

	if (dirfd < 0)
		return dirfd == -ENOENT ? 0 : dirfd;
	c = logger_connect(env, NULL, dirfd, sock);
	unlock_env(dirfd);
	if (c < 0)
		return c == -ENOENT ? 0 : c;
	close(c);
	return 0;
}

void apo_logger_wait(const char *env, const char *name, unsigned ms)
{
	_cleanup_free_ char *record = apo_logger_record_path(env, name);
	struct apo_init_rec r;

	/* the logger removes the record once the station's pipes are at
	 * their end: the last status line is written */
	for (unsigned i = 0; i < ms; i++) {
		if (read_record(record, &r, NULL) < 0 || !apo_station_alive(&r))
			return;
		poll(NULL, 0, 1);
	}
}

void apo_logger_reap(const char *env, unsigned ms)
{
	_cleanup_free_ char *record = env_file(env, "logger");
	_cleanup_free_ char *sock = env_file(env, "logger.sock");
	struct apo_init_rec r;

	/* it leaves by itself once the last station's pipes are at their
	 * end, which the stop that preceded made happen */
	if (read_record(record, &r, NULL) == 0 && apo_station_alive(&r)) {
		int pfd = (int)syscall(SYS_pidfd_open, r.pid, 0);
		struct pollfd p = {.fd = pfd, .events = POLLIN};

		if (pfd >= 0 && apo_station_alive(&r)) {
			while (poll(&p, 1, (int)ms) < 0 && errno == EINTR)
				;
			/* a station still running holds it: nothing is left
			 * behind when `down` returns */
			if (apo_station_alive(&r)) {
				syscall(SYS_pidfd_send_signal, pfd, SIGKILL, NULL, 0);
				poll(&p, 1, 1000);
			}
		}
		if (pfd >= 0)
			close(pfd);
	}
	unlink(record);
	unlink(sock);
}
