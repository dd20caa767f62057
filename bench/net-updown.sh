#!/bin/bash
# Benchmark: `apomon up --network-only`/`down`, the network alone, against the same
# namespaces, bridges, veth pairs, addresses and routes built with
# iproute2 from one `ip -batch` process and torn down the same way.
#
#   bench/net-updown.sh [BUILDDIR] [N...]     (root; default N: 100 500 1000)
#
# N `base` stations over 10 clusters with a backbone, from one generated
# config; the ip script is generated from the same plan (apomon plan
# --json), so both build exactly the same objects:
#   - one `ip -batch` process: netns add, bridges (multicast snooping
#     off, as apomon makes them), veths (one queue each way, as apomon's)
#     with the station
#     end created directly in its namespace (`peer ... netns NS`, the same
#     cheap operation apomon uses), the host link and routes; inside each
#     station one `ip -batch` (via netns exec: ip cannot address a
#     namespace per line) sets loopback and links up, adds the addresses
#     and the default route;
#   - teardown: one `ip -batch`: netns delete, bridges deleted; the
#     kernel then frees the veths asynchronously, so "down, gone" also
#     waits until they are (apomon's down returns when they are gone);
#   - and the same objects torn down apomon's own way ("ip group"): the
#     bridges and host ends are made in link group 4246, and one
#     `ip -batch` deletes the group with one request, then the
#     namespaces.  The same kernel work as apomon's `down`: its ratio
#     shows what of the first ratio is ip's order of requests.
# Each cell is the median of $REPS runs (default 3); the ratio is
# ip / apomon (> 1: apomon is faster).
set -u
builddir=$(cd "${1:-.}" && pwd)
shift || true
sizes=${*:-100 500 1000}
reps=${REPS:-3}
srcdir=$(cd "$(dirname "$0")/.." && pwd)
apomon="$builddir/apomon"
[ "$(id -u)" = 0 ] || { echo "bench/net-updown.sh: needs root" >&2; exit 77; }
[ -x "$apomon" ] || { echo "bench/net-updown.sh: build apomon first ($apomon)" >&2; exit 1; }
command -v jq >/dev/null || { echo "bench/net-updown.sh: needs jq" >&2; exit 1; }
export APOMON_PLUGIN_PATH="$builddir/plugins/base/.libs"
. "$srcdir/bench/net-gen.sh"

