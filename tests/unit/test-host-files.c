/* SPDX-License-Identifier: MIT */
/* apo_root_write: files land inside the root, whatever symlinks say. */
#include "config.h"

#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "plugin/services-files.h"
#include "plugin/services.h"
#include "base/paths.h"
#include "base/util.h"
#include "check-run.h"

static char *new_dir(void)
{
	const char *tmp = getenv("TMPDIR");
	char *t = apo_xasprintf("%s/apomon-test-host-files-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	ck_assert_ptr_nonnull(mkdtemp(t));
	return t;
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path);
}

static void rm_dir(char *dir)
{
	nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	free(dir);
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "re");
	char *s = NULL;
	size_t n = 0;

	if (!f)
		return NULL;
	ck_assert_int_ne(getdelim(&s, &n, '\0', f), -2);
	fclose(f);
	return s;
}

static mode_t mode_of(const char *path)
{
	struct stat st;
	ck_assert_int_eq(lstat(path, &st), 0);
	return st.st_mode;
}

static bool has_temp_files(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	bool found = false;

	ck_assert_ptr_nonnull(d);
	while ((de = readdir(d)))
		found |= !strncmp(de->d_name, ".apomon-", 8);
	closedir(d);
	return found;
}

START_TEST(writes_with_parents_and_mode)
{
	char *root = new_dir();
	_cleanup_free_ char *file = apo_xasprintf("%s/etc/app/conf.d/x.conf", root);
	_cleanup_free_ char *parent = apo_xasprintf("%s/etc/app", root);
	mode_t old = umask(077);

	ck_assert_int_eq(apo_root_write(root, "/etc/app/conf.d/x.conf", "a=1\n", 4, 0640), 0);
	umask(old);
	_cleanup_free_ char *got = slurp(file);
	ck_assert_str_eq(got, "a=1\n");
	ck_assert_uint_eq(mode_of(file) & 07777, 0640);
	ck_assert(S_ISREG(mode_of(file)));
	/* parents are 0755 whatever the umask */
	ck_assert_uint_eq(mode_of(parent) & 07777, 0755);
	rm_dir(root);
}
END_TEST

START_TEST(replaces_atomically)
{
	char *root = new_dir();
	_cleanup_free_ char *file = apo_xasprintf("%s/etc/x", root);
	_cleanup_free_ char *etc = apo_xasprintf("%s/etc", root);

	ck_assert_int_eq(apo_root_write(root, "etc/x", "first", 5, 0644), 0);
	ck_assert_int_eq(apo_root_write(root, "//etc//x", "2nd", 3, 0600), 0);
	_cleanup_free_ char *got = slurp(file);
	ck_assert_str_eq(got, "2nd");
	ck_assert_uint_eq(mode_of(file) & 07777, 0600);
	ck_assert(!has_temp_files(etc));
	ck_assert_int_eq(apo_root_write(root, "/etc/empty", NULL, 0, 0644), 0);
	rm_dir(root);
}
END_TEST

/* An absolute symlink inside the root means a path inside the root. */
START_TEST(absolute_symlink_stays_inside)
{
	char *root = new_dir(), *outside = new_dir();
	_cleanup_free_ char *link = apo_xasprintf("%s/conf", root);
	_cleanup_free_ char *inside = apo_xasprintf("%s/real", root);
	_cleanup_free_ char *escaped = apo_xasprintf("%s/f", outside);
	_cleanup_free_ char *landed = apo_xasprintf("%s/real/f", root);

	ck_assert_int_eq(mkdir(inside, 0755), 0);
	ck_assert_int_eq(symlink("/real", link), 0);
	ck_assert_int_eq(apo_root_write(root, "/conf/f", "x", 1, 0644), 0);
	ck_assert_int_eq(access(landed, F_OK), 0);

	/* pointing at the host's directory: resolved inside the root, where
	 * it does not exist, so nothing is written anywhere */
	ck_assert_int_eq(unlink(link), 0);
	ck_assert_int_eq(symlink(outside, link), 0);
	ck_assert_int_eq(apo_root_write(root, "/conf/f", "x", 1, 0644), -ENOENT);
	ck_assert_int_eq(access(escaped, F_OK), -1);
	rm_dir(root);
	rm_dir(outside);
}
END_TEST

