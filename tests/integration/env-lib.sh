# Sourced after lib.sh by a test that brings up one fixture environment of
# its own: env_test CONFDIR NAME sets CONF and tmp, defines apo, and on
# exit takes the environment down and fails if anything named NAME is left.
env_test() {
	CONF=$1
	ENV_TEST_NAME=$2
	tmp=$(mktemp -d "/tmp/apomon-$2.XXXXXX") || fail "mktemp"
	trap env_test_cleanup EXIT
}

apo() { "$APOMON" -c "$CONF" "$@"; }

env_test_cleanup() {
	_down=$(apo down --purge 2>&1) || fail "down --purge: $_down"
	rm -rf "$tmp"
	assert_no_leftovers "$ENV_TEST_NAME"
}
