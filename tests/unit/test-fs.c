/* SPDX-License-Identifier: MIT */
/*
 * The one tree removal (core/base/fs.c): it removes what is below it,
 * never what a symlink inside points to, refuses "", ".", ".." and any
 * component that is a link, and reports failures instead of ignoring
 * them.  And the readers beside it: whole files and pipes, and a small
 * file's first bytes.  No privileges needed.
 */
#include "config.h"

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/fs.h"
#include "base/util.h"

static char dir[] = "/tmp/apomon-test-fs.XXXXXX";

static void put(const char *rel, const char *text)
{
	char *p = apo_xasprintf("%s/%s", dir, rel);
	FILE *f = fopen(p, "we");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
	free(p);
}

static void mk(const char *rel)
{
	char *p = apo_xasprintf("%s/%s", dir, rel);
	ck_assert_int_eq(mkdir(p, 0755), 0);
	free(p);
}

static void ln(const char *target, const char *rel)
{
	char *p = apo_xasprintf("%s/%s", dir, rel);
	ck_assert_int_eq(symlink(target, p), 0);
	free(p);
}

static bool exists(const char *rel)
{
	struct stat st;
	char *p = apo_xasprintf("%s/%s", dir, rel);
	bool r = lstat(p, &st) == 0;
	free(p);
	return r;
}

static void setup(void)
{
	ck_assert_ptr_nonnull(mkdtemp(dir));
	/* lib/ENV/station/upper with links out; victim/ beside it */
	mk("victim");
	put("victim/keep", "x");
	mk("lib");
	mk("lib/env");
	mk("lib/env/s0");
	mk("lib/env/s0/upper");
	mk("lib/env/s0/upper/deep");
	put("lib/env/s0/upper/deep/f", "y");
	char *victim = apo_xasprintf("%s/victim", dir);
	ln(victim, "lib/env/s0/upper/to-victim");
	ln(victim, "lib/link-env");
	free(victim);
	ln("../../../victim/keep", "lib/env/s0/upper/deep/rel");
}

