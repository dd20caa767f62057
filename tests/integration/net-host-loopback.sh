#!/bin/sh
# Stations cannot reach the host's 127.0.0.0/8: real
# listeners on the host's 127.0.0.1 and 127.0.0.2, real connects from the
# backbone and from a station (through the backbone, its router), refused;
# the same connects get through once the guard's chain is flushed, so the
# test can fail.
#
# Why an earlier attempt could not fail: a packet for 127.0.0.0/8 never
# leaves a namespace by itself (its local table sends it to its own lo),
# and a host interface drops one arriving for 127.0.0.0/8 as a martian
# unless route_localnet is 1 on it.  apomon sets route_localnet=1 on the
# host link whenever the config publishes a port (so that 127.0.0.1 can
# reach published stations), and the backbone's root keeps CAP_NET_RAW:
# it can put a frame for 127.0.0.1 on the host link with a packet socket,
# no route needed.  That pair is the real exposure, and what this test
# sets up on purpose.  The attacker's side, played here with routes (the
# same packets, and a whole TCP connection without writing a TCP stack in
# a packet socket), as root in the backbone's and the station's own
# namespaces: 127.0.0.0/8 sent to the next hop instead of lo,
# route_localnet=1 so that replies from 127.x are no martians there.  The
# host's side is what apomon does: route_localnet=1 on the host link.
# Then only the guard's `ip daddr 127.0.0.0/8 drop` stands between the
# stations and the host's loopback services.
. "${top_srcdir:?}/tests/integration/lib.sh" || exit 99
. "$APOMON_SRCDIR/tests/integration/net-lib.sh" || exit 99
command -v python3 >/dev/null || { echo "SKIP: no python3" >&2; exit 77; }

env=net-lo
tmp=$(mktemp -d /tmp/apomon-net-lo.XXXXXX) || fail "mktemp"
c=$tmp/conf
cp -r "$APOMON_SRCDIR/tests/fixtures/net-three" "$c"
net_names "$c -e $env" "$tmp/names"
pids=
cleanup() {
	for p in $pids; do kill "$p" 2>/dev/null; done
	"$APOMON" -e "$env" -c "$c" down --quiet >/dev/null 2>&1
	rm -rf "$tmp"
}
trap cleanup EXIT

"$APOMON" -e "$env" -c "$c" up --network-only --quiet >"$tmp/up" 2>&1 ||
	fail "up exited $?: $(cat "$tmp/up")"
nft list chain inet "apomon-$env" from_stations >/dev/null || fail "no guard chain"
host=10.231.255.1 # the host's end of the host link
bb=bb.net3.test
st=p1.pub.net3.test # its default route is the backbone
port=18941

# listen ADDR: a real listener on the host, ready once its port is bound
# and listening (it says so through a FIFO)
listen() {
	mkfifo "$tmp/ready.$1"
	python3 -c 'import socket,sys
s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((sys.argv[1], int(sys.argv[2]))); s.listen(64)
print("ok", flush=True)
while True: s.accept()[0].close()' "$1" $port >"$tmp/ready.$1" &
	pids="$pids $!"
	read -r _ <"$tmp/ready.$1" || fail "no listener on $1:$port"
}
listen 127.0.0.1
listen 127.0.0.2

# what apomon does when the config publishes a port
hostif=$(jq -r .host.iface "$tmp/names.json")
[ -n "$hostif" ] || fail "no host link in the plan"
sysctl -qw "net.ipv4.conf.$hostif.route_localnet=1" || fail "route_localnet on $hostif"

# steer NS GW: NS sends 127.0.0.0/8 to GW instead of its own lo
steer() {
	dev=$(ip -n "$1" -o route get "$2" | sed -n 's/.* dev \([^ ]*\).*/\1/p')
	[ -n "$dev" ] || fail "$1: no route to $2"
	ip -n "$1" rule add pref 100 lookup local &&
		ip -n "$1" rule del pref 0 &&
		ip -n "$1" rule add pref 10 to 127.0.0.0/8 lookup 231 &&
		ip -n "$1" route add default via "$2" dev "$dev" table 231 &&
		ip netns exec "$1" sysctl -qw net.ipv4.conf.all.route_localnet=1 ||
		fail "$1: cannot route 127.0.0.0/8 to $2"
}
steer $bb $host
router=$(ip -n $st -o route show default | sed -n 's/.* via \([^ ]*\).*/\1/p')
[ -n "$router" ] || fail "$st has no default route"
steer $st "$router"

# conn NS ADDR: 0 when a connection from NS to ADDR:port is accepted (2 s)
conn() {
	ip netns exec "$1" python3 -c 'import socket,sys
socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=2).close()' "$2" $port 2>/dev/null
}
check() { # WANT(ok|refused) NS ADDR
	if conn "$2" "$3"; then got=ok; else got=refused; fi
	[ "$got" = "$1" ] || fail "$2 -> host $3:$port: $got, expected $1"
	echo "$2 -> host $3:$port: $got"
}
# the host itself still reaches both
for a in 127.0.0.1 127.0.0.2; do
	python3 -c 'import socket,sys
socket.create_connection((sys.argv[1], int(sys.argv[2])), 2).close()' $a $port ||
		fail "the host cannot reach its own $a:$port"
done

for a in 127.0.0.1 127.0.0.2; do
	check refused $bb $a
	check refused $st $a
done
drops=$(nft list chain inet "apomon-$env" from_stations | grep -c 'ip daddr 127.0.0.0/8 drop')
[ "$drops" = 1 ] || fail "the guard has no 127.0.0.0/8 rule"

# without the guard the same connects get through: this test can fail
nft flush chain inet "apomon-$env" from_stations
for a in 127.0.0.1 127.0.0.2; do
	check ok $bb $a
	check ok $st $a
done

"$APOMON" -e "$env" -c "$c" down --quiet >"$tmp/down" 2>&1 || fail "down exited $?: $(cat "$tmp/down")"
net_assert_clean "$env" "$tmp/names"
echo "PASS: net-host-loopback"
