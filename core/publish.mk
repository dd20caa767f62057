# Published host ports (nftables), the `publish` phase of up, host names
# (/etc/hosts block) and `apomon hosts`.
core_libapocore_la_SOURCES += \
	core/publish.c core/publish.h \
	core/hosts.c core/hosts.h \
	core/up-publish.c \
	core/cmd-hosts.c

check_PROGRAMS += tests/unit/test-hosts
TESTS += tests/unit/test-hosts
tests_unit_test_hosts_SOURCES = tests/unit/test-hosts.c
tests_unit_test_hosts_CFLAGS = $(APO_TEST_CFLAGS)
tests_unit_test_hosts_LDADD = $(APO_TEST_LDADD)
