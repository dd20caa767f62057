/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/spawn.h"

int apo_spawn_fn(int (*fn)(void *ctx), void *ctx, pid_t *pid)
{
	pid_t p = fork();

	if (p < 0)
		return -errno;
	if (p == 0)
		_exit(fn(ctx));
	*pid = p;
	return 0;
}

struct exec_args {
	const char *path;
	char *const *argv;
	const int *fds;
	void (*setup)(void *ctx);
	void *ctx;
};

static int exec_child(void *ctx)
{
	const struct exec_args *a = ctx;

	/* dup2 clears close-on-exec on the copy: the child keeps only these */
	for (int i = 0; a->fds && i < 3; i++)
		if (a->fds[i] >= 0 && dup2(a->fds[i], i) < 0)
			return 127;
	if (a->setup)
		a->setup(a->ctx);
	if (a->path)
		execv(a->path, a->argv);
	else
		execvp(a->argv[0], a->argv);
	fprintf(stderr, "%s: %s\n", a->path ? a->path : a->argv[0], strerror(errno));
	return 127;
}

int apo_spawn(const char *path, char *const argv[], const int fds[3], void (*setup)(void *ctx),
	      void *ctx, pid_t *pid)
{
	struct exec_args a = {path, argv, fds, setup, ctx};
	return apo_spawn_fn(exec_child, &a, pid);
}

int apo_spawn_wait(pid_t pid, int *status)
{
	while (waitpid(pid, status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	return 0;
}

int apo_spawn_run(const char *path, char *const argv[])
{
	pid_t pid;
	int status, r;

	if ((r = apo_spawn(path, argv, NULL, NULL, NULL, &pid)) < 0)
		return r;
	if ((r = apo_spawn_wait(pid, &status)) < 0)
		return r;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -EIO;
}
