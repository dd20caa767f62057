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
#include <time.h>
#include <unistd.h>

#include "base/fs.h"
#include "base/paths.h"
#include "base/time.h"
#include "runtime/confine.h"
#include "runtime/station-log.h"
#include "runtime/station-priv.h"
#include "runtime/userns.h"
#include "base/util.h"

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif

/* Waits up to ms for pid to exit; true when it did. */
static bool wait_exit(int pidfd, const struct apo_init_rec *r, unsigned ms)
{
	struct pollfd p = {.fd = pidfd, .events = POLLIN};

	if (pidfd < 0) {
		/* no pidfd (an old kernel): look at /proc every 10 ms */
		for (unsigned t = 0; apo_station_alive(r); t += 10) {
			if (t >= ms)
				return false;
			poll(NULL, 0, 10);
		}
		return true;
	}
	while (poll(&p, 1, (int)ms) < 0 && errno == EINTR)
		;
	waitpid(r->pid, NULL, WNOHANG);
	return !apo_station_alive(r);
}

struct victim {
	struct apo_init_rec r;
	int pidfd;
	unsigned deadline_ms; /* from the signal to SIGKILL */
};

int apo_station_set_stop(const char *env, const char *name, int signal, unsigned deadline_ms)
{
	_cleanup_free_ char *state = apo_station_state_dir(env, name);
	_cleanup_free_ char *p = apo_xasprintf("%s/stop", state);
	_cleanup_free_ char *text = NULL;

	/* SIGKILL and SIGSTOP cannot be forwarded as a request to shut down */
	if (signal < 0 || signal >= _NSIG || signal == SIGKILL || signal == SIGSTOP)
		return -EINVAL;
	if (!signal && !deadline_ms) {
		/* the defaults: no record (a type that changed leaves none) */
		return unlink(p) < 0 && errno != ENOENT ? -errno : 0;
	}
	text = apo_xasprintf("%d %u\n", signal ? signal : SIGTERM,
			     deadline_ms ? deadline_ms : APO_STATION_GRACE_DEFAULT_MS);
	return apo_write_file_atomic(p, text, strlen(text), 0644, false);
}

/* The station's recorded signal and deadline, else the defaults. */
static void read_stop(const char *state, int *signal, unsigned *deadline_ms)
{
	_cleanup_free_ char *p = apo_xasprintf("%s/stop", state);
	FILE *f = fopen(p, "re");
	int sig;
	unsigned ms;

	*signal = SIGTERM;
	*deadline_ms = APO_STATION_GRACE_DEFAULT_MS;
	if (!f)
		return;
	if (fscanf(f, "%d %u", &sig, &ms) == 2 && sig > 0 && sig < _NSIG && sig != SIGKILL &&
	    sig != SIGSTOP) {
		*signal = sig;
		*deadline_ms = ms;
	}
	fclose(f);
}

/* Every init gets its stop signal at once and they die in parallel, each
 * against its own deadline: the slowest clean shutdown, not the sum, is
 * what `down` waits for. */
