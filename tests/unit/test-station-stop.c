/* SPDX-License-Identifier: MIT */
/* A station's stop signal and deadline (its type's stop_signal and
 * stop_timeout_ms): the init gets that signal, not SIGTERM, and is killed
 * only after its deadline.  The "init" here is a forked child that
 * ignores SIGTERM (as a smart-shutdown postgres does not exit on it) and
 * reports the signal it shut down on through a pipe; killed, it reports
 * nothing. */
#include "config.h"

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/fs.h"
#include "base/paths.h"
#include "base/time.h"
#include "base/util.h"
#include "runtime/station-priv.h"
#include "runtime/station.h"
#include "check-run.h"

APO_CHECK_TMP_RUN_DIRS("/tmp/apomon-test-stop.XXXXXX")
static int report_fd = -1;

static void on_signal(int sig)
{
	char c = sig == SIGINT ? 'I' : 'T';
	(void)!write(report_fd, &c, 1);
	_exit(0);
}

/* a station "st" of env "e" whose init is a child that shuts down on
 * SIGINT (and on SIGTERM unless ignore_term); *rd reads its report */
static pid_t start_station(bool ignore_term, int *rd)
{
	_cleanup_free_ char *state = apo_station_state_dir("e", "st");
	_cleanup_free_ char *initp = apo_xasprintf("%s/init", state);
	int p[2], ready[2];
	char c;
	pid_t pid;

	ck_assert_int_eq(pipe2(p, O_CLOEXEC), 0);
	ck_assert_int_eq(pipe2(ready, O_CLOEXEC), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		report_fd = p[1];
		signal(SIGINT, on_signal);
		signal(SIGTERM, ignore_term ? SIG_IGN : on_signal);
		(void)!write(ready[1], "r", 1);
		for (;;)
			pause();
	}
	close(p[1]);
	close(ready[1]);
	ck_assert_int_eq(read(ready[0], &c, 1), 1); /* its handlers are set */
	close(ready[0]);
	ck_assert_int_eq(apo_mkdir_p(state, 0755), 0);
	_cleanup_free_ char *rec =
	    apo_xasprintf("%d %llu 0\n", (int)pid, apo_proc_starttime(pid, NULL));
	ck_assert_int_eq(apo_write_file(initp, rec, strlen(rec), 0644), 0);
	*rd = p[0];
	return pid;
}

/* what the child reported: 'I', 'T', or 0 when it was killed */
static char report(int rd)
{
	char c = 0;
	if (read(rd, &c, 1) != 1)
		c = 0;
	close(rd);
	return c;
}

START_TEST(type_signal_shuts_down)
{
	int rd;
	double t0;

	/* postgres' case: SIGTERM ignored, SIGINT is the clean shutdown */
	start_station(true, &rd);
	ck_assert_int_eq(apo_station_set_stop("e", "st", SIGINT, 4000), 0);
	t0 = apo_now_ms();
	ck_assert_int_eq(apo_station_stop("e", "st", APO_STATION_GRACE_MS), 0);
	ck_assert_int_eq(report(rd), 'I'); /* shut down, not killed */
	ck_assert_double_lt(apo_now_ms() - t0, 2000);
}
END_TEST

START_TEST(deadline_kills)
{
	int rd;
	double t0, took;

	/* a server that does not react: killed at its type's deadline, not
	 * at the default 5 s */
	start_station(true, &rd);
	ck_assert_int_eq(apo_station_set_stop("e", "st", SIGTERM, 300), 0);
	t0 = apo_now_ms();
	ck_assert_int_eq(apo_station_stop("e", "st", APO_STATION_GRACE_MS), 0);
	took = apo_now_ms() - t0;
	ck_assert_int_eq(report(rd), 0);
	ck_assert_double_ge(took, 290);
	ck_assert_double_lt(took, 3000);
}
END_TEST

START_TEST(explicit_grace_wins)
{
	int rd;
	double t0;

	/* `stop -t`: the caller's deadline over the type's 10 s */
	start_station(true, &rd);
	ck_assert_int_eq(apo_station_set_stop("e", "st", SIGTERM, 10000), 0);
	t0 = apo_now_ms();
	ck_assert_int_eq(apo_station_stop("e", "st", 200), 0);
	ck_assert_int_eq(report(rd), 0);
	ck_assert_double_lt(apo_now_ms() - t0, 3000);
}
END_TEST

START_TEST(defaults)
{
	_cleanup_free_ char *state = apo_station_state_dir("e", "st");
	_cleanup_free_ char *stop = apo_xasprintf("%s/stop", state);
	int rd;

	/* no record: SIGTERM */
	start_station(false, &rd);
	ck_assert_int_eq(apo_station_set_stop("e", "st", 0, 0), 0);
	ck_assert_int_eq(access(stop, F_OK), -1);
	ck_assert_int_eq(apo_station_stop("e", "st", APO_STATION_GRACE_MS), 0);
	ck_assert_int_eq(report(rd), 'T');
	/* a signal that cannot ask for a shutdown is refused */
	ck_assert_int_eq(apo_station_set_stop("e", "st", SIGKILL, 0), -EINVAL);
	ck_assert_int_eq(apo_station_set_stop("e", "st", SIGSTOP, 0), -EINVAL);
	ck_assert_int_eq(apo_station_set_stop("e", "st", -1, 0), -EINVAL);
	ck_assert_int_eq(apo_station_set_stop("e", "st", 4096, 0), -EINVAL);
}
END_TEST

int main(void)
{
	const TTest *const tests[] = {type_signal_shuts_down, deadline_kills, explicit_grace_wins,
				      defaults, NULL};

	/* the deadline tests wait for real stops: more than check's 4 s */
	setenv("CK_DEFAULT_TIMEOUT", "30", 0);
	return apo_check_run_fixture("station-stop", tests, setup, teardown);
}
