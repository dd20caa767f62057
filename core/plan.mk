# The plan (a pure function of config + types), its JSON and text forms,
# and `apomon graph`.
core_libapocore_la_SOURCES += \
	core/plan.c core/plan.h core/plan-int.h \
	core/plan-names.c core/plan-routes.c core/plan-dns.c core/plan-order.c \
	core/plan-json.c core/plan-print.c \
	core/graph.c core/graph.h core/cmd-graph.c

if HAVE_CHECK
check_PROGRAMS += tests/unit/test-plan
TESTS += tests/unit/test-plan
endif
tests_unit_test_plan_SOURCES = tests/unit/test-plan.c
tests_unit_test_plan_CFLAGS = $(APO_TEST_CFLAGS) -DAPO_SRCDIR=\"$(abs_top_srcdir)\"
tests_unit_test_plan_LDADD = $(APO_TEST_LDADD)

EXTRA_DIST += docs/plan-json.md \
	tests/fixtures/three-clusters/apomon.conf \
	tests/fixtures/three-clusters/conf.d/10-alpha.conf \
	tests/fixtures/three-clusters/conf.d/20-beta.conf \
	tests/fixtures/three-clusters/conf.d/30-gamma.conf \
	tests/fixtures/three-clusters/expected-plan.json

# the CLI on the repository's own config: needs the linked program and
# the base plugin, so it lives with the integration tests
TESTS += tests/integration/plan-cli.sh
EXTRA_DIST += tests/integration/plan-cli.sh
