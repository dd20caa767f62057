#!/bin/sh
# Time to all-ready of the whole default environment (this repository's
# apomon.conf and conf.d/, whatever they enable), and of its `down`:
#
#   purged: images built, no station data (the first `up`, or the one
#         after `down --purge`: postgres' cluster made, skel data loaded)
#   kept: images built, station data kept (`down`, then `up`: the usual
#         restart of an environment)
#   down: `down` of the running environment (data kept), to all gone
#   cold (--cold): an empty image store (APOMON_LIB_DIR in a temporary
#         directory): debootstrap of base, then every child image
#   serial (--serial): APOMON_SERIAL_START=1 APOMON_THREADS=1: one
#         station at a time, each ready before the next starts (purged)
#
# The modes run in the same invocation, one after the other, so that the
# ratios hold on a noisy machine.  Then the critical path of the last
# kept and purged runs: per station its level, when its init was launched
# and when its startup check passed, relative to the start of `up`.
#
# usage (root, from a built tree):
#   bench/default-env.sh [-n RUNS] [--cold] [--serial]
# SLOW_LOGS=DIR keeps the station logs of every run slower than SLOW_S
# seconds (default 8) under DIR, to explain an outlier.
set -eu
[ "$(id -u)" = 0 ] || { echo "default-env.sh: run as root" >&2; exit 1; }
top=$(cd "$(dirname "$0")/.." && pwd)
runs=3
cold=no
serial=no
while [ $# -gt 0 ]; do
	case $1 in
	-n) runs=$2; shift 2 ;;
	--cold) cold=yes; shift ;;
	--no-cold) cold=no; shift ;;
	--serial) serial=yes; shift ;;
	*) echo "usage: $0 [-n RUNS] [--cold] [--serial]" >&2; exit 2 ;;
	esac
done
APOMON=${APOMON:-$top/apomon}
export APOMON_INIT=${APOMON_INIT:-$top/core/runtime/apomon-init}
export APOMON_IMAGES_PATH=${APOMON_IMAGES_PATH:-$top/images}
export APOMON_PLUGIN_PATH=${APOMON_PLUGIN_PATH:-$(printf '%s:' "$top"/plugins/*/.libs)}
export APOMON_WEBAPPS_DIR=${APOMON_WEBAPPS_DIR:-$top/webapps}
if ip netns list 2>/dev/null | grep -q '^backbone\.example\.com\( \|$\)'; then
	echo "default-env.sh: a default environment is up on this host; take it down first" >&2
	exit 1
fi

tmp=$(mktemp -d /var/tmp/apomon-bench-default.XXXXXX)
conf=$tmp/conf
mkdir "$conf"
cp -r "$top/apomon.conf" "$top/conf.d" "$conf/"
env=bench-default-$$
run_dir=${APOMON_RUN_DIR:-/run/apomon}
a() { "$APOMON" -c "$conf" -e "$env" "$@"; }
cleanup() {
	a down --quiet --purge >/dev/null 2>&1 || true
	APOMON_LIB_DIR=$tmp/lib a down --quiet --purge >/dev/null 2>&1 || true
	rm -rf "$tmp"
}
trap cleanup EXIT
now() { date +%s.%N; }

# pss PID: PSS in KiB of PID and all its descendants
pss() {
	_v=$(awk '/^Pss:/ {print $2}' "/proc/$1/smaps_rollup" 2>/dev/null)
	_s=${_v:-0}
	for _c in $(cat /proc/"$1"/task/*/children 2>/dev/null); do
		_s=$((_s + $(pss "$_c")))
	done
	echo "$_s"
}

