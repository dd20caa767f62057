#!/bin/sh
# A station on a real (busybox) root: its init, namespaces, hostname,
# hosts file, /dev, capabilities, cgroup, exec, log, signal forwarding,
# orphan reaping, data that survives a restart and not a purge.
. "${top_srcdir:?}/tests/integration/lib.sh" || exit 99
. "$APOMON_SRCDIR/tests/integration/runtime-lib.sh"

L="$RT_TMP/layer"
make_layer "$L" 'trap "echo got TERM; exit 0" TERM
echo "hello from $(hostname)"
( sleep 1000 & ) # an orphan for init to adopt
sleep 1000 &
wait'
printf '127.0.0.1 localhost\n10.77.0.2 s1.rt.test s1\n' >"$RT_TMP/hosts"
printf 'nameserver 10.77.0.1\n' >"$RT_TMP/resolv"

NS="apomon-rt-$$"
ip netns add "$NS" || fail "ip netns add"
RT_STATIONS="s1"
trap 'rt_cleanup; ip netns del "$NS"' EXIT

"$APO_STATION" start "$RT_ENV" s1 s1.rt.test "$L" --netns "/run/netns/$NS" \
	--hosts "$RT_TMP/hosts" --resolv "$RT_TMP/resolv" --pids 64 >/dev/null ||
	fail "start"
set -- $("$APO_STATION" info "$RT_ENV" s1)
[ "$1" = starting ] || fail "state is $1, expected starting"
pid=$2
[ "$(cat /proc/$pid/comm)" = apomon-init ] || fail "host PID $pid is not apomon-init"

x() { "$APO_STATION" exec "$RT_ENV" s1 "$@"; }

# a running station is not started twice (two overlays on one upper layer)
"$APO_STATION" start "$RT_ENV" s1 s1.rt.test "$L" 2>"$RT_TMP/err" && fail "started twice"
grep -q "s1.rt.test: start: already running (pid $pid)" "$RT_TMP/err" || fail "$(cat "$RT_TMP/err")"

# PID 1 is the init; no host PIDs are visible
[ "$(x cat /proc/1/comm)" = apomon-init ] || fail "PID 1 is not apomon-init"
n=$(x sh -c 'ls -d /proc/[0-9]* | wc -l')
[ "$n" -lt 10 ] || fail "$n processes visible: the host's leak in"
x sh -c "test ! -e /proc/$$" || fail "the test's own PID is visible" # our PID is > 10 on any host

# hostname, hosts, resolv.conf, /dev, read-only /sys
[ "$(x hostname)" = s1.rt.test ] || fail "hostname"
x grep -q '^10.77.0.2 s1.rt.test s1$' /etc/hosts || fail "/etc/hosts"
x grep -q '^nameserver 10.77.0.1$' /etc/resolv.conf || fail "/etc/resolv.conf"
for d in null zero full random urandom tty ptmx pts shm; do
	x test -e "/dev/$d" || fail "/dev/$d missing"
done
[ "$(x sh -c 'ls /dev | wc -l')" -lt 20 ] || fail "/dev is the host's"
# a file that exists on every kernel; read-only means EROFS, whatever the
# station's capabilities would have said
err=$(x sh -c 'echo 1500 > /sys/class/net/lo/mtu' 2>&1) && fail "/sys is writable"
case $err in *"Read-only file system"*) ;; *) fail "/sys write failed, but not read-only: $err" ;; esac
x sh -c 'head -c 4 /dev/urandom | wc -c' | grep_q 4 || fail "/dev/urandom"

# its network namespace is the one we gave it
ip netns exec "$NS" ip link add rtveth0 type veth peer name rtveth1 || fail "veth link"
x ip link show rtveth0 >/dev/null || fail "station is not in netns $NS"

# capabilities: SYS_ADMIN (21), SYS_MODULE (16), MKNOD (27), NET_ADMIN (12) gone
bnd=$(x sh -c 'grep CapBnd /proc/self/status' | awk '{print $2}')
for c in 12 16 17 21 22 25 27; do
	[ $(((0x$bnd >> c) & 1)) = 0 ] || fail "capability $c kept (CapBnd $bnd)"
done
x mount -t tmpfs none /mnt 2>/dev/null && fail "mount works inside the station"
x ip link set rtveth0 up 2>/dev/null && fail "NET_ADMIN kept"

# cgroup limit (pids): v1 or v2
cg=/sys/fs/cgroup/pids/apomon/$RT_ENV/s1
[ -d /sys/fs/cgroup/pids ] || cg=/sys/fs/cgroup/apomon/$RT_ENV/s1
[ "$(cat "$cg/pids.max")" = 64 ] || fail "pids.max"
grep -qx "$pid" "$cg/cgroup.procs" || fail "init not in its cgroup"

# exec: exit status passes through; output; interactive needs a tty
x sh -c 'exit 7'
[ $? = 7 ] || fail "exec exit status"
out=$("$APO_STATION" capture "$RT_ENV" s1 sh -c 'echo out; echo err >&2')
[ "$out" = "[0]out
err" ] || fail "captured output: $out"

# the orphan was adopted by init (subreaper and PID 1 alike)
x sh -c 'for p in /proc/[0-9]*; do [ "$(cut -d" " -f4 $p/stat)" = 1 ] && echo ${p#/proc/}; done; exit 0' |
	grep_q -v '^2$' || fail "no orphan reparented to init"

# logs
grep -q '^hello from s1.rt.test$' "$("$APO_STATION" log "$RT_ENV" s1)" || fail "log"

# a file written survives stop/start; SIGTERM reaches the entrypoint
x sh -c 'echo kept > /root/data' || fail "write"
"$APO_STATION" stop "$RT_ENV" s1 || fail "stop"
set -- $("$APO_STATION" info "$RT_ENV" s1)
[ "$1" = stopped ] || fail "state after stop: $1"
alive "$pid" && fail "init still alive after stop"
grep -q '^got TERM$' "$("$APO_STATION" log "$RT_ENV" s1)" || fail "SIGTERM not forwarded"
for c in /sys/fs/cgroup/*/apomon/"$RT_ENV"/s1 /sys/fs/cgroup/apomon/"$RT_ENV"/s1; do
	[ -e "$c" ] && fail "cgroup $c left after stop"
done
"$APO_STATION" start "$RT_ENV" s1 s1.rt.test "$L" --netns "/run/netns/$NS" --pids 64 >/dev/null ||
	fail "restart"
[ "$(cat "$cg/pids.max")" = 64 ] || fail "pids.max after restart"
[ "$(x cat /root/data)" = kept ] || fail "data lost over restart"

# cleanup keeps data, purge removes it
"$APO_STATION" cleanup "$RT_ENV" s1 || fail "cleanup"
grep -q " $RT_TMP\| /run/apomon/$RT_ENV/" /proc/self/mounts && fail "mount left"
for c in /sys/fs/cgroup/*/apomon/"$RT_ENV" /sys/fs/cgroup/apomon/"$RT_ENV"; do
	[ -e "$c" ] && fail "cgroup $c left"
done
[ -f "/var/lib/apomon/$RT_ENV/s1/upper/root/data" ] || fail "data not kept by cleanup"
"$APO_STATION" cleanup "$RT_ENV" --purge s1 || fail "purge"
[ -e "/var/lib/apomon/$RT_ENV/s1" ] && fail "data left after purge"
exit 0
