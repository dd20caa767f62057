#!/bin/sh
# Benchmark: what any apomon command pays before main (the dynamic
# loader: its libraries and their relocations), against the peers a
# command-line tool is compared with, in the same run.
#
#   bench/command-start.sh [APOMON...]     (default ./apomon)
#
# Each APOMON (e.g. a build of main and this tree) runs `--version`;
# with STATUS_CONF=DIR also `-c DIR status` (a running environment).
# Rows: task-clock (ms, mean of $REPS runs of perf stat, default 20),
# its ratio to /bin/true and to `ip -V` (iproute2: libc, libelf,
# libmnl, libcap, libbpf), the shared objects loaded and the relocations
# the loader processed (LD_DEBUG=statistics).  No root, no kernel object;
# run it on a quiet machine (the kernel lock) all the same.
set -eu
reps=${REPS:-20}
[ $# -gt 0 ] || set -- ./apomon
command -v perf >/dev/null || { echo "bench/command-start.sh: needs perf (linux-perf)" >&2; exit 77; }

# mean task-clock in ms of CMD..., REPS times
clock() {
	perf stat -r "$reps" -x, -e task-clock "$@" 2>&1 >/dev/null | awk -F, '/task-clock/ { printf "%.2f", $1 }'
}
# "objects relocations" of one run of CMD...
loader() {
	LD_DEBUG=statistics "$@" 2>&1 >/dev/null | awk '
		/final number/ { next }
		/number of relocations:|number of relative relocations:/ { r += $NF }
		END { printf "%d", r }' | tr -d '\n'
	printf ' %s' "$(LD_DEBUG=files "$@" 2>&1 >/dev/null | grep -c 'calling init:' || true)"
}

row() { # NAME CMD...
	name=$1
	shift
	ms=$(clock "$@")
	set -- $(loader "$@")
	printf '| %s | %s | %.1f | %.1f | %s | %s |\n' "$name" "$ms" \
		"$(echo "$ms / $true_ms" | bc -l)" "$(echo "$ms / $ip_ms" | bc -l)" "$2" "$1"
}

echo "load average: $(cut -d' ' -f1-3 /proc/loadavg), $reps runs each"
echo
echo "| command | task-clock (ms) | / true | / ip -V | objects initialised | relocations |"
echo "|---|---:|---:|---:|---:|---:|"
# the peers' rows use the same figures as the ratios
true_ms=$(clock /bin/true)
ip_ms=$(clock ip -V)
printf '| /bin/true | %s | 1.0 | %.1f | %s | %s |\n' "$true_ms" "$(echo "$true_ms / $ip_ms" | bc -l)" \
	$(loader /bin/true | awk '{ print $2, $1 }')
printf '| ip -V | %s | %.1f | 1.0 | %s | %s |\n' "$ip_ms" "$(echo "$ip_ms / $true_ms" | bc -l)" \
	$(loader ip -V | awk '{ print $2, $1 }')
for a in "$@"; do
	row "$a --version" "$a" --version
	if [ -n "${STATUS_CONF:-}" ]; then
		row "$a status" "$a" -c "$STATUS_CONF" status
	fi
done
