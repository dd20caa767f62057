#!/bin/sh
# From inside a running station: mount, keyctl, bpf, loading or removing a
# module, reboot, setting the clock, a new user namespace (unshare and
# clone; clone3 gives ENOSYS), personality(ADDR_NO_RANDOMIZE), unmounting
# its root (to uncover what is under it) all fail with
# EPERM.  Then the same probes on a station without its seccomp filter
# and with the capabilities of before: each check sees the call get through.
. "${top_srcdir:?}/tests/security/escape-lib.sh" || exit 99

# umount last: a station it got through has lost its root
T="mount keyctl bpf module reboot clock userns personality umount"
date_before=$(date +%s)
esc_up
for t in $T; do
	refused "$t"
done
# (the probe exits non-zero: the escape is refused; its output is the verdict)
out=$(probe userns)
printf '%s\n' "$out" | grep_q '^clone3: Function not implemented$' || fail "clone3 is not ENOSYS: $out"
# a refused call is an error, never a killed process
A exec -T s1 -- sh -c 'escape-probe keyctl; echo alive' </dev/null | grep_q '^alive$' ||
	fail "a refused call killed its caller"
# the filter allows what servers do every day
A exec -T s1 -- sh -c 'id -u && ls / >/dev/null && ip -o link >/dev/null' </dev/null >/dev/null ||
	fail "ordinary calls refused"
A exec -T s1 -- sh -c 'grep Seccomp: /proc/1/status' </dev/null | grep_q '2$' ||
	fail "init has no seccomp filter"

# each check can fail: the station of before, without filter and with
# SYS_ADMIN, SYS_MODULE, SYS_TIME, SYS_BOOT...
esc_up seccomp,caps,userns
for t in $T; do
	caught "$t" seccomp,caps,userns
done
# the host's clock did not move (settimeofday(NULL, NULL) sets nothing)
[ $(($(date +%s) - date_before)) -lt 600 ] || fail "the host's clock jumped"
echo "escape-syscalls: ok"