static void teardown(void)
{
	char *cmd = apo_xasprintf("rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
	free(cmd);
	strcpy(dir, "/tmp/apomon-test-fs.XXXXXX");
}

START_TEST(links_inside_are_removed_not_followed)
{
	char *lib = apo_xasprintf("%s/lib", dir);
	ck_assert_int_eq(apo_rmtree_below(lib, "env"), 0);
	ck_assert(!exists("lib/env"));
	ck_assert(exists("victim/keep"));
	/* the environment itself a link: the link goes, not its target */
	ck_assert_int_eq(apo_rmtree_below(lib, "link-env"), 0);
	ck_assert(!exists("lib/link-env"));
	ck_assert(exists("victim/keep"));
	free(lib);
}
END_TEST

START_TEST(a_link_on_the_way_is_refused)
{
	char *lib = apo_xasprintf("%s/lib", dir);
	/* lib/link-env/keep would be victim/keep through the link */
	ck_assert_int_lt(apo_rmtree_below(lib, "link-env/keep"), 0);
	ck_assert(exists("victim/keep"));
	ck_assert_int_lt(apo_rmtree_below(lib, "env/s0/upper/to-victim/keep"), 0);
	ck_assert(exists("victim/keep"));
	free(lib);
}
END_TEST

START_TEST(bad_components_are_refused)
{
	char *lib = apo_xasprintf("%s/lib", dir);
	const char *bad[] = {"",	".",	   "..",   "../victim", "env/../../victim",
			     "/victim", "env//s0", "env/", "./env"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(apo_rmtree_below(lib, bad[i]) == -EINVAL, "%s", bad[i]);
	int fd = open(lib, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	ck_assert_int_eq(apo_rmtree_at(fd, ".."), -EINVAL);
	ck_assert_int_eq(apo_rmtree_at(fd, "env/s0"), -EINVAL);
	close(fd);
	ck_assert(exists("victim/keep") && exists("lib/env/s0/upper/deep/f"));
	free(lib);
}
END_TEST

START_TEST(failures_are_reported)
{
	if (geteuid() == 0)
		return; /* root removes what it likes: the check needs a user */
	char *p = apo_xasprintf("%s/lib/env/s0/upper/deep", dir);
	ck_assert_int_eq(chmod(p, 0555), 0);
	char *lib = apo_xasprintf("%s/lib", dir);
	ck_assert_int_eq(apo_rmtree_below(lib, "env"), -EACCES);
	ck_assert_int_eq(chmod(p, 0755), 0);
	free(lib);
	free(p);
}
END_TEST

START_TEST(absent_is_fine)
{
	char *p = apo_xasprintf("%s/nothing/here", dir);
	ck_assert_int_eq(apo_rmtree(p), 0);
	free(p);
	p = apo_xasprintf("%s/lib", dir);
	ck_assert_int_eq(apo_rmtree_below(p, "nothing/here"), 0);
	ck_assert_int_eq(apo_rmtree(p), 0);
	ck_assert(!exists("lib"));
	ck_assert(exists("victim/keep"));
	free(p);
}
END_TEST

/* Entries someone else removes while the walk runs (a station's logger
 * removing its record during down) are not errors: rounds of a tree of
 * many files emptied from the other end by a second process at the
 * same time. */
START_TEST(entries_removed_meanwhile_are_fine)
{
	enum { N = 3000 };
	char *top = apo_xasprintf("%s/race", dir);

	for (int round = 0; round < 5; round++) {
		int go[2];
		char c;
		ck_assert_int_eq(mkdir(top, 0755), 0);
		for (int i = 0; i < N; i++) {
			char *f = apo_xasprintf("%s/f%d", top, i);
			int fd = open(f, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
			ck_assert_int_ge(fd, 0);
			close(fd);
			free(f);
		}
		ck_assert_int_eq(pipe(go), 0);
		pid_t pid = fork();
		ck_assert_int_ge(pid, 0);
		if (pid == 0) {
			char f[64];
			close(go[0]);
			(void)!write(go[1], "g", 1);
			for (int i = N - 1; i >= 0; i--) {
				snprintf(f, sizeof(f), "%s/f%d", top, i);
				unlink(f);
			}
			_exit(0);
		}
		close(go[1]);
		ck_assert_int_eq(read(go[0], &c, 1), 1);
		close(go[0]);
		ck_assert_int_eq(apo_rmtree(top), 0);
		ck_assert_int_eq(waitpid(pid, NULL, 0), pid);
		ck_assert(!exists("race"));
	}
	free(top);
}
END_TEST

/* apo_read_file/apo_read_fd: whole files and pipes, NUL-terminated,
 * and nothing at all once the limit is passed. */
START_TEST(read_whole_files_and_pipes)
{
	char *p = apo_xasprintf("%s/f", dir), *text = NULL;
	size_t len = 0;
	int fds[2];

	put("f", "0123456789");
	ck_assert_int_eq(apo_read_file(p, 10, &text, &len), 0);
	ck_assert_str_eq(text, "0123456789");
	ck_assert_uint_eq(len, 10);
	free(text);
	ck_assert_int_eq(apo_read_file(p, 9, &text, &len), -EFBIG);
	ck_assert_ptr_null(text);
	put("f", "");
	ck_assert_int_eq(apo_read_file(p, 0, &text, NULL), 0);
	ck_assert_str_eq(text, "");
	free(text);
	free(p);
	p = apo_xasprintf("%s/absent", dir);
	ck_assert_int_eq(apo_read_file(p, 10, &text, NULL), -ENOENT);
	free(p);

	/* a pipe has no size to start from: the buffer has to grow */
	ck_assert_int_eq(pipe(fds), 0);
	size_t big = 20000;
	char *chunk = apo_xmalloc(big);
	memset(chunk, 'x', big);
	pid_t pid = fork();
	if (pid == 0) {
		close(fds[0]);
		_exit(apo_write_all(fds[1], chunk, big) == 0 ? 0 : 1);
	}
	close(fds[1]);
	ck_assert_int_eq(apo_read_fd(fds[0], big, &text, &len), 0);
	ck_assert_uint_eq(len, big);
	ck_assert_uint_eq(strlen(text), big);
	free(text);
	close(fds[0]);
	int status;
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_int_eq(status, 0);
	free(chunk);
}
END_TEST

/* apo_read_head: a file's first bytes, cut at the buffer and still
 * NUL-terminated; an empty file is 0 bytes, a missing one -ENOENT. */
START_TEST(read_heads)
{
	char *p = apo_xasprintf("%s/h", dir), buf[8];

	put("h", "abc");
	ck_assert_int_eq(apo_read_head(p, buf, sizeof(buf)), 3);
	ck_assert_str_eq(buf, "abc");
	put("h", "0123456789");
	ck_assert_int_eq(apo_read_head(p, buf, sizeof(buf)), 7);
	ck_assert_str_eq(buf, "0123456");
	put("h", "");
	memset(buf, 'x', sizeof(buf));
	ck_assert_int_eq(apo_read_head(p, buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "");
	free(p);
	p = apo_xasprintf("%s/absent", dir);
	ck_assert_int_eq(apo_read_head(p, buf, sizeof(buf)), -ENOENT);
	free(p);
	/* a directory cannot be read: its errno, not a length */
	ck_assert_int_eq(apo_read_head(dir, buf, sizeof(buf)), -EISDIR);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("fs");
	TCase *tc = tcase_create("rmtree");
	tcase_add_checked_fixture(tc, setup, teardown);
	/* the race rounds create and remove 15000 files: on a loaded 2-core
	 * machine (a parallel make check) that passes check's 4 s default */
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, links_inside_are_removed_not_followed);
	tcase_add_test(tc, a_link_on_the_way_is_refused);
	tcase_add_test(tc, bad_components_are_refused);
	tcase_add_test(tc, failures_are_reported);
	tcase_add_test(tc, absent_is_fine);
	tcase_add_test(tc, entries_removed_meanwhile_are_fine);
	tcase_add_test(tc, read_whole_files_and_pipes);
	tcase_add_test(tc, read_heads);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
