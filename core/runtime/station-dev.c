/* SPDX-License-Identifier: MIT */
/*
 * The device nodes of a station's /dev, and what stands in for them where
 * apomon may not make nodes: without CAP_MKNOD (apomon itself run in a
 * container that drops it, or in a user namespace) mknod is refused, and
 * the station gets the host's nodes mounted instead.  The child cannot
 * bind them itself: it works in the empty template mount namespace
 * (station-template.c), which has no /dev of the host's, and a mount of
 * another namespace cannot be cloned there.  So apomon clones each node
 * here, in its own namespace, into a detached mount the child attaches
 * (move_mount), as it does with the station's root.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/mount.h>
#include <stdatomic.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "base/util.h"
#include "runtime/station-priv.h"

#ifndef SYS_open_tree
#define SYS_open_tree 428
#endif

const struct apo_station_dev apo_station_devs[APO_STATION_N_DEVS] = {
    {"null", 1, 3},   {"zero", 1, 5},	 {"full", 1, 7},
    {"random", 1, 8}, {"urandom", 1, 9}, {"tty", 5, 0},
};

/* 1: refused, 0: allowed, -1: not known yet.  What one probe finds holds
 * for the process (its capabilities do not change while it runs). */
static atomic_int refused = -1;

/* mknod of /dev/null's numbers in dir (a directory of apomon's own),
 * removed at once */
static bool mknod_refused(const char *dir)
{
	int r = atomic_load(&refused);
	if (r >= 0)
		return r;
	_cleanup_free_ char *probe = apo_xasprintf("%s/.mknod-probe-%d", dir, (int)gettid());
	r = 0;
	if (mknod(probe, S_IFCHR | 0600, makedev(1, 3)) == 0)
		unlink(probe);
	else if (errno == EPERM)
		r = 1;
	atomic_store(&refused, r);
	return r;
}

void apo_station_devs_none(int fds[APO_STATION_N_DEVS])
{
	for (int i = 0; i < APO_STATION_N_DEVS; i++)
		fds[i] = -1;
}

int apo_station_devs_open(const char *dir, int fds[APO_STATION_N_DEVS])
{
	char path[32];

	apo_station_devs_none(fds);
	if (!mknod_refused(dir))
		return 0;
	for (int i = 0; i < APO_STATION_N_DEVS; i++) {
		snprintf(path, sizeof(path), "/dev/%s", apo_station_devs[i].name);
		int fd = (int)syscall(SYS_open_tree, AT_FDCWD, path,
				      OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
		if (fd < 0 || (fds[i] = apo_high_fd(fd)) < 0) {
			int e = -errno;
			apo_station_devs_close(fds);
			return e;
		}
	}
	return 0;
}

void apo_station_devs_close(int fds[APO_STATION_N_DEVS])
{
	for (int i = 0; i < APO_STATION_N_DEVS; i++)
		if (fds[i] >= 0) {
			close(fds[i]);
			fds[i] = -1;
		}
}
