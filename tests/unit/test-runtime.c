/* SPDX-License-Identifier: MIT */
/* The runtime's pure parts: the capabilities a station keeps, state of a
 * station that does not exist, log tails, station names. */
#include "base/fs.h"
#include "config.h"

#include <check.h>
#include <errno.h>
#include <linux/capability.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/paths.h"
#include "runtime/confine.h"
#include "runtime/runtime.h"
#include "runtime/station.h"
#include "base/util.h"
#include "check-run.h"

APO_CHECK_TMP_RUN_DIRS("/tmp/apomon-test-runtime.XXXXXX")

START_TEST(caps_kept)
{
	static const int never[] = {
	    CAP_SYS_ADMIN, CAP_SYS_MODULE,   CAP_SYS_TIME,	  CAP_SYS_BOOT,	  CAP_SYS_RAWIO,
	    CAP_MKNOD,	   CAP_NET_ADMIN,    CAP_DAC_READ_SEARCH, CAP_SYS_PTRACE, CAP_SYS_NICE,
	    CAP_IPC_LOCK,  CAP_SYS_RESOURCE, CAP_NET_BROADCAST,	  CAP_BPF,	  CAP_PERFMON,
	};
	/* Docker's default set, less MKNOD */
	static const int docker[] = {
	    CAP_CHOWN,	    CAP_DAC_OVERRIDE, CAP_FSETID,      CAP_FOWNER,  CAP_NET_RAW,
	    CAP_SETGID,	    CAP_SETUID,	      CAP_SETFCAP,     CAP_SETPCAP, CAP_NET_BIND_SERVICE,
	    CAP_SYS_CHROOT, CAP_KILL,	      CAP_AUDIT_WRITE,
	};
	unsigned long long k = apo_caps_kept(0), all = 0;

	unsetenv("APOMON_TEST_WEAKEN");
	for (size_t i = 0; i < APO_ARRAY_SIZE(never); i++)
		ck_assert_msg(!(k & (1ULL << never[i])), "cap %d kept", never[i]);
	for (size_t i = 0; i < APO_ARRAY_SIZE(docker); i++)
		all |= 1ULL << docker[i];
	ck_assert_uint_eq(k, all);
	/* a type asks for fewer */
	k = apo_caps_kept(1ULL << CAP_NET_RAW);
	ck_assert(!(k & (1ULL << CAP_NET_RAW)));
	ck_assert(k & (1ULL << CAP_CHOWN));
}
END_TEST

START_TEST(seccomp_filter)
{
	static const char *const bogus[] = {"no_such_syscall", NULL};
	static const char *const keys[] = {"keyctl", NULL};
	const struct apo_bpf *a, *b, *c;

	unsetenv("APOMON_TEST_WEAKEN");
	ck_assert_int_eq(apo_seccomp_filter(NULL, &a), 0);
	ck_assert_uint_gt(a->len, 20);
	ck_assert_int_eq(apo_seccomp_filter(NULL, &b), 0);
	ck_assert_ptr_eq(a, b); /* built once */
	ck_assert_int_eq(apo_seccomp_filter(keys, &c), 0);
	ck_assert_ptr_ne(a, c);
	ck_assert_int_eq(apo_seccomp_filter(bogus, &c), -EINVAL);
	/* a type built before the confinement fields has none of them */
	struct apomon_station_type old = {.size = APOMON_STATION_TYPE_MIN_SIZE};
	struct apomon_station_type now = {APOMON_STATION_TYPE_HEADER};
	ck_assert(!APOMON_TYPE_HAS(&old, seccomp_allow));
	ck_assert(!APOMON_TYPE_HAS(&old, caps_drop));
	ck_assert(APOMON_TYPE_HAS(&now, seccomp_allow));
	ck_assert(APOMON_TYPE_HAS(&now, caps_drop));
	setenv("APOMON_TEST_WEAKEN", "mask,seccomp", 1);
	ck_assert(apo_test_weakened("seccomp"));
	ck_assert(!apo_test_weakened("caps"));
	ck_assert_int_eq(apo_seccomp_filter(NULL, &c), 0);
	ck_assert_uint_eq(c->len, 0);
	unsetenv("APOMON_TEST_WEAKEN");
}
END_TEST

START_TEST(absent_station)
{
	struct apo_station_info in;
	char **names;
	size_t n;

	ck_assert_int_eq(apo_station_info("nothing", "www1", &in), 0);
	ck_assert_int_eq(in.state, APO_STATION_ABSENT);
	ck_assert_int_eq(in.pid, 0);
	ck_assert_str_eq(apo_station_state_name(in.state), "absent");
	ck_assert_int_eq(apo_station_list("nothing", &names, &n), 0);
	ck_assert_uint_eq(n, 0);
	/* stopping and cleaning what does not exist is fine */
	ck_assert_int_eq(apo_station_stop("nothing", "www1", 10), 0);
	ck_assert_int_eq(apo_station_cleanup("nothing", "www1", 10, true), 0);
	ck_assert_int_eq(
	    apo_station_exec("nothing", "www1", (const char *[]){"true", NULL}, false, NULL),
	    -ESRCH);
}
END_TEST

static void write_log(const char *env, const char *name, const char *text)
{
	_cleanup_free_ char *dir = apo_xasprintf("%s/%s", tmp, env);
	_cleanup_free_ char *p = apo_station_log_path(env, name);
	FILE *f;

	mkdir(dir, 0755);
	f = fopen(p, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
}

START_TEST(log_tail)
{
	char *t;

	t = apo_runtime_log_tail("e", "none", 3);
	ck_assert_str_eq(t, "  (its log is empty)\n");
	free(t);
	write_log("e", "s", "one\ntwo\nthree\nfour\n");
	t = apo_runtime_log_tail("e", "s", 2);
	ck_assert_str_eq(t, "  three\n  four\n");
	free(t);
	t = apo_runtime_log_tail("e", "s", 10);
	ck_assert_str_eq(t, "  one\n  two\n  three\n  four\n");
	free(t);
	write_log("e", "n", "no newline at the end");
	t = apo_runtime_log_tail("e", "n", 1);
	ck_assert_str_eq(t, "  no newline at the end\n");
	free(t);
}
END_TEST

START_TEST(station_name)
{
	_cleanup_free_ char *dir = apo_station_state_dir("e", "db.internal");
	char *n;

	n = apo_runtime_station_name("e", "www1.example.com");
	ck_assert_str_eq(n, "www1");
	free(n);
	n = apo_runtime_station_name("e", "www1");
	ck_assert_str_eq(n, "www1");
	free(n);
	/* a state dir of that exact name wins over the FQDN rule */
	ck_assert_int_eq(apo_mkdir_p(dir, 0755), 0);
	n = apo_runtime_station_name("e", "db.internal");
	ck_assert_str_eq(n, "db.internal");
	free(n);
}
END_TEST

int main(void)
{
	return apo_check_run_fixture("runtime",
				     (const TTest *[]){caps_kept, seccomp_filter, absent_station,
						       log_tail, station_name, NULL},
				     setup, teardown);
}
