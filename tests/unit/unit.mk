# Shared settings for unit tests (check): each fragment adds its own
# programs with `check_PROGRAMS += tests/unit/test-x` and `TESTS += ...`
# and uses these flags.
APO_TEST_CFLAGS = $(AM_CFLAGS) $(APO_DEP_CFLAGS) $(CHECK_CFLAGS) -pthread
APO_TEST_LDADD = core/libapocore.la $(CHECK_LIBS)

# the layer order of core/ (docs/architecture.md)
TESTS += tests/unit/check-layers.sh
EXTRA_DIST += tests/unit/check-layers.sh tools/check-layers.allow

# the state layout (core/base/paths.c)
check_PROGRAMS += tests/unit/test-paths
TESTS += tests/unit/test-paths
tests_unit_test_paths_SOURCES = tests/unit/test-paths.c tests/unit/check-run.h
tests_unit_test_paths_CFLAGS = $(APO_TEST_CFLAGS)
tests_unit_test_paths_LDADD = $(APO_TEST_LDADD)
