#!/bin/sh
# The three-cluster fixture, up for real: TCP with a real connect/accept
# within a cluster, across clusters through the backbone, from the host
# to every station, over the p2p link, with public (documentation-range)
# addresses; the routes are the planned ones, the backbone really
# forwards and members learn no redirect; each veth end has one queue
# each way and no switch snoops multicast; status sees drift; up twice,
# down twice.
. "${top_srcdir:?}/tests/integration/lib.sh" || exit 99
. "$APOMON_SRCDIR/tests/integration/net-lib.sh"

conf="$APOMON_SRCDIR/tests/fixtures/net-three"
A="$APOMON -c $conf"
tmp=$(mktemp -d /tmp/apomon-net-connect.XXXXXX) || fail mktemp
trap '$A down --quiet; rm -rf "$tmp"' EXIT
net_names "$conf" "$tmp/names"

$A up --network-only >"$tmp/out" 2>"$tmp/err" || fail "up exited $?: $(cat "$tmp/err")"
grep -q "^a1.lan.net3.test  *lan  *10.231.1.11/24 198.51.100.201/30  *18081/tcp->8080 .*$" "$tmp/out" ||
	fail "summary: $(cat "$tmp/out")"
grep -q "environment 'net-three' is up" "$tmp/err" || fail "up said: $(cat "$tmp/err")"

# within a cluster, both addresses of a2
tcp_ok a2.lan.net3.test 10.231.1.12 7101 a1.lan.net3.test
tcp_ok a2.lan.net3.test 10.231.1.13 7102 a1.lan.net3.test
tcp_ok p2.pub.net3.test 203.0.113.71 7103 p1.pub.net3.test
# across clusters: lan -> dmz through gw and the backbone, pub <-> dmz
tcp_ok m1.dmz.net3.test 198.51.100.140 7104 a1.lan.net3.test
tcp_ok a2.lan.net3.test 10.231.1.12 7105 m2.dmz.net3.test
tcp_ok p1.pub.net3.test 203.0.113.70 7106 m2.dmz.net3.test
# the p2p link
tcp_ok m1.dmz.net3.test 198.51.100.202 7107 a1.lan.net3.test
tcp_ok a1.lan.net3.test 198.51.100.201 7108 m1.dmz.net3.test
# the host reaches every station's every address directly
jq -r '.stations[] | .netns as $ns | .ifaces[] | select(.kind != "p2p") | .addresses[] |
	"\($ns) \(split("/")[0])"' "$tmp/names.json" >"$tmp/addrs"
[ "$(wc -l <"$tmp/addrs")" -eq 12 ] || fail "expected 12 addresses: $(cat "$tmp/addrs")"
while read -r ns addr; do
	tcp_ok "$ns" "$addr" 7110 -
done <"$tmp/addrs"

# every veth end (host side and station side) has one queue each way, as
# created: the kernel would otherwise make one per CPU and trim them,
# an RCU grace period per end (netlink.c)
hend=$(jq -r '.stations[0].ifaces[0].host_end' "$tmp/names.json")
for q in "$(ip -d link show "$hend")" "$(ip -n a1.lan.net3.test -d link show eth0)"; do
	echo "$q" | grep_q "numtxqueues 1 numrxqueues 1 " || fail "veth queues: $q"
done
# and each switch snoops no multicast (it floods it, as a LAN without a
# querier does): nothing to set up or tear down per port
for sw in $(jq -r '.switches[].name' "$tmp/names.json"); do
	ip -d link show "$sw" | grep_q "mcast_snooping 0 " || fail "$sw snoops multicast"
done

# the routes are the planned ones
r() { ip -n "$1" -4 route show proto static; }
[ "$(r a1.lan.net3.test)" = "default via 10.231.1.2 dev eth0 " ] || fail "a1 routes: $(r a1.lan.net3.test)"
[ "$(r gw.lan.net3.test)" = "default via 10.231.1.254 dev eth0 " ] || fail "gw routes: $(r gw.lan.net3.test)"
[ "$(r m1.dmz.net3.test)" = "default via 198.51.100.129 dev eth0 " ] || fail "m1 routes: $(r m1.dmz.net3.test)"
[ -z "$(r bb.net3.test)" ] || fail "the backbone has routes beyond its networks: $(r bb.net3.test)"
host_routes=$(ip -4 route show dev "$(jq -r .host.iface "$tmp/names.json")" proto static | sort)
[ "$host_routes" = "$(printf '%s\n' '10.231.1.0/24 via 10.231.255.2 ' '198.51.100.128/26 via 10.231.255.2 ' '203.0.113.64/26 via 10.231.255.2 ')" ] ||
	fail "host routes: $host_routes"
