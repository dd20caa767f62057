/* SPDX-License-Identifier: MIT */
/*
 * The journal and lock of an environment (core/engine/journal.c), in a state
 * directory of the test's own ($APOMON_RUN_DIR): records survive a
 * reopen, a torn last line is ignored, a second holder is refused with
 * who holds it, remove leaves nothing.  No privileges needed.
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

#include "engine/journal.h"
#include "base/util.h"

static char dir[] = "/tmp/apomon-test-journal.XXXXXX";

static void setup(void)
{
	ck_assert_ptr_nonnull(mkdtemp(dir));
	setenv("APOMON_RUN_DIR", dir, 1);
}

static void teardown(void)
{
	char *cmd = apo_xasprintf("rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
	free(cmd);
	strcpy(dir, "/tmp/apomon-test-journal.XXXXXX");
}

static struct apo_journal *open_ok(const char *env, const char *cmd)
{
	struct apo_journal *j = NULL;
	char *busy = NULL;
	ck_assert_int_eq(apo_journal_open(env, cmd, &j, &busy), 0);
	ck_assert_ptr_null(busy);
	return j;
}

START_TEST(records_survive_a_reopen)
{
	struct apo_journal *j = open_ok("t1", "up");

	ck_assert(!apo_journal_exists(j));
	ck_assert_int_eq(apo_journal_begin(j, "up"), 0);
	apo_journal_intent(j, "bridge", "apb1", "lan");
	apo_journal_done(j, "bridge", "apb1");
	apo_journal_intent(j, "netns", "a.test", NULL);
	apo_journal_intent(j, "veth", "apv1", "a.test:eth0");
	apo_journal_fail(j, "veth", "apv1");
	ck_assert_int_eq(apo_journal_sync(j), 0);
	apo_journal_close(j);

	j = open_ok("t1", "down");
	ck_assert(apo_journal_exists(j));
	ck_assert(!j->complete);
	ck_assert_int_eq(j->begun_by, getpid());
	ck_assert_uint_eq(j->n, 3);
	ck_assert_str_eq(j->entries[0].kind, "bridge");
	ck_assert_str_eq(j->entries[0].detail, "lan");
	ck_assert_int_eq(j->entries[0].state, APO_J_DONE);
	ck_assert_str_eq(j->entries[1].name, "a.test");
	ck_assert_ptr_null(j->entries[1].detail);
	ck_assert_int_eq(j->entries[1].state, APO_J_INTENT);
	ck_assert_int_eq(j->entries[2].state, APO_J_FAIL);
	ck_assert_int_eq(apo_journal_complete(j), 0);
	apo_journal_close(j);

	j = open_ok("t1", "up");
	ck_assert(j->complete);
	ck_assert_int_eq(apo_journal_remove(j), 0);
	apo_journal_close(j);
	char *p = apo_xasprintf("%s/t1", dir);
	ck_assert_int_eq(access(p, F_OK), -1);
	free(p);
}
END_TEST

START_TEST(a_torn_line_is_ignored)
{
	struct apo_journal *j = open_ok("t2", "up");
	ck_assert_int_eq(apo_journal_begin(j, "up"), 0);
	apo_journal_intent(j, "netns", "a.test", NULL);
	ck_assert_int_eq(apo_journal_sync(j), 0);
	apo_journal_close(j);
	/* a crash in the middle of a write */
	char *p = apo_xasprintf("%s/t2/journal", dir);
	int fd = open(p, O_WRONLY | O_APPEND | O_CLOEXEC);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, "done netns a.te", 15), 15);
	close(fd);
	free(p);

	j = open_ok("t2", "down");
	ck_assert_uint_eq(j->n, 1);
	ck_assert_int_eq(j->entries[0].state, APO_J_INTENT);
	apo_journal_close(j);
}
END_TEST

/* malformed lines are refused with JOURNAL:LINE: what, never guessed at */
static const struct {
	const char *text;
	size_t len; /* 0: strlen */
	const char *why;
} bad[] = {
    {"begin 1 up\n\0intent netns a\n", 27, ":2: a NUL byte"},
    {"\0\n", 2, ":1: a NUL byte"},
    {"begin 1 up\nintent netns\n", 0, ":2: intent: expected"},
    {"begin 1 up\nintent netns a b c d\n", 0, ":2: too many fields"},
    {"begin x up\n", 0, ":1: begin: the PID is not a number"},
    {"begin 1 up\nrm -rf /\n", 0, ":2: unknown record"},
    {"begin 1 up\nintent  netns a\n", 0, ":2: an empty field"},
    {"begin 1 up\nintent netns a\x01\n", 0, ":2: an empty field or a control character"},
    {"begin 1 up\n\n", 0, ":2: an empty line"},
    {"complete now\n", 0, ":1: complete: expected nothing"},
};

START_TEST(malformed_lines_are_refused)
{
	const char *text = bad[_i].text;
	size_t len = bad[_i].len ? bad[_i].len : strlen(text);
	struct apo_journal j = {0};
	char *why = NULL;

	ck_assert_int_eq(apo_journal_parse(&j, "J", text, len, &why), -EBADMSG);
	ck_assert_ptr_nonnull(why);
	ck_assert_msg(!strncmp(why, "J:", 2) && strstr(why, bad[_i].why), "%s", why);
	free(why);
	for (size_t i = 0; i < j.n; i++) {
		free(j.entries[i].kind);
		free(j.entries[i].name);
		free(j.entries[i].detail);
	}
	free(j.entries);

	/* and through the file: open refuses it, saying where */
	char *p = apo_xasprintf("%s/t4", dir);
	ck_assert_int_eq(mkdir(p, 0700), 0);
	char *jp = apo_xasprintf("%s/journal", p);
	int fd = open(jp, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	ck_assert_int_eq(write(fd, text, len), (ssize_t)len);
	close(fd);
	struct apo_journal *jj = NULL;
	char *busy = NULL;
	ck_assert_int_eq(apo_journal_open("t4", "down", &jj, &busy), -EBADMSG);
	ck_assert_ptr_nonnull(busy);
	ck_assert_msg(strstr(busy, jp) && strstr(busy, bad[_i].why), "%s", busy);
	free(busy);
	free(jp);
	free(p);
}
END_TEST

START_TEST(a_second_holder_is_told_who)
{
	struct apo_journal *j = open_ok("t3", "up"), *k = NULL;
	char *busy = NULL, want[128];

	ck_assert_int_eq(apo_journal_open("t3", "down", &k, &busy), -EBUSY);
	ck_assert_ptr_null(k);
	snprintf(want, sizeof(want), "environment 't3' is busy (pid %d is running up)",
		 (int)getpid());
	ck_assert_str_eq(busy, want);
	free(busy);
	/* another environment is not affected */
	apo_journal_close(open_ok("t4", "up"));
	apo_journal_close(j);
	/* released with the holder */
	apo_journal_close(open_ok("t3", "down"));
}
END_TEST

int main(void)
{
	Suite *s = suite_create("journal");
	TCase *tc = tcase_create("journal");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, records_survive_a_reopen);
	tcase_add_test(tc, a_torn_line_is_ignored);
	tcase_add_test(tc, a_second_holder_is_told_who);
	tcase_add_loop_test(tc, malformed_lines_are_refused, 0, sizeof(bad) / sizeof(bad[0]));
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
