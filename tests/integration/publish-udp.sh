#!/bin/sh
# Published ports beyond TCP's happy path, on one base station (fixture
# tests/fixtures/publish-udp: udp 31720 -> u1:5353, tcp 31721 -> u1:8080):
# - a host port a host program already holds: `up` refused with one line
#   naming the port and the station, nothing of the environment left;
# - UDP: a real UDP client on the host (127.0.0.1:31720) gets the answer
#   of a server in the station;
# - SIGKILL of `up` in its publish phase (at its intent, and once made):
#   `down` removes
#   the nft tables and the host link whose route_localnet `up` set, and
#   the host's own route_localnet settings are as they were.
. "${top_srcdir:?}/tests/integration/lib.sh" || exit 99
. "$APOMON_SRCDIR/tests/integration/net-lib.sh"
. "$APOMON_SRCDIR/tests/integration/env-lib.sh"
set -u
ENV=pubudp
NS=u1.pubudp.test
command -v socat >/dev/null || fail "socat is not installed (tools/install-deps installs it)"
env_test "$APOMON_SRCDIR/tests/fixtures/publish-udp" pubudp
net_names "$CONF" "$tmp/names"
iface=$(jq -r .host.iface "$tmp/names.json")
localnet() { cat /proc/sys/net/ipv4/conf/all/route_localnet /proc/sys/net/ipv4/conf/lo/route_localnet; }
localnet >"$tmp/localnet.before"

# bounded poll: PROTO PORT [NS] is bound (ss, in the namespace when given)
bound() {
	_i=0
	while [ $_i -lt 200 ]; do
		if [ -n "${3:-}" ]; then
			_s=$(ip netns exec "$3" ss -Hln"$1" "sport = :$2") || fail "ss in $3"
		else
			_s=$(ss -Hln"$1" "sport = :$2") || fail "ss"
		fi
		[ -n "$_s" ] && return 0
		_i=$((_i + 1))
		sleep 0.02
	done
	fail "nothing bound $1 port $2 ${3:-on the host} after 4 s"
}

# --- a host port already bound: refused before anything is made
socat TCP4-LISTEN:31721,bind=127.0.0.1,reuseaddr - >/dev/null 2>&1 </dev/null &
holder=$!
bound t 31721
if apo up -q 2>"$tmp/err"; then
	kill $holder
	fail "up published 31721 over a host program's listener"
fi
kill $holder
wait $holder 2>/dev/null
[ "$(wc -l <"$tmp/err")" = 1 ] &&
	grep -qx "apomon: up: publish: host port 31721/tcp (published for u1.pubudp.test port 8080): already bound on the host: Address already in use" "$tmp/err" ||
	fail "up said: $(cat "$tmp/err")"
sed 's/^/up refused as expected: /' "$tmp/err"
assert_env_gone "$ENV" "$tmp/names"

# --- UDP through a published port, a real client on the host
apo up -q || fail "up"
# (the table read first: grep -q would close the pipe early, and with
# pipefail nft's SIGPIPE would read as "no rule")
table=$(nft list table ip "apomon-$ENV") || fail "nft list table ip apomon-$ENV"
printf '%s\n' "$table" | grep_q "udp dport 31720 dnat to 10.91.0.11:5353" ||
	fail "no UDP rule: $table"
# one datagram in, one answer out, from a server in the station's network
ip netns exec "$NS" socat -T 10 UDP4-RECVFROM:5353,bind=10.91.0.11 \
	SYSTEM:'read l; echo "u1 got $l"' >/dev/null 2>"$tmp/server.err" &
server=$!
bound u 5353 "$NS"
got=$(echo ping | socat -t 3 -T 3 - UDP4:127.0.0.1:31720 2>"$tmp/client.err") || true
wait $server 2>/dev/null
[ "$got" = "u1 got ping" ] ||
	fail "UDP 127.0.0.1:31720 -> u1:5353: got '$got' ($(cat "$tmp/client.err" "$tmp/server.err"))"
echo "UDP: 127.0.0.1:31720 answered '$got' from u1"
apo down -q || fail "down"
assert_env_gone "$ENV" "$tmp/names"

# --- SIGKILL of up in its publish phase: odd tries at the publish intent
# (the second `intent publish` of the journal, the guard's is the first:
# route_localnet and the table are being made), even tries once they are
# made (the second `done publish`; up often completes first then)
journal=/run/apomon/$ENV/journal
killed=0
try=1
while [ $try -le 10 ] && { [ $killed = 0 ] || [ $try -le 2 ]; }; do
	verb=intent
	[ $((try % 2)) = 0 ] && verb=done
	# apomon itself in the background, not the function apo: a
	# function's $! is its subshell, and SIGKILL to that leaves apomon
	# running (the kill then never hit up, and down found it busy)
	"$APOMON" -c "$CONF" up -q >/dev/null 2>&1 &
	up=$!
	n=0
	while kill -0 $up 2>/dev/null; do
		n=0
		if [ -f $journal ]; then
			while read -r _v _k _rest; do
				[ "$_v $_k" = "$verb publish" ] && n=$((n + 1))
			done <$journal
		fi
		[ $n -ge 2 ] && break
	done
	kill -9 $up 2>/dev/null
	wait $up 2>/dev/null
	if [ $n -ge 2 ] && ! grep -qx complete $journal; then
		killed=$((killed + 1))
		t=absent
		nft list table ip "apomon-$ENV" >/dev/null 2>&1 && t=present
		echo "try $try: up killed at its publish $verb, before it completed (table ip apomon-$ENV $t," \
			"route_localnet on $iface $(cat "/proc/sys/net/ipv4/conf/$iface/route_localnet" 2>/dev/null))"
	else
		echo "try $try: up was not killed at its publish $verb (it completed first)"
	fi
	apo down -q || fail "down after kill -9 (try $try)"
	assert_env_gone "$ENV" "$tmp/names"
	try=$((try + 1))
done
[ $killed -ge 1 ] || fail "in $((try - 1)) tries, up was never killed in its publish phase"
[ ! -e "/proc/sys/net/ipv4/conf/$iface" ] || fail "host link $iface (route_localnet) is left"
localnet | cmp -s - "$tmp/localnet.before" ||
	fail "route_localnet of all/lo changed: $(localnet | tr '\n' ' ') (before: $(tr '\n' ' ' <"$tmp/localnet.before"))"
echo "PASS: a bound host port refuses up; UDP published; kill -9 after publish, down leaves nothing"
