#!/bin/sh
# No descriptor of a host file in any process of a station: init, the
# entrypoint and its servers, and a command run with `apomon exec` (with
# and without -T).  A descriptor is the host's when its mount is not one
# of the process's own mount namespace.  Then weakened to the log file of
# before on fds 1 and 2, and exec handing over the caller's descriptors:
# the check finds them.
. "${top_srcdir:?}/tests/security/escape-lib.sh" || exit 99

# scan: host descriptors of s1's processes, while an exec'd command runs
scan() {
	A exec -T s1 -- tail -f /dev/null </dev/null >"$CONF/exec.out" 2>&1 &
	bg=$!
	# the exec'd tail is in the station when it shows in its PID namespace
	# (not sleep: the entrypoint is one)
	i=0
	# (a process may end between listing and reading: xargs's status is
	# not the verdict; grep reads all, so no SIGPIPE)
	until { station_pids | xargs -I{} cat /proc/{}/comm 2>/dev/null || :; } | grep -x tail >/dev/null; do
		i=$((i + 1))
		[ $i -lt 500 ] || fail "exec: tail never started"
		sleep 0.02
	done
	host_fds $(station_pids)
	kill "$bg" 2>/dev/null
	A exec -T s1 -- pkill -x tail </dev/null
	wait "$bg" 2>/dev/null
}

esc_up
n=$(station_pids | wc -l)
# init (a base station has no entrypoint, and SSH is on demand: no sshd
# until a login); the exec'd command below joins it
[ "$n" -ge 1 ] || fail "no process in s1"
out=$(scan)
[ -z "$out" ] || fail "host descriptors in a station: $out"
# exec's pipes: stdin reaches the command, stdout and stderr come back
# apart, and exec returns when its command does even though a daemon it
# started holds them
[ "$(echo via-stdin | A exec -T s1 -- cat)" = via-stdin ] || fail "exec: stdin"
[ "$(A exec -T s1 -- sh -c 'echo out; echo err >&2' </dev/null 2>/dev/null)" = out ] ||
	fail "exec: stdout"
[ "$(A exec -T s1 -- sh -c 'echo out; echo err >&2' </dev/null 2>&1 >/dev/null)" = err ] ||
	fail "exec: stderr"
out=$(timeout 20 "$APOMON" -c "$CONF" -e "$ENV" exec -T s1 -- \
	sh -c 'tail -f /dev/null & echo started' </dev/null) || fail "exec waited for its command's daemon"
[ "$out" = started ] || fail "exec: output '$out'"
A exec -T s1 -- pkill -x tail </dev/null
# init's descriptors: 0-3, the read ends of its own two pipes (4 and 5,
# kept for a logger that takes over), then only its own listening sockets
# (SSH on demand, /apomon/inetd.conf) and its signalfd, never a file
ipid=$(awk '{print $1}' "/run/apomon/$ENV/stations/s1/init")
out_pipe=$(readlink "/proc/$ipid/fd/1")
status_pipe=$(readlink "/proc/$ipid/fd/3")
for fd in /proc/"$ipid"/fd/*; do
	n=${fd##*/}
	[ "$n" -le 3 ] && continue
	t=$(readlink "$fd")
	case $n:$t in
	4:"$out_pipe" | 5:"$status_pipe") ;;
	*:socket:\[*\] | *:"anon_inode:[signalfd]") ;;
	*) fail "init holds descriptor $n: $t" ;;
	esac
done
for n in 0 1 2 3; do
	[ -e "/proc/$ipid/fd/$n" ] || fail "init has no descriptor $n"
done

# each check can fail: the log file of before, exec with the caller's own
# descriptors (this test's log file)
esc_up fds
out=$(APOMON_TEST_WEAKEN=stdio scan)
echo "weakened: $out"
echo "$out" | grep_q "/var/log/apomon/$ENV/s1.log" || fail "the check missed the host's log file"
echo "escape-hostfd: ok"
