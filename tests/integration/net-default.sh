#!/bin/sh
# The repository's default topology, as far as its station types exist
# (the enabled stations are of type base): up, TCP from the host to each
# station and between the clusters, status, down.  Run as environment
# net-default: its namespaces are named after the default FQDNs; one that
# exists already is a leak (or a default environment left up), a failure.
. "${top_srcdir:?}/tests/integration/lib.sh" || exit 99
. "$APOMON_SRCDIR/tests/integration/net-lib.sh"

A="$APOMON -c $APOMON_SRCDIR -e net-default"
tmp=$(mktemp -d /tmp/apomon-net-default.XXXXXX) || fail mktemp
trap '$A down --quiet; rm -rf "$tmp"' EXIT
net_names "$APOMON_SRCDIR -e net-default" "$tmp/names"
for ns in $(jq -r '.stations[].netns' "$tmp/names.json"); do
	if [ -e "/run/netns/$ns" ]; then
		trap 'rm -rf "$tmp"' EXIT
		fail "/run/netns/$ns exists before up: left behind, or the default environment is up on this machine"
	fi
done

$A up --network-only >"$tmp/out" 2>"$tmp/err" || fail "up exited $?: $(cat "$tmp/err")"
bb=$(jq -r '.stations[] | select(.role == "backbone") | .netns' "$tmp/names.json")
jq -r '.stations[] | .netns as $ns | .ifaces[] | select(.kind != "p2p") | .addresses[] |
	"\($ns) \(split("/")[0])"' "$tmp/names.json" >"$tmp/addrs"
[ -s "$tmp/addrs" ] || fail "no addresses in the plan"
while read -r ns addr; do
	tcp_ok "$ns" "$addr" 7201 -
	tcp_ok "$ns" "$addr" 7202 "$bb"
done <"$tmp/addrs"
# between the clusters' stations (through the backbone)
jq -r '.stations[] | select(.role != "backbone") | "\(.netns) \(.ifaces[0].addresses[0] | split("/")[0])"' \
	"$tmp/names.json" >"$tmp/members"
while read -r ns addr; do
	while read -r other _; do
		[ "$other" = "$ns" ] || tcp_ok "$ns" "$addr" 7203 "$other"
	done <"$tmp/members"
done <"$tmp/members"
$A status >"$tmp/st" || fail "status: $(cat "$tmp/st")"
$A down --quiet || fail "down exited $?"
net_assert_clean net-default "$tmp/names"
echo PASS
