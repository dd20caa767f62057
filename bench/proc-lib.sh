# shellcheck shell=bash
# Shell helpers the benchmarks share for counting what processes cost.
# Sourced (bash), not run.

# pss_kib PID...: the sum of their PSS, in KiB (a process that is gone
# counts 0)
pss_kib() {
	local sum=0 v
	for p in "$@"; do
		v=$(awk '/^Pss:/ {print $2}' "/proc/$p/smaps_rollup" 2>/dev/null)
		sum=$((sum + ${v:-0}))
	done
	echo "$sum"
}

# tree PID: PID and all its descendants
tree() {
	local c
	echo "$1"
	# shellcheck disable=SC2013 # children: one line of space-separated pids
	for c in $(cat /proc/"$1"/task/*/children 2>/dev/null); do tree "$c"; done
}