START_TEST(relative_symlink_clamps_at_root)
{
	char *root = new_dir(), *outside = new_dir();
	_cleanup_free_ char *deep = apo_xasprintf("%s/a/b", root);
	_cleanup_free_ char *link = apo_xasprintf("%s/a/b/up", root);
	_cleanup_free_ char *target = apo_xasprintf("../../../../../../../..%s", outside);
	_cleanup_free_ char *escaped = apo_xasprintf("%s/f", outside);

	ck_assert_int_eq(apo_mkdir_p(deep, 0755), 0);
	ck_assert_int_eq(symlink(target, link), 0);
	ck_assert_int_lt(apo_root_write(root, "/a/b/up/f", "x", 1, 0644), 0);
	ck_assert_int_eq(access(escaped, F_OK), -1);
	rm_dir(root);
	rm_dir(outside);
}
END_TEST

/* A symlink at the file's own name is replaced, not followed. */
START_TEST(final_symlink_is_replaced)
{
	char *root = new_dir(), *outside = new_dir();
	_cleanup_free_ char *victim = apo_xasprintf("%s/victim", outside);
	_cleanup_free_ char *link = apo_xasprintf("%s/passwd", root);
	FILE *f = fopen(victim, "we");

	ck_assert_ptr_nonnull(f);
	fputs("untouched", f);
	fclose(f);
	ck_assert_int_eq(symlink(victim, link), 0);
	ck_assert_int_eq(apo_root_write(root, "/passwd", "new", 3, 0644), 0);
	ck_assert(S_ISREG(mode_of(link)));
	_cleanup_free_ char *got = slurp(victim);
	ck_assert_str_eq(got, "untouched");
	rm_dir(root);
	rm_dir(outside);
}
END_TEST

START_TEST(rejects_bad_paths)
{
	char *root = new_dir();
	_cleanup_free_ char *dir = apo_xasprintf("%s/d", root);

	ck_assert_int_eq(apo_root_write(root, "", "x", 1, 0644), -EINVAL);
	ck_assert_int_eq(apo_root_write(root, "/", "x", 1, 0644), -EINVAL);
	ck_assert_int_eq(apo_root_write(root, "/etc/", "x", 1, 0644), -EINVAL);
	ck_assert_int_eq(apo_root_write(root, "/../x", "x", 1, 0644), -EINVAL);
	ck_assert_int_eq(apo_root_write(root, "/etc/./x", "x", 1, 0644), -EINVAL);
	ck_assert_int_eq(mkdir(dir, 0755), 0);
	ck_assert_int_eq(apo_root_write(root, "/d", "x", 1, 0644), -EISDIR);
	ck_assert(!has_temp_files(root));
	ck_assert_int_eq(apo_root_write("/nonexistent-apomon-root", "/x", "x", 1, 0644), -ENOENT);
	rm_dir(root);
}
END_TEST

START_TEST(host_write_file_needs_root)
{
	char *root = new_dir();
	struct apomon_station st = {.root = NULL};
	_cleanup_free_ char *file = apo_xasprintf("%s/etc/h", root);

	ck_assert_int_eq(apo_services_write_file(&st, "/etc/h", "h", 1, 0644), -ENOTCONN);
	ck_assert_ptr_null(apo_services_root(&st));
	st.root = root;
	ck_assert_str_eq(apo_services_root(&st), root);
	ck_assert_int_eq(apo_services_write_file(&st, "/etc/h", "h", 1, 0644), 0);
	ck_assert_int_eq(access(file, F_OK), 0);
	/* what types get through struct apomon_host is the same service */
	ck_assert_int_eq(apo_services.write_file(&st, "/etc/h2", "h", 1, 0644), 0);
	_cleanup_free_ char *file2 = apo_xasprintf("%s/etc/h2", root);
	ck_assert_int_eq(access(file2, F_OK), 0);
	ck_assert_str_eq(apo_services.root(&st), root);
	rm_dir(root);
}
END_TEST

