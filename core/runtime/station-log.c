/* SPDX-License-Identifier: MIT */
/*
 * A station's output and status reach the host through pipes read by
 * apomon-log (see apomon-log.c for why), started here for each launch.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/util.h"
#include "runtime/station-log.h"
#include "runtime/station-priv.h"

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

int apo_logger_start(const char *env, const char *name, unsigned long long max_bytes, int *out_w,
		     int *status_w)
{
	_cleanup_free_ char *state = apo_station_state_dir(env, name);
	_cleanup_free_ char *logp = apo_station_log_path(env, name);
	_cleanup_free_ char *statusp = apo_xasprintf("%s/status", state);
	_cleanup_free_ char *record = apo_logger_record_path(env, name);
	_cleanup_free_ char *prog = apo_logger_path();
	char max[32];
	int out[2] = {-1, -1}, st[2] = {-1, -1};
	posix_spawn_file_actions_t fa;
	pid_t pid;
	int rc, wst;

	*out_w = *status_w = -1;
	snprintf(max, sizeof(max), "%llu", max_bytes);
	char *argv[] = {"apomon-log", logp, statusp, record, max, NULL};
	unlink(record);
	if (pipe2(out, O_CLOEXEC) < 0 || pipe2(st, O_CLOEXEC) < 0) {
		rc = -errno;
		goto out;
	}
	/* out of the way of 0 and 3, which the file actions fill */
	for (int i = 0; i < 2; i++) {
		out[i] = apo_high_fd(out[i]);
		st[i] = apo_high_fd(st[i]);
		if (out[i] < 0 || st[i] < 0) {
			rc = -EMFILE;
			goto out;
		}
	}
	if ((rc = -posix_spawn_file_actions_init(&fa)) < 0)
		goto out;
	posix_spawn_file_actions_adddup2(&fa, out[0], 0);
	posix_spawn_file_actions_adddup2(&fa, st[0], 3);
	/* nothing of the caller's: a `$(apomon up)` must not wait for it */
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, 1, 2);
	/* no environment: it needs none, and its stack pages stay few */
	char *envp[] = {NULL};
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
	if (!WIFEXITED(wst) || WEXITSTATUS(wst) != 0) {
		rc = -EIO;
		goto out;
	}
	*out_w = out[1];
	*status_w = st[1];
	out[1] = st[1] = -1;
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

void apo_logger_wait(const char *env, const char *name, unsigned ms)
{
	_cleanup_free_ char *record = apo_logger_record_path(env, name);
	struct apo_init_rec r = {0};
	FILE *f = fopen(record, "re");
	int pid = 0;

	if (!f)
		return;
	if (fscanf(f, "%d %llu", &pid, &r.start) != 2)
		pid = 0;
	fclose(f);
	r.pid = pid;
	/* it exits as soon as the station's last process is gone */
	for (unsigned i = 0; i < ms && apo_station_alive(&r); i++)
		poll(NULL, 0, 1);
}
