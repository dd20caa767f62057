# core/plan: the plan (a pure function of config + types), its JSON and
# text forms, and the topology graph.
core_libapocore_la_SOURCES += \
	core/plan/plan.c core/plan/plan.h core/plan/plan-int.h \
	core/plan/plan-names.c core/plan/plan-routes.c core/plan/plan-dns.c \
	core/plan/plan-order.c core/plan/plan-json.c core/plan/plan-print.c \
	core/plan/graph.c core/plan/graph.h

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
