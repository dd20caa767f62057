/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "net/netns.h"
#include "base/paths.h"
#include "base/util.h"

const char *apo_netns_dir(void)
{
	const char *d = getenv("APOMON_NETNS_DIR");
	return d && *d ? d : "/run/netns";
}

static char *ns_path(const char *name)
{
	return apo_xasprintf("%s/%s", apo_netns_dir(), name);
}

int apo_netns_prepare(void)
{
	const char *dir = apo_netns_dir();
	int r = apo_mkdir_p(dir, 0755);
	if (r < 0)
		return r;
	/* iproute2's way: make it shared; when it is not a mount point yet,
	 * bind it onto itself first.  Racing with another tool doing the
	 * same is harmless: both end as a shared mount point. */
	if (mount("", dir, "none", MS_SHARED | MS_REC, NULL) == 0)
		return 0;
	if (errno != EINVAL)
		return -errno;
	if (mount(dir, dir, "none", MS_BIND | MS_REC, NULL) < 0)
		return -errno;
	if (mount("", dir, "none", MS_SHARED | MS_REC, NULL) < 0)
		return -errno;
	return 0;
}

int apo_netns_create_here(const char *name)
{
	_cleanup_free_ char *path = ns_path(name);
	char self[64];
	int fd, r;

	/* O_EXCL: a collision is an error, never someone else's namespace
	 * taken over */
	fd = open(path, O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	close(fd);
	if (unshare(CLONE_NEWNET) < 0) {
		r = -errno;
		goto fail;
	}
	snprintf(self, sizeof(self), "/proc/self/task/%d/ns/net", (int)gettid());
	if (mount(self, path, "none", MS_BIND, NULL) < 0) {
		r = -errno;
		goto fail;
	}
	return 0;
fail:
	unlink(path);
	return r;
}

struct create_job {
	const char *name;
	int r;
};

static void *create_thread(void *arg)
{
	struct create_job *j = arg;
	j->r = apo_netns_create_here(j->name);
	return NULL;
}

int apo_netns_create(const char *name)
{
	struct create_job j = {.name = name};
	pthread_t t;
	int r = pthread_create(&t, NULL, create_thread, &j);
	if (r)
		return -r;
	pthread_join(t, NULL);
	return j.r;
}

int apo_netns_open(const char *name)
{
	_cleanup_free_ char *path = ns_path(name);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

bool apo_netns_exists(const char *name)
{
	_cleanup_free_ char *path = ns_path(name);
	return access(path, F_OK) == 0;
}

int apo_netns_delete(const char *name)
{
	_cleanup_free_ char *path = ns_path(name);

	/* EINVAL: not mounted (a crash between create and bind); go on */
	if (umount2(path, MNT_DETACH) < 0 && errno != EINVAL && errno != ENOENT)
		return -errno;
	if (unlink(path) < 0)
		return -errno;
	return 0;
}

int apo_netns_enter_here(int nsfd)
{
	return setns(nsfd, CLONE_NEWNET) < 0 ? -errno : 0;
}

struct run_job {
	int nsfd;
	int (*fn)(void *);
	void *arg;
	int r;
};

static void *run_thread(void *arg)
{
	struct run_job *j = arg;
	j->r = apo_netns_enter_here(j->nsfd);
	if (j->r == 0)
		j->r = j->fn(j->arg);
	return NULL;
}

int apo_netns_run(int nsfd, int (*fn)(void *arg), void *arg)
{
	struct run_job j = {.nsfd = nsfd, .fn = fn, .arg = arg};
	pthread_t t;
	int r = pthread_create(&t, NULL, run_thread, &j);
	if (r)
		return -r;
	pthread_join(t, NULL);
	return j.r;
}

struct sock_args {
	int domain, type, protocol;
};

static int make_socket(void *arg)
{
	struct sock_args *a = arg;
	int fd = socket(a->domain, a->type | SOCK_CLOEXEC, a->protocol);
	return fd < 0 ? -errno : fd;
}

int apo_netns_socket(int nsfd, int domain, int type, int protocol)
{
	struct sock_args a = {domain, type, protocol};
	return apo_netns_run(nsfd, make_socket, &a);
}
