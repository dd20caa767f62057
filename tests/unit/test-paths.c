/* SPDX-License-Identifier: MIT */
/*
 * The state layout (core/base/paths.c): every path apomon keeps is built
 * there, and a station's paths relative to the top dirs (what the tree
 * removal takes) name the same places as the full ones.  No privileges.
 */
#include "config.h"

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/paths.h"
#include "base/util.h"
#include "check-run.h"

#define EQ(call, want)                                                                             \
	do {                                                                                       \
		char *got_ = (call);                                                               \
		ck_assert_str_eq(got_, want);                                                      \
		free(got_);                                                                        \
	} while (0)

static void dirs(void)
{
	ck_assert_int_eq(setenv("APOMON_RUN_DIR", "/r", 1), 0);
	ck_assert_int_eq(setenv("APOMON_LIB_DIR", "/l", 1), 0);
	ck_assert_int_eq(setenv("APOMON_LOG_DIR", "/g", 1), 0);
}

START_TEST(environment)
{
	dirs();
	EQ(apo_env_run_dir("e"), "/r/e");
	EQ(apo_env_lib_dir("e"), "/l/e");
	EQ(apo_env_log_dir("e"), "/g/e");
	EQ(apo_env_lib_file("e", "ssh/known_hosts"), "/l/e/ssh/known_hosts");
	EQ(apo_env_log_file("e", "integrity.log"), "/g/e/integrity.log");
}
END_TEST

START_TEST(station)
{
	dirs();
	EQ(apo_station_state_dir("e", "www1"), "/r/e/stations/www1");
	EQ(apo_station_root_path("e", "www1"), "/r/e/roots/www1");
	EQ(apo_station_lib_dir("e", "www1"), "/l/e/www1");
	EQ(apo_station_log_path("e", "www1"), "/g/e/www1.log");
}
END_TEST

/* what the removal is given is the same place the runtime writes */
START_TEST(relative_agrees)
{
	struct {
		char *(*rel)(const char *, const char *);
		char *(*full)(const char *, const char *);
		const char *(*top)(void);
	} t[] = {
	    {apo_station_state_rel, apo_station_state_dir, apo_run_dir},
	    {apo_station_lib_rel, apo_station_lib_dir, apo_lib_dir},
	    {apo_station_log_rel, apo_station_log_path, apo_log_dir},
	};

	dirs();
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		_cleanup_free_ char *rel = t[i].rel("e", "db.internal");
		_cleanup_free_ char *full = t[i].full("e", "db.internal");
		_cleanup_free_ char *joined = apo_xasprintf("%s/%s", t[i].top(), rel);
		ck_assert_str_eq(joined, full);
	}
}
END_TEST

START_TEST(images)
{
	dirs();
	EQ(apo_images_dir(), "/l/images");
	EQ(apo_image_path("tomcat", NULL), "/l/images/tomcat");
	EQ(apo_image_path("tomcat", "current"), "/l/images/tomcat/current");
	EQ(apo_images_log_dir(), "/g/images");
	/* the store sits where an environment of that name would */
	ck_assert(apo_env_name_reserved("images"));
}
END_TEST

START_TEST(defaults)
{
	unsetenv("APOMON_RUN_DIR");
	unsetenv("APOMON_LIB_DIR");
	unsetenv("APOMON_LOG_DIR");
	EQ(apo_station_state_dir("example", "www1"), "/run/apomon/example/stations/www1");
	EQ(apo_station_lib_dir("example", "www1"), "/var/lib/apomon/example/www1");
	EQ(apo_station_log_path("example", "www1"), "/var/log/apomon/example/www1.log");
	/* an empty variable is the default, not the root */
	ck_assert_int_eq(setenv("APOMON_LIB_DIR", "", 1), 0);
	EQ(apo_env_lib_file("example", "ca"), "/var/lib/apomon/example/ca");
}
END_TEST

static bool is_dir(const char *path, mode_t *mode)
{
	struct stat st;
	if (stat(path, &st) < 0 || !S_ISDIR(st.st_mode))
		return false;
	*mode = st.st_mode & 07777;
	return true;
}

/* apo_mkdir_p: every missing component made with MODE (under umask), an
 * existing path is success, a file in the way is ENOTDIR, and nothing is
 * made above a component that cannot be */
START_TEST(mkdir_p)
{
	char tmp[] = "/tmp/apomon-test-paths.XXXXXX";
	mode_t mode, old = umask(022);

	ck_assert_ptr_nonnull(mkdtemp(tmp));
	_cleanup_free_ char *deep = apo_xasprintf("%s/a/b//c/", tmp);
	_cleanup_free_ char *a = apo_xasprintf("%s/a", tmp);
	_cleanup_free_ char *c = apo_xasprintf("%s/a/b/c", tmp);
	_cleanup_free_ char *file = apo_xasprintf("%s/f", tmp);
	_cleanup_free_ char *under = apo_xasprintf("%s/f/x/y", tmp);
	_cleanup_free_ char *gone = apo_xasprintf("%s/gone/x", tmp);

	ck_assert_int_eq(apo_mkdir_p(deep, 0750), 0);
	ck_assert(is_dir(c, &mode));
	ck_assert_int_eq(mode, 0750);
	ck_assert(is_dir(a, &mode));
	ck_assert_int_eq(mode, 0750);
	/* all there: success, nothing changed */
	ck_assert_int_eq(apo_mkdir_p(c, 0700), 0);
	ck_assert(is_dir(c, &mode));
	ck_assert_int_eq(mode, 0750);
	/* a file in the way */
	int fd = open(file, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	ck_assert_int_ge(fd, 0);
	close(fd);
	ck_assert_int_eq(apo_mkdir_p(under, 0755), -ENOTDIR);
	/* a relative path whose working directory is gone */
	_cleanup_free_ char *gone_dir = apo_xasprintf("%s/gone", tmp);
	ck_assert_int_eq(mkdir(gone_dir, 0755), 0);
	ck_assert_int_eq(chdir(gone_dir), 0);
	ck_assert_int_eq(rmdir(gone_dir), 0);
	ck_assert_int_eq(apo_mkdir_p("p/q", 0755), -ENOENT);
	ck_assert_int_eq(chdir("/"), 0);
	ck_assert(!is_dir(gone, &mode));

	unlink(file);
	rmdir(c);
	_cleanup_free_ char *b = apo_xasprintf("%s/a/b", tmp);
	rmdir(b);
	rmdir(a);
	ck_assert_int_eq(rmdir(tmp), 0);
	umask(old);
}
END_TEST

int main(void)
{
	return apo_check_run("paths", (const TTest *[]){environment, station, relative_agrees,
							images, defaults, mkdir_p, NULL});
}
