/* SPDX-License-Identifier: MIT */
/* apo_station_running_pid on state dirs written by hand, with this test's
 * own process as the station's init: the init file's format, a reused
 * pid, the status file's last line. */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/fs.h"
#include "base/paths.h"
#include "base/util.h"
#include "runtime/station.h"
#include "check-run.h"

APO_CHECK_TMP_RUN_DIRS("/tmp/apomon-test-running.XXXXXX")

/* field 22 of /proc/self/stat */
static unsigned long long self_start(void)
{
	char buf[1024], *q;
	FILE *f = fopen("/proc/self/stat", "re");

	ck_assert_ptr_nonnull(f);
	ck_assert_ptr_nonnull(fgets(buf, sizeof(buf), f));
	fclose(f);
	q = strrchr(buf, ')');
	ck_assert_ptr_nonnull(q);
	q += 2;
	for (int i = 3; i < 22; i++)
		q = strchr(q, ' ') + 1;
	return strtoull(q, NULL, 10);
}

static void put(const char *station, const char *file, const char *text)
{
	_cleanup_free_ char *dir = apo_station_state_dir("e", station);
	_cleanup_free_ char *p = apo_xasprintf("%s/%s", dir, file);
	FILE *f;

	ck_assert_int_eq(apo_mkdir_p(dir, 0755), 0);
	f = fopen(p, "we");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
}

START_TEST(running_pid)
{
	_cleanup_free_ char *init = apo_xasprintf("%d %llu 0\n", (int)getpid(), self_start());
	_cleanup_free_ char *reused = apo_xasprintf("%d %llu 0\n", (int)getpid(), self_start() + 1);

	/* no state dir, no init file */
	ck_assert_int_eq(apo_station_running_pid("e", "none"), 0);
	/* alive, no status yet: running */
	put("s", "init", init);
	ck_assert_int_eq(apo_station_running_pid("e", "s"), getpid());
	/* the last status line decides: a failed entrypoint, then a new start */
	put("s", "status", "starting\nready\nfailed 3\n");
	ck_assert_int_eq(apo_station_running_pid("e", "s"), 0);
	put("s", "status", "failed 3\nstarting\nready\n");
	ck_assert_int_eq(apo_station_running_pid("e", "s"), getpid());
	/* the same pid, another process (its start time differs) */
	put("r", "init", reused);
	ck_assert_int_eq(apo_station_running_pid("e", "r"), 0);
	/* not the format: "PID STARTTIME NET_ADMIN" */
	put("b", "init", "abc 1 0\n");
	ck_assert_int_eq(apo_station_running_pid("e", "b"), 0);
	put("b", "init", "-1 1 0\n");
	ck_assert_int_eq(apo_station_running_pid("e", "b"), 0);
	put("b", "init", "");
	ck_assert_int_eq(apo_station_running_pid("e", "b"), 0);
}
END_TEST

int main(void)
{
	return apo_check_run_fixture("station-running", (const TTest *[]){running_pid, NULL}, setup,
				     teardown);
}
