# Sourced by the web tier's integration tests after lib.sh: the web test
# environment (tests/fixtures/web: its own networks, names and host ports,
# so that it runs beside other environments), real clients, cleanup.
# one web test at a time (make -j): they share the fixture's networks and names
exec 9>/tmp/apomon-web-tests.lock
flock 9
WEB_CONF="$APOMON_SRCDIR/tests/fixtures/web"
WEB_ENV=webtest
WEB_DOMAIN=webtest.example.com
WEB_TMP=$(mktemp -d /tmp/apomon-web.XXXXXX)
APOMON_IMAGES_PATH="$APOMON_SRCDIR/images"
APOMON_INIT="$APOMON_BUILDDIR/core/runtime/apomon-init"
APOMON_WEBAPPS_DIR="$APOMON_BUILDDIR/webapps"
# `hosts --apply` writes a copy: other tests run on this host meanwhile
APOMON_HOSTS_FILE="$WEB_TMP/hosts"
export APOMON_IMAGES_PATH APOMON_INIT APOMON_WEBAPPS_DIR APOMON_HOSTS_FILE
# host ports of the fixture
P_HTTP=18080 P_HTTPS=18443 P_WWW1=18081 P_WWW2=18082
# artifacts (screenshots) outlive the test
WEB_ARTIFACTS="${APOMON_BUILDDIR}/tests/artifacts"
mkdir -p "$WEB_ARTIFACTS"

for f in skel-0.1.0.war hello.war; do
	[ -f "$APOMON_WEBAPPS_DIR/$f" ] || {
		echo "SKIP: $APOMON_WEBAPPS_DIR/$f not built (needs javac: default-jdk-headless)" >&2
		exit 77
	}
done

apo() { "$APOMON" -c "$WEB_CONF" "$@"; }

web_cleanup() {
	_rc=$?
	apo down --purge >/dev/null 2>&1 || { echo "FAIL: down of $WEB_ENV failed" >&2; _rc=1; }
	rm -rf "$WEB_TMP"
	# nothing of ours may be left
	( assert_env_gone "$WEB_ENV" ) || _rc=1
	exit "$_rc"
}
trap web_cleanup EXIT

CA=""
web_up() {
	apo up --quiet || fail "up"
	CA=$(apo ca --path) || fail "apomon ca --path"
	[ -s "$CA" ] || fail "no CA certificate at $CA"
}

# curl through the load balancer's published HTTPS port, the CA checked
lb_curl() {
	curl -sS --max-time 10 --cacert "$CA" \
		--resolve "www.$WEB_DOMAIN:$P_HTTPS:127.0.0.1" "$@"
}
LB="https://www.$WEB_DOMAIN:$P_HTTPS"

# header NAME from a `curl -i`/`-D -` dump on stdin
header() {
	tr -d '\r' | awk -v h="$(echo "$1" | tr A-Z a-z)" 'BEGIN{FS=": "} tolower($1)==h {print $2; exit}'
}

# poll CMD...: retry a real check (at most ~30 s)
poll() {
	i=0
	while ! "$@"; do
		i=$((i + 1))
		[ $i -gt 150 ] && return 1
		sleep 0.2
	done
}

# SQL against the postgres station over the network, from the host
db() {
	PGPASSWORD=skel PGCONNECT_TIMEOUT=5 psql -X -q -tA -h 10.66.0.5 -U skel -d skel -c "$1"
}
