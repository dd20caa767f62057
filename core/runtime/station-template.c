/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
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

static void template_make(void)
{
	int p[2];
	pid_t pid;
	int status;
	char c;

	if (pipe2(p, O_CLOEXEC) < 0)
		return;
	if (apo_spawn_fn(template_holder, &p[1], &pid) < 0) {
		close(p[0]);
		close(p[1]);
		return;
	}
	close(p[1]);
	if (read(p[0], &c, 1) == 1) {
		char path[64];
		snprintf(path, sizeof(path), "/proc/%d/ns/mnt", (int)pid);
		template_fd = apo_high_fd(open(path, O_RDONLY | O_CLOEXEC));
	}
	close(p[0]);
	kill(pid, SIGKILL);
	apo_spawn_wait(pid, &status);
}

int apo_station_template_fd(void)
{
	pthread_once(&template_once, template_make);
	return template_fd;
}
