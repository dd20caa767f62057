# Sourced by web-tier.sh with the environment up: headless Chromium from
# Debian, trusting the environment's CA through its own NSS store, loads
# the skel front end over HTTPS through the load balancer, creates a user
# in the UI and sees it in the list; the screenshot is kept as an artifact.
command -v chromium >/dev/null || fail "needs chromium"
command -v certutil >/dev/null || fail "needs certutil (libnss3-tools)"
command -v node >/dev/null || fail "needs node (nodejs)"
BR_HOME="$WEB_TMP/browser-home"
mkdir -p "$BR_HOME/.pki/nssdb" "$WEB_TMP/chromium-profile"
certutil -d "sql:$BR_HOME/.pki/nssdb" -N --empty-password || fail "certutil: new store"
certutil -d "sql:$BR_HOME/.pki/nssdb" -A -t "C,," -n "apomon $WEB_ENV" -i "$CA" || fail "certutil: add CA"
HOME="$BR_HOME" chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
	--disable-background-networking --disable-component-update --disable-sync \
	--user-data-dir="$WEB_TMP/chromium-profile" --remote-debugging-port=0 \
	--host-resolver-rules="MAP www.$WEB_DOMAIN 127.0.0.1" about:blank \
	>"$WEB_TMP/chromium.log" 2>&1 &
BR_PID=$!
trap 'kill $BR_PID 2>/dev/null; wait $BR_PID 2>/dev/null; web_cleanup' EXIT
devtools_port() { [ -s "$WEB_TMP/chromium-profile/DevToolsActivePort" ]; }
poll devtools_port || fail "chromium did not start: $(tail -5 "$WEB_TMP/chromium.log")"
BR_PORT=$(head -n 1 "$WEB_TMP/chromium-profile/DevToolsActivePort")
email="grace.$$@browser.example"
node "$APOMON_SRCDIR/tests/integration/web-browser.js" "$BR_PORT" \
	"$LB/skel-0.1.0/" "Grace Browser" "$email" "$WEB_ARTIFACTS/web-skel.png" 2>&1 ||
	fail "browser: $(tail -5 "$WEB_TMP/chromium.log")"
kill $BR_PID 2>/dev/null
wait $BR_PID 2>/dev/null
trap web_cleanup EXIT
[ "$(db "select count(*) from users where email = '$email'")" = 1 ] || fail "the UI's user is not in the database"
[ -s "$WEB_ARTIFACTS/web-skel.png" ] || fail "no screenshot"
