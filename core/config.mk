# Configuration: reading (conf*.c), the model, the in-memory registry,
# validation and the host services types call.
core_libapocore_la_SOURCES += \
	core/conf.c core/conf.h core/conf-internal.h \
	core/conf-values.c core/conf-cluster.c core/conf-station.c core/conf-links.c \
	core/model.c core/model.h \
	core/registry.c core/registry.h

if HAVE_CHECK
check_PROGRAMS += tests/unit/test-config
TESTS += tests/unit/test-config
endif
tests_unit_test_config_SOURCES = tests/unit/test-config.c
tests_unit_test_config_CFLAGS = $(APO_TEST_CFLAGS) -DAPO_SRCDIR=\"$(abs_top_srcdir)\"
tests_unit_test_config_LDADD = $(APO_TEST_LDADD)
