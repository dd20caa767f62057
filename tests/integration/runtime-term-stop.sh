#!/bin/sh
# Base stations from the real base image: a SIGTERM in the middle of `up`
# must roll it back (exit non-zero, nothing left; an `up` that finished
# first fails the test); `up --json` and `down --json` say what happened;
# `exec -T` runs without a terminal and returns the command's status;
# `logs -f` follows a station's output; `stop -t` escalates to SIGKILL
# when the station ignores SIGTERM (its entrypoint stopped: SIGTERM stays
# pending, only SIGKILL ends it).
. "${top_srcdir:?}/tests/integration/lib.sh" || exit 99

ENV="rt-ts-$$"
CONF=$(mktemp -d /tmp/apomon-rt-ts.XXXXXX)
cp -r "$APOMON_SRCDIR/tests/fixtures/runtime/." "$CONF"
own_net_number 120 30
D="ts$$.test"
fixture_own_net "$N" "$D"
A() { "$APOMON" -c "$CONF" -e "$ENV" "$@"; }
cleanup() {
	[ -n "${follow:-}" ] && kill "$follow" 2>/dev/null
	A down --purge -q >/dev/null 2>&1
	rm -rf "$CONF"
}
trap cleanup EXIT
# the image is built before (or found), so that the SIGTERM lands among
# the stations, not in a build
"$APOMON" image build base >/dev/null 2>&1 || fail "image build base"

# --- SIGTERM during up: rolled back --------------------------------------
journal=/run/apomon/$ENV/journal
# apomon itself in the background (not a function's subshell): $! is its pid
"$APOMON" -c "$CONF" -e "$ENV" up >"$CONF/up.out" 2>&1 &
up=$!
i=0
# the first station's record: the network is made, stations are starting
until grep -q '^intent station' "$journal" 2>/dev/null; do
	i=$((i + 1))
	[ $i -le 3000 ] || { kill -9 $up; fail "up never reached its stations: $(cat "$CONF/up.out")"; }
	kill -0 $up 2>/dev/null || fail "up ended before its stations: $(cat "$CONF/up.out")"
	sleep 0.01
done
grep -qx complete "$journal" && fail "up completed before the SIGTERM (the test must interrupt it)"
kill -TERM $up
rc=0
wait $up || rc=$?
[ "$rc" != 0 ] || fail "up exited 0 after SIGTERM: $(cat "$CONF/up.out")"
grep -q "rolled back: nothing of environment '$ENV' is left" "$CONF/up.out" ||
	fail "up did not say it rolled back: $(cat "$CONF/up.out")"
for s in bb s1 s2; do
	[ ! -e "/run/netns/$s.$D" ] || fail "namespace $s.$D left after the SIGTERM"
done
assert_env_gone "$ENV"

# --- up --json -----------------------------------------------------------
A up --json >"$CONF/up.json" 2>"$CONF/up.err" || fail "up --json: $(cat "$CONF/up.err")"
jq -e --arg e "$ENV" --arg d "$D" '.environment == $e and .result == "up" and
	([.stations[].fqdn] | sort) == (["bb", "s1", "s2"] | map(. + "." + $d)) and
	(.stations[] | select(.station == "s1") | .addresses) == ["10.'$N'.0.11/24"]' \
	"$CONF/up.json" >/dev/null || fail "up --json: $(cat "$CONF/up.json")"
A up --json >"$CONF/up2.json" 2>/dev/null || fail "second up --json"
jq -e '.result == "already up"' "$CONF/up2.json" >/dev/null || fail "second up --json: $(cat "$CONF/up2.json")"

# --- exec -T: no terminal, the command's status, stdin passed ------------
[ "$(A exec -T s1 -- sh -c 'test -t 0 || test -t 1 || echo no-tty' </dev/null)" = no-tty ] ||
	fail "exec -T gave a terminal"
rc=0
A exec -T s1 -- sh -c 'exit 7' </dev/null || rc=$?
[ "$rc" = 7 ] || fail "exec -T: exit $rc, expected the command's 7"
[ "$(printf 'a\nb\n' | A exec -T s1 -- wc -l)" = 2 ] || fail "exec -T: stdin not passed"

