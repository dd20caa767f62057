# Integrity: sealed files, manifests, remote fetching, signatures (issue 5).
core_libapocore_la_SOURCES += \
	core/sha256.c core/sha256.h \
	core/manifest.c core/manifest.h \
	core/fetch.c core/fetch.h \
	core/signature.c core/signature.h \
	core/integrity.c core/integrity.h

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
	core/conf-integrity.c core/conf-integrity.h \
	core/cmd-seal.c core/cmd-verify.c core/cmd-keygen.c
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
