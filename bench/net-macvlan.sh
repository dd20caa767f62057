#!/bin/bash
# What a station's link costs the kernel as a veth on the cluster's
# bridge (apomon's) against a macvlan in bridge mode on that bridge as its
# lower device, with iproute2 alone:
#
#   bench/net-macvlan.sh [N]     (root; default N: 1000)
#
# N namespaces over 10 bridges, one link each made inside its namespace
# (one `ip -batch`), then one group delete of the bridges and their links.
# A bridge port's removal waits for an expedited RCU grace period (its rx
# handler goes, bench/net-floor.sh); macvlans register one rx handler per
# lower device.  Objects are named mvbr*, mva*, mvm*, mvns* in link group
# 4244.  Both ways alternate, twice.
set -u
n=${1:-1000}
group=4244
[ "$(id -u)" = 0 ] || { echo "bench/net-macvlan.sh: needs root" >&2; exit 77; }
cleanup() {
	ip link del group $group 2>/dev/null
	for i in $(seq "$n"); do echo "netns delete mvns$i"; done | ip -force -batch - 2>/dev/null
}
trap cleanup EXIT
ms() { echo $(($(date +%s%N) / 1000000)); }

run() {
	local mode=$1 t0 t1 t2
	{
		for b in $(seq 0 9); do
			echo "link add mvbr$b group $group type bridge mcast_snooping 0"
			echo "link set mvbr$b up"
		done
		for i in $(seq "$n"); do echo "netns add mvns$i"; done
	} | ip -batch - || exit 1
	t0=$(ms)
	for i in $(seq "$n"); do
		if [ "$mode" = veth ]; then
			echo "link add mva$i group $group up master mvbr$((i % 10)) numtxqueues 1" \
				"numrxqueues 1 type veth peer name eth0 numtxqueues 1 numrxqueues 1 netns mvns$i"
		else
			echo "link add link mvbr$((i % 10)) name mvm$i netns mvns$i type macvlan mode bridge"
		fi
	done | ip -batch - || exit 1
	t1=$(ms)
	ip link del group $group
	t2=$(ms)
	for i in $(seq "$n"); do echo "netns delete mvns$i"; done | ip -batch -
	printf '%-8s %6d links made in %5d ms, deleted with their bridges in %5d ms\n' \
		"$mode" "$n" $((t1 - t0)) $((t2 - t1))
}
for round in 1 2; do
	run veth
	run macvlan
done
echo "($(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg), kernel $(uname -r))"
