/* SPDX-License-Identifier: MIT */
/* Stopping a station and removing what it left: processes, mounts,
 * cgroups, state; with purge, its data. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "paths.h"
#include "station-priv.h"
#include "util.h"

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif

/* Waits up to ms for pid to exit; true when it did. */
static bool wait_exit(int pidfd, const struct apo_init_rec *r, unsigned ms)
{
	struct pollfd p = {.fd = pidfd, .events = POLLIN};

	if (pidfd < 0)
		return !apo_station_alive(r);
	while (poll(&p, 1, (int)ms) < 0 && errno == EINTR)
		;
	waitpid(r->pid, NULL, WNOHANG);
	return !apo_station_alive(r);
}

int apo_station_stop(const char *env, const char *name, unsigned grace_ms)
{
	_cleanup_free_ char *state = apo_station_state_dir(env, name);
	_cleanup_free_ char *stopped = apo_xasprintf("%s/stopped", state);
	_cleanup_close_ int pidfd = -1;
	struct apo_init_rec r;
	int fd;

	if (apo_station_read_init(env, name, &r) < 0)
		return 0;
	/* marked first so that the entrypoint's death by SIGTERM reads as a stop */
	fd = open(stopped, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	if (fd >= 0)
		close(fd);
	if (!apo_station_alive(&r))
		return 0;
	pidfd = (int)syscall(SYS_pidfd_open, r.pid, 0);
	/* the PID may have been reused between alive() and pidfd_open() */
	if (!apo_station_alive(&r))
		return 0;
	kill(r.pid, SIGTERM);
	if (wait_exit(pidfd, &r, grace_ms))
		return 0;
	kill(r.pid, SIGKILL);
	if (wait_exit(pidfd, &r, 5000))
		return 0;
	return -ETIMEDOUT;
}

static int rm_one(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)ftw;
	if (flag == FTW_DP)
		rmdir(p);
	else
		unlink(p);
	return 0;
}

static int rm_rf(const char *path)
{
	if (access(path, F_OK) < 0)
		return 0;
	return nftw(path, rm_one, 32, FTW_DEPTH | FTW_PHYS | FTW_MOUNT) < 0 ? -errno : 0;
}

/* rmdir each of the path's last `levels` components while empty */
static void rmdir_up(const char *path, int levels)
{
	_cleanup_free_ char *p = apo_xstrdup(path);

	for (int i = 0; i < levels; i++) {
		if (rmdir(p) < 0 && errno != ENOENT)
			return;
		char *s = strrchr(p, '/');
		if (!s || s == p)
			return;
		*s = '\0';
	}
}

int apo_station_cleanup(const char *env, const char *name, unsigned grace_ms, bool purge)
{
	_cleanup_free_ char *state = apo_station_state_dir(env, name);
	_cleanup_free_ char *root = apo_station_root_path(env, name);
	int rc = apo_station_stop(env, name, grace_ms);
	int first = rc;

	/* stacked mounts (a crashed run mounted twice) come off one by one */
	for (int i = 0; i < 16 && umount2(root, MNT_DETACH) == 0; i++)
		;
	rmdir_up(root, 2); /* and roots/ */
	apo_cgroup_remove(env, name);
	rc = rm_rf(state);
	if (rc < 0 && !first)
		first = rc;
	rmdir_up(state, 2); /* and stations/ */
	if (purge) {
		_cleanup_free_ char *lib = apo_xasprintf("%s/%s/%s", apo_lib_dir(), env, name);
		_cleanup_free_ char *logp = apo_station_log_path(env, name);
		rc = rm_rf(lib);
		if (rc < 0 && !first)
			first = rc;
		unlink(logp);
	}
	return first;
}
