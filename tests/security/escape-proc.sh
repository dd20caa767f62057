#!/bin/sh
# /proc and /sys like runc: /proc/sys (core_pattern), /proc/sysrq-trigger
# are read-only, /proc/kcore, /proc/keys, /proc/timer_list are empty,
# /sys/firmware is an empty directory, /sys is read-only; the host's
# core_pattern is byte-identical afterwards.  Then without masking (and
# with the capabilities of before): the checks see both escapes.
. "${top_srcdir:?}/tests/security/escape-lib.sh" || exit 99

cat /proc/sys/kernel/core_pattern >"$CONF/core_pattern.before"
same_core_pattern() {
	# (not cmp: a file of /proc says it has 0 bytes)
	[ "$(cat /proc/sys/kernel/core_pattern)" = "$(cat "$CONF/core_pattern.before")" ] ||
		fail "core_pattern changed: '$(cat /proc/sys/kernel/core_pattern)', was '$(cat "$CONF/core_pattern.before")'"
}
esc_up
refused core_pattern
refused masked
A exec -T s1 -- sh -c 'echo 1 > /proc/sysrq-trigger' </dev/null 2>/dev/null &&
	fail "/proc/sysrq-trigger is writable"
A exec -T s1 -- sh -c 'echo 1 > /proc/sys/net/ipv4/ip_forward' </dev/null 2>/dev/null &&
	fail "/proc/sys is writable"
for f in keys timer_list kcore; do
	n=$(A exec -T s1 -- sh -c "cat /proc/$f 2>/dev/null | wc -c" </dev/null)
	[ "$n" = 0 ] || fail "/proc/$f shows $n bytes"
done
n=$(A exec -T s1 -- sh -c 'ls -A /sys/firmware | wc -l' </dev/null)
[ "$n" = 0 ] || fail "/sys/firmware shows $n entries"
A exec -T s1 -- sh -c 'touch /sys/kernel/x' </dev/null 2>/dev/null && fail "/sys is writable"
# what a station needs of /proc still works
A exec -T s1 -- sh -c 'ps -e >/dev/null && cat /proc/self/status >/dev/null && cat /proc/sys/kernel/hostname' \
	</dev/null | grep_q "^s1\." || fail "/proc unusable"
same_core_pattern

# each check can fail: no masking, and the capabilities of before (kcore
# needs SYS_RAWIO); the probe writes core_pattern's own value back
esc_up mask,caps,userns
caught core_pattern mask,caps,userns
caught masked mask,caps,userns
same_core_pattern
echo "escape-proc: ok"
