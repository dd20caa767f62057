#!/bin/bash
# bench/oci-stations.sh [COUNT]: COUNT (default 100) stations of one OCI
# image with apomon (the `oci` type, one cluster) against COUNT times
# `podman run -d` of the same image (imported into podman's storage from
# the same OCI archive with skopeo), in the same run.
#
# The image: a static busybox serving a page with `httpd` on port 8080
# (ExposedPorts 8080/tcp), made here with umoci.  Each side is timed from
# its first command to the moment an HTTP GET of every station's page,
# from the host to the station's own address, has succeeded (apomon's `up`
# returns once its TCP ready checks passed; podman's `run -d` returns
# before the server listens, so its GETs are retried in a tight loop, no
# sleep).  PSS per station: all of a station's processes (apomon-init and
# the server, plus its share of the environment's logger) against all of
# a container's (conmon and the server).  Teardown: `apomon down` against
# `podman rm -f -t 0` of every container (SIGKILL at once: no stop timeout
# counted against podman).  The containers get this shell's nofile limits
# and nproc 4096: podman's defaults (1048576, 4194304) are above the hard
# limits here, which the runtime may not raise without CAP_SYS_RESOURCE.
# And `--runtime runc` (Debian's runc, installed with podman for this):
# crun refuses this host's hybrid cgroup layout (v1 controllers, hugetlb
# on the v2 hierarchy) outright.
#
# podman runs on a CNI network of its own: a bridge made here, no gateway,
# no masquerade, no forwarding (traffic stays between the host and the
# containers), and the script removes all it made: containers, the
# network (its bridge, its leases), the image, podman's storage if it was
# empty before, and any firewall chains CNI made that were not there.
#
# Needs root, podman (not a dependency of apomon: `apt-get install podman`
# to measure; exits 77 without it), umoci, skopeo, busybox (static), and
# a built tree with the base image built (the backbone's).
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/proc-lib.sh"
top=${top_builddir:-$here/..}
APOMON=$top/apomon
N=${1:-100}
[ "$(id -u)" = 0 ] || { echo "oci-stations.sh: needs root" >&2; exit 77; }
for t in podman runc; do
	command -v $t >/dev/null ||
		{ echo "oci-stations.sh: $t not installed: no peer to measure (apt-get install podman runc)" >&2; exit 77; }
done
for t in umoci skopeo busybox curl bc; do
	command -v "$t" >/dev/null || { echo "oci-stations.sh: $t not installed" >&2; exit 77; }
