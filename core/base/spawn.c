/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/spawn.h"

int apo_spawn(const char *path, char *const argv[], const int fds[3], void (*setup)(void *ctx),
	      void *ctx, pid_t *pid)
{
	pid_t p = fork();

	if (p < 0)
		return -errno;
	if (p == 0) {
		/* dup2 clears close-on-exec on the copy: the child keeps only these */
		for (int i = 0; fds && i < 3; i++)
			if (fds[i] >= 0 && dup2(fds[i], i) < 0)
				_exit(127);
		if (setup)
			setup(ctx);
		if (path)
			execv(path, argv);
		else
			execvp(argv[0], argv);
		fprintf(stderr, "%s: %s\n", path ? path : argv[0], strerror(errno));
		_exit(127);
	}
	*pid = p;
	return 0;
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
