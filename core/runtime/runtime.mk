# core/runtime: the station launcher (part of the core library) and
# apomon-init, PID 1 of every station, installed under pkglibexecdir.
AM_CPPFLAGS += -DAPO_INIT_PATH=\"$(pkglibexecdir)/apomon-init\"

APO_RUNTIME_SOURCES = \
	core/runtime/station.c core/runtime/station.h core/runtime/station-priv.h \
	core/runtime/station-child.c core/runtime/station-dev.c core/runtime/station-stop.c \
	core/runtime/station-exec.c core/runtime/station-template.c \
	core/runtime/cgroup.c core/runtime/caps.c \
	core/runtime/confine.h core/runtime/seccomp.c core/runtime/mask.c \
	core/runtime/station-confine.c core/runtime/station-log.c \
	core/runtime/station-log.h core/runtime/log-proto.h \
	core/runtime/userns.c core/runtime/userns.h
core_libapocore_la_SOURCES += $(APO_RUNTIME_SOURCES) \
	core/runtime/runtime.c core/runtime/runtime.h \
	core/runtime/ready-wait.c core/runtime/ready-wait.h \
	core/runtime/ssh-keys.c core/runtime/ssh-keys.h
# whether a station runs, cheaply (apo_station_running_pid)
core_libapocore_la_SOURCES += core/runtime/station-running.c

# Static: it runs after pivot_root in roots that may lack a C library, and
# its pages are then shared by every station on the host.  Against musl
# when configure finds it (APO_STATIC_CFLAGS, -specs=, in CFLAGS alone:
# the link command has them too, and a specs file read twice fails).
# -all-static alone is a no-op when libtool's configure found no way to
# link statically (LDFLAGS=-fsanitize=... at configure time, as in CI's
# sanitizer tree): -static goes to the compiler driver itself too, or a
# dynamic apomon-init would look for its loader in the station's root.
APO_ALL_STATIC = -all-static -XCClinker -static
pkglibexec_PROGRAMS = core/runtime/apomon-init
core_runtime_apomon_init_SOURCES = core/runtime/apomon-init.c
core_runtime_apomon_init_CFLAGS = $(AM_CFLAGS) -Os $(APO_STATIC_CFLAGS)
core_runtime_apomon_init_LDFLAGS = $(APO_ALL_STATIC)

# The environment's logger, outside its stations (station-log.c): static
# and tiny for the same reasons; one runs for all of an environment's
# stations.
pkglibexec_PROGRAMS += core/runtime/apomon-log
core_runtime_apomon_log_SOURCES = core/runtime/apomon-log.c core/runtime/log-proto.h
# glibc, not musl: one logger per environment starts once, so musl saves
# it nothing, and the default environment came up 0.2-0.4 s later with a
# musl logger (its stations' output is all copied through it).
core_runtime_apomon_log_CFLAGS = $(AM_CFLAGS) -Os
core_runtime_apomon_log_LDFLAGS = $(APO_ALL_STATIC)

# Drives the launcher without config or plan (tests, benchmark).
check_PROGRAMS += tests/runtime/apo-station
tests_runtime_apo_station_SOURCES = tests/runtime/apo-station.c \
	$(APO_RUNTIME_SOURCES) core/base/util.c core/base/paths.c core/base/fs.c core/base/time.c core/base/spawn.c \
	core/plugin/services-files.c
tests_runtime_apo_station_CFLAGS = $(AM_CFLAGS) $(SECCOMP_CFLAGS) -pthread
tests_runtime_apo_station_LDADD = $(SECCOMP_LIBS)

EXTRA_DIST += tests/integration/runtime-lib.sh
TESTS += tests/integration/runtime-station.sh tests/integration/runtime-fail.sh
EXTRA_DIST += tests/integration/runtime-station.sh tests/integration/runtime-fail.sh

# A station type for the tests: its startup check never succeeds.
check_LTLIBRARIES += tests/runtime/types/rt-never-ready.la
tests_runtime_types_rt_never_ready_la_SOURCES = tests/runtime/types/rt-never-ready.c
tests_runtime_types_rt_never_ready_la_LDFLAGS = $(APO_MODULE_FLAGS)

EXTRA_DIST += docs/stations.md bench/stations.sh bench/proc-lib.sh bench/images/bench-wait/image.cfg \
	bench/images/bench-wait/startup.sh \
	tests/fixtures/runtime/apomon.conf tests/fixtures/runtime/conf.d/10-lan.conf \
	tests/fixtures/runtime/images/rt-fail/image.cfg \
	tests/fixtures/runtime/images/rt-fail/startup.sh
TESTS += tests/integration/runtime-up.sh tests/integration/runtime-up-fail.sh \
	tests/integration/runtime-crash.sh tests/integration/runtime-logger.sh \
	tests/integration/runtime-nomknod.sh
EXTRA_DIST += tests/integration/runtime-up.sh tests/integration/runtime-up-fail.sh \
	tests/integration/runtime-crash.sh tests/integration/runtime-logger.sh \
	tests/integration/runtime-nomknod.sh

check_PROGRAMS += tests/unit/test-runtime
TESTS += tests/unit/test-runtime
tests_unit_test_runtime_SOURCES = tests/unit/test-runtime.c
tests_unit_test_runtime_CFLAGS = $(APO_TEST_CFLAGS)
tests_unit_test_runtime_LDADD = $(APO_TEST_LDADD)

# SSH on demand (apomon-init's inetd.conf) with host keys pinned by apomon
TESTS += tests/integration/ssh-demand.sh
EXTRA_DIST += tests/integration/ssh-demand.sh

# a station's stop signal and deadline (station-stop.c)
check_PROGRAMS += tests/unit/test-station-stop
TESTS += tests/unit/test-station-stop
tests_unit_test_station_stop_SOURCES = tests/unit/test-station-stop.c
tests_unit_test_station_stop_CFLAGS = $(APO_TEST_CFLAGS)
tests_unit_test_station_stop_LDADD = $(APO_TEST_LDADD)

# apo_station_running_pid (station-running.c)
check_PROGRAMS += tests/unit/test-station-running
TESTS += tests/unit/test-station-running
tests_unit_test_station_running_SOURCES = tests/unit/test-station-running.c tests/unit/check-run.h
tests_unit_test_station_running_CFLAGS = $(APO_TEST_CFLAGS)
tests_unit_test_station_running_LDADD = $(APO_TEST_LDADD)