done
[ -x "$APOMON" ] || { echo "oci-stations.sh: build apomon first" >&2; exit 1; }
[ "$N" -ge 1 ] && [ "$N" -le 2000 ] || { echo "oci-stations.sh: COUNT 1..2000" >&2; exit 1; }
export APOMON_INIT=$top/core/runtime/apomon-init
APOMON_PLUGIN_PATH=$(printf '%s:' "$top"/plugins/*/.libs)
export APOMON_PLUGIN_PATH
export APOMON_IMAGES_PATH=$top/images
ENV="bench-oci-$$"
NET=apomon-bench-$$
BR=apobr$$
PIMG=localhost/apomon-bench-web:$$
tmp=$(mktemp -d /tmp/apomon-bench-oci-st.XXXXXX)
ref="oci-archive:$tmp/web.tar:web"
# podman's storage: reset at the end only if this script made it
storage_was_empty=yes
[ -n "$(podman ps -aq 2>/dev/null)$(podman images -q 2>/dev/null)" ] && storage_was_empty=no
iptables-save 2>/dev/null | grep -o '^:[^ ]*' | sort -u >"$tmp/chains-before"

A() { "$APOMON" -c "$tmp/conf" -e "$ENV" "$@"; }
cleanup() {
	A down --purge -q >/dev/null 2>&1
	img=$(cd /var/lib/apomon/images 2>/dev/null && ls -d oci-web.tar-web-* 2>/dev/null | head -1)
	[ -z "$img" ] || "$APOMON" image rm "$img" >/dev/null 2>&1
	ids=$(podman ps -aq --filter "label=apomon-bench=$$" 2>/dev/null)
	[ -z "$ids" ] || podman rm -f -t 0 $ids >/dev/null 2>&1
	rm -f "/etc/cni/net.d/$NET.conflist"
	rm -rf "/var/lib/cni/networks/$NET" # host-local's leases: CNI keeps the directory
	ip link del "$BR" 2>/dev/null
	podman rmi -f "$PIMG" >/dev/null 2>&1
	[ "$storage_was_empty" = no ] || podman system reset -f >/dev/null 2>&1
	# firewall chains CNI made (and left: its firewall plugin never
	# removes CNI-FORWARD / CNI-ADMIN), with the rules that jump to them
	iptables-save 2>/dev/null | grep -o '^:[^ ]*' | sort -u >"$tmp/chains-after"
	for c in $(comm -13 "$tmp/chains-before" "$tmp/chains-after" | tr -d :); do
		case "$c" in CNI-* | NETAVARK-*) ;; *) continue ;; esac
		for tb in filter nat mangle; do
			iptables -t "$tb" -S 2>/dev/null | grep -- "-j $c\$" | sed 's/^-A/-D/' |
				while read -r r; do eval iptables -t "$tb" "$r"; done
			iptables -t "$tb" -F "$c" 2>/dev/null && iptables -t "$tb" -X "$c" 2>/dev/null
		done
	done
	# iptables-nft tables that were not there before and are now empty
	if [ ! -s "$tmp/chains-before" ]; then
		for tb in filter nat mangle; do
			iptables -t "$tb" -S 2>/dev/null | grep -q '^-A' || nft delete table ip "$tb" 2>/dev/null
		done
	fi
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

now() { date +%s.%N; }
elapsed() { echo "$2 - $1" | bc; }
ratio() { echo "scale=2; $1 / $2" | bc; }
# addr I: the I-th station's / container's address in 10.X.0.0/16
addr() { echo "$1.$(($2 / 250)).$(($2 % 250 + 2))"; }

# ---- the image ----
lay=$tmp/lay
{
	umoci init --layout "$lay" && umoci new --image "$lay:web" &&
		umoci unpack --image "$lay:web" "$tmp/b" >/dev/null
} || { echo "oci-stations.sh: umoci failed" >&2; exit 1; }
r=$tmp/b/rootfs
mkdir -p "$r/bin" "$r/www"
cp "$(command -v busybox)" "$r/bin/busybox"
ln -s busybox "$r/bin/sh"
echo hello-bench >"$r/www/index.html"
{
	umoci repack --image "$lay:web" "$tmp/b" &&
		umoci config --image "$lay:web" --config.entrypoint /bin/busybox \
			--config.cmd httpd --config.cmd -f --config.cmd -p --config.cmd 8080 \
			--config.cmd -h --config.cmd /www --config.exposedports 8080/tcp &&
		skopeo copy -q "oci:$lay:web" "$ref" &&
		skopeo copy -q "$ref" "containers-storage:$PIMG"
} >/dev/null || { echo "oci-stations.sh: image not made" >&2; exit 1; }
rm -rf "$tmp/b"
"$APOMON" image import -q "$ref" >/dev/null || { echo "oci-stations.sh: import failed" >&2; exit 1; }
"$APOMON" image build base >/dev/null || exit 1

# ---- apomon ----
mkdir -p "$tmp/conf/conf.d"
cat >"$tmp/conf/apomon.conf" <<EOC
environment = "bench";
plugin_path = [];
backbone = { name = "bb"; domain = "bench.test"; type = "base"; host_network = "10.253.81.0/30"; };
EOC
{
	echo 'cluster = { name = "lan"; domain = "bench.test"; network = "10.81.0.0/16";'
	echo '  stations = ('
	for i in $(seq 1 "$N"); do
		sep=","
		[ "$i" = "$N" ] && sep=""
		echo "    { name = \"s$i\"; type = \"oci\"; image = \"$ref\";" \
			"addresses = [\"$(addr 10.81 "$i")\"]; }$sep"
	done
	echo '  ); };'
} >"$tmp/conf/conf.d/10-lan.conf"

t0=$(now)
A up -q || { echo "oci-stations.sh: apomon up failed" >&2; exit 1; }
for i in $(seq 1 "$N"); do
	curl -sf -o /dev/null --max-time 5 "http://$(addr 10.81 "$i"):8080/index.html" ||
		{ echo "oci-stations.sh: s$i not answering after up" >&2; exit 1; }
done
t1=$(now)
OURS_UP=$(elapsed "$t0" "$t1")
pids=$(for f in /run/apomon/"$ENV"/stations/s*/init; do tree "$(cut -d' ' -f1 "$f")"; done)
OURS_PROCS=$(($(echo "$pids" | wc -w) / N))
OURS_PSS=$(($(pss_kib $pids) / N))
pids=$(for f in /run/apomon/"$ENV"/stations/s*/logger; do [ -f "$f" ] && cut -d' ' -f1 "$f"; done | sort -u)
OURS_PSS=$((OURS_PSS + $(pss_kib $pids) / N))
t1=$(now)
A down -q || { echo "oci-stations.sh: apomon down failed" >&2; exit 1; }
t2=$(now)
OURS_DOWN=$(elapsed "$t1" "$t2")
A down --purge -q >/dev/null 2>&1

