# Sourced by integration tests.  Exits 77 (skip) unless root and enabled.
. "${top_builddir:?}/tests/integration/env.sh" || exit 99
if [ "$APOMON_INTEGRATION" != yes ]; then
	echo "SKIP: integration tests disabled at configure time" >&2
	exit 77
fi
if [ "$(id -u)" != 0 ]; then
	echo "SKIP: needs root" >&2
	exit 77
fi
# station types built in this tree
APOMON_PLUGIN_PATH=$(printf '%s:' "$APOMON_BUILDDIR"/plugins/*/.libs)
export APOMON_PLUGIN_PATH
fail() {
	echo "FAIL: $*" >&2
	exit 1
}
