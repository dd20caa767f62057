/* SPDX-License-Identifier: MIT */
/*
 * apomon-log: the logger of one environment's stations, outside all of
 * their namespaces.
 *
 * Usage (by the launcher, never by hand):
 *   apomon-log SOCKET RECORD
 * with fd 0 = a listening unix SOCK_SEQPACKET socket bound at SOCKET.
 *
 * Why: no host file may be open in a station (a descriptor of the host's
 * file system is what open_by_handle_at escapes from, and /proc/PID/fd
 * reopens it), so a station writes to pipes and this process, which no
 * station can see, writes the files.  One runs for each environment, not
 * one for each station: the launcher hands it the read ends of each new
 * station's two pipes over SOCKET (log-proto.h), and it multiplexes them
 * all with epoll.  A station's output is appended to its log, which is
 * capped: past its max bytes it becomes LOG.1 (replacing the previous
 * one) and LOG starts empty.  apomon-init's status lines are appended to
 * the station's state dir's status file.  For each station it writes
 * "PID STARTTIME MAX_BYTES" to the state dir's `logger` and removes it
 * once both pipes are at their end, so that readers of the status can
 * wait for its last line once the station's init is gone.
 *
 * It detaches from the launcher and writes "PID STARTTIME" to RECORD.  It
 * exits once it has no station and no client left: after the
 * environment's last station is gone.  Then it removes RECORD and SOCKET
 * (the launcher starts a new one for the next station).
 *
 * Static, tiny, one process whatever the number of stations.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "runtime/log-proto.h"

enum kind { K_LISTEN, K_CLIENT, K_OUT, K_STATUS };

/* what an epoll event points at */
struct src {
	enum kind kind;
	int fd;
	struct station *st; /* K_OUT, K_STATUS */
};

struct station {
	struct src out, status;
	int log_fd;
	unsigned long long size, max;
	char *state; /* the station's state dir: its key */
	char *log_path;
	struct station *next;
	bool dead; /* freed after the current batch of events */
};

static struct station *stations, *graveyard;
static int ep, nstations, nclients;
static pid_t self;
static unsigned long long self_start;

static unsigned long long starttime(pid_t pid)
{
	char path[64], buf[1024];
	unsigned long long start = 0;
	ssize_t n;
	int fd;
	char *p;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	p = strrchr(buf, ')');
	if (!p || sscanf(p + 2,
			 "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u %*d %*d %*d %*d "
			 "%*d %*d %llu",
			 &start) != 1)
		return 0;
	return start;
}

static int write_record(const char *path, const char *line)
{
	char tmp[APO_LOG_PATH_MAX + 16];
	size_t n = strlen(line);
	int fd;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0)
		return -errno;
	if (write(fd, line, n) != (ssize_t)n || close(fd) < 0 || rename(tmp, path) < 0) {
		unlink(tmp);
		return -EIO;
	}
	return 0;
}

/* Removes a record only while it is still ours: a logger that took over
 * after us (we were stopped, not dead) wrote its own. */
static void remove_record(const char *path)
{
	char buf[64];
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW), pid = 0;
	ssize_t n;

	if (fd < 0)
		return;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return;
	buf[n] = '\0';
	if (sscanf(buf, "%d", &pid) == 1 && pid == self)
		unlink(path);
}

static char *station_file(const struct station *s, const char *what)
{
	char *p;
	if (asprintf(&p, "%s/%s", s->state, what) < 0)
		return NULL;
	return p;
}

static int open_log(struct station *s)
{
	struct stat st;

	s->log_fd = open(s->log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0640);
	if (s->log_fd < 0)
		return -errno;
	s->size = fstat(s->log_fd, &st) == 0 ? (unsigned long long)st.st_size : 0;
	return 0;
}

