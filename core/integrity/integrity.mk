# core/integrity: sealed files, manifests, remote fetching, signatures,
# and the environment's certificate authority.
core_libapocore_la_SOURCES += \
	core/integrity/manifest.c core/integrity/manifest.h \
	core/integrity/fetch.c core/integrity/fetch.h core/integrity/fetch-cache.c \
	core/integrity/signature.c core/integrity/signature.h \
	core/integrity/integrity.c core/integrity/integrity.h

check_PROGRAMS += tests/unit/test-manifest tests/unit/test-integrity \
	tests/unit/test-conf-integrity
TESTS += tests/unit/test-manifest tests/unit/test-integrity tests/unit/test-conf-integrity
tests_unit_test_manifest_SOURCES = tests/unit/test-manifest.c
tests_unit_test_manifest_CFLAGS = $(APO_TEST_CFLAGS)
tests_unit_test_manifest_LDADD = $(APO_TEST_LDADD)
tests_unit_test_integrity_SOURCES = tests/unit/test-integrity.c
tests_unit_test_integrity_CFLAGS = $(APO_TEST_CFLAGS)
tests_unit_test_integrity_LDADD = $(APO_TEST_LDADD)
tests_unit_test_conf_integrity_SOURCES = tests/unit/test-conf-integrity.c
tests_unit_test_conf_integrity_CFLAGS = $(APO_TEST_CFLAGS)
tests_unit_test_conf_integrity_LDADD = $(APO_TEST_LDADD)
core_libapocore_la_SOURCES += \
	core/integrity/conf-integrity.c core/integrity/conf-integrity.h \
	core/integrity/ca.c core/integrity/ca.h
EXTRA_DIST += docs/manifest.md

# The manifest parser's fuzz target (clang, libFuzzer): `make fuzz`, bounded
# by FUZZ_SECONDS; not part of `make check`.
EXTRA_DIST += tests/fuzz/fuzz-manifest.c tests/fuzz/run.sh
FUZZ_SECONDS = 30
fuzz:
	top_srcdir='$(abs_top_srcdir)' top_builddir='$(abs_top_builddir)' \
	$(SHELL) $(top_srcdir)/tests/fuzz/run.sh $(FUZZ_SECONDS)
.PHONY: fuzz

# Integration tests: real servers in a test namespace (root).
TESTS += tests/integration/integrity-http.sh tests/integration/integrity-ftp.sh \
	tests/integration/integrity-s3.sh tests/integration/integrity-conf.sh
EXTRA_DIST += tests/integration/integrity-lib.sh tests/integration/integrity-http.sh \
	tests/integration/integrity-ftp.sh tests/integration/integrity-s3.sh \
	tests/integration/integrity-s3rver.js tests/integration/integrity-conf.sh
EXTRA_DIST += bench/integrity.sh
CLEANFILES += tests/fuzz/fuzz-manifest
TESTS += tests/integration/integrity-up.sh
EXTRA_DIST += tests/integration/integrity-up.sh

check_PROGRAMS += tests/unit/test-ca
TESTS += tests/unit/test-ca
tests_unit_test_ca_SOURCES = tests/unit/test-ca.c
tests_unit_test_ca_CFLAGS = $(APO_TEST_CFLAGS)
tests_unit_test_ca_LDADD = $(APO_TEST_LDADD)

# OpenSSH-format Ed25519 keys (station host keys, the environment's key)
core_libapocore_la_SOURCES += core/integrity/sshkey.c core/integrity/sshkey.h
check_PROGRAMS += tests/unit/test-sshkey
TESTS += tests/unit/test-sshkey
tests_unit_test_sshkey_SOURCES = tests/unit/test-sshkey.c
tests_unit_test_sshkey_CFLAGS = $(APO_TEST_CFLAGS)
tests_unit_test_sshkey_LDADD = $(APO_TEST_LDADD)
# the check before render (an edit inside a station) and after it
TESTS += tests/integration/integrity-render.sh
EXTRA_DIST += tests/integration/integrity-render.sh
# a remote manifest fetched once a station start (before and after render)
TESTS += tests/integration/integrity-fetch-once.sh
EXTRA_DIST += tests/integration/integrity-fetch-once.sh
