#!/bin/bash
# bench/stations.sh [COUNT...]: starts COUNT stations (default 100 and
# 500) with `apomon up`, twice: of the real `base` image (what every
# station type builds on: its SSH on demand, its startup.sh) and of a
# waiting image whose startup.sh only waits; and in the same run the same
# count of `unshare --fork --pid --mount-proc ...` processes started by a
# shell loop (new net, mount, PID, UTS, IPC namespaces each).  Measures
# the time to bring all up to all-ready and down (apomon: SIGTERM, wait,
# unmount, remove cgroups and network; the loop: SIGKILL and wait until
# every namespaced process is gone), and the PSS per station of all of a
# station's processes (apomon-init, what it runs, and its share of the
# environment's logger apomon-log outside the stations) against unshare's.
# IMAGES="base bench-wait" chooses the rows.  ISOLATIONS="userns host-root"
# (default: userns alone) adds a row per isolation: the same stations with
# `isolation = "host-root";` (no user namespace, no idmapped layers), in the
# same run, to read the price of user namespaces off the table.
# PEER=no leaves the unshare loop out (its columns read "-"), PSS=no the
# PSS (reading 2000 processes' smaps takes minutes at 1000): for A/B runs
# of apomon's times alone on a busy machine.  "cpu" is the CPU time the
# whole machine spent during apomon's `up` (/proc/stat: user, system and
# interrupts; idle and steal left out), steadier than the wall time on a
# shared machine.  QUIESCE=SECONDS syncs and waits that long before each
# timed `up`: on an ext4 without a journal (this VM's /, which holds /run
# too) the inode allocator skips every inode freed in the last 60 s (360 s
# while its block is dirty), so an `up` right after a `down --purge` of
# as many stations pays a scan that grows with both; 61 s after a sync
# it is gone.  TMPFS=yes puts the environment's state, layers and logs
# (APOMON_RUN_DIR, APOMON_LIB_DIR, APOMON_LOG_DIR) on a tmpfs of its own,
# with the images' current layers copied there: what the file system
# costs, read off against a run without it.
# Needs root and a built tree (top_builddir, default: the script's ..).
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/proc-lib.sh"
top=${top_builddir:-$here/..}
APOMON=$top/apomon
[ "$(id -u)" = 0 ] || { echo "needs root" >&2; exit 77; }
[ -x "$APOMON" ] || { echo "build apomon first" >&2; exit 1; }
export APOMON_INIT=$top/core/runtime/apomon-init
export APOMON_PLUGIN_PATH=$top/plugins/base/.libs
export APOMON_IMAGES_PATH=$here/images:$here/../images
ENV="bench-rt-$$"
CONF=$(mktemp -d /tmp/apomon-bench-stations.XXXXXX)
PIDS=()
cleanup() {
	for p in "${PIDS[@]}"; do kill -KILL "$p" 2>/dev/null; done
	wait 2>/dev/null
	"$APOMON" -c "$CONF" -e "$ENV" down --purge -q >/dev/null 2>&1
	[ "${TMPFS:-no}" = no ] || umount "$CONF/fs" 2>/dev/null
	rm -rf "$CONF"
}
trap cleanup EXIT

# TMPFS=yes: state, layers and logs on a tmpfs; each image's current
# layer copied from the store there (a build would start from nothing)
if [ "${TMPFS:-no}" != no ]; then
	store=${APOMON_LIB_DIR:-/var/lib/apomon}/images
	mkdir "$CONF/fs" && mount -t tmpfs -o size=8g,mode=0755 apomon-bench "$CONF/fs" || exit 1
	for img in ${IMAGES:-base bench-wait}; do
		cur=$(readlink "$store/$img/current") || { echo "build $img first" >&2; exit 1; }
		mkdir -p "$CONF/fs/lib/images/$img"
		cp -a "$store/$img/$cur" "$CONF/fs/lib/images/$img/" &&
			ln -s "$cur" "$CONF/fs/lib/images/$img/current" || exit 1
	done
	export APOMON_LIB_DIR=$CONF/fs/lib APOMON_RUN_DIR=$CONF/fs/run APOMON_LOG_DIR=$CONF/fs/log
fi

now() { date +%s.%N; }
# the machine's busy CPU time so far, in clock ticks (USER_HZ, 100)
busy() { awk '/^cpu / {print $2 + $3 + $4 + $7 + $8}' /proc/stat; }
elapsed() { echo "$2 - $1" | bc; }

# config COUNT IMAGE [ISOLATION]: one /16 cluster of COUNT base stations of IMAGE
config() {
	local img=$2 iso=""
	[ "${3:-userns}" = host-root ] && iso='isolation = "host-root";'
	mkdir -p "$CONF/conf.d"
	cat >"$CONF/apomon.conf" <<EOC
environment = "bench";
$iso
plugin_path = [];
backbone = { name = "bb"; domain = "bench.test"; type = "base"; image = "$img";
             host_network = "10.253.80.0/30"; };
EOC
	{
		echo 'cluster = { name = "lan"; domain = "bench.test"; network = "10.80.0.0/16";'
		echo '  stations = ('
		for i in $(seq 1 "$1"); do
			sep=","
			[ "$i" = "$1" ] && sep=""
			echo "    { name = \"s$i\"; type = \"base\"; image = \"$img\";" \
				"addresses = [\"10.80.$((i / 250)).$((i % 250 + 1))\"]; }$sep"
		done
		echo '  ); };'
	} >"$CONF/conf.d/10-lan.conf"
}