/* Rotated once: LOG.1 holds the previous max bytes, older output is gone. */
static void rotate(struct station *s)
{
	char old[APO_LOG_PATH_MAX + 8];

	close(s->log_fd);
	s->log_fd = -1;
	if (snprintf(old, sizeof(old), "%s.1", s->log_path) >= (int)sizeof(old))
		return;
	rename(s->log_path, old);
	open_log(s);
}

static void put(struct station *s, const char *buf, size_t n)
{
	while (n && s->log_fd >= 0) {
		size_t room = s->size < s->max ? (size_t)(s->max - s->size) : 0, k;
		ssize_t w;

		if (!room) {
			rotate(s);
			continue;
		}
		k = n < room ? n : room;
		w = write(s->log_fd, buf, k);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return; /* a full disk: the station runs on, unlogged */
		}
		s->size += (unsigned long long)w;
		buf += w;
		n -= (size_t)w;
	}
}

/* Appended and closed at once: a station writes a few status lines in
 * its life, and 500 stations should not hold 500 more descriptors.  Never
 * created here (the launch did): a line late after `down` removed the
 * state dir's files must not leave one behind. */
static void put_status(struct station *s, const char *buf, size_t n)
{
	char *p = station_file(s, "status");
	int fd;

	if (!p)
		return;
	fd = open(p, O_WRONLY | O_APPEND | O_CLOEXEC | O_NOFOLLOW);
	free(p);
	if (fd < 0)
		return;
	if (write(fd, buf, n) < 0) {
		/* nothing better to do: keep draining */
	}
	close(fd);
}

static void close_src(struct src *c)
{
	if (c->fd < 0)
		return;
	epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
	close(c->fd);
	c->fd = -1;
}

static void retire(struct station *s, bool ours)
{
	struct station **pp;

	close_src(&s->out);
	close_src(&s->status);
	if (s->log_fd >= 0)
		close(s->log_fd);
	s->log_fd = -1;
	if (ours) {
		char *rec = station_file(s, "logger");
		if (rec)
			remove_record(rec);
		free(rec);
	}
	for (pp = &stations; *pp; pp = &(*pp)->next)
		if (*pp == s) {
			*pp = s->next;
			break;
		}
	s->dead = true;
	s->next = graveyard;
	graveyard = s;
	nstations--;
}

/* One read: level-triggered epoll calls again while there is more. */
static void pump(struct src *c)
{
	char buf[4096]; /* one page: a pipe's writes are at most that atomic */
	struct station *s = c->st;
	ssize_t n;

	if (s->dead || c->fd < 0)
		return;
	n = read(c->fd, buf, sizeof(buf));
	if (n > 0) {
		if (c->kind == K_OUT)
			put(s, buf, (size_t)n);
		else
			put_status(s, buf, (size_t)n);
		return;
	}
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	close_src(c);
	if (s->out.fd < 0 && s->status.fd < 0)
		retire(s, true);
}

/* What is already in the pipes of a station launched again: its last
 * words precede the new launch's first. */
static void drain(struct station *s)
{
	for (int i = 0; i < 1024 && s->out.fd >= 0 && !s->dead; i++)
		pump(&s->out);
	for (int i = 0; i < 64 && s->status.fd >= 0 && !s->dead; i++)
		pump(&s->status);
}

static int watch(struct src *c)
{
	struct epoll_event e = {.events = EPOLLIN, .data.ptr = c};
	return epoll_ctl(ep, EPOLL_CTL_ADD, c->fd, &e) < 0 ? -errno : 0;
}

