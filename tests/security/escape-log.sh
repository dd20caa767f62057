#!/bin/sh
# A station's output reaches its log through its logger, outside the
# station: `apomon logs` and `logs -f` show it, the log is capped
# (limits.log) and rotated once to NAME.log.1, and a station cannot see
# or signal its logger.
. "${top_srcdir:?}/tests/security/escape-lib.sh" || exit 99

sed -i 's/\(name = "s1";\)/\1 limits = { log = "64K"; };/' "$CONF/conf.d/10-lan.conf"
esc_up
LOG="/var/log/apomon/$ENV/s1.log"
logger=$(awk '{print $1}' "/run/apomon/$ENV/stations/s1/logger")
[ -d "/proc/$logger" ] || fail "no logger"
[ "$(readlink "/proc/$logger/ns/pid")" = "$(readlink /proc/self/ns/pid)" ] ||
	fail "the logger is not in the host's PID namespace"
[ "$(readlink "/proc/$logger/ns/mnt")" = "$(readlink /proc/self/ns/mnt)" ] ||
	fail "the logger is not in the host's mount namespace"
A exec -T s1 -- sh -c "kill -9 $logger" </dev/null 2>/dev/null
[ -d "/proc/$logger" ] || fail "a station killed its logger"

# logs -f follows what the station writes
# apomon itself, not the function A: kill of a function's $! ends only its
# subshell, and `logs -f` would follow on
"$APOMON" -c "$CONF" -e "$ENV" logs -f s1 >"$CONF/follow" 2>&1 &
f=$!
A exec -T s1 -- sh -c 'echo esc-log-marker > /proc/1/fd/1' </dev/null
i=0
until grep -q '^esc-log-marker$' "$CONF/follow"; do
	i=$((i + 1))
	[ $i -lt 500 ] || fail "logs -f: the marker never came"
	sleep 0.02
done
kill "$f"
wait "$f" 2>/dev/null

# 200 KiB through a 64 KiB cap: the log and its one rotation, never more
A exec -T s1 -- sh -c 'i=0; while [ $i -lt 3200 ]; do echo "line $i 0123456789012345678901234567890123456789012345678901"; i=$((i+1)); done > /proc/1/fd/1' </dev/null
A exec -T s1 -- sh -c 'echo esc-last-line > /proc/1/fd/1' </dev/null
i=0
until grep -q '^esc-last-line$' "$LOG"; do
	i=$((i + 1))
	[ $i -lt 500 ] || fail "the last line never reached the log"
	sleep 0.02
done
size=$(stat -c %s "$LOG")
[ "$size" -le 65536 ] || fail "the log is $size bytes, over its 64K cap"
[ -f "$LOG.1" ] || fail "no rotated log"
[ "$(stat -c %s "$LOG.1")" -le 65536 ] || fail "the rotated log is over its cap"
[ ! -e "$LOG.2" ] || fail "rotated more than once"
echo "escape-log: ok ($size bytes, $(stat -c %s "$LOG.1") rotated)"
