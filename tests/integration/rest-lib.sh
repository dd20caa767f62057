# Sourced by the rest-*.sh tests after lib.sh: an environment of their own
# (a copy of tests/fixtures/rest, or of the directory in REST_FIXTURE;
# none: the test fills $REST_CONF),
# built from this tree's images and types, and always taken down.
# The rest tests share names, networks and the host link of one fixture:
# one at a time, even under make -j check
exec 9>/run/lock/apomon-rest-tests.lock
flock 9
REST_ENV="rest-$(basename "$0" .sh | sed 's/^rest-//')-$$"
REST_TMP=$(mktemp -d /tmp/apomon-rest.XXXXXX)
REST_CONF="$REST_TMP/conf"
[ "${REST_FIXTURE:-}" = none ] ||
	cp -r "$APOMON_SRCDIR/${REST_FIXTURE:-tests/fixtures/rest}" "$REST_CONF"
APOMON_INIT="$APOMON_BUILDDIR/core/runtime/apomon-init"
APOMON_IMAGES_PATH="$APOMON_SRCDIR/images${REST_IMAGES_PATH:+:$REST_IMAGES_PATH}"
# types and images from elsewhere (another tree's build) may be added
APOMON_PLUGIN_PATH="$APOMON_PLUGIN_PATH${REST_PLUGIN_PATH:-}"
# tomcat's applications, built in this tree (needs javac)
APOMON_WEBAPPS_DIR=${APOMON_WEBAPPS_DIR:-$APOMON_BUILDDIR/webapps}
export APOMON_INIT APOMON_IMAGES_PATH APOMON_PLUGIN_PATH APOMON_WEBAPPS_DIR

# (fd 9, the lock, is not handed to apomon and its stations)
A() { "$APOMON" -c "$REST_CONF" -e "$REST_ENV" "$@" 9>&-; }
# x STATION CMD...: run CMD inside a station
x() { s=$1; shift; A exec "$s" -- "$@"; }

rest_cleanup() {
	_rc=$?
	A down --quiet --purge >/dev/null 2>&1 || { echo "FAIL: down of $REST_ENV failed" >&2; _rc=1; }
	rm -rf "$REST_TMP"
	( assert_env_gone "$REST_ENV" ) || _rc=1
	exit "$_rc"
}
trap rest_cleanup EXIT

# rest_up: bring the environment up (building the images it needs)
rest_up() {
	A up --quiet >"$REST_TMP/up.log" 2>&1 || { cat "$REST_TMP/up.log" >&2; fail "up"; }
}


# rest_add NAME...: add tests/fixtures/rest/extra/NAME.conf to conf.d
rest_add() {
	for n in "$@"; do
		cp "$APOMON_SRCDIR/tests/fixtures/rest/extra/$n.conf" "$REST_CONF/conf.d/30-$n.conf"
	done
}
