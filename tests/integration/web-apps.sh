#!/bin/sh
# A tomcat whose `apps` is only hello.war becomes ready (its startup check
# asks the applications it installed, not a hard-coded skel), serves
# /hello/ on the port it declares, redirects / there, and has no skel.
. "${top_srcdir:?}/tests/integration/lib.sh" || exit 99
. "$APOMON_SRCDIR/tests/integration/env-lib.sh"
APOMON_WEBAPPS_DIR="$APOMON_BUILDDIR/webapps"
export APOMON_WEBAPPS_DIR
[ -f "$APOMON_WEBAPPS_DIR/hello.war" ] || {
	echo "SKIP: $APOMON_WEBAPPS_DIR/hello.war not built (needs javac)" >&2
	exit 77
}
env_test "$APOMON_SRCDIR/tests/fixtures/web-apps" webapps

start=$(date +%s)
apo up --quiet >"$tmp/up" 2>&1 || fail "up: $(cat "$tmp/up")"
took=$(($(date +%s) - start))
code() { curl -sS --max-time 10 -o "$tmp/body" -w '%{http_code}' "$@"; }
[ "$(code http://127.0.0.1:18191/hello/)" = 200 ] || fail "GET /hello/: $(cat "$tmp/body")"
grep -qi "hello" "$tmp/body" || fail "/hello/ said: $(cat "$tmp/body")"
# "/" (the URL `up` prints) redirects to the first application
root=$(curl -sS --max-time 10 -o /dev/null -w '%{http_code} %{redirect_url}' http://127.0.0.1:18191/)
[ "$root" = "302 http://127.0.0.1:18191/hello/" ] || fail "GET /: $root"
[ "$(code http://127.0.0.1:18191/skel-0.1.0/api/companies)" = 404 ] ||
	fail "skel answers although apps names only hello.war"
# host->log writes to the station's log (not the terminal, at level info)
apo logs www1 >"$tmp/log" 2>&1 || fail "logs www1"
grep -q "^apomon: tomcat: info: ready: 1 application answered on port 8080$" "$tmp/log" ||
	fail "no host->log line in the station's log: $(tail -5 "$tmp/log")"
grep -q "ready: 1 application" "$tmp/up" && fail "an info line reached the terminal"
echo "PASS: tomcat with apps = [\"hello.war\"] ready in ${took}s"
