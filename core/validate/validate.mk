# core/validate: the model checked by the core, then by each station type.
core_libapocore_la_SOURCES += \
	core/validate/validate.c core/validate/validate.h \
	core/validate/validate-internal.h \
	core/validate/validate-net.c core/validate/validate-deps.c \
	core/validate/validate-types.c core/validate/validate-warn.c \
	core/validate/validate-images.c

if HAVE_CHECK
check_PROGRAMS += tests/unit/test-validate
TESTS += tests/unit/test-validate
endif
tests_unit_test_validate_SOURCES = tests/unit/test-validate.c \
	tests/unit/fixture-types.c tests/unit/fixture-types.h
tests_unit_test_validate_CFLAGS = $(APO_TEST_CFLAGS) -DAPO_SRCDIR=\"$(abs_top_srcdir)\"
tests_unit_test_validate_LDADD = $(APO_TEST_LDADD)

# the real binary and the base plugin
TESTS += tests/integration/validate-cli.sh
EXTRA_DIST += tests/integration/validate-cli.sh
TESTS += tests/integration/validate-safety.sh
EXTRA_DIST += tests/integration/validate-safety.sh
