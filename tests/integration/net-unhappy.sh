#!/bin/sh
# Unhappy paths of `up`: an address already used on the host, a name
# taken in /run/netns, and a kernel refusal in the middle of `up` (a
# link of a planned name that is not ours).  Each exits 1 naming the step
# and the object, and leaves nothing of the environment -- while the
# objects that were there before (not ours) are left alone.
. "${top_srcdir:?}/tests/integration/lib.sh" || exit 99
. "$APOMON_SRCDIR/tests/integration/net-lib.sh"

tmp=$(mktemp -d /tmp/apomon-net-unhappy.XXXXXX) || fail mktemp
conf=$tmp/conf
A="$APOMON -c $conf"
cleanup() {
	$A down --quiet
	$A -e nu-other down --quiet
	ip link del netu-d0 2>/dev/null
	ip netns del s1.c1.net-unhappy.test 2>/dev/null
	[ -n "${taken:-}" ] && ip link del "$taken" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
net_gen "$conf" net-unhappy 8 2 234
net_names "$conf" "$tmp/names"

# 1. an address of a station is already the host's
ip link add netu-d0 type bridge || fail "test link"
ip addr add 10.234.0.11/32 dev netu-d0
$A up --network-only >"$tmp/out" 2>"$tmp/err"
[ $? -eq 1 ] || fail "up with a host address taken: expected exit 1"
grep -qx "apomon: up: address 10.234.0.11 (s2.c0.net-unhappy.test eth0): already used on the host (dev netu-d0): Address already in use" "$tmp/err" ||
	fail "up said: $(cat "$tmp/err")"
net_assert_clean net-unhappy "$tmp/names"
ip link show netu-d0 >/dev/null 2>&1 || fail "the host's link went"
ip link del netu-d0

# 2. a station's name is taken in /run/netns
ip netns add s1.c1.net-unhappy.test || fail "ip netns add"
$A up --network-only >"$tmp/out" 2>"$tmp/err"
[ $? -eq 1 ] || fail "up with a namespace name taken: expected exit 1"
grep -qx "apomon: up: namespace s1.c1.net-unhappy.test: /run/netns/s1.c1.net-unhappy.test: File exists" "$tmp/err" ||
	fail "up said: $(cat "$tmp/err")"
[ -e /run/netns/s1.c1.net-unhappy.test ] || fail "the namespace that was there went"
ip netns del s1.c1.net-unhappy.test
net_assert_clean net-unhappy "$tmp/names"

# 2b. taken by a station of another environment that is up: the message
# names it, and that environment is left running
$A up --network-only --quiet || fail "up of net-unhappy"
$A -e nu-other up --network-only >"$tmp/out" 2>"$tmp/err"
[ $? -eq 1 ] || fail "up of a second environment with the same stations: expected exit 1"
grep -qx "apomon: up: namespace [^ ]*: environment 'net-unhappy' has a station of that FQDN (/run/netns/[^ ]*): File exists" \
	"$tmp/err" || fail "up said: $(cat "$tmp/err")"
$A status --quiet || fail "net-unhappy is not as it was: $($A status)"
$A down --quiet || fail "down of net-unhappy"
net_assert_clean net-unhappy "$tmp/names"

# 3. the kernel refuses in the middle: the last station's host-side link
# name is taken, so switches, namespaces and other links exist by then
taken=$(jq -r '.stations[-1].ifaces[0].host_end' "$tmp/names.json")
last=$(jq -r '.stations[-1].netns' "$tmp/names.json")
ip link add "$taken" type bridge || fail "test link"
$A up --network-only >"$tmp/out" 2>"$tmp/err"
[ $? -eq 1 ] || fail "up with a link name taken: expected exit 1"
{ grep -qx "apomon: up: link $taken ($last eth0): File exists" "$tmp/err" &&
	grep -qx "apomon: up: rolled back: nothing of environment .net-unhappy. is left" "$tmp/err"; } ||
	fail "up said: $(cat "$tmp/err")"
ip link show "$taken" >/dev/null 2>&1 || fail "the rollback removed $taken, which was not ours"
grep -v "^$taken\$" "$tmp/names" >"$tmp/ours"
net_assert_clean net-unhappy "$tmp/ours"
ip link del "$taken"
taken=

# and with nothing in the way it works, and goes
$A up --network-only --quiet || fail "up exited $?"
$A status >/dev/null || fail "status exited $?"
$A down --quiet || fail "down exited $?"
net_assert_clean net-unhappy "$tmp/names"
echo PASS
