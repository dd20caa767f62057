#!/bin/sh
# Resource limits by default: every station has pids.max 4096 and a
# memory limit of 1 GiB unless its config says otherwise, and a fork bomb
# in a station stays inside its limit while the host keeps answering.
# The same bounded bomb against a station whose limits are "unlimited"
# shows that the check sees a missing limit.
. "${top_srcdir:?}/tests/security/userns-lib.sh" || exit 99

L="unsl-$$"
ENVS="$L"
new_env "$L" 4
# s1: the defaults; s2: pids 200 (the fixture); s3: no limits at all
sed -i 's|^  );|    ,{ name = "s3"; type = "base"; addresses = ["10.NET.0.13"];\n      limits = { memory = "unlimited"; pids = "unlimited"; }; }\n  );|' \
	"$TMPD/$L/conf.d/10-lan.conf"
net=$(sed -n 's/.*"10\.\([0-9]*\)\.0\.11".*/\1/p' "$TMPD/$L/conf.d/10-lan.conf")
sed -i "s/10\.NET\./10.$net./" "$TMPD/$L/conf.d/10-lan.conf"

E "$L" up -q || fail "up"

# cgroup_file STATION CONTROLLER FILE(v1) FILE(v2): its value, or "none"
cg() {
	local f
	if [ -e /sys/fs/cgroup/cgroup.controllers ]; then
		f="/sys/fs/cgroup/apomon/$L/$1/$4"
	else
		f="/sys/fs/cgroup/$2/apomon/$L/$1/$3"
	fi
	cat "$f" 2>/dev/null || echo none
}
[ "$(cg s1 pids pids.max pids.max)" = 4096 ] || fail "s1: pids.max $(cg s1 pids pids.max pids.max)"
[ "$(cg s1 memory memory.limit_in_bytes memory.max)" = 1073741824 ] ||
	fail "s1: memory limit $(cg s1 memory memory.limit_in_bytes memory.max)"
[ "$(cg s2 pids pids.max pids.max)" = 200 ] || fail "s2: pids.max"
[ "$(cg s3 pids pids.max pids.max)" = none ] || fail "s3: unlimited has a pids limit"
# the station's processes are in it
pid=$(init_pid "$L" s1)
if [ -e /sys/fs/cgroup/cgroup.controllers ]; then
	grep -q "^0::/apomon/$L/s1$" "/proc/$pid/cgroup" || fail "s1's init is not in its cgroup"
else
	grep -q ":pids:/apomon/$L/s1$" "/proc/$pid/cgroup" || fail "s1's init is not in its cgroup"
fi

# in_ns STATION: how many processes its PID namespace holds (seen from
# the host: when the limit is reached, nothing more runs inside)
in_ns() {
	ino=$(stat -L -c %i "/proc/$(init_pid "$L" "$1")/ns/pid")
	stat -L -c %i /proc/[0-9]*/ns/pid 2>/dev/null | grep -cx "$ino"
}
# bounded STATION: starts 300 sleepers in it (a shell that cannot fork
# gives up), then counts its processes
bounded() {
	E "$L" exec "$1" -- sh -c 'i=0; while [ $i -lt 300 ]; do sleep 120 & i=$((i + 1)); done' \
		>/dev/null 2>&1
	in_ns "$1"
}
# the check: fewer than 300 sleepers could start under pids.max 200...
n=$(bounded s2)
[ -n "$n" ] && [ "$n" -le 200 ] || fail "s2: $n processes under pids.max 200"
# ...and it sees it when the limit is missing
n=$(bounded s3)
[ -n "$n" ] && [ "$n" -gt 300 ] || fail "s3 (unlimited): only $n processes: the check cannot fail"

# a real fork bomb in s2, for 5 s: the host keeps answering meanwhile
E "$L" exec s2 -- sh -c 'b() { b | b & }; b' >/dev/null 2>&1 &
bomb=$!
t0=$(date +%s)
for i in 1 2 3 4 5; do
	timeout 2 sh -c 'echo host-alive' >/dev/null || fail "the host did not answer during the bomb"
	c=$(cg s2 pids pids.current pids.current)
	[ "$c" -le 200 ] || fail "s2 holds $c processes, over pids.max"
	sleep 1
done
timeout 10 "$APOMON" -c "$TMPD/$L" -e "$L" status >/dev/null 2>&1
[ $? != 124 ] || fail "status hung during the bomb"
# the bomb ends with its station
timeout 30 "$APOMON" -c "$TMPD/$L" -e "$L" stop s2 >/dev/null 2>&1 || fail "stop s2 under a bomb"
kill "$bomb" 2>/dev/null
wait "$bomb" 2>/dev/null
[ $(($(date +%s) - t0)) -lt 60 ] || fail "the bomb took too long to end"
[ "$(cg s2 pids pids.current pids.current)" = none ] || fail "s2's cgroup left after stop"

E "$L" down --purge -q || fail "down --purge"
no_leftovers
exit 0
