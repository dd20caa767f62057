# Station isolation: user namespaces (one id range a station, idmapped
# layers) and cgroup limits, tried for real against running stations.
EXTRA_DIST += tests/security/userns-lib.sh
USERNS_TESTS = tests/security/userns-ids.sh tests/security/userns-limits.sh \
	tests/security/userns-owner.sh
TESTS += $(USERNS_TESTS)
EXTRA_DIST += $(USERNS_TESTS)
