# core/net: network namespaces, links, addresses and routes (libnl),
# published host ports (nftables) and the /etc/hosts block.
core_libapocore_la_SOURCES += \
	core/net/netns.c core/net/netns.h \
	core/net/netlink.c core/net/netlink.h \
	core/net/publish.c core/net/publish.h core/net/publish-free.c \
	core/net/hostsfile.c core/net/hostsfile.h

check_PROGRAMS += tests/unit/test-hosts
TESTS += tests/unit/test-hosts
tests_unit_test_hosts_SOURCES = tests/unit/test-hosts.c
tests_unit_test_hosts_CFLAGS = $(APO_TEST_CFLAGS)
tests_unit_test_hosts_LDADD = $(APO_TEST_LDADD)

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

TESTS += \
	tests/integration/net-connect.sh \
	tests/integration/net-default.sh \
	tests/integration/net-unhappy.sh \
	tests/integration/net-crash.sh \
	tests/integration/net-concurrent.sh
EXTRA_DIST += \
	bench/net-gen.sh bench/net-updown.sh bench/net-floor.sh bench/net-macvlan.sh docs/network.md \
	tests/integration/net-connect.sh \
	tests/integration/net-default.sh \
	tests/integration/net-unhappy.sh \
	tests/integration/net-crash.sh \
	tests/integration/net-concurrent.sh

# publish ranges: plan, nftables, real connections through 127.0.0.1
TESTS += tests/integration/publish-range.sh
EXTRA_DIST += tests/integration/publish-range.sh tests/fixtures/publish-range/apomon.conf \
	tests/fixtures/publish-range/conf.d/10-range.conf

# the host closed to stations but host_services
TESTS += tests/integration/net-host-guard.sh tests/integration/net-host-loopback.sh
EXTRA_DIST += tests/integration/net-host-guard.sh tests/integration/net-host-loopback.sh