tmp=$(mktemp -d /tmp/apomon-bench-net.XXXXXX)
env=net-bench
# the link group of ip's bridges and host ends, for its one-request teardown
IP_GROUP=4246
cleanup() {
	"$apomon" -c "$tmp/conf" down --quiet 2>/dev/null
	[ -f "$tmp/down.batch" ] && ip -force -batch "$tmp/down.batch" 2>/dev/null
	ip link del group $IP_GROUP 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT

now() { date +%s%N; }
ms() { echo $((($2 - $1) / 1000000)); }
median() { tr ' ' '\n' | grep . | sort -n | awk '{a[NR]=$1} END {print a[int((NR + 1) / 2)]}'; }

# the host-side veths of the plan are gone (a real probe of the kernel)
wait_gone() {
	while ip -o link show type veth | grep -q -F -f "$tmp/hostends"; do :; done
}

gen_ip() {
	local plan=$1
	jq -r '.stations[].netns | "netns add \(.)"' "$plan"
	jq -r --arg g "$IP_GROUP" '.switches[].name | "link add \(.) group \($g) type bridge mcast_snooping 0\nlink set \(.) up"' "$plan"
	jq -r --arg g "$IP_GROUP" '.stations[] | .netns as $ns | .ifaces[] | select(.kind == "switch") |
		"link add \(.host_end) up master \(.switch) group \($g) numtxqueues 1 numrxqueues 1 type veth peer name \(.name) numtxqueues 1 numrxqueues 1 netns \($ns)"' "$plan"
	jq -r --arg g "$IP_GROUP" '.stations[] | .netns as $ns | .ifaces[] | select(.kind == "host") |
		"link add \(.host_end) up group \($g) numtxqueues 1 numrxqueues 1 type veth peer name \(.name) numtxqueues 1 numrxqueues 1 netns \($ns)"' "$plan"
	jq -r '"addr add \(.host.address) dev \(.host.iface)"' "$plan"
	jq -r --arg d "$tmp/ns" '.stations[].netns | "netns exec \(.) ip -batch \($d)/\(.).batch"' "$plan"
	jq -r '.host.routes[] | "route add \(.dst) via \(.via) dev \(.dev)"' "$plan"
	mkdir -p "$tmp/ns"
	jq -c '.stations[]' "$plan" | while IFS= read -r st; do
		ns=$(jq -r .netns <<<"$st")
		jq -r '"link set lo up",
			(.ifaces[] | "link set \(.name) up", (.addresses[] as $a | "addr add \($a) dev \(.name)")),
			(.routes[]? | "route add \(.dst) via \(.via) dev \(.dev)")' <<<"$st" >"$tmp/ns/$ns.batch"
	done
}

printf '%-6s | %-10s %-10s %-7s | %-10s %-10s %-15s %-7s | %-15s %-7s\n' \
	N "apomon up" "ip up" ratio "apomon down" "ip down" "ip down, gone" ratio \
	"ip group, gone" ratio
for n in $sizes; do
	rm -rf "$tmp/conf"
	net_gen "$tmp/conf" "$env" "$n" 10 240
	"$apomon" -c "$tmp/conf" plan --json >"$tmp/plan.json" || exit 1
	gen_ip "$tmp/plan.json" >"$tmp/up.batch"
	jq -r '.stations[].netns | "netns delete \(.)"' "$tmp/plan.json" >"$tmp/down.batch"
	jq -r '.switches[].name | "link delete \(.)"' "$tmp/plan.json" >>"$tmp/down.batch"
	jq -r '.stations[].ifaces[] | .host_end // empty' "$tmp/plan.json" >"$tmp/hostends"
	# the other teardown: apomon's own way, one group request, then the
	# namespaces (their loopbacks die in cleanup_net)
	{
		echo "link delete group $IP_GROUP"
		jq -r '.stations[].netns | "netns delete \(.)"' "$tmp/plan.json"
	} >"$tmp/down-group.batch"
	au="" ad="" iu="" id="" ig="" gg=""
	for _ in $(seq "$reps"); do
		t0=$(now); "$apomon" -c "$tmp/conf" up --network-only --quiet || exit 1; t1=$(now)
		"$apomon" -c "$tmp/conf" down --quiet || exit 1; t2=$(now)
		au="$au $(ms "$t0" "$t1")" ad="$ad $(ms "$t1" "$t2")"
		t0=$(now); ip -batch "$tmp/up.batch" || exit 1; t1=$(now)
		ip -batch "$tmp/down.batch" || exit 1; t2=$(now)
		wait_gone; t3=$(now)
		iu="$iu $(ms "$t0" "$t1")" id="$id $(ms "$t1" "$t2")" ig="$ig $(ms "$t1" "$t3")"
		ip -batch "$tmp/up.batch" || exit 1; t1=$(now)
		ip -batch "$tmp/down-group.batch" || exit 1
		wait_gone; t3=$(now)
		gg="$gg $(ms "$t1" "$t3")"
	done
	au=$(median <<<"$au") ad=$(median <<<"$ad") iu=$(median <<<"$iu")
	id=$(median <<<"$id") ig=$(median <<<"$ig") gg=$(median <<<"$gg")
	printf '%-6s | %-10s %-10s %-7s | %-11s %-10s %-15s %-7s | %-15s %-7s\n' "$n" "$au ms" \
		"$iu ms" "$(awk -v a="$au" -v b="$iu" 'BEGIN {printf "%.1fx", b / (a ? a : 1)}')" \
		"$ad ms" "$id ms" "$ig ms" \
		"$(awk -v a="$ad" -v b="$ig" 'BEGIN {printf "%.1fx", b / (a ? a : 1)}')" \
		"$gg ms" "$(awk -v a="$ad" -v b="$gg" 'BEGIN {printf "%.1fx", b / (a ? a : 1)}')"
done
echo "(ratios: ip / apomon; down ratios against ip's down until its veths are gone:" \
	"netns delete then the bridges, and \"ip group\": one link-group delete then netns" \
	"delete, apomon's own way; median of $reps runs; $(nproc) CPUs," \
	"load $(cut -d' ' -f1-3 /proc/loadavg))"
