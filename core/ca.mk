# The environment's CA (core/ca.c), host->issue_cert, `apomon ca`, and
# `apomon deploy` (which hands types the host services with a root).
core_libapocore_la_SOURCES += \
	core/ca.c core/ca.h \
	core/host-ca.c core/host-ca.h \
	core/cmd-ca.c core/cmd-deploy.c

check_PROGRAMS += tests/unit/test-ca
TESTS += tests/unit/test-ca
tests_unit_test_ca_SOURCES = tests/unit/test-ca.c
tests_unit_test_ca_CFLAGS = $(APO_TEST_CFLAGS)
tests_unit_test_ca_LDADD = $(APO_TEST_LDADD)
