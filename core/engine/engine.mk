# core/engine: up (network, stations, published ports), down, status, the
# journal they share, and the summary.
core_libapocore_la_SOURCES += \
	core/engine/journal.c core/engine/journal.h \
	core/engine/summary.c core/engine/summary.h \
	core/engine/up.c core/engine/up-net.c core/engine/up.h \
	core/engine/up-stations.c core/engine/up-publish.c \
	core/engine/down.c core/engine/down.h \
	core/engine/status.c core/engine/status.h \
	core/engine/diff.c core/engine/diff-snapshot.c core/engine/diff-state.c \
	core/engine/diff.h core/engine/applied-config.c \
	core/engine/reconcile.c core/engine/reconcile-net.c core/engine/reconcile.h \
	core/engine/named.c core/engine/named.h

if HAVE_CHECK
check_PROGRAMS += tests/unit/test-journal
TESTS += tests/unit/test-journal
endif
tests_unit_test_journal_SOURCES = tests/unit/test-journal.c
tests_unit_test_journal_CFLAGS = $(APO_TEST_CFLAGS)
tests_unit_test_journal_LDADD = $(APO_TEST_LDADD)

# The journal reader's fuzz target (clang, libFuzzer): run by `make fuzz`
# next to the manifest's, bounded by FUZZ_SECONDS; not part of `make check`.
EXTRA_DIST += tests/fuzz/fuzz-journal.c tests/fuzz/run-journal.sh
CLEANFILES += tests/fuzz/fuzz-journal
fuzz: fuzz-journal
fuzz-journal:
	top_srcdir='$(abs_top_srcdir)' top_builddir='$(abs_top_builddir)' \
	$(SHELL) $(top_srcdir)/tests/fuzz/run-journal.sh $(FUZZ_SECONDS)
.PHONY: fuzz-journal

# the comparison of `apomon diff` / `up` on a running environment
if HAVE_CHECK
check_PROGRAMS += tests/unit/test-diff
TESTS += tests/unit/test-diff
endif
tests_unit_test_diff_SOURCES = tests/unit/test-diff.c
tests_unit_test_diff_CFLAGS = $(APO_TEST_CFLAGS) -DAPO_SRCDIR=\"$(abs_top_srcdir)\"
tests_unit_test_diff_LDADD = $(APO_TEST_LDADD)
EXTRA_DIST += tests/fixtures/diff/applied.json tests/fixtures/diff/observed.json

# `apomon diff` and `up` on a running environment of base stations; 10
# stations added to and removed from 500 (network only)
TESTS += tests/integration/reconcile-base.sh tests/integration/reconcile-500.sh \
	tests/integration/reconcile-garp.sh
EXTRA_DIST += tests/integration/reconcile-base.sh tests/integration/reconcile-500.sh \
	tests/integration/reconcile-garp.sh
# a fault at each step of a reconcile: everything goes back to the config
# that ran (ftp with its old password, www1's address, multi)
TESTS += tests/integration/reconcile-rollback.sh
EXTRA_DIST += tests/integration/reconcile-rollback.sh
# a rollback to a config that @includes a file outside conf.d/; SIGKILL
# in the middle of a rollback, then up, then down: nothing left anywhere
TESTS += tests/integration/reconcile-include.sh
EXTRA_DIST += tests/integration/reconcile-include.sh
# the default environment changed while it runs (django off and on,
# www2 moved under load, a third cluster, a published port, the ftp
# password): needs every image and the skel war
TESTS += tests/integration/rest-reconcile.sh
EXTRA_DIST += tests/integration/rest-reconcile.sh
# a reload whose new config fails the seal: up fails and rolls back,
# haproxy is never signalled (same PIDs), haproxy.cfg keeps its bytes
TESTS += tests/integration/rest-reload-seal.sh
EXTRA_DIST += tests/integration/rest-reload-seal.sh
# reconcile against down+up, same run (root; not part of `make check`)
EXTRA_DIST += bench/reconcile.sh
