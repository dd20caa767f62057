/* SPDX-License-Identifier: MIT */
/*
 * /proc and /sys like runc: the parts of procfs that write to the host
 * kernel are read-only, the ones that leak the host's memory, keys or
 * timers are hidden under /dev/null (files) or an empty read-only tmpfs
 * (directories).  Runs in the launcher's child after mounting proc and
 * sysfs, before pivot_root: fixed buffers, no allocation, nothing
 * static (the child shares its launcher's memory).  One tmpfs a
 * station at most: further directories get a bind of the first, which
 * costs a mount but no superblock.
 */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include "runtime/confine.h"
#include "runtime/station-priv.h"

static const char *const proc_ro[] = {"sys", "sysrq-trigger", "irq", "bus", "fs"};
static const char *const proc_masked[] = {
    "kcore", "keys",   "timer_list",	"sched_debug", "acpi",
    "scsi",  "asound", "latency_stats", "timer_stats",
};
static const char *const sys_masked[] = {"firmware", "devices/virtual/powercap"};

/* proc's own flags: a remount in a user namespace must keep them */
#define LOCKED (MS_NOSUID | MS_NODEV | MS_NOEXEC)

static int join(char *buf, const char *root, const char *dir, const char *rel)
{
	size_t a = strlen(root), b = strlen(dir), c = strlen(rel);

	if (a + b + c + 2 >= APO_CHILD_PATH_MAX) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(buf, root, a);
	memcpy(buf + a, dir, b);
	buf[a + b] = '/';
	memcpy(buf + a + b + 1, rel, c + 1);
	return 0;
}

/* p: a file or directory of a fresh proc or sysfs, not the station's;
 * null: the root's /dev/null (the station's mount namespace may have
 * nothing of the host's, station-template.c) */
static int mask(const char *p, const char *null, char *first_dir)
{
	struct stat st;

	if (stat(p, &st) < 0)
		return errno == ENOENT ? 0 : -1;
	if (!S_ISDIR(st.st_mode))
		return mount(null, p, NULL, MS_BIND, NULL);
	if (*first_dir)
		return mount(first_dir, p, NULL, MS_BIND, NULL);
	if (mount("tmpfs", p, "tmpfs", MS_RDONLY | LOCKED, "size=0,mode=0555") < 0)
		return -1;
	strcpy(first_dir, p);
	return 0;
}

static int masked(const char *root, const char *dir, const char *const *rel, size_t n,
		  char *first_dir)
{
	char p[APO_CHILD_PATH_MAX], null[APO_CHILD_PATH_MAX];

	if (join(null, root, "/dev", "null") < 0)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (join(p, root, dir, rel[i]) < 0 || mask(p, null, first_dir) < 0)
			return -1;
	return 0;
}

int apo_mask_proc(const char *root, char *first_dir)
{
	char p[APO_CHILD_PATH_MAX];

	for (size_t i = 0; i < sizeof(proc_ro) / sizeof(proc_ro[0]); i++) {
		if (join(p, root, "/proc", proc_ro[i]) < 0)
			return -1;
		if (mount(p, p, NULL, MS_BIND | MS_REC, NULL) < 0) {
			if (errno == ENOENT)
				continue;
			return -1;
		}
		if (mount(NULL, p, NULL, MS_BIND | MS_REMOUNT | MS_RDONLY | LOCKED, NULL) < 0)
			return -1;
	}
	first_dir[0] = '\0';
	return masked(root, "/proc", proc_masked, sizeof(proc_masked) / sizeof(proc_masked[0]),
		      first_dir);
}

int apo_mask_sys(const char *root, char *first_dir)
{
	return masked(root, "/sys", sys_masked, sizeof(sys_masked) / sizeof(sys_masked[0]),
		      first_dir);
}
