#!/bin/sh
# A remote manifest is fetched once a station start: the check before
# render and the one after it use the same bytes (each still verifies the
# signature and every digest).  A real HTTP server (nginx from Debian) on
# loopback serves the sealed manifest of s1 and its signature; its
# access log counts the requests of `restart`, `up`, and of a start that
# the check refuses.
. "${top_srcdir:?}/tests/integration/lib.sh" || exit 99
command -v nginx >/dev/null || { echo "SKIP: nginx not installed" >&2; exit 77; }
set -u
fixture_env int-fetch
ngx=
trap '[ -n "$ngx" ] && kill "$ngx" && wait "$ngx"; fixture_env_cleanup' EXIT

W=$CONF/www
mkdir -p "$W"
PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
nginx_conf "$CONF" "	access_log $CONF/nginx/access.log;
	server { listen 127.0.0.1:$PORT; root $W; }"
nginx -c "$CONF/nginx.conf" -e "$CONF/nginx/error.log" &
ngx=$!
echo ok >"$W/ready"
i=0
until curl -sf -o /dev/null "http://127.0.0.1:$PORT/ready"; do
	i=$((i + 1))
	[ "$i" -gt 100 ] && fail "nginx not ready: $(cat "$CONF/nginx/error.log")"
	sleep 0.1
done

A up -q || fail "up"
pid=$(A status | sed -n 's/^  s1\.rt\.test  *ready  *pid \([0-9][0-9]*\) .*/\1/p')
[ -n "$pid" ] || fail "no pid for s1: $(A status)"
A keygen -o "$CONF/k" >/dev/null 2>&1 || fail "keygen"
A seal s1 --root "/proc/$pid/root" --sign "$CONF/k.key" 2>/dev/null || fail "seal"
cp "$LIB/$ENV/manifests/s1.manifest" "$LIB/$ENV/manifests/s1.manifest.sig" "$W/" ||
	fail "copy the manifest"
# s1's manifest from the server, signed
sed -i 's|{ name = "s1"; type = "base"; addresses = \["10.77.0.11"\];|& integrity = { manifest = "http://127.0.0.1:'"$PORT"'/s1.manifest"; public_key = "k.pub"; };|' \
	"$CONF/conf.d/"*.conf
grep_q "127.0.0.1:$PORT/s1.manifest" "$CONF"/conf.d/*.conf || fail "config not changed"

# requests PATH: how many GETs of PATH the server answered so far
requests() {
	grep -c "\"GET $1 HTTP" "$CONF/nginx/access.log" || true
}
# expect N: the manifest and its signature were each fetched N times
expect() {
	m=$(requests /s1.manifest) s=$(requests /s1.manifest.sig)
	[ "$m" = "$1" ] && [ "$s" = "$1" ] ||
		fail "$2: the manifest fetched $m times, its signature $s times; expected $1"
	echo "$2: manifest and signature fetched once more each ($1 in all)"
}

A restart s1 2>"$CONF/err" || fail "restart s1: $(cat "$CONF/err")"
expect 1 "restart s1"
A down -q || fail "down"
A up -q || fail "up with a remote manifest"
expect 2 "up"

# the check before render still verifies: an edit inside s1 is refused,
# from the one fetch
A exec -T s1 -- sh -c 'echo "PermitRootLogin yes" >/etc/ssh/sshd_config' || fail "exec in s1"
if A restart s1 2>"$CONF/err"; then fail "restart accepted a tampered s1"; fi
grep_q "s1.rt.test: integrity: /etc/ssh/sshd_config: digest mismatch (before render)" \
	"$CONF/err" || fail "restart said: $(cat "$CONF/err")"
expect 3 "a refused restart"
exit 0
