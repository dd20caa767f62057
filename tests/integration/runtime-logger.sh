#!/bin/sh
# One logger for all of an environment's stations (apomon-log, outside
# them, station-log.c): every station's record names the same process;
# two stations' logs do not mix, and survive a restart of one of them
# with the same logger; a kill -9 of the logger loses nothing and kills
# nothing: the output waits in the pipes, and `restart STATION` (over the
# stale socket) or `up` starts a new logger that takes every running
# station over; it leaves when the last station stops; after `down` no
# logger, socket or record is left.
. "${top_srcdir:?}/tests/integration/lib.sh" || exit 99

fixture_env rt-log
own_net_number 240 10
fixture_own_net "$N" "rtlog$$.test"
APOMON_INIT="$APOMON_BUILDDIR/core/runtime/apomon-init"
export APOMON_INIT
RUN="/run/apomon/$ENV"
LOGS="/var/log/apomon/$ENV"

logger_of() { awk '{print $1}' "$RUN/stations/$1/logger" 2>/dev/null; }
# loggers: the PIDs of every apomon-log serving this environment
loggers() {
	for p in /proc/[0-9]*; do
		read -r c <"$p/comm" 2>/dev/null || continue
		[ "$c" = apomon-log ] || continue
		case $(tr '\0' ' ' <"$p/cmdline" 2>/dev/null) in
		*"$RUN/logger.sock"*) echo "${p#/proc/}" ;;
		esac
	done
}
# say STATION LINE: the line on the station's stdout (init's fd 1)
say() { A exec -T "$1" -- sh -c "echo $2 > /proc/1/fd/1" </dev/null || fail "$1: echo $2"; }
# logged STATION LINE: waits until the line is in the station's log
logged() {
	i=0
	until grep -qx "$2" "$LOGS/$1.log" 2>/dev/null; do
		i=$((i + 1))
		[ $i -lt 500 ] || fail "$1: '$2' never reached $LOGS/$1.log"
		sleep 0.02
	done
}
# alive PID: the process exists and is not a zombie (an orphan's exit is
# reaped by the host's init, in its own time)
alive() {
	[ -r "/proc/$1/stat" ] || return 1
	case $(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1) in
	Z | X | "") return 1 ;;
	esac
	return 0
}
# gone PID: waits until the process is gone
gone() {
	i=0
	while alive "$1"; do
		i=$((i + 1))
		[ $i -lt 500 ] || fail "process $1 is still there"
		sleep 0.02
	done
}

# up with a descriptor of the caller's open (as `flock LOCK apomon up`
# holds its lock): the logger, which outlives up, must not keep it
A up -q 9>"$CONF/held" || fail "up"
l=$(logger_of s1)
[ -n "$l" ] && alive "$l" || fail "s1 has no logger"
held=$(find "/proc/$l/fd" -lname "$CONF/held")
[ -z "$held" ] || fail "the logger holds up's caller's descriptor: $held"
[ "$(cat "/proc/$l/comm")" = apomon-log ] || fail "s1's logger $l is not apomon-log"
[ "$(logger_of s2)" = "$l" ] && [ "$(logger_of bb)" = "$l" ] ||
	fail "not one logger: s1 $l, s2 $(logger_of s2), bb $(logger_of bb)"
[ "$(loggers)" = "$l" ] || fail "loggers of $ENV: $(loggers | tr '\n' ' ')"
[ "$(stat -c %a "$RUN/logger.sock")" = 600 ] || fail "the logger's socket is not root's alone"

# two stations' lines, interleaved: each log has its own, all of them
for i in 1 2 3 4 5 6 7 8; do
	say s1 "s1-line-$i"
	say s2 "s2-line-$i"
done
logged s1 s1-line-8
logged s2 s2-line-8
grep -q 's2-line' "$LOGS/s1.log" && fail "s2's output in s1's log"
grep -q 's1-line' "$LOGS/s2.log" && fail "s1's output in s2's log"
[ "$(grep -c '^s1-line-' "$LOGS/s1.log")" = 8 ] || fail "s1's log lost lines"
[ "$(grep -c '^s2-line-' "$LOGS/s2.log")" = 8 ] || fail "s2's log lost lines"

# a restart of s2: the same logger, s2's log goes on, s1's is untouched
A restart s2 2>/dev/null || fail "restart s2"
[ "$(logger_of s2)" = "$l" ] || fail "restart s2: logger $(logger_of s2), was $l"
say s2 s2-after-restart
say s1 s1-after-restart
logged s2 s2-after-restart
logged s1 s1-after-restart
grep -qx s2-line-8 "$LOGS/s2.log" || fail "s2's log lost what it had before the restart"
grep -q 's2-' "$LOGS/s1.log" && fail "s2's output in s1's log after its restart"
A status --quiet >/dev/null || fail "status after the restart of s2"

# kill -9: the stale socket stays; the stations run on, their writes
# neither fail nor block (less than a pipe's 64 KiB waits)
kill -9 "$l"
gone "$l"
[ -S "$RUN/logger.sock" ] || fail "no stale socket to recover from"
say s1 s1-while-dead
say s2 s2-while-dead
A exec -T s1 -- true </dev/null || fail "s1 died with its logger"
A restart s2 2>/dev/null || fail "restart s2 after the logger's kill -9"
l2=$(logger_of s2)
[ -n "$l2" ] && [ "$l2" != "$l" ] && alive "$l2" || fail "restart s2: no new logger"
[ "$(logger_of s1)" = "$l2" ] || fail "the new logger did not take s1 over"
[ "$(loggers)" = "$l2" ] || fail "loggers after the restart: $(loggers | tr '\n' ' ')"
# what s1 wrote while no logger ran, and what s2 wrote before its restart
logged s1 s1-while-dead
logged s2 s2-while-dead
say s1 s1-after-recovery
logged s1 s1-after-recovery

# kill -9 again: `up` recovers the same way
kill -9 "$l2"
gone "$l2"
say s1 s1-dead-again
A up -q || fail "up after the logger's kill -9"
l3=$(logger_of s1)
[ -n "$l3" ] && [ "$l3" != "$l2" ] && alive "$l3" || fail "up: no new logger for s1"
logged s1 s1-dead-again

# the last station stopped: the logger leaves, socket and record with it
A stop s1 s2 bb 2>/dev/null || fail "stop"
gone "$l3"
[ ! -e "$RUN/logger.sock" ] || fail "the socket outlived the logger"
[ ! -e "$RUN/logger" ] || fail "the record outlived the logger"
A start bb s1 s2 2>/dev/null || fail "start"
l4=$(logger_of s1)
[ -n "$l4" ] && alive "$l4" || fail "start: no logger"
say s1 s1-after-start
logged s1 s1-after-start

A down -q || fail "down"
[ -z "$(loggers)" ] || fail "a logger is left after down: $(loggers | tr '\n' ' ')"
! alive "$l4" || fail "logger $l4 is left after down"
assert_env_gone "$ENV"
echo "runtime-logger: ok"
