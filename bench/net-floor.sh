#!/bin/bash
# The kernel's floor under bench/net-updown.sh's teardown, without apomon:
#
#   bench/net-floor.sh [N]     (root; default N: 1000; B=bridges)
#
#   - one bridge with N veth ports (both ends in the host namespace, no
#     namespace at all), deleted with one link-group request: each
#     port's removal waits for an expedited RCU grace period
#     (del_nbp -> netdev_rx_handler_unregister -> synchronize_net), one
#     after the other under RTNL;
#   - the same N ports released one by one (`nomaster`), then the N veth
#     pairs, no longer ports, deleted with one group request;
#   - N `netns add`, then N `netns delete`, each from one `ip -batch`;
#   - B bridges without ports (default 10, net-updown.sh's clusters),
#     one group delete: each bridge's ndo_uninit waits for a normal RCU
#     grace period or two under RTNL (br_multicast_dev_del's rcu_barrier,
#     br_vlan_flush's synchronize_rcu), one bridge after the other.
# Objects are named flbr*, fla*, flb*, flns* in link group 4242.
set -u
n=${1:-1000}
bridges=${B:-10}
group=4242
[ "$(id -u)" = 0 ] || { echo "bench/net-floor.sh: needs root" >&2; exit 77; }
tmp=$(mktemp -d /tmp/apomon-bench-floor.XXXXXX)
cleanup() {
	ip link del group "$group" 2>/dev/null
	for i in $(seq "$n"); do echo "netns delete flns$i"; done | ip -force -batch - 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
now() { date +%s%N; }
ms() { echo $((($2 - $1) / 1000000)); }

{
	echo "link add flbr0 group $group type bridge mcast_snooping 0"
	for i in $(seq "$n"); do
		echo "link add fla$i group $group master flbr0 numtxqueues 1 numrxqueues 1 type veth peer name flb$i group $group numtxqueues 1 numrxqueues 1"
	done
} >"$tmp/up.batch"
for i in $(seq "$n"); do echo "link set fla$i nomaster"; done >"$tmp/nomaster.batch"
for i in $(seq "$n"); do echo "netns add flns$i"; done >"$tmp/ns-add.batch"
for i in $(seq "$n"); do echo "netns delete flns$i"; done >"$tmp/ns-del.batch"

ip -batch "$tmp/up.batch" || exit 1
t0=$(now); ip link del group "$group" || exit 1; t1=$(now)
echo "bridge with $n veth ports, one group delete:          $(ms "$t0" "$t1") ms"
ip -batch "$tmp/up.batch" || exit 1
t0=$(now); ip -batch "$tmp/nomaster.batch" || exit 1; t1=$(now)
ip link del group "$group" || exit 1; t2=$(now)
echo "the $n ports released one by one (nomaster):          $(ms "$t0" "$t1") ms"
echo "then $n veth pairs, not ports, one group delete:      $(ms "$t1" "$t2") ms"
t0=$(now); ip -batch "$tmp/ns-add.batch" || exit 1; t1=$(now)
ip -batch "$tmp/ns-del.batch" || exit 1; t2=$(now)
echo "$n netns add (one ip -batch):                         $(ms "$t0" "$t1") ms"
echo "$n netns delete (one ip -batch):                      $(ms "$t1" "$t2") ms"
for i in $(seq "$bridges"); do echo "link add flbr$i group $group type bridge mcast_snooping 0"; done |
	ip -batch - || exit 1
t0=$(now); ip link del group "$group" || exit 1; t1=$(now)
echo "$bridges bridges without ports, one group delete:         $(ms "$t0" "$t1") ms"
echo "($(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg), kernel $(uname -r))"
