#!/bin/sh
# `apomon up` with stations of type base from the real base image: PID 1
# is apomon-init, no host PIDs, hostname, hosts, resolv.conf, exec, logs,
# status, capabilities, cgroup limits, ssh with the environment's key,
# data across restart, commit into an image a new station starts from,
# down --purge.
. "${top_srcdir:?}/tests/integration/lib.sh" || exit 99

ENV="rt-up-$$"
CONF=$(mktemp -d /tmp/apomon-rt-up.XXXXXX)
IMG="rt-img-$$"
cp -r "$APOMON_SRCDIR/tests/fixtures/runtime/." "$CONF"
# netns names are FQDNs and host routes are per network: a run of its own
# (another tree may run this test at the same time)
own_net_number 150 30
D="rt$$.test"
fixture_own_net "$N" "$D"
APOMON_INIT="$APOMON_BUILDDIR/core/runtime/apomon-init"
export APOMON_INIT
A() { "$APOMON" -c "$CONF" -e "$ENV" "$@"; }
cleanup() {
	A down --purge -q >/dev/null 2>&1
	"$APOMON" image rm "$IMG" >/dev/null 2>&1
	rm -rf "$CONF"
}
trap cleanup EXIT

A up -q || fail "up"

[ "$(A exec s1 -- cat /proc/1/comm)" = apomon-init ] || fail "PID 1 is not apomon-init"
n=$(A exec s1 -- sh -c 'ls -d /proc/[0-9]* | wc -l')
[ "$n" -lt 10 ] || fail "$n processes visible in s1: host PIDs leak in"
[ "$(A exec s1 -- hostname)" = s1.$D ] || fail "hostname"
A exec s1.$D -- grep -q "^10.$N.0.11	s1.$D s1\$" /etc/hosts || fail "/etc/hosts"
A exec s1 -- grep -q "^nameserver 10.$N.0.254$" /etc/resolv.conf || fail "resolv.conf"
A exec s1 -- sh -c 'exit 3'
[ $? = 3 ] || fail "exec exit status"

# interactive: a pseudo-terminal of the station's own devpts
if command -v script >/dev/null; then
	out=$(script -qec "$APOMON -c $CONF -e $ENV exec s1 -- sh -c 'tty; test -t 0 && echo in-tty'" /dev/null </dev/null | tr -dc '[:print:]\n')
	# (script may type a stray control character, which the pty echoes as ^@)
	echo "$out" | grep_q '/dev/pts/[0-9]*$' || fail "exec: no pty: $out"
	echo "$out" | grep_q '^in-tty$' || fail "exec: stdin is not the pty: $out"
fi
[ "$(A exec s1 -- sh -c 'test -t 0 || echo no-tty' </dev/null)" = no-tty ] || fail "exec: pty without a terminal"

# logs: what PID 1's stdout gets is the station's log
A exec s1 -- sh -c 'echo rt-log-marker > /proc/1/fd/1'
A logs s1 | grep '^rt-log-marker$' >/dev/null || fail "logs"

A status | grep_q "^  s1.$D  *ready  *pid [0-9][0-9]* up " || fail "status: $(A status)"

# capabilities: SYS_ADMIN (21) and NET_ADMIN (12) nowhere, the backbone
# included (its forwarding and routes are set from outside)
capbnd() { A exec "$1" -- sh -c 'grep CapBnd /proc/1/status' | awk '{print $2}'; }
b=$(capbnd s1)
[ $(((0x$b >> 21) & 1)) = 0 ] || fail "s1 keeps SYS_ADMIN"
[ $(((0x$b >> 12) & 1)) = 0 ] || fail "s1 keeps NET_ADMIN"
b=$(capbnd bb)
[ $(((0x$b >> 12) & 1)) = 0 ] || fail "the backbone keeps NET_ADMIN"
[ $(((0x$b >> 21) & 1)) = 0 ] || fail "the backbone keeps SYS_ADMIN"

# cgroup limits of s2 (memory 256M, pids 200)
if [ -d /sys/fs/cgroup/memory ]; then
	[ "$(cat /sys/fs/cgroup/memory/apomon/$ENV/s2/memory.limit_in_bytes)" = 268435456 ] ||
		fail "memory limit"
	[ "$(cat /sys/fs/cgroup/pids/apomon/$ENV/s2/pids.max)" = 200 ] || fail "pids limit"
else
	[ "$(cat /sys/fs/cgroup/apomon/$ENV/s2/memory.max)" = 268435456 ] || fail "memory.max"
fi

# ssh as 3pg with the environment's key, through the backbone
[ "$(timeout 30 "$APOMON" -c "$CONF" -e "$ENV" ssh s1 hostname </dev/null)" = s1.$D ] ||
	fail "ssh"

# data survives a restart
A exec s1 -- sh -c 'echo kept > /root/data' || fail "write"
A restart s1 2>/dev/null || fail "restart"
[ "$(A exec s1 -- cat /root/data)" = kept ] || fail "data lost over restart"
A stop s2 2>/dev/null || fail "stop"
# a stopped station is drift: status says so and exits 1
st=$(A status)
[ $? = 1 ] || fail "status with s2 stopped: exit 0, expected 1 (drift): $st"
printf '%s\n' "$st" | grep_q "^  s2.$D  *stopped " || fail "status after stop: $st"
A start s2 2>/dev/null || fail "start"

# commit: a new station starts from the image
A exec s1 -- sh -c 'echo committed > /etc/rt-marker' || fail "write marker"
A commit s1 "$IMG" >/dev/null || fail "commit"
A down -q || fail "down"
[ -f "/var/lib/apomon/$ENV/s1/upper/root/data" ] || fail "down without --purge lost data"
sed -i "s|^  );|    ,{ name = \"s3\"; type = \"base\"; image = \"$IMG\"; addresses = [\"10.$N.0.13\"]; }\n  );|" \
	"$CONF/conf.d/10-lan.conf"
A up -q || fail "up with s3"
[ "$(A exec s3 -- cat /etc/rt-marker)" = committed ] || fail "s3 did not start from $IMG"
[ "$(A exec s1 -- cat /root/data)" = kept ] || fail "data lost over down/up"

A down --purge -q || fail "down --purge"
[ -e "/var/lib/apomon/$ENV" ] && fail "data left after down --purge"
assert_no_leftovers "$ENV"
"$APOMON" image rm "$IMG" >/dev/null || fail "image rm"
exit 0