# --- logs -f follows -----------------------------------------------------
# apomon itself, not the function A: kill of a function's $! ends only its
# subshell, and `logs -f` would follow on
"$APOMON" -c "$CONF" -e "$ENV" logs -f s1 >"$CONF/follow" 2>&1 &
follow=$!
# what PID 1's stdout gets is the station's log, written after -f began
A exec -T s1 -- sh -c "echo follow-marker-$$ >/proc/1/fd/1" </dev/null || fail "exec: write to the log"
i=0
until grep -qx "follow-marker-$$" "$CONF/follow"; do
	i=$((i + 1))
	[ $i -le 500 ] || fail "logs -f did not show a line written after it began: $(cat "$CONF/follow")"
	kill -0 "$follow" 2>/dev/null || fail "logs -f ended: $(cat "$CONF/follow")"
	sleep 0.01
done
kill -0 "$follow" 2>/dev/null || fail "logs -f ended: it does not follow"
kill "$follow"
wait "$follow" 2>/dev/null
follow=

# --- stop -t escalates to SIGKILL ----------------------------------------
pid=$(A status --json | jq -r '.stations[] | select(.station == "s1") | .pid')
[ -n "$pid" ] && [ "$pid" != null ] || fail "no pid for s1: $(A status)"
child=$(cat "/proc/$pid/task/$pid/children")
# a base station is its init alone (no entrypoint): stopped, it cannot
# act on the stop signal (from outside its PID namespace, SIGSTOP reaches
# even its init)
for c in $pid $child; do kill -STOP "$c" || fail "SIGSTOP $c"; done
t0=$(date +%s%N)
A stop -t 1 s1 2>"$CONF/stop.err" || fail "stop -t 1: $(cat "$CONF/stop.err")"
ms=$((($(date +%s%N) - t0) / 1000000))
[ "$ms" -ge 1000 ] || fail "stop -t 1 returned after $ms ms: the grace was not waited"
[ "$ms" -lt 8000 ] || fail "stop -t 1 took $ms ms"
for c in $child $pid; do
	[ ! -e "/proc/$c" ] || [ "$(cut -d' ' -f3 "/proc/$c/stat")" = Z ] || fail "process $c survived stop -t"
done
rc=0
A status --json >"$CONF/st.json" || rc=$?
[ "$rc" = 1 ] || fail "status with s1 stopped: exit $rc, expected 1 (drift)"
jq -e '.stations[] | select(.station == "s1") | .state == "stopped"' "$CONF/st.json" >/dev/null ||
	fail "s1 not stopped: $(A status)"
# and it starts again
A start s1 2>"$CONF/start.err" || fail "start after a SIGKILL: $(cat "$CONF/start.err")"

# --- its init killed from outside: status says so (no made-up exit code) --
pid=$(A status --json | jq -r '.stations[] | select(.station == "s1") | .pid')
kill -9 "$pid" || fail "kill -9 s1's init $pid"
i=0
while [ -e "/proc/$pid" ] && [ "$(cut -d' ' -f3 "/proc/$pid/stat" 2>/dev/null)" != Z ]; do
	i=$((i + 1))
	[ $i -le 500 ] || fail "s1's init $pid survived kill -9"
	sleep 0.01
done
rc=0
A status >"$CONF/st.txt" || rc=$?
[ "$rc" = 1 ] && grep -qx "drift: s1.$D: failed (its init died before startup.sh ended: killed from outside)" \
	"$CONF/st.txt" || fail "status after kill -9 of s1's init: exit $rc: $(cat "$CONF/st.txt")"
A status --json >"$CONF/st.json" # exit 1: the drift
jq -e '.stations[] | select(.station == "s1") | .state == "failed" and (has("exit_code") | not)' \
	"$CONF/st.json" >/dev/null || fail "status --json after kill -9 of s1's init: $(cat "$CONF/st.json")"
A start s1 2>"$CONF/start.err" || fail "start after its init's kill -9: $(cat "$CONF/start.err")"

# --- down --json ---------------------------------------------------------
A down --json >"$CONF/down.json" 2>"$CONF/down.err" || fail "down --json: $(cat "$CONF/down.err")"
jq -e --arg e "$ENV" '.environment == $e and .result == "down" and .failures == 0 and .records > 0' \
	"$CONF/down.json" >/dev/null || fail "down --json: $(cat "$CONF/down.json")"
assert_env_gone "$ENV"
A down --json >"$CONF/down2.json" 2>/dev/null || fail "second down --json"
jq -e '.result == "nothing to do"' "$CONF/down2.json" >/dev/null || fail "second down --json: $(cat "$CONF/down2.json")"
echo "runtime-term-stop: ok"