int apo_station_stop_many(const char *env, char *const *names, size_t n, unsigned grace_ms)
{
	struct victim *v = apo_xcalloc(n ? n : 1, sizeof(*v));
	size_t nv = 0;
	int rc = 0;
	double t0 = apo_now_ms(), t1 = 0;

	/* a logger killed by hand: a new one takes the pipes over first, so
	 * that what waited in them and the stations' last words are logged */
	if (n)
		apo_logger_ensure(env);
	for (size_t i = 0; i < n; i++) {
		_cleanup_free_ char *state = apo_station_state_dir(env, names[i]);
		_cleanup_free_ char *stopped = apo_xasprintf("%s/stopped", state);
		struct apo_init_rec r;
		unsigned deadline;
		int fd, sig;

		if (apo_station_read_init(env, names[i], &r) < 0)
			continue;
		/* marked first so that death by SIGTERM reads as a stop */
		fd = open(stopped, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
		if (fd >= 0)
			close(fd);
		if (!apo_station_alive(&r))
			continue;
		fd = (int)syscall(SYS_pidfd_open, r.pid, 0);
		/* the PID may have been reused between alive() and pidfd_open() */
		if (!apo_station_alive(&r)) {
			if (fd >= 0)
				close(fd);
			continue;
		}
		read_stop(state, &sig, &deadline);
		/* APOMON_TEST_WEAKEN=stop: killed at once, no clean shutdown
		 * (what tests/integration/stop-clean.sh must notice) */
		if (apo_test_weakened("stop"))
			sig = SIGKILL;
		v[nv].r = r;
		v[nv].pidfd = fd;
		v[nv++].deadline_ms = grace_ms == APO_STATION_GRACE_MS ? deadline : grace_ms;
		kill(r.pid, sig);
	}
	/* in order of deadline, so that a short one is not waited past
	 * while a long one is waited for */
	for (bool again = true; again;) {
		again = false;
		for (size_t i = 1; i < nv; i++)
			if (v[i].deadline_ms < v[i - 1].deadline_ms) {
				struct victim x = v[i];
				v[i] = v[i - 1];
				v[i - 1] = x;
				again = true;
			}
	}
	for (int round = 0; round < 2; round++) {
		for (size_t i = 0; i < nv; i++) {
			double until = round ? t1 + 5000 : t0 + v[i].deadline_ms;
			double now = apo_now_ms();

			if (v[i].r.pid == 0)
				continue;
			if (wait_exit(v[i].pidfd, &v[i].r,
				      now >= until ? 0 : (unsigned)(until - now)))
				v[i].r.pid = 0;
			else if (!round)
				kill(v[i].r.pid, SIGKILL); /* past its deadline */
		}
		t1 = apo_now_ms();
	}
	for (size_t i = 0; i < n; i++)
		apo_cgroup_remove(env, names[i]); /* empty now; start makes them anew */
	for (size_t i = 0; i < nv; i++) {
		if (v[i].r.pid)
			rc = -ETIMEDOUT;
		if (v[i].pidfd >= 0)
			close(v[i].pidfd);
	}
	free(v);
	return rc;
}

int apo_station_stop(const char *env, const char *name, unsigned grace_ms)
{
	char *names[] = {(char *)name};
	return apo_station_stop_many(env, names, 1, grace_ms);
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

static int remove_stopped(const char *env, const char *name, bool purge, int first)
{
	_cleanup_free_ char *state = apo_station_state_dir(env, name);
	_cleanup_free_ char *root = apo_station_root_path(env, name);
	int rc;

	/* stacked mounts (a crashed run mounted twice) come off one by one */
	for (int i = 0; i < 16 && umount2(root, MNT_DETACH) == 0; i++)
		;
	rmdir_up(root, 2); /* and roots/ */
	apo_cgroup_remove(env, name);
	/* every component below apomon's own directories is opened without
	 * following a link: a station cannot redirect what is removed */
	_cleanup_free_ char *srel = apo_station_state_rel(env, name);
	rc = apo_rmtree_below(apo_run_dir(), srel);
	if (rc < 0 && !first)
		first = rc;
	rmdir_up(state, 2); /* and stations/ */
	if (purge) {
		_cleanup_free_ char *lrel = apo_station_lib_rel(env, name);
		_cleanup_free_ char *logrel = apo_station_log_rel(env, name);
		rc = apo_rmtree_below(apo_lib_dir(), lrel);
		if (rc < 0 && !first)
			first = rc;
		rc = apo_rmtree_below(apo_log_dir(), logrel);
		if (rc < 0 && !first)
			first = rc;
		/* its writable layer is gone: its id range goes back to the pool
		 * every environment allocates from (the table, once empty,
		 * with it) */
		rc = apo_idmap_release(env, name);
		if (rc < 0 && !first)
			first = rc;
	}
	return first;
}

int apo_station_cleanup(const char *env, const char *name, unsigned grace_ms, bool purge)
{
	return remove_stopped(env, name, purge, apo_station_stop(env, name, grace_ms));
}

int apo_station_remove(const char *env, const char *name, bool purge)
{
	return remove_stopped(env, name, purge, 0);
}
