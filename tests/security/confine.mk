# tests/security: the escape suite (seccomp, masked /proc and
# /sys, capabilities, no host descriptor in a station, host writes into
# roots).  Each escape-*.sh tries its techniques for real from inside a
# running station, asserts they fail and the host is unchanged, then shows
# that each check catches the escape on a station weakened on purpose
# (APOMON_TEST_WEAKEN, test-only).

# The probe that tries the techniques; static, copied into the station.
check_PROGRAMS += tests/security/escape-probe
tests_security_escape_probe_SOURCES = tests/security/escape-probe.c
tests_security_escape_probe_CFLAGS = $(AM_CFLAGS)
tests_security_escape_probe_LDFLAGS = -all-static

SECURITY_TESTS = tests/security/escape-syscalls.sh tests/security/escape-proc.sh \
	tests/security/escape-shocker.sh tests/security/escape-tiocsti.sh \
	tests/security/escape-symlink.sh tests/security/escape-hostfd.sh \
	tests/security/escape-log.sh tests/security/escape-root.sh
TESTS += $(SECURITY_TESTS)
EXTRA_DIST += $(SECURITY_TESTS) tests/security/escape-lib.sh docs/security.md
