/* SPDX-License-Identifier: MIT */
/* A unit test's main: one suite, one case, the tests in order. */
#ifndef APO_CHECK_RUN_H
#define APO_CHECK_RUN_H

#include <check.h>
#include <stdlib.h>
#include <string.h>

/* Runs TESTS (NULL-terminated) as suite NAME, each between SETUP and
 * TEARDOWN when not NULL (a checked fixture: in the test's process);
 * EXIT_SUCCESS or EXIT_FAILURE, for main to return. */
static inline int apo_check_run_fixture(const char *name, const TTest *const *tests, SFun setup,
					SFun teardown)
{
	Suite *s = suite_create(name);
	TCase *tc = tcase_create(name);
	SRunner *sr;
	int failed;

	if (setup || teardown)
		tcase_add_checked_fixture(tc, setup, teardown);
	for (; *tests; tests++)
		tcase_add_test(tc, *tests);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

static inline int apo_check_run(const char *name, const TTest *const *tests)
{
	return apo_check_run_fixture(name, tests, NULL, NULL);
}

/* A fresh temporary directory as apomon's run and log directories for
 * each test: defines `tmp` (its path), setup and teardown for
 * apo_check_run_fixture.  TEMPLATE ends in XXXXXX; needs base/fs.h. */
#define APO_CHECK_TMP_RUN_DIRS(TEMPLATE)                                                           \
	static char tmp[] = TEMPLATE;                                                              \
	static void setup(void)                                                                    \
	{                                                                                          \
		ck_assert_ptr_nonnull(mkdtemp(tmp));                                               \
		setenv("APOMON_RUN_DIR", tmp, 1);                                                  \
		setenv("APOMON_LOG_DIR", tmp, 1);                                                  \
	}                                                                                          \
	static void teardown(void)                                                                 \
	{                                                                                          \
		apo_rmtree(tmp);                                                                   \
		strcpy(tmp, TEMPLATE);                                                             \
	}

#endif