# ---- podman ----
LIMITS="--runtime runc --ulimit nofile=$(ulimit -Sn):$(ulimit -Hn) --ulimit nproc=4096:4096"
# podman's network: a CNI bridge that is no gateway and masquerades
# nothing (podman's own bridge networks turn on the host's ip_forward and
# NAT their subnet out), on a bridge made here with the host's address on
# the containers' subnet, so that the host reaches them directly
ip link add "$BR" type bridge && ip addr add 10.82.255.254/16 dev "$BR" && ip link set "$BR" up ||
	{ echo "oci-stations.sh: bridge $BR not made" >&2; exit 1; }
cat >"/etc/cni/net.d/$NET.conflist" <<EOC
{ "cniVersion": "0.4.0", "name": "$NET",
  "plugins": [ { "type": "bridge", "bridge": "$BR", "isGateway": false, "ipMasq": false,
                 "ipam": { "type": "host-local", "ranges": [[ { "subnet": "10.82.0.0/16" } ]] } } ] }
EOC
t0=$(now)
start=$SECONDS
for i in $(seq 1 "$N"); do
	podman run -d -q $LIMITS --label "apomon-bench=$$" --name "apomon-bench-$$-$i" --network "$NET" \
		--ip "$(addr 10.82 "$i")" "$PIMG" >/dev/null ||
		{ echo "oci-stations.sh: podman run $i failed" >&2; exit 1; }
done
for i in $(seq 1 "$N"); do
	a=$(addr 10.82 "$i")
	until curl -sf -o /dev/null --max-time 5 "http://$a:8080/index.html"; do
		[ $SECONDS -lt $((start + 120)) ] ||
			{ echo "oci-stations.sh: container $i ($a) not answering after 120 s" >&2; exit 1; }
	done
done
t1=$(now)
PEER_UP=$(elapsed "$t0" "$t1")
pids=$(podman ps -q --filter "label=apomon-bench=$$" |
	xargs podman inspect --format '{{.State.ConmonPid}}' | while read -r c; do tree "$c"; done)
PEER_PROCS=$(($(echo "$pids" | wc -w) / N))
PEER_PSS=$(($(pss_kib $pids) / N))
t1=$(now)
podman rm -f -t 0 $(podman ps -aq --filter "label=apomon-bench=$$") >/dev/null ||
	{ echo "oci-stations.sh: podman rm failed" >&2; exit 1; }
t2=$(now)
PEER_DOWN=$(elapsed "$t1" "$t2")

printf '%-9s | %-26s | %-26s | %-26s | %s\n' "" "up to all answering (s)" "teardown (s)" \
	"PSS per station (KiB)" "processes each"
printf '%-9s | %8s %8s %8s | %8s %8s %8s | %8s %8s %8s | %s\n' stations apomon podman ratio \
	apomon podman ratio apomon podman ratio "apomon/podman"
printf '%-9s | %8.2f %8.2f %8s | %8.2f %8.2f %8s | %8s %8s %8s | %s/%s\n' "$N" \
	"$OURS_UP" "$PEER_UP" "$(ratio "$OURS_UP" "$PEER_UP")" \
	"$OURS_DOWN" "$PEER_DOWN" "$(ratio "$OURS_DOWN" "$PEER_DOWN")" \
	"$OURS_PSS" "$PEER_PSS" "$(ratio "$OURS_PSS" "$PEER_PSS")" "$OURS_PROCS" "$PEER_PROCS"
