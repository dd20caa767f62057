# Sourced by integration tests.  Exit 77 (skip) unless root.
. "${top_builddir:?}/tests/integration/env.sh"
if [ "$(id -u)" != 0 ]; then
	echo "SKIP: needs root" >&2
	exit 77
fi
# station types built in this tree
APOMON_PLUGIN_PATH=$(printf '%s:' "$APOMON_BUILDDIR"/plugins/*/.libs)
export APOMON_PLUGIN_PATH
fail() { echo "FAIL: $*" >&2; exit 1; }
