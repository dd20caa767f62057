# The network engine: namespaces, links, journal, up/down/status, probes.
core_libapocore_la_SOURCES += \
	core/netns.c core/netns.h \
	core/netlink.c core/netlink.h \
	core/journal.c core/journal.h \
	core/workers.c core/workers.h \
	core/progress.c core/progress.h \
	core/summary.c core/summary.h \
	core/up.c core/up-net.c core/up.h \
	core/down.c core/down.h \
	core/status.c core/status.h \
	core/host-probe.c core/host-probe.h \
	core/cmd-up.c core/cmd-down.c core/cmd-status.c

# A gateway-role type for the network tests; never installed.
check_LTLIBRARIES += tests/plugins/net-gw.la
tests_plugins_net_gw_la_SOURCES = tests/plugins/net-gw.c
tests_plugins_net_gw_la_LDFLAGS = -module -avoid-version -shared -rpath /nowhere

# A real connect/accept between two namespaces.
check_PROGRAMS += tests/integration/tcp-pair
tests_integration_tcp_pair_SOURCES = tests/integration/tcp-pair.c
tests_integration_tcp_pair_CFLAGS = $(AM_CFLAGS) -pthread

EXTRA_DIST += \
	tests/fixtures/net-three/apomon.conf \
	tests/fixtures/net-three/conf.d/10-lan.conf \
	tests/fixtures/net-three/conf.d/20-pub.conf \
	tests/fixtures/net-three/conf.d/30-dmz.conf \
	tests/integration/net-lib.sh

if HAVE_CHECK
check_PROGRAMS += tests/unit/test-net-probe tests/unit/test-journal
TESTS += tests/unit/test-net-probe tests/unit/test-journal
endif
tests_unit_test_journal_SOURCES = tests/unit/test-journal.c
tests_unit_test_journal_CFLAGS = $(APO_TEST_CFLAGS)
tests_unit_test_journal_LDADD = $(APO_TEST_LDADD)
tests_unit_test_net_probe_SOURCES = tests/unit/test-net-probe.c
tests_unit_test_net_probe_CFLAGS = $(APO_TEST_CFLAGS)
tests_unit_test_net_probe_LDADD = $(APO_TEST_LDADD)

TESTS += \
	tests/integration/net-connect.sh \
	tests/integration/net-default.sh \
	tests/integration/net-unhappy.sh \
	tests/integration/net-crash.sh \
	tests/integration/net-concurrent.sh
EXTRA_DIST += \
	bench/net-gen.sh bench/net-updown.sh docs/network.md \
	tests/integration/net-connect.sh \
	tests/integration/net-default.sh \
	tests/integration/net-unhappy.sh \
	tests/integration/net-crash.sh \
	tests/integration/net-concurrent.sh