# cpu PID: CPU seconds (user + system) of PID and all its descendants,
# with what their exited children used (cutime, cstime: the reaped
# descendants' work, e.g. startup.sh's commands, counted in their parent)
hz=$(getconf CLK_TCK)
cpu_ticks() {
	_t=$(awk '{ sub(/.*\) /, ""); print $12 + $13 + $14 + $15 }' "/proc/$1/stat" 2>/dev/null)
	_s=${_t:-0}
	for _c in $(cat /proc/"$1"/task/*/children 2>/dev/null); do
		_s=$((_s + $(cpu_ticks "$_c")))
	done
	echo "$_s"
}

# one_up MODE: up, record seconds to all-ready (the environment stays up)
one_up() {
	mode=$1
	t0=$(now)
	a up --quiet >"$tmp/up.log" 2>&1 || { cat "$tmp/up.log" >&2; exit 1; }
	t1=$(now)
	echo "$mode $(echo "$t1 - $t0" | bc -l)" >>"$tmp/results"
	# the per-station times of this run, for the critical path
	: >"$tmp/stations.$mode"
	for d in "$run_dir/$env"/stations/*/; do
		n=$(basename "$d")
		# PSS of all its processes (the environment's one logger is
		# counted once, below, not once a station)
		p=$(cut -d' ' -f1 "$d/init")
		k=$(pss "$p")
		c=$(echo "$(cpu_ticks "$p") / $hz" | bc -l)
		echo "$n $(stat -c %.9Y "$d/init") $(stat -c %.9Y "$d/ready") $t0 $k $c" >>"$tmp/stations.$mode"
	done
	# the environment's logger (apomon-log), outside the stations: one
	# process for all of them
	# the run's last station, and for an outlier (SLOW_LOGS=DIR, a run of
	# more than SLOW_S seconds) every station's log, before a purge
	# removes them
	last=$(sort -k3,3n "$tmp/stations.$mode" | tail -n 1 |
		awk '{ printf "%s at %.2f s (own %.2f s)", $1, $3 - $4, $3 - $2 }')
	echo "$mode $(echo "$t1 - $t0" | bc -l) $last" >>"$tmp/lasts"
	if [ -n "${SLOW_LOGS:-}" ] && [ "$(echo "$t1 - $t0 > ${SLOW_S:-8}" | bc)" = 1 ]; then
		mkdir -p "$SLOW_LOGS/$mode-$t0"
		cp -r "${APOMON_LOG_DIR:-/var/log/apomon}/$env/." "$SLOW_LOGS/$mode-$t0/" 2>/dev/null || true
		cp "$tmp/stations.$mode" "$SLOW_LOGS/$mode-$t0/stations" 2>/dev/null || true
	fi
	lg=$(for f in "$run_dir/$env"/stations/*/logger; do [ -f "$f" ] && cut -d' ' -f1 "$f"; done | sort -u)
	k=0
	for p in $lg; do k=$((k + $(pss "$p"))); done
	echo "$k" >"$tmp/logger.$mode"
}

# one_down MODE [ARGS]: down, record its seconds
one_down() {
	mode=$1
	shift
	t0=$(now)
	a down --quiet "$@" >/dev/null
	t1=$(now)
	echo "$mode $(echo "$t1 - $t0" | bc -l)" >>"$tmp/results"
}

serial() { APOMON_SERIAL_START=1 APOMON_THREADS=1 "$@"; }

# warm: make sure the images exist first (not timed)
a plan --json >"$tmp/plan.json"
a up --quiet >/dev/null 2>&1 && a down --quiet --purge >/dev/null
i=0
while [ $i -lt "$runs" ]; do
	one_up purged
	one_down down
	one_up kept
	one_down down-purge --purge
	if [ $serial = yes ]; then
		serial one_up serial-purged
		a down --quiet --purge >/dev/null
	fi
	i=$((i + 1))
done
if [ $cold = yes ]; then
	rm -rf "$tmp/lib"
	mkdir "$tmp/lib"
	APOMON_LIB_DIR=$tmp/lib one_up cold
	APOMON_LIB_DIR=$tmp/lib a down --quiet --purge >/dev/null
	rm -rf "$tmp/lib"
fi

n_st=$(jq '.stations | length' "$tmp/plan.json")
echo "apomon default environment: $n_st stations ($(jq -r '[.stations[].type] | join(", ")' "$tmp/plan.json")), $(nproc) CPUs"
echo
printf '%-16s %5s %10s %10s %10s %8s\n' mode runs median_s min_s max_s ratio
base_med=
for m in kept purged down down-purge serial-purged cold; do
	grep -q "^$m " "$tmp/results" || continue
	set -- $(grep "^$m " "$tmp/results" | cut -d' ' -f2 | sort -n | awk '
		{ v[NR] = $1 } END { m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2;
		printf "%d %.3f %.3f %.3f\n", NR, m, v[1], v[NR] }')
	[ -n "$base_med" ] || base_med=$2
	printf '%-16s %5s %10s %10s %10s %7.2fx\n' "$m" "$1" "$2" "$3" "$4" "$(echo "$2 / $base_med" | bc -l)"
done
echo
echo "each run's last station ready: seconds since the start of up"
sed 's/^/  /' "$tmp/lasts"
for m in kept purged; do
	echo
	echo "critical path (last $m run): seconds since the start of up"
	printf '%-20s %-8s %5s %10s %10s %10s %9s %6s\n' station type level launched ready own pss_kib cpu_s
	while read -r n init ready t0 k c; do
		lvl=$(jq -r --arg n "$n" '.stations[] | select(.name == $n) | .level' "$tmp/plan.json")
		ty=$(jq -r --arg n "$n" '.stations[] | select(.name == $n) | .type' "$tmp/plan.json")
		echo "$lvl $n $(echo "$init - $t0" | bc -l) $(echo "$ready - $t0" | bc -l) $(echo "$ready - $init" | bc -l) $ty $k $c"
	done <"$tmp/stations.$m" | sort -n -k1,1 -k4,4 |
		awk '{ printf "%-20s %-8s %5d %10.3f %10.3f %10.3f %9d %6.2f\n", $2, $6, $1, $3, $4, $5, $7, $8; cpu += $8;
		       if ($4 > slow[$1]) { slow[$1] = $4; who[$1] = $2 } if ($1 > L) L = $1 }
		     END { printf "slowest of each level:"; for (l = 0; l <= L; l++) printf " %s", who[l]; print "";
			   printf "CPU of all stations (user + system, incl. reaped children): %.2f s\n", cpu }'
	echo "the environment's logger (one for all stations): $(cat "$tmp/logger.$m") KiB PSS"
done