static int add_station(const struct apo_log_msg *m, const char *logp, const char *state, int out,
		       int status)
{
	struct station *s, *old;
	char line[96], *p;
	int rc;

	for (old = stations; old; old = old->next)
		if (!strcmp(old->state, state))
			break;
	if (old) {
		drain(old);
		if (!old->dead)
			retire(old, false);
	}
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->out = (struct src){.kind = K_OUT, .fd = -1, .st = s};
	s->status = (struct src){.kind = K_STATUS, .fd = -1, .st = s};
	s->max = m->max_bytes ? m->max_bytes : 10ULL << 20;
	s->state = strdup(state);
	s->log_path = strdup(logp);
	s->log_fd = -1;
	if (!s->state || !s->log_path) {
		rc = -ENOMEM;
		goto fail;
	}
	if ((rc = open_log(s)) < 0)
		goto fail;
	if (m->op == APO_LOG_START) {
		int fd;
		if (!(p = station_file(s, "status"))) {
			rc = -ENOMEM;
			goto fail;
		}
		fd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
		free(p);
		if (fd < 0) {
			rc = -errno;
			goto fail;
		}
		close(fd);
	}
	if (!(p = station_file(s, "logger"))) {
		rc = -ENOMEM;
		goto fail;
	}
	snprintf(line, sizeof(line), "%d %llu %llu\n", (int)self, self_start, s->max);
	rc = write_record(p, line);
	free(p);
	if (rc < 0)
		goto fail;
	fcntl(out, F_SETFL, O_NONBLOCK);
	fcntl(status, F_SETFL, O_NONBLOCK);
	s->out.fd = out;
	s->status.fd = status;
	if ((rc = watch(&s->out)) < 0 || (rc = watch(&s->status)) < 0) {
		epoll_ctl(ep, EPOLL_CTL_DEL, out, NULL);
		s->out.fd = s->status.fd = -1;
		goto fail;
	}
	s->next = stations;
	stations = s;
	nstations++;
	return 0;
fail:
	if (s->log_fd >= 0)
		close(s->log_fd);
	free(s->state);
	free(s->log_path);
	free(s);
	return rc;
}

/* One message from the launcher: a station, its two read ends attached. */
static void serve(struct src *c)
{
	static char buf[APO_LOG_MSG_MAX];
	char cbuf[CMSG_SPACE(2 * sizeof(int))];
	struct iovec iov = {.iov_base = buf, .iov_len = sizeof(buf)};
	struct msghdr mh = {
	    .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof(cbuf)};
	struct apo_log_msg m;
	int fds[2] = {-1, -1}, nfds = 0;
	int32_t reply = EINVAL;
	ssize_t n;

	n = recvmsg(c->fd, &mh, MSG_CMSG_CLOEXEC | MSG_DONTWAIT);
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (n <= 0) {
		close_src(c);
		free(c);
		nclients--;
		return;
	}
	for (struct cmsghdr *h = CMSG_FIRSTHDR(&mh); h; h = CMSG_NXTHDR(&mh, h)) {
		if (h->cmsg_level != SOL_SOCKET || h->cmsg_type != SCM_RIGHTS)
			continue;
		size_t k = (h->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		int *in = (int *)CMSG_DATA(h);
		for (size_t i = 0; i < k; i++) {
			if (nfds < 2)
				fds[nfds++] = in[i];
			else
				close(in[i]);
		}
	}
	if (nfds == 2 && !(mh.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) && (size_t)n >= sizeof(m)) {
		memcpy(&m, buf, sizeof(m));
		const char *logp = buf + sizeof(m), *state = logp + m.log_len;
		if ((m.op == APO_LOG_START || m.op == APO_LOG_ADOPT) && m.log_len > 1 &&
		    m.state_len > 1 && m.log_len <= APO_LOG_PATH_MAX &&
		    m.state_len <= APO_LOG_PATH_MAX &&
		    sizeof(m) + m.log_len + m.state_len == (size_t)n && !logp[m.log_len - 1] &&
		    !state[m.state_len - 1]) {
			int rc = add_station(&m, logp, state, fds[0], fds[1]);
			reply = rc < 0 ? -rc : 0;
			if (!rc)
				fds[0] = fds[1] = -1;
		}
	}
	for (int i = 0; i < 2; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	if (send(c->fd, &reply, sizeof(reply), MSG_NOSIGNAL) < 0) {
		/* the launcher is gone: it cleans up what it started */
	}
}

static void accept_one(int lfd)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);
	struct src *c;
	int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);

	if (fd < 0)
		return;
	/* the socket is root's alone (0600); this says so once more */
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0 || cred.uid != 0 ||
	    !(c = calloc(1, sizeof(*c)))) {
		close(fd);
		return;
	}
	*c = (struct src){.kind = K_CLIENT, .fd = fd};
	if (watch(c) < 0) {
		close(fd);
		free(c);
		return;
	}
	nclients++;
}

