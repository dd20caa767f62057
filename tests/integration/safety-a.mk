# Host safety (issue 11): names checked where they enter, purges that stay
# inside their environment, every failure counted, bounded checks.
TESTS += \
	tests/integration/safety-names.sh
EXTRA_DIST += \
	tests/integration/safety-a.mk \
	tests/integration/safety-names.sh
