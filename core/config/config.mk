# core/config: reading apomon.conf and conf.d into the model.
core_libapocore_la_SOURCES += \
	core/config/conf.c core/config/conf.h core/config/conf-internal.h \
	core/config/conf-values.c core/config/conf-cluster.c \
	core/config/conf-station.c core/config/conf-links.c core/config/conf-file.c \
	core/config/model.c core/config/model.h

if HAVE_CHECK
check_PROGRAMS += tests/unit/test-config
TESTS += tests/unit/test-config
endif
tests_unit_test_config_SOURCES = tests/unit/test-config.c \
	tests/unit/fixture-types.c tests/unit/fixture-types.h
tests_unit_test_config_CFLAGS = $(APO_TEST_CFLAGS) -DAPO_SRCDIR=\"$(abs_top_srcdir)\"
tests_unit_test_config_LDADD = $(APO_TEST_LDADD)
EXTRA_DIST += tests/fixtures/bad tests/fixtures/good

dist_man_MANS += docs/apomon.conf.5

# the loader + validator under libFuzzer: `make fuzz` (tests/fuzz/run.sh)
EXTRA_DIST += tests/fuzz/fuzz-config.c tests/fuzz/run-config.sh tests/fuzz/lsan-config.supp
CLEANFILES += tests/fuzz/fuzz-config
