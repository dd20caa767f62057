#!/bin/sh
# The host is closed to stations: real listeners on the
# host (on the host link's address, on 0.0.0.0 and on 127.0.0.1) and real
# connects from stations' namespaces.  Allowed: a port in host_services.
# Refused (2 s bound): any other port, from every cluster, the backbone
# and over the host link.  The same connects succeed with the guard's
# chain flushed: the test fails without the filter.  The rule for
# 127.0.0.0/8 has a test of its own, net-host-loopback.sh (it needs
# route_localnet on the host link and a namespace routing 127/8 out).
. "${top_srcdir:?}/tests/integration/lib.sh" || exit 99
. "$APOMON_SRCDIR/tests/integration/net-lib.sh" || exit 99
command -v python3 >/dev/null || { echo "SKIP: no python3" >&2; exit 77; }

env=net-guard
tmp=$(mktemp -d /tmp/apomon-net-guard.XXXXXX) || fail "mktemp"
c=$tmp/conf
cp -r "$APOMON_SRCDIR/tests/fixtures/net-three" "$c"
printf 'host_services = [ "tcp/18931", "udp/18932" ];\n' >>"$c/apomon.conf"
net_names "$c -e $env" "$tmp/names"
lpid=
cleanup() {
	[ -z "$lpid" ] || kill "$lpid" 2>/dev/null
	"$APOMON" -e "$env" -c "$c" down --quiet >/dev/null 2>&1
	rm -rf "$tmp"
}
trap cleanup EXIT

"$APOMON" -e "$env" -c "$c" up --network-only --quiet >"$tmp/up" 2>&1 ||
	fail "up exited $?: $(cat "$tmp/up")"
nft list table inet "apomon-$env" >/dev/null || fail "no guard table inet apomon-$env"
host=10.231.255.1   # the host's end of the host link (plan: .host.address)
bb=bb.net3.test

# tcp NS ADDR PORT: 0 when a connect from NS to ADDR:PORT is answered
# within 2 s (the host listens with tcp-pair's own server on ADDR)
tcp() {
	"$NET_TCP_PAIR" - "$2" "$3" "$1" 2000 >/dev/null 2>&1
}
# any NS ADDR PORT: connect to the listener on 0.0.0.0
any() {
	ip netns exec "$1" python3 -c 'import socket,sys
socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=2).close()' "$2" "$3" 2>/dev/null
}
python3 -c 'import socket,time
s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("0.0.0.0", 18933)); s.listen(64)
while True: s.accept()[0].close()' &
lpid=$!
# ready when the host itself connects
i=0
until python3 -c 'import socket; socket.create_connection(("127.0.0.1", 18933), 1).close()' 2>/dev/null; do
	i=$((i + 1)); [ $i -lt 50 ] || fail "the 0.0.0.0 listener did not start"
	python3 -c 'import time; time.sleep(0.1)'
done

check() { # WANT(ok|refused) WHAT CMD...
	want=$1 what=$2
	shift 2
	if "$@"; then got=ok; else got=refused; fi
	[ "$got" = "$want" ] || fail "$what: $got, expected $want"
}
for ns in a1.lan.net3.test p1.pub.net3.test m2.dmz.net3.test $bb; do
	check ok "$ns -> host $host:18931 (host_services)" tcp "$ns" $host 18931
	check refused "$ns -> host $host:18934" tcp "$ns" $host 18934
	check refused "$ns -> host 0.0.0.0 listener via $host:18933" any "$ns" $host 18933
done
# the host itself is not affected: loopback and its own address on the link
check ok "host -> 127.0.0.1:18934" tcp - 127.0.0.1 18934
check ok "host -> $host:18934" tcp - $host 18934

# without the guard the same attacks succeed: this test can fail
nft flush chain inet "apomon-$env" from_stations
check ok "(guard flushed) a1 -> host $host:18934" tcp a1.lan.net3.test $host 18934
check ok "(guard flushed) p1 -> host 0.0.0.0 listener" any p1.pub.net3.test $host 18933
check ok "(guard flushed) backbone -> host $host:18934" tcp $bb $host 18934

"$APOMON" -e "$env" -c "$c" down --quiet >"$tmp/down" 2>&1 || fail "down exited $?: $(cat "$tmp/down")"
! nft list table inet "apomon-$env" >/dev/null 2>&1 || fail "down left table inet apomon-$env"
net_assert_clean "$env" "$tmp/names"
echo "PASS: net-host-guard"