# the peer: a shell loop of unshare; up = every one has its namespaced child
peer() {
	local n=$1 t0 t1 t2 i
	PIDS=()
	t0=$(now)
	for i in $(seq 1 "$n"); do
		# shellcheck disable=SC2034
		unshare --fork --pid --mount-proc --mount --uts --ipc --net --kill-child \
			sleep infinity &
		PIDS+=($!)
	done
	# ready: each unshare has forked its child into the namespaces
	KIDS=()
	for p in "${PIDS[@]}"; do
		c=""
		while [ -z "$c" ]; do c=$(cat "/proc/$p/task/$p/children" 2>/dev/null); done
		KIDS+=($c)
	done
	t1=$(now)
	PEER_UP=$(elapsed "$t0" "$t1")
	PEER_PSS=$(($(pss_kib "${PIDS[@]}") / n))
	t1=$(now)
	{
		kill -KILL "${PIDS[@]}"
		wait
	} 2>/dev/null
	# down: the namespaced processes are gone too (--kill-child)
	for k in "${KIDS[@]}"; do
		while [ -e "/proc/$k" ]; do :; done
	done
	t2=$(now)
	PEER_DOWN=$(printf '%.2f' "$(elapsed "$t1" "$t2")")
	PEER_UP=$(printf '%.2f' "$PEER_UP")
	PIDS=()
}

ours() {
	local n=$1 img=$2 t0 t1 t2 pids
	rm -rf "$CONF"/conf.d
	config "$n" "$img" "${3:-userns}"
	# the image once, outside the timing
	"$APOMON" image build "$img" >/dev/null || exit 1
	if [ "${QUIESCE:-0}" != 0 ]; then
		sync
		sleep "$QUIESCE"
	fi
	c0=$(busy)
	t0=$(now)
	"$APOMON" -c "$CONF" -e "$ENV" up -q || exit 1
	t1=$(now)
	OURS_CPU=$(echo "$c0 $(busy)" | awk '{printf "%.2f", ($2 - $1) / 100}')
	OURS_UP=$(elapsed "$t0" "$t1")
	OURS_PSS=-
	[ "${PSS:-yes}" = no ] || ours_pss "$n"
	t1=$(now)
	"$APOMON" -c "$CONF" -e "$ENV" down -q || exit 1
	t2=$(now)
	OURS_DOWN=$(elapsed "$t1" "$t2")
	"$APOMON" -c "$CONF" -e "$ENV" down --purge -q >/dev/null 2>&1
}

# PSS per station: all of each station's processes, and its share of the
# environment's logger (apomon-log), outside the stations: one process for
# all, counted once (the stations' records all name it)
ours_pss() {
	local n=$1 pids
	pids=$(for f in "${APOMON_RUN_DIR:-/run/apomon}/$ENV"/stations/s*/init; do tree "$(cut -d' ' -f1 "$f")"; done)
	OURS_PSS=$(($(pss_kib $pids) / n))
	pids=$(for f in "${APOMON_RUN_DIR:-/run/apomon}/$ENV"/stations/s*/logger; do [ -f "$f" ] && cut -d' ' -f1 "$f"; done | sort -u)
	OURS_PSS=$((OURS_PSS + $(pss_kib $pids) / n))
}

ratio() { [ "$1" = - ] || [ "$2" = - ] && echo - || echo "scale=2; $1 / $2" | bc; }

printf '%-8s %-20s | %-35s | %-26s | %-30s\n' "" "" "up to ready (s)" "down (s)" \
	"PSS per station (KiB)"
printf '%-8s %-20s | %8s %8s %8s %8s | %8s %8s %8s | %10s %10s %8s\n' stations image apomon cpu loop \
	ratio apomon loop ratio apomon unshare ratio
for n in "${@:-100 500}"; do
	for n1 in $n; do
		if [ "${PEER:-yes}" = no ]; then
			PEER_UP=- PEER_DOWN=- PEER_PSS=-
		else
			peer "$n1"
		fi
		for img in ${IMAGES:-base bench-wait}; do
		for iso in ${ISOLATIONS:-userns}; do
			ours "$n1" "$img" "$iso"
			printf '%-8s %-20s | %8.2f %8s %8s %8s | %8.2f %8s %8s | %10s %10s %8s\n' \
				"$n1" "$img${ISOLATIONS:+/$iso}" \
				"$OURS_UP" "$OURS_CPU" "$PEER_UP" "$(ratio "$OURS_UP" "$PEER_UP")" \
				"$OURS_DOWN" "$PEER_DOWN" "$(ratio "$OURS_DOWN" "$PEER_DOWN")" \
				"$OURS_PSS" "$PEER_PSS" "$(ratio "$OURS_PSS" "$PEER_PSS")"
		done
		done
	done
done
