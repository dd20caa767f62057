#!/bin/sh
# An address that moves between stations in a reconcile is announced
# (a gratuitous ARP from its new link): a peer that talked to it before
# sends to the new station at once, not to the old MAC address until its
# neighbour entry goes stale and is probed again (seconds of silence).
# Network only: three base stations, p talks to 10.N.0.50 on x, then .50
# moves to y.
. "${top_srcdir:?}/tests/integration/lib.sh" || exit 99
. "$APOMON_SRCDIR/tests/integration/net-lib.sh"

own_net_number 150 30
D="garp$$.test"
tmp=$(mktemp -d /tmp/apomon-garp.XXXXXX) || fail mktemp
A() { "$APOMON" -c "$tmp/conf" "$@"; }
trap 'A down --quiet; rm -rf "$tmp"' EXIT

# lan X_ADDRESSES Y_ADDRESSES: the cluster's file
lan() {
	cat >"$tmp/conf/conf.d/10-lan.conf" <<EOT
cluster = { name = "lan"; domain = "$D"; network = "10.$N.0.0/24";
  stations = (
    { name = "p"; type = "base"; addresses = ["10.$N.0.10"]; },
    { name = "x"; type = "base"; addresses = [$1]; },
    { name = "y"; type = "base"; addresses = [$2]; }
  );
};
EOT
}
mkdir -p "$tmp/conf/conf.d"
cat >"$tmp/conf/apomon.conf" <<EOT
environment = "net-garp-$$";
backbone = { name = "bb"; domain = "$D"; type = "base"; host_network = "10.253.$N.0/30"; };
EOT
lan "\"10.$N.0.11\", \"10.$N.0.50\"" "\"10.$N.0.12\""
A up --network-only --quiet || fail "up"

mac() { ip -n "$1.$D" -o link show eth0 | sed -n 's/.* link\/ether \([0-9a-f:]*\) .*/\1/p'; }
neigh() { ip -n "p.$D" neigh show 10.$N.0.50 dev eth0 | sed -n 's/.* lladdr \([0-9a-f:]*\) .*/\1/p'; }
mx=$(mac x) my=$(mac y)
[ -n "$mx" ] && [ -n "$my" ] && [ "$mx" != "$my" ] || fail "MAC addresses: x '$mx', y '$my'"

# p talks to .50 on x: its neighbour entry names x
tcp_ok "x.$D" "10.$N.0.50" 7000 "p.$D"
[ "$(neigh)" = "$mx" ] || fail "p's entry for .50 is '$(neigh)', expected x's $mx"

# .50 moves to y; up returns with p's entry already naming y, no traffic
lan "\"10.$N.0.11\"" "\"10.$N.0.12\", \"10.$N.0.50\""
A up --network-only --quiet || fail "up moving .50"
[ "$(neigh)" = "$my" ] || fail "p's entry for .50 still '$(neigh)' after the move (y is $my, x $mx)"
# and p reaches .50 on y
tcp_ok "y.$D" "10.$N.0.50" 7000 "p.$D"

net_names "$tmp/conf" "$tmp/names"
A down --quiet || fail "down"
net_assert_clean "net-garp-$$" "$tmp/names"
echo "PASS: .50 moved from x ($mx) to y ($my), announced"
