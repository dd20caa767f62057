# core/base: helpers every other layer may use (files, paths, diagnostics,
# workers, progress, hashing). The core library starts here; each folder's
# fragment appends its own sources to it.
noinst_LTLIBRARIES += core/libapocore.la
core_libapocore_la_SOURCES = \
	core/base/util.c core/base/util.h \
	core/base/diag.c core/base/diag.h \
	core/base/paths.c core/base/paths.h \
	core/base/fs.c core/base/fs.h \
	core/base/workers.c core/base/workers.h \
	core/base/progress.c core/base/progress.h \
	core/base/time.c core/base/time.h \
	core/base/fmt.c core/base/fmt.h \
	core/base/spawn.c core/base/spawn.h \
	core/base/sha256.c core/base/sha256.h \
	core/base/dl.c core/base/dl.h \
	core/base/dl-curl.c core/base/dl-curl.h \
	core/base/dl-nft.c core/base/dl-nft.h \
	core/base/dl-archive.c core/base/dl-archive.h
core_libapocore_la_CFLAGS = $(AM_CFLAGS) $(APO_DEP_CFLAGS) -pthread
core_libapocore_la_LIBADD = $(APO_LIBS)

# libcurl, libnftables, libarchive opened on first use (core/base/dl.c):
# apomon runs without them, and says why where it needs one
TESTS += tests/integration/dl-missing.sh
EXTRA_DIST += tests/integration/dl-missing.sh
# what every command pays before main, against /bin/true and ip -V
EXTRA_DIST += bench/command-start.sh

# never loaded from a changed root (a station's): the attack, for real
# (not in tests/plugins: the loader tests scan that folder for station types)
check_LTLIBRARIES += tests/dl/fake-lib.la
tests_dl_fake_lib_la_SOURCES = tests/dl/fake-lib.c
tests_dl_fake_lib_la_LDFLAGS = -module -avoid-version -shared -rpath /nowhere
check_PROGRAMS += tests/unit/test-dl
TESTS += tests/unit/test-dl
tests_unit_test_dl_SOURCES = tests/unit/test-dl.c
tests_unit_test_dl_CFLAGS = $(APO_TEST_CFLAGS) -DAPO_BUILDDIR=\"$(abs_top_builddir)\"
tests_unit_test_dl_LDADD = $(APO_TEST_LDADD)