START_TEST(root_open_reads_inside)
{
	char *root = new_dir();
	char buf[8] = {0};
	int fd;

	ck_assert_int_eq(apo_root_write(root, "/etc/r", "inside", 6, 0644), 0);
	fd = apo_root_open(root, "/etc/r", O_RDONLY, 0);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(read(fd, buf, sizeof(buf) - 1), 6);
	ck_assert_str_eq(buf, "inside");
	ck_assert_int_ne(fcntl(fd, F_GETFD) & FD_CLOEXEC, 0);
	close(fd);
	rm_dir(root);
}
END_TEST

/* owner and group come from the station's own /etc/passwd and
 * /etc/group, not the host's: ids no host user has prove it */
START_TEST(write_file_owned_uses_station_users)
{
	char *root = new_dir();
	struct apomon_station st = {.root = root};
	_cleanup_free_ char *file = apo_xasprintf("%s/etc/secret", root);
	struct stat sb;

	ck_assert_int_eq(
	    apo_root_write(root, "/etc/passwd",
			   "root:x:0:0::/root:/bin/sh\nsvc:x:4242:4243::/:/bin/false\n", 56, 0644),
	    0);
	ck_assert_int_eq(
	    apo_root_write(root, "/etc/group", "root:x:0:\nsvcgrp:x:4343:\n", 25, 0644), 0);
	ck_assert(APOMON_HOST_HAS(&apo_services, write_file_owned));
	ck_assert_int_eq(
	    apo_services.write_file_owned(&st, "/etc/secret", "s", 1, 0640, "svc", "svcgrp"), 0);
	ck_assert_int_eq(stat(file, &sb), 0);
	if (geteuid() == 0) {
		ck_assert_uint_eq(sb.st_uid, 4242);
		ck_assert_uint_eq(sb.st_gid, 4343);
	}
	ck_assert_uint_eq(sb.st_mode & 07777, 0640);
	/* decimal ids, and NULL keeps the writer's */
	ck_assert_int_eq(apo_services.write_file_owned(&st, "/etc/s2", "s", 1, 0600, NULL, "77"),
			 0);
	_cleanup_free_ char *f2 = apo_xasprintf("%s/etc/s2", root);
	ck_assert_int_eq(stat(f2, &sb), 0);
	if (geteuid() == 0)
		ck_assert_uint_eq(sb.st_gid, 77);
	ck_assert_uint_eq(sb.st_uid, geteuid());
	/* a user the image does not have is refused, and nothing is left */
	ck_assert_int_eq(
	    apo_services.write_file_owned(&st, "/etc/s3", "s", 1, 0600, "nobody-here", NULL),
	    -ENOENT);
	_cleanup_free_ char *f3 = apo_xasprintf("%s/etc/s3", root);
	ck_assert_int_eq(access(f3, F_OK), -1);
	ck_assert(!has_temp_files(root));
	st.root = NULL;
	ck_assert_int_eq(apo_services.write_file_owned(&st, "/etc/s4", "s", 1, 0600, "0", "0"),
			 -ENOTCONN);
	rm_dir(root);
}
END_TEST

int main(void)
{
	return apo_check_run("host-files",
			     (const TTest *[]){writes_with_parents_and_mode, replaces_atomically,
					       absolute_symlink_stays_inside,
					       relative_symlink_clamps_at_root,
					       final_symlink_is_replaced, rejects_bad_paths,
					       host_write_file_needs_root, root_open_reads_inside,
					       write_file_owned_uses_station_users, NULL});
}
