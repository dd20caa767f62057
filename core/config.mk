# Configuration: reading (conf*.c), the model, the in-memory registry,
# validation and the host services types call.
core_libapocore_la_SOURCES += \
	core/conf.c core/conf.h core/conf-internal.h \
	core/conf-values.c core/conf-cluster.c core/conf-station.c core/conf-links.c \
	core/model.c core/model.h \
	core/registry.c core/registry.h \
	core/validate.c core/validate.h core/validate-internal.h \
	core/validate-net.c core/validate-deps.c core/validate-types.c \
	core/host.c core/host.h

if HAVE_CHECK
check_PROGRAMS += tests/unit/test-config
TESTS += tests/unit/test-config
endif
tests_unit_test_config_SOURCES = tests/unit/test-config.c \
	tests/unit/fixture-types.c tests/unit/fixture-types.h
tests_unit_test_config_CFLAGS = $(APO_TEST_CFLAGS) -DAPO_SRCDIR=\"$(abs_top_srcdir)\"
tests_unit_test_config_LDADD = $(APO_TEST_LDADD)
EXTRA_DIST += tests/fixtures/bad tests/fixtures/good

if HAVE_CHECK
check_PROGRAMS += tests/unit/test-validate
TESTS += tests/unit/test-validate
endif
tests_unit_test_validate_SOURCES = tests/unit/test-validate.c \
	tests/unit/fixture-types.c tests/unit/fixture-types.h
tests_unit_test_validate_CFLAGS = $(APO_TEST_CFLAGS) -DAPO_SRCDIR=\"$(abs_top_srcdir)\"
tests_unit_test_validate_LDADD = $(APO_TEST_LDADD)

dist_man_MANS += docs/apomon.conf.5

# the real binary and the base plugin
TESTS += tests/integration/validate-cli.sh
EXTRA_DIST += tests/integration/validate-cli.sh
