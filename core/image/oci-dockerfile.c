/* SPDX-License-Identifier: MIT */
#define _GNU_SOURCE
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "image/oci-dockerfile.h"
#include "base/spawn.h"
#include "base/util.h"

bool apo_oci_have_buildah(void)
{
	const char *path = getenv("PATH") ? getenv("PATH") : "/usr/bin:/bin";
	_cleanup_free_ char *copy = apo_xstrdup(path);
	char *save = NULL;

	for (char *d = strtok_r(copy, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
		_cleanup_free_ char *p = apo_xasprintf("%s/buildah", d);
		if (access(p, X_OK) == 0)
			return true;
	}
	return false;
}

/* argv with its output to log (a file) or progress; its exit status. */
static int run(char *const argv[], int log, FILE *progress)
{
	int out = progress ? fileno(progress) : log;
	const int fds[3] = {-1, out, out};
	pid_t pid;
	int st, rc;

	if (progress)
		fflush(progress);
	if ((rc = apo_spawn(NULL, argv, fds, NULL, NULL, &pid)) < 0)
		return rc;
	if ((rc = apo_spawn_wait(pid, &st)) < 0)
		return rc;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static void show(int log)
{
	char buf[4096];
	ssize_t n;

	if (log < 0 || lseek(log, 0, SEEK_SET) < 0)
		return;
	while ((n = read(log, buf, sizeof(buf))) > 0)
		if (fwrite(buf, 1, (size_t)n, stderr) != (size_t)n)
			break;
}

int apo_oci_dockerfile_build(const char *text, const char *dir, const char *out, FILE *progress)
{
	char tmpl[] = "/tmp/apomon-buildah-XXXXXX";
	int log = progress ? -1 : mkostemp(tmpl, O_CLOEXEC);
	_cleanup_free_ char *tag = apo_xasprintf("localhost/apomon-build-%d", (int)getpid());
	_cleanup_free_ char *file = apo_xasprintf("%s/Dockerfile", dir);
	_cleanup_free_ char *dest = apo_xasprintf("oci:%s:latest", out);
	char *bud[] = {"buildah", "bud", "--isolation", "chroot", "--format",  "oci",
		       "-f",	  file,	 "-t",		tag,	  (char *)dir, NULL};
	char *push[] = {"buildah", "push", "--quiet", tag, dest, NULL};
	char *rmi[] = {"buildah", "rmi", "--force", tag, NULL};
	int rc;

	if (log >= 0)
		unlink(tmpl);
	if (access(file, R_OK) < 0) {
		rc = -errno;
		fprintf(stderr, "apomon: %s: %s: %s\n", text, file, strerror(errno));
		goto out;
	}
	rc = run(bud, log, progress);
	if (rc != 0) {
		show(log);
		fprintf(stderr, "apomon: %s: buildah bud %s\n", text,
			rc < 0 ? strerror(-rc) : "failed (its output above)");
		rc = rc < 0 ? rc : -EIO;
		goto out;
	}
	rc = run(push, log, progress);
	if (rc != 0) {
		show(log);
		fprintf(stderr, "apomon: %s: buildah push %s: %s\n", text, dest,
			rc < 0 ? strerror(-rc) : "failed (its output above)");
		rc = rc < 0 ? rc : -EIO;
	}
	/* buildah's copy is not apomon's store: it goes either way */
	{
		int sink = log >= 0 ? log : open("/dev/null", O_WRONLY | O_CLOEXEC);
		run(rmi, sink, NULL);
		if (sink >= 0 && sink != log)
			close(sink);
	}
out:
	if (log >= 0)
		close(log);
	return rc;
}
