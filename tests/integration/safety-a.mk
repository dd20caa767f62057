# Host safety: names checked where they enter, purges that stay
# inside their environment, every failure counted, bounded checks.
TESTS += \
	tests/integration/safety-names.sh
EXTRA_DIST += \
	tests/integration/safety-a.mk \
	tests/integration/safety-names.sh

# host->run's bounds: station types whose startup check hangs or floods
# (one source, two types: one type a plugin).
check_LTLIBRARIES += tests/runtime/types/rt-run-hang.la tests/runtime/types/rt-run-flood.la
tests_runtime_types_rt_run_hang_la_SOURCES = tests/runtime/types/rt-run-bounded.c
tests_runtime_types_rt_run_hang_la_CPPFLAGS = $(AM_CPPFLAGS) -DRT_RUN_HANG
tests_runtime_types_rt_run_hang_la_LDFLAGS = $(APO_MODULE_FLAGS)
tests_runtime_types_rt_run_flood_la_SOURCES = tests/runtime/types/rt-run-bounded.c
tests_runtime_types_rt_run_flood_la_LDFLAGS = $(APO_MODULE_FLAGS)
TESTS += tests/integration/safety-run.sh tests/integration/safety-down.sh \
	tests/integration/safety-pgpass.sh
EXTRA_DIST += tests/integration/safety-run.sh tests/integration/safety-down.sh \
	tests/integration/safety-pgpass.sh tests/runtime/types/rt-run-bounded.c

# the one tree removal (core/base/fs.c)
check_PROGRAMS += tests/unit/test-fs
TESTS += tests/unit/test-fs
tests_unit_test_fs_SOURCES = tests/unit/test-fs.c
tests_unit_test_fs_CFLAGS = $(APO_TEST_CFLAGS)
tests_unit_test_fs_LDADD = $(APO_TEST_LDADD)
