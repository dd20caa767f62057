#!/bin/sh
# Crash safety: 20 runs of `up` killed with SIGKILL at a random moment,
# each followed by `down`, after which nothing of the environment is
# left.  The moments spread over the part of an uninterrupted `up` that
# touches the kernel (measured first: from its journal's first record to
# its end), so that kills land in every phase however long the start-up
# (config, plugins) takes on a loaded machine.  Then runs interrupted
# with SIGTERM or SIGINT, which `up` answers by rolling back itself.
. "${top_srcdir:?}/tests/integration/lib.sh" || exit 99
. "$APOMON_SRCDIR/tests/integration/net-lib.sh"

tmp=$(mktemp -d /tmp/apomon-net-crash.XXXXXX) || fail mktemp
conf=$tmp/conf
A="$APOMON -c $conf"
trap '$A down --quiet; rm -rf "$tmp"' EXIT
net_gen "$conf" net-crash 60 4 232
net_names "$conf" "$tmp/names"

ms() { date +%s%3N; }
journal=/run/apomon/net-crash/journal
# start `up` in the background and return once its journal exists (or it ended)
up_bg() {
	$A up --network-only --quiet >/dev/null 2>"$tmp/err" &
	pid=$!
	while [ ! -f $journal ] && kill -0 $pid 2>/dev/null; do
		sleep 0.002
	done
}
up_bg
t0=$(ms)
wait $pid || fail "up exited $?: $(cat "$tmp/err")"
t1=$(ms)
$A down --quiet || fail "down exited $?"
span=$(((t1 - t0) * 12 / 10 + 1))
echo "an uninterrupted up works on the kernel for $((t1 - t0)) ms; killing within $span ms of that"

interrupted=0
run=1
while [ $run -le 20 ]; do
	delay=$(($(od -An -N2 -tu2 /dev/urandom) % span))
	up_bg
	sleep "$(printf '%d.%03d' $((delay / 1000)) $((delay % 1000)))"
	kill -9 $pid 2>/dev/null
	wait $pid 2>/dev/null
	if [ -f $journal ] && ! grep -qx complete $journal; then
		interrupted=$((interrupted + 1))
		phase=$(grep -o '^intent [a-z0-9]*' $journal | tail -1)
	else
		phase="(before the journal or after completion)"
	fi
	echo "run $run: killed after $delay ms, last record: $phase"
	$A down --quiet 2>"$tmp/err" || fail "run $run: down exited $?: $(cat "$tmp/err")"
	net_assert_clean net-crash "$tmp/names"
	run=$((run + 1))
done
echo "$interrupted of 20 runs were killed in the middle of up"
# each run above was checked for this environment's objects
# (net_assert_clean); the machine-wide look (host routes, every mount and
# process too) runs once per series: it takes seconds per call
assert_no_leftovers $(cat "$tmp/names")

# SIGTERM and SIGINT (Ctrl-C) instead, alternately: up rolls back by
# itself, names the phase it stopped in ("PHASE: interrupted", not an
# errno's text) and exits 1, leaving neither objects nor its journal; or
# it had finished (0), or was killed before its handler was installed
rolled=0
run=1
while [ $run -le 6 ]; do
	sig=TERM
	[ $((run % 2)) = 0 ] && sig=INT
	delay=$(($(od -An -N2 -tu2 /dev/urandom) % span))
	up_bg
	sleep "$(printf '%d.%03d' $((delay / 1000)) $((delay % 1000)))"
	kill -$sig $pid 2>/dev/null
	wait $pid
	rc=$?
	if [ $rc -eq 1 ] && grep -q ': interrupted$' "$tmp/err"; then
		rolled=$((rolled + 1))
		echo "SIG$sig run $run: after $delay ms: $(head -1 "$tmp/err")"
		[ ! -e $journal ] || fail "SIG$sig run $run: the rolled back up left $journal"
		net_assert_clean net-crash "$tmp/names"
	elif [ $rc -eq 0 ] || [ $rc -eq 143 ] || [ $rc -eq 130 ]; then
		$A down --quiet || fail "SIG$sig run $run: down exited $?"
	else
		fail "SIG$sig run $run: up exited $rc: $(cat "$tmp/err")"
	fi
	net_assert_clean net-crash "$tmp/names"
	run=$((run + 1))
done
echo "$rolled of 6 interrupted runs rolled back by themselves"
assert_no_leftovers $(cat "$tmp/names")
[ $interrupted -ge 5 ] || fail "only $interrupted runs were killed mid-way: the test did not exercise crash recovery"
echo PASS
