#!/bin/sh
# Every failure counts.  `down` in a cgroup that allows 3 tasks (no
# worker thread can start) and `up` under a small address space (thread
# stacks cannot be mapped) either do the whole job on the calling thread
# or report exit 1 and keep the journal -- never "down" with objects
# left.  A normal `down` afterwards leaves nothing.  And exec, ssh, logs
# refuse a station that is not running, sending it nothing.
. "${top_srcdir:?}/tests/integration/lib.sh" || exit 99
. "$APOMON_SRCDIR/tests/integration/net-lib.sh"

tmp=$(mktemp -d /tmp/apomon-safety-down.XXXXXX) || fail mktemp
conf=$tmp/conf
A="$APOMON -c $conf"
CG=/sys/fs/cgroup/pids/apomon-safety-down-$$
cleanup() {
	$A down --quiet >/dev/null 2>&1
	[ -d "$CG" ] && rmdir "$CG"
	rm -rf "$tmp"
}
trap cleanup EXIT
net_gen "$conf" safety-down 60 3 237
net_names "$conf" "$tmp/names"

# a station that is not running: one clear line, exit 1, no packet
$A up --network-only --quiet || fail "up"
for cmd in "exec s1 -- true" "logs s1" "ssh s1 true"; do
	# shellcheck disable=SC2086
	$A $cmd >"$tmp/out" 2>"$tmp/err" </dev/null
	rc=$?
	[ $rc = 1 ] || fail "$cmd exited $rc: $(cat "$tmp/err")"
	[ "$(wc -l <"$tmp/err")" = 1 ] && grep -q "s1: .*not running in environment 'safety-down'" \
		"$tmp/err" || fail "$cmd said: $(cat "$tmp/err")"
done

# down where no thread can start
[ -d /sys/fs/cgroup/pids ] || fail "no pids cgroup (v1) here"
mkdir "$CG" || fail "mkdir $CG"
echo 3 >"$CG/pids.max"
sh -c "echo \$\$ >$CG/cgroup.procs && exec $A down --quiet" >"$tmp/out" 2>"$tmp/err"
rc=$?
echo "down under pids.max 3: exit $rc $(head -c 300 "$tmp/err")"
if [ $rc = 0 ]; then
	net_assert_clean safety-down "$tmp/names"
else
	[ $rc = 1 ] || fail "down under pids.max 3 exited $rc"
	[ -s /run/apomon/safety-down/journal ] || fail "down failed and dropped the journal"
fi
$A down --quiet || fail "the second down: $?"
net_assert_clean safety-down "$tmp/names"

# not one thread: `up` (and its rollback), then `down`, on the calling thread
echo 1 >"$CG/pids.max"
sh -c "echo \$\$ >$CG/cgroup.procs && exec $A up --network-only --quiet" >"$tmp/out" 2>"$tmp/err"
rc=$?
echo "up under pids.max 1: exit $rc $(head -c 300 "$tmp/err")"
[ $rc = 0 ] || [ $rc = 1 ] || fail "up under pids.max 1 exited $rc"
if [ $rc = 0 ]; then
	sh -c "echo \$\$ >$CG/cgroup.procs && exec $A down --quiet" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	echo "down under pids.max 1: exit $rc $(head -c 300 "$tmp/err")"
	[ $rc = 0 ] && net_assert_clean safety-down "$tmp/names"
fi
$A down --quiet || fail "down after pids.max 1: $?"
net_assert_clean safety-down "$tmp/names"

# up that fails (or not) under a small address space; then down.  The
# space: the least apomon loads in (its libraries change), plus 8 MiB:
# room for little more than one thread's stack
as=40
while ! prlimit --as=$((as * 1024 * 1024)) $A --help >/dev/null 2>&1; do
	as=$((as + 4))
	[ $as -lt 400 ] || fail "apomon does not load under --as=400M"
done
as=$((as + 8))
prlimit --as=$((as * 1024 * 1024)) $A up --network-only --quiet >"$tmp/out" 2>"$tmp/err"
rc=$?
echo "up under --as=${as}M: exit $rc $(head -c 300 "$tmp/err")"
if [ $rc != 0 ]; then
	[ $rc = 1 ] || fail "up under --as exited $rc"
	if ! grep -q "rolled back: nothing of environment" "$tmp/err"; then
		[ -s /run/apomon/safety-down/journal ] || fail "rollback failed and dropped the journal"
	fi
fi
$A down --quiet || fail "down after up under --as: $?"
net_assert_clean safety-down "$tmp/names"
exit 0
