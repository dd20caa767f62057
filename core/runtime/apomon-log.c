/* SPDX-License-Identifier: MIT */
/*
 * apomon-log: a station's logger, outside all of the station's namespaces.
 *
 * Usage (by the launcher, never by hand):
 *   apomon-log LOG STATUS RECORD MAX_BYTES
 * with fd 0 = the read end of the pipe that is every station process's
 * stdout and stderr, and fd 3 = the read end of apomon-init's status pipe.
 *
 * Why: no host file may be open in a station (a descriptor of the host's
 * file system is what open_by_handle_at escapes from, and /proc/PID/fd
 * reopens it), so a station writes to pipes and this process, which the
 * station cannot see, writes the files.  It appends the output to LOG,
 * which it caps: past MAX_BYTES it becomes LOG.1 (replacing the previous
 * one) and LOG starts empty.  It appends apomon-init's status lines to
 * STATUS.  It detaches from the launcher (the launcher's `up` ends long
 * before the station does) and writes "PID STARTTIME" to RECORD, so that
 * readers of STATUS can wait for its last line once the station's init is
 * gone.  It exits when both pipes are closed: when the station has ended.
 *
 * Static, tiny: one runs for every station.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *log_path;
static int log_fd = -1;
static unsigned long long size, max_size;

static int open_log(void)
{
	struct stat st;

	log_fd = open(log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0640);
	if (log_fd < 0)
		return -1;
	size = fstat(log_fd, &st) == 0 ? (unsigned long long)st.st_size : 0;
	return 0;
}

/* Rotated once: LOG.1 holds the previous MAX_BYTES, older output is gone. */
static void rotate(void)
{
	char old[4096];

	if (snprintf(old, sizeof(old), "%s.1", log_path) >= (int)sizeof(old))
		return;
	close(log_fd);
	rename(log_path, old);
	if (open_log() < 0)
		log_fd = -1;
}

static void put(const char *buf, size_t n)
{
	while (n && log_fd >= 0) {
		size_t room = size < max_size ? (size_t)(max_size - size) : 0, k;
		ssize_t w;

		if (!room) {
			rotate();
			continue;
		}
		k = n < room ? n : room;
		w = write(log_fd, buf, k);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return; /* a full disk: the station runs on, unlogged */
		}
		size += (unsigned long long)w;
		buf += w;
		n -= (size_t)w;
	}
}

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

/* Forks: the launcher waits for the first process, which leaves once the
 * logger's record is written; the logger is then the host init's child. */
static void detach(const char *record)
{
	char tmp[4096], line[64];
	pid_t pid;
	int fd, n;

	pid = fork();
	if (pid < 0)
		exit(1);
	if (pid > 0) {
		n = snprintf(line, sizeof(line), "%d %llu\n", (int)pid, starttime(pid));
		if (snprintf(tmp, sizeof(tmp), "%s.tmp", record) >= (int)sizeof(tmp))
			_exit(1);
		fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (fd < 0 || write(fd, line, (size_t)n) != n || close(fd) < 0 ||
		    rename(tmp, record) < 0)
			_exit(1);
		_exit(0);
	}
	setsid();
}

int main(int argc, char **argv)
{
	char buf[4096]; /* one page: a pipe's writes are at most that atomic */
	const char *status_path;
	int status_fd;
	bool out_open = true, st_open = true;

	if (argc != 5) {
		dprintf(2, "usage: apomon-log LOG STATUS RECORD MAX_BYTES\n");
		return 2;
	}
	log_path = argv[1];
	status_path = argv[2];
	max_size = strtoull(argv[4], NULL, 10);
	if (!max_size)
		max_size = 10ULL << 20;
	/* no directory of the caller's kept busy (a mount point, a test's
	 * temporary directory) */
	if (chdir("/") < 0)
		return 1;
	signal(SIGPIPE, SIG_IGN);
	/* a hangup or an interrupt at the operator's terminal is not ours */
	signal(SIGHUP, SIG_IGN);
	signal(SIGINT, SIG_IGN);
	if (open_log() < 0) {
		dprintf(2, "apomon-log: %s: %s\n", log_path, strerror(errno));
		return 1;
	}
	status_fd = open(status_path,
			 O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (status_fd < 0) {
		dprintf(2, "apomon-log: %s: %s\n", status_path, strerror(errno));
		return 1;
	}
	detach(argv[3]);

	while (out_open || st_open) {
		struct pollfd p[2] = {{.fd = out_open ? 0 : -1, .events = POLLIN},
				      {.fd = st_open ? 3 : -1, .events = POLLIN}};
		ssize_t n;

		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			return 1;
		}
		/* the output first: a station's last words precede its status */
		if (p[0].revents) {
			n = read(0, buf, sizeof(buf));
			if (n > 0)
				put(buf, (size_t)n);
			else if (n == 0 || errno != EINTR)
				out_open = false;
		}
		if (p[1].revents) {
			n = read(3, buf, sizeof(buf));
			if (n > 0) {
				if (write(status_fd, buf, (size_t)n) < 0)
					continue; /* nothing better to do: keep draining */
			} else if (n == 0 || errno != EINTR) {
				st_open = false;
			}
		}
	}
	return 0;
}
