/* SPDX-License-Identifier: MIT */
/*
 * A library opened on first use (core/base/dl.c) is never loaded from a
 * root other than the one apomon started with: after a chroot into a
 * directory holding a libnftables.so.1 of its own (a station's root
 * would), the first use of libnftables refuses, and the copy there,
 * which ends the process with 42 when loaded, is never run.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/dl-nft.h"

#if defined(__x86_64__)
#define MULTIARCH "x86_64-linux-gnu"
#elif defined(__aarch64__)
#define MULTIARCH "aarch64-linux-gnu"
#else
#define MULTIARCH "unknown"
#endif

static int copy(const char *from, const char *to)
{
	char buf[65536];
	ssize_t n;
	int in = open(from, O_RDONLY | O_CLOEXEC), out;

	if (in < 0)
		return -1;
	out = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0755);
	if (out < 0) {
		close(in);
		return -1;
	}
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, (size_t)n) != n)
			n = -1;
	close(in);
	return close(out) < 0 || n < 0 ? -1 : 0;
}

int main(void)
{
	static const char *const dirs[] = {
	    "lib", "usr", "usr/lib", "lib64", "lib/" MULTIARCH, "usr/lib/" MULTIARCH};
	const char *fake = APO_BUILDDIR "/tests/dl/.libs/fake-lib.so";
	char root[] = "/tmp/apomon-test-dl.XXXXXX", path[512];
	int status, rc = 1;
	pid_t pid;

	if (!mkdtemp(root))
		return 99;
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", root, dirs[i]);
		mkdir(path, 0755);
		if (strcmp(dirs[i], "usr") == 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s/libnftables.so.1", root, dirs[i]);
		if (copy(fake, path) < 0) {
			fprintf(stderr, "test-dl: %s -> %s: %s\n", fake, path, strerror(errno));
			goto out;
		}
	}
	pid = fork();
	if (pid == 0) {
		char *why = NULL;
		/* root may chroot; anyone else in a user namespace of its own */
		if (chroot(root) < 0 && (unshare(CLONE_NEWUSER) < 0 || chroot(root) < 0))
			_exit(77);
		if (chdir("/") < 0)
			_exit(99);
		int r = apo_nft_open(&why);
		fprintf(stderr, "test-dl: after chroot: %d %s\n", r, why ? why : "(loaded)");
		_exit(r == -ELIBACC && why && strstr(why, "root changed") ? 0 : 1);
	}
	if (pid < 0 || waitpid(pid, &status, 0) < 0 || !WIFEXITED(status))
		goto out;
	rc = WEXITSTATUS(status);
	if (rc == 42)
		fprintf(stderr,
			"test-dl: FAIL: the chroot's libnftables.so.1 was loaded and ran\n");
	else if (rc == 77)
		fprintf(stderr, "test-dl: SKIP: cannot chroot here\n");
	else if (rc == 0)
		fprintf(stderr, "test-dl: PASS: the chroot's libnftables.so.1 was not loaded\n");
out:
	for (size_t i = sizeof(dirs) / sizeof(dirs[0]); i-- > 0;) {
		snprintf(path, sizeof(path), "%s/%s/libnftables.so.1", root, dirs[i]);
		unlink(path);
		snprintf(path, sizeof(path), "%s/%s", root, dirs[i]);
		rmdir(path);
	}
	rmdir(root);
	return rc;
}
