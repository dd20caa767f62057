/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/paths.h"
#include "base/spawn.h"
#include "runtime/station-priv.h"

/*
 * The mount namespace stations are cloned from: the host's, minus the
 * network namespaces bound under /run/netns and apomon's own mounts.  A
 * new mount namespace copies every mount of its parent, and with 500
 * stations up the host has 500 netns binds: each station would copy and
 * tear down all of them.  Made once a process, by a short-lived helper;
 * -1 when it cannot be made (stations then copy the host's).
 */
static pthread_once_t template_once = PTHREAD_ONCE_INIT;
static int template_fd = -1;

static void detach_under(const char *prefix)
{
	FILE *f = fopen("/proc/self/mountinfo", "re");
	char line[4096], mp[4096];
	size_t pl = strlen(prefix);

	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%*s %*s %*s %*s %4095s", mp) != 1)
			continue;
		if (!strncmp(mp, prefix, pl) && (mp[pl] == '/' || mp[pl] == '\0'))
			umount2(mp, MNT_DETACH);
	}
	fclose(f);
}

/* The template's holder: a private mount namespace without apomon's
 * run-time mounts; "k" down the pipe when it is ready, then held until
 * the parent has opened the namespace and kills it. */
static int template_holder(void *ctx)
{
	int w = *(int *)ctx;

	/* a failure exits at once: the parent's read then sees the pipe
	 * closed instead of waiting for a holder that never says "k" */
	if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return 1;
	detach_under("/run/netns");
	detach_under(apo_run_dir());
	if (write(w, "k", 1) != 1)
		return 1;
	pause();
	return 0;
}

/*
 * The empty template's holder: a mount namespace of one read-only tmpfs
 * holding nothing but the empty directory APO_EMPTY_ROOT, where a
 * station's child attaches its root before moving it onto / (MS_MOVE +
 * chroot, station-child.c).  A station's copy has nothing of the host to
 * detach, so its start waits for no RCU grace period (pivot_root's
 * detach of the copied host tree waited for one a station); and what is
 * under its root, hidden, is this empty tmpfs: no host file, no host
 * mount.  The host's tree is detached here once a process.
 */
static int empty_holder(void *ctx)
{
	int w = *(int *)ctx;
	const unsigned long fl = MS_NOSUID | MS_NODEV | MS_NOEXEC;

	if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ||
	    mount("apomon-empty", "/tmp", "tmpfs", fl, "mode=0755,size=4k,nr_inodes=4") < 0 ||
	    mkdir("/tmp" APO_EMPTY_ROOT, 0755) < 0 ||
	    mount(NULL, "/tmp", NULL, MS_REMOUNT | MS_RDONLY | fl, NULL) < 0 || chdir("/tmp") < 0 ||
	    syscall(SYS_pivot_root, ".", ".") < 0 || umount2(".", MNT_DETACH) < 0 || chdir("/") < 0)
		return 1;
	if (write(w, "k", 1) != 1)
		return 1;
	pause();
	return 0;
}

/* Runs holder in a child, opens its mount namespace once it says "k". */
static int template_make(int (*holder)(void *))
{
	int p[2], fd = -1;
	pid_t pid;
	int status;
	char c;

	if (pipe2(p, O_CLOEXEC) < 0)
		return -1;
	if (apo_spawn_fn(holder, &p[1], &pid) < 0) {
		close(p[0]);
		close(p[1]);
		return -1;
	}
	close(p[1]);
	if (read(p[0], &c, 1) == 1) {
		char path[64];
		snprintf(path, sizeof(path), "/proc/%d/ns/mnt", (int)pid);
		fd = apo_high_fd(open(path, O_RDONLY | O_CLOEXEC));
	}
	close(p[0]);
	kill(pid, SIGKILL);
	apo_spawn_wait(pid, &status);
	return fd;
}

static void host_template_make(void)
{
	template_fd = template_make(template_holder);
}

static pthread_once_t empty_once = PTHREAD_ONCE_INIT;
static int empty_fd = -1;

static void empty_template_make(void)
{
	empty_fd = template_make(empty_holder);
}

int apo_station_template_fd(void)
{
	pthread_once(&template_once, host_template_make);
	return template_fd;
}

int apo_station_empty_template_fd(void)
{
	pthread_once(&empty_once, empty_template_make);
	return empty_fd;
}