# a member reaches another cluster through its gateway and learnt no
# redirect around it after the traffic above
ip -n a1.lan.net3.test route get 198.51.100.140 | grep_q "via 10.231.1.2 dev eth0" ||
	fail "a1 -> m1 not via gw: $(ip -n a1.lan.net3.test route get 198.51.100.140)"
[ "$(ip netns exec gw.lan.net3.test cat /proc/sys/net/ipv4/conf/all/send_redirects)" = 0 ] ||
	fail "gw sends redirects"
[ "$(ip netns exec a1.lan.net3.test cat /proc/sys/net/ipv4/conf/eth0/forwarding)" = 0 ] ||
	fail "a1 forwards"
# the backbone really forwards: without it, no cross-cluster connection
bbfwd() { ip netns exec bb.net3.test sh -c "for f in /proc/sys/net/ipv4/conf/eth*/forwarding; do echo $1 >\$f; done"; }
[ "$(ip netns exec bb.net3.test cat /proc/sys/net/ipv4/conf/eth1/forwarding)" = 1 ] || fail "the backbone does not forward"
bbfwd 0
"$NET_TCP_PAIR" m1.dmz.net3.test 198.51.100.140 7120 p1.pub.net3.test 1000 >/dev/null 2>&1
rc=$?
bbfwd 1
[ $rc -eq 1 ] || fail "cross-cluster TCP with the backbone not forwarding: exit $rc, expected 1"
tcp_ok m1.dmz.net3.test 198.51.100.140 7121 p1.pub.net3.test

# status: as planned; then drift, named
$A status >"$tmp/st" || fail "status exited $?: $(cat "$tmp/st")"
grep -q "everything matches the plan" "$tmp/st" || fail "status: $(cat "$tmp/st")"
$A status --json | jq -e '.state == "up" and (.drift | length) == 0 and (.stations | length) == 8' >/dev/null ||
	fail "status --json: $($A status --json)"
ip -n a2.lan.net3.test addr add 10.231.1.99/24 dev eth0
ip -n p1.pub.net3.test route add 198.51.100.0/25 via 203.0.113.126
$A status >"$tmp/st"
[ $? -eq 1 ] || fail "status with drift did not exit 1"
grep -q "^drift: a2.lan.net3.test: eth0: unexpected address 10.231.1.99/24$" "$tmp/st" || fail "status: $(cat "$tmp/st")"
grep -q "^drift: p1.pub.net3.test: unexpected route 198.51.100.0/25 via 203.0.113.126 dev eth0$" "$tmp/st" ||
	fail "status: $(cat "$tmp/st")"
ip -n a2.lan.net3.test addr del 10.231.1.99/24 dev eth0
ip -n p1.pub.net3.test route del 198.51.100.0/25
ip -n m2.dmz.net3.test link set eth0 down
$A status --json >"$tmp/st"
[ $? -eq 1 ] || fail "status with a link down did not exit 1"
jq -e '(.drift | index("m2.dmz.net3.test: eth0 is down")) and
	(.drift | index("m2.dmz.net3.test: missing route default via 198.51.100.129 dev eth0"))' "$tmp/st" >/dev/null ||
	fail "status: $(cat "$tmp/st")"
# the kernel dropped the route with the link: repair both
ip -n m2.dmz.net3.test link set eth0 up
ip -n m2.dmz.net3.test route add default via 198.51.100.129 proto static
[ -z "$($A status --quiet)" ] || fail "status --quiet printed something"
$A status --quiet || fail "status after repair"

# up again: says so, changes nothing
$A up --network-only >"$tmp/out" 2>"$tmp/err" || fail "second up exited $?"
grep -q "environment 'net-three' is already up" "$tmp/err" || fail "second up said: $(cat "$tmp/err")"
$A status >/dev/null || fail "the second up changed something"

# a station's namespace removed behind apomon's back: drift, and down
# still removes the rest
ip netns del p2.pub.net3.test
$A status >"$tmp/st"
[ $? -eq 1 ] || fail "status without a namespace did not exit 1"
grep -qx "drift: p2.pub.net3.test: missing namespace /run/netns/p2.pub.net3.test" "$tmp/st" ||
	fail "status: $(cat "$tmp/st")"

$A down 2>"$tmp/err" || fail "down exited $?: $(cat "$tmp/err")"
grep -qx "apomon: environment 'net-three' is down ([0-9]* ms)" "$tmp/err" || fail "down said: $(cat "$tmp/err")"
net_assert_clean net-three "$tmp/names"
$A down 2>"$tmp/err" || fail "second down exited $?"
grep -q "nothing to do" "$tmp/err" || fail "second down said: $(cat "$tmp/err")"
$A status >/dev/null
[ $? -eq 1 ] || fail "status of a down environment should exit 1"
net_assert_clean net-three "$tmp/names"
echo "PASS"
