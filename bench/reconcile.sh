#!/bin/bash
# Benchmark: `apomon up` on a running environment (a reconcile) against a
# full `down` + `up` of the same config, in the same run, with ratios.
#
#   bench/reconcile.sh [BUILDDIR] [N [NOOP_N]]   (root; default 500 1000)
#
# Topology: N `base` stations over 10 clusters with a backbone
# (bench/net-gen.sh).  Rows, each the median of $REPS runs (default 3):
#   enable one    a disabled `base` station switched on in conf.d, `up`
#                 (the issue: <= 0.3 s and <= 5% of down+up)
#   disable one   the same station switched off again
#   down+up       `down` then `up` of the config with it enabled
#   no-op up      `up` with nothing to change on NOOP_N stations
#                 (the issue: <= 0.2 s)
# MODE=network runs every `up` with --network-only (no station process),
# for a quick run on a loaded machine; the default runs real stations.
set -u
builddir=$(cd "${1:-.}" && pwd)
shift || true
n=${1:-500}
noop_n=${2:-1000}
reps=${REPS:-3}
mode=${MODE:-stations}
srcdir=$(cd "$(dirname "$0")/.." && pwd)
apomon="$builddir/apomon"
[ "$(id -u)" = 0 ] || { echo "bench/reconcile.sh: needs root" >&2; exit 77; }
[ -x "$apomon" ] || { echo "bench/reconcile.sh: build apomon first ($apomon)" >&2; exit 1; }
export APOMON_PLUGIN_PATH="$builddir/plugins/base/.libs"
export APOMON_INIT="$builddir/core/runtime/apomon-init"
. "$srcdir/bench/net-gen.sh"

tmp=$(mktemp -d /tmp/apomon-bench-rc.XXXXXX)
env=rc-bench
only=""
[ "$mode" = network ] && only=--network-only
A() { "$apomon" -c "$tmp/conf" "$@"; }
cleanup() {
	A down --quiet --purge 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT

now() { date +%s%N; }
ms() { echo $((($2 - $1) / 1000000)); }
median() { tr ' ' '\n' | grep . | sort -n | awk '{a[NR]=$1} END {print a[int((NR + 1) / 2)]}'; }
timed() { # prints the ms a command took; fails the bench when it fails
	local t0 t1
	t0=$(now)
	"$@" >/dev/null 2>"$tmp/err" || { echo "bench/reconcile.sh: $*: $(cat "$tmp/err")" >&2; exit 1; }
	t1=$(now)
	ms "$t0" "$t1"
}
extra() { # the extra station, enabled or not
	cat >"$tmp/conf/conf.d/999-extra.conf" <<-EOT
	cluster = { name = "x"; domain = "x.$env.test"; network = "10.61.200.0/24";
	  stations = ( { name = "extra"; type = "base"; addresses = ["10.61.200.10"]; enabled = $1; } );
	};
	EOT
}

net_gen "$tmp/conf" "$env" "$n" 10 61
extra false
timed A up -q $only >/dev/null
en="" dis="" full=""
for _ in $(seq "$reps"); do
	extra true
	en="$en $(timed A up -q $only)"
	extra false
	dis="$dis $(timed A up -q $only)"
	extra true
	t0=$(now)
	A down -q >/dev/null 2>&1 || exit 1
	A up -q $only >/dev/null 2>&1 || { echo "bench/reconcile.sh: up failed" >&2; exit 1; }
	t1=$(now)
	full="$full $(ms "$t0" "$t1")"
	extra false
	A up -q $only >/dev/null 2>&1 || exit 1
done
A down -q >/dev/null

rm -rf "$tmp/conf"
net_gen "$tmp/conf" "$env" "$noop_n" 10 61
timed A up -q $only >/dev/null
noop=""
for _ in $(seq "$reps"); do noop="$noop $(timed A up -q $only)"; done
A down -q >/dev/null

en=$(echo "$en" | median) dis=$(echo "$dis" | median)
full=$(echo "$full" | median) noop=$(echo "$noop" | median)
printf '%-34s %10s %10s\n' "reconcile ($mode, median of $reps)" "ms" "% down+up"
printf '%-34s %10s %10s\n' "enable one of $n" "$en" "$(awk -v a="$en" -v b="$full" 'BEGIN {printf "%.1f", 100 * a / b}')"
printf '%-34s %10s %10s\n' "disable one of $n" "$dis" "$(awk -v a="$dis" -v b="$full" 'BEGIN {printf "%.1f", 100 * a / b}')"
printf '%-34s %10s %10s\n' "down+up of $((n + 1))" "$full" "100.0"
printf '%-34s %10s %10s\n' "no-op up of $noop_n" "$noop" "-"
echo "targets: enable one <= 300 ms and <= 5% of down+up; no-op up <= 200 ms"
