# Integration tests (root, real kernel objects): shell scripts that exit
# 77 (skip) when not root.  Each fragment adds its own with TESTS +=.
EXTRA_DIST += tests/integration/lib.sh tests/integration/env-lib.sh

# make check-shuffled [TEST_ORDER_SEED=N] [TESTS=...]: make check with the
# tests in an order drawn from the seed (printed, a fresh one unless
# given), so that a test needing what an earlier one left fails.  CI runs
# the suite this way.
EXTRA_DIST += tools/shuffle-tests
check-shuffled:
	@seed='$(TEST_ORDER_SEED)'; \
	[ -n "$$seed" ] || seed=$$(od -An -N2 -tu2 /dev/urandom | tr -d ' '); \
	order=$$($(SHELL) $(srcdir)/tools/shuffle-tests "$$seed" $(TESTS) | tr '\n' ' ') || exit 1; \
	echo "check-shuffled: TEST_ORDER_SEED=$$seed"; \
	rc=0; $(MAKE) $(AM_MAKEFLAGS) check TESTS="$$order" || rc=$$?; \
	echo "check-shuffled: TEST_ORDER_SEED=$$seed (make check-shuffled TEST_ORDER_SEED=$$seed repeats this order)"; \
	exit $$rc
.PHONY: check-shuffled
# the default environment's DNS answers, written by hand (rest-default.sh)
EXTRA_DIST += tests/fixtures/default-env/dns.txt
# apomon hosts: print, --apply, --remove, down, an unterminated block
TESTS += tests/integration/hosts-block.sh
EXTRA_DIST += tests/integration/hosts-block.sh
# the CLI's exit codes and usage errors of every command
TESTS += tests/integration/cli-exit.sh
EXTRA_DIST += tests/integration/cli-exit.sh
# SIGTERM during up rolls back; up/down --json; exec -T; logs -f; stop -t
TESTS += tests/integration/runtime-term-stop.sh
EXTRA_DIST += tests/integration/runtime-term-stop.sh
# published ports: a host port already bound, UDP, SIGKILL after publish
TESTS += tests/integration/publish-udp.sh
EXTRA_DIST += tests/integration/publish-udp.sh tests/fixtures/publish-udp/apomon.conf \
	tests/fixtures/publish-udp/conf.d/10-u.conf
