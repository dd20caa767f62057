#!/bin/sh
# Two `up`s of one environment at the same time: one wins, the other
# says the environment is busy and who holds it; nothing is corrupted
# (status matches the plan, down leaves nothing).  A `down` during an
# `up` is refused the same way.
. "${top_srcdir:?}/tests/integration/lib.sh" || exit 99
. "$APOMON_SRCDIR/tests/integration/net-lib.sh"

tmp=$(mktemp -d /tmp/apomon-net-concurrent.XXXXXX) || fail mktemp
conf=$tmp/conf
A="$APOMON -c $conf"
trap '$A down --quiet; rm -rf "$tmp"' EXIT
net_gen "$conf" net-conc 80 4 233
net_names "$conf" "$tmp/names"

# both start together; when the second one happened to start only after
# the first finished (it then says "already up"), try again
seen=
for attempt in 1 2 3 4 5 6 7 8 9 10; do
	$A up --network-only --quiet >"$tmp/o1" 2>"$tmp/e1" &
	p1=$!
	$A up --network-only --quiet >"$tmp/o2" 2>"$tmp/e2" &
	p2=$!
	wait $p1; r1=$?
	wait $p2; r2=$?
	if grep -q "is busy" "$tmp/e1" "$tmp/e2"; then
		seen=yes
		break
	fi
	if [ "$r1" -ne 0 ] || [ "$r2" -ne 0 ]; then fail "attempt $attempt: exits $r1 and $r2: $(cat "$tmp/e1" "$tmp/e2")"; fi
	$A down --quiet || fail "down exited $?"
done
[ -n "$seen" ] || fail "two ups never overlapped in 10 attempts"
if [ "$r1" -eq 0 ]; then winner=$p1 loser=2; else winner=$p2 loser=1; fi
[ $((r1 + r2)) -eq 1 ] || fail "exits $r1 and $r2, expected 0 and 1: $(cat "$tmp/e1" "$tmp/e2")"
grep -qx "apomon: environment 'net-conc' is busy (pid $winner is running up)" "$tmp/e$loser" ||
	fail "the loser said: $(cat "$tmp/e$loser"), the winner was $winner"
$A status >"$tmp/st" || fail "status after the race: $(cat "$tmp/st")"

# down while an up runs: busy as well
$A down --quiet || fail "down exited $?"
seen=
for attempt in 1 2 3 4 5 6 7 8 9 10; do
	$A up --network-only --quiet 2>"$tmp/e1" &
	p1=$!
	# the lock is taken once its holder wrote its pid
	while ! grep -qs "^$p1 up" /run/apomon/net-conc/lock && kill -0 $p1 2>/dev/null; do :; done
	$A down --quiet 2>"$tmp/e2"
	r2=$?
	wait $p1
	if [ $r2 -eq 1 ]; then
		grep -qx "apomon: environment 'net-conc' is busy (pid $p1 is running up)" "$tmp/e2" ||
			fail "down during up said: $(cat "$tmp/e2")"
		seen=yes
		break
	fi
done
[ -n "$seen" ] || fail "a down never met a running up in 10 attempts"
$A status >/dev/null || fail "status after down during up"
$A down --quiet || fail "down exited $?"
net_assert_clean net-conc "$tmp/names"
echo PASS
