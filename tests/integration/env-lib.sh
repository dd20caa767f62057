# Sourced after lib.sh by a test that brings up one fixture environment of
# its own: env_test CONFDIR NAME sets CONF and tmp, defines apo, and on
# exit takes the environment down and fails if anything named NAME is left.
env_test() {
	CONF=$1
	ENV_TEST_NAME=$2
	APOMON_IMAGES_PATH="$APOMON_SRCDIR/images"
	APOMON_INIT="$APOMON_BUILDDIR/core/runtime/apomon-init"
	export APOMON_IMAGES_PATH APOMON_INIT
	tmp=$(mktemp -d "/tmp/apomon-$2.XXXXXX") || fail "mktemp"
	trap env_test_cleanup EXIT
}

apo() { "$APOMON" -c "$CONF" "$@"; }

env_test_cleanup() {
	apo down --purge >/dev/null 2>&1 || echo "down failed" >&2
	rm -rf "$tmp"
	if /work/shared/tools/leftovers 2>/dev/null | grep -e "$ENV_TEST_NAME"; then
		echo "FAIL: leftovers above" >&2
		exit 1
	fi
}