/* Forks: the launcher waits for the first process, which leaves once the
 * logger's record is written; the logger is then the host init's child. */
static void detach(const char *record)
{
	char line[64];
	pid_t pid = fork();

	if (pid < 0)
		exit(1);
	if (pid > 0) {
		snprintf(line, sizeof(line), "%d %llu\n", (int)pid, starttime(pid));
		_exit(write_record(record, line) < 0 ? 1 : 0);
	}
	setsid();
}

/* Closes every descriptor above stdio.  close_range first (Linux 5.9);
 * without it, each one the limit allows. */
static void close_inherited(void)
{
	struct rlimit rl;

	if (syscall(SYS_close_range, 3U, ~0U, 0U) == 0)
		return;
	if (getrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur > 1U << 20)
		rl.rlim_cur = 1U << 20;
	for (unsigned fd = 3; fd < rl.rlim_cur; fd++)
		close((int)fd);
}

int main(int argc, char **argv)
{
	struct epoll_event ev[64];
	struct src listener = {.kind = K_LISTEN, .fd = 0};
	struct rlimit rl;
	struct stat sock_st;
	bool served = false;

	if (argc != 3) {
		dprintf(2, "usage: apomon-log SOCKET RECORD\n");
		return 2;
	}
	/* no directory of the caller's kept busy (a mount point, a test's
	 * temporary directory) */
	if (chdir("/") < 0)
		return 1;
	/* nor a descriptor: the logger lives as long as the environment, and
	 * one inherited (`flock LOCK apomon up`'s lock, a pipe a CI runner
	 * waits on) would be held all that time */
	close_inherited();
	signal(SIGPIPE, SIG_IGN);
	/* a hangup or an interrupt at the operator's terminal is not ours */
	signal(SIGHUP, SIG_IGN);
	signal(SIGINT, SIG_IGN);
	/* three descriptors a station (two pipes, its log): thousands */
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	if (stat(argv[1], &sock_st) < 0)
		return 1;
	ep = epoll_create1(EPOLL_CLOEXEC);
	if (ep < 0 || fcntl(0, F_SETFL, O_NONBLOCK) < 0 || watch(&listener) < 0)
		return 1;
	detach(argv[2]);
	self = getpid();
	self_start = starttime(self);

	for (;;) {
		int n = epoll_wait(ep, ev, 64, -1);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		for (int i = 0; i < n; i++) {
			struct src *c = ev[i].data.ptr;
			switch (c->kind) {
			case K_LISTEN:
				accept_one(c->fd);
				served = true;
				break;
			case K_CLIENT:
				serve(c);
				break;
			case K_OUT:
			case K_STATUS:
				pump(c);
				break;
			}
		}
		/* a batch may still have named them: freed only now */
		while (graveyard) {
			struct station *s = graveyard;
			graveyard = s->next;
			free(s->state);
			free(s->log_path);
			free(s);
		}
		if (served && !nstations && !nclients)
			break;
	}
	/* the record first: once SOCKET is gone, a launcher starts a new
	 * logger, whose record this must not remove; a launcher that
	 * connected before sees its connection end and starts over */
	remove_record(argv[2]);
	struct stat now;
	if (stat(argv[1], &now) == 0 && now.st_ino == sock_st.st_ino &&
	    now.st_dev == sock_st.st_dev)
		unlink(argv[1]);
	return 0;
}
