# core/plugin: the loader (the one user of libltdl), the registry of
# station types, and the services the core offers them (struct apomon_host).
core_libapocore_la_SOURCES += \
	core/plugin/loader.c core/plugin/loader.h \
	core/plugin/registry.c core/plugin/registry.h \
	core/plugin/services.c core/plugin/services.h \
	core/plugin/services-files.c core/plugin/services-files.h \
	core/plugin/services-probe.c core/plugin/services-probe.h \
	core/plugin/services-ca.c core/plugin/services-ca.h \
	core/plugin/services-secret.c core/plugin/services-secret.h \
	core/plugin/services-seal.c core/plugin/services-seal.h

dist_man_MANS += docs/apomon-plugin.7

# Purpose-built plugins, one refusal each; never installed.  -rpath makes
# libtool build them shared without a place to install them to.
APO_TEST_MODULE_FLAGS = -module -avoid-version -shared -rpath /nowhere
check_LTLIBRARIES += \
	tests/plugins/good.la tests/plugins/noentry.la tests/plugins/badabi.la \
	tests/plugins/small.la tests/plugins/dup.la tests/plugins/nullentry.la \
	tests/plugins/badname.la tests/plugins/unresolved.la tests/plugins/noimage.la
tests_plugins_good_la_SOURCES = tests/plugins/good.c
tests_plugins_good_la_LDFLAGS = $(APO_TEST_MODULE_FLAGS)
tests_plugins_noentry_la_SOURCES = tests/plugins/noentry.c
tests_plugins_noentry_la_LDFLAGS = $(APO_TEST_MODULE_FLAGS)
tests_plugins_badabi_la_SOURCES = tests/plugins/badabi.c
tests_plugins_badabi_la_LDFLAGS = $(APO_TEST_MODULE_FLAGS)
tests_plugins_small_la_SOURCES = tests/plugins/small.c
tests_plugins_small_la_LDFLAGS = $(APO_TEST_MODULE_FLAGS)
tests_plugins_dup_la_SOURCES = tests/plugins/dup.c
tests_plugins_dup_la_LDFLAGS = $(APO_TEST_MODULE_FLAGS)
tests_plugins_nullentry_la_SOURCES = tests/plugins/nullentry.c
tests_plugins_nullentry_la_LDFLAGS = $(APO_TEST_MODULE_FLAGS)
tests_plugins_badname_la_SOURCES = tests/plugins/badname.c
tests_plugins_badname_la_LDFLAGS = $(APO_TEST_MODULE_FLAGS)
tests_plugins_unresolved_la_SOURCES = tests/plugins/unresolved.c
tests_plugins_unresolved_la_LDFLAGS = $(APO_TEST_MODULE_FLAGS)
tests_plugins_noimage_la_SOURCES = tests/plugins/noimage.c
tests_plugins_noimage_la_LDFLAGS = $(APO_TEST_MODULE_FLAGS)

check_PROGRAMS += tests/unit/test-loader tests/unit/test-host-files
TESTS += tests/unit/test-loader tests/unit/test-host-files
tests_unit_test_loader_SOURCES = tests/unit/test-loader.c
tests_unit_test_loader_CFLAGS = $(APO_TEST_CFLAGS) \
	-DAPO_TEST_PLUGINS=\"$(abs_top_builddir)/tests/plugins/.libs\"
tests_unit_test_loader_LDADD = $(APO_TEST_LDADD)
tests_unit_test_host_files_SOURCES = tests/unit/test-host-files.c
tests_unit_test_host_files_CFLAGS = $(APO_TEST_CFLAGS)
tests_unit_test_host_files_LDADD = $(APO_TEST_LDADD)

# The command against the test plugins, and a third party's type built
# against the installed header and .pc alone; neither needs root.
TESTS += tests/integration/plugins-command.sh tests/integration/third-party-build.sh
EXTRA_DIST += tests/integration/plugins-command.sh tests/integration/third-party-build.sh \
	tests/fixtures/thirdparty/hello.c

if HAVE_CHECK
check_PROGRAMS += tests/unit/test-net-probe
TESTS += tests/unit/test-net-probe
endif
tests_unit_test_net_probe_SOURCES = tests/unit/test-net-probe.c
tests_unit_test_net_probe_CFLAGS = $(APO_TEST_CFLAGS)
tests_unit_test_net_probe_LDADD = $(APO_TEST_LDADD)
