#!/bin/sh
# apomon without CAP_MKNOD (as in a container that drops it): stations
# cannot have device nodes made in their /dev, and get the host's nodes
# mounted instead.  `up` of the real base image works, each /dev node is
# the right character device and behaves as one, and down --purge leaves
# nothing.  (Before the nodes were cloned by apomon, the child tried to
# bind /dev/null from the empty template it works in, which has none:
# "start: populate /dev: No such file or directory".)
. "${top_srcdir:?}/tests/integration/lib.sh" || exit 99
command -v setpriv >/dev/null || { echo "SKIP: needs setpriv (util-linux)" >&2; exit 77; }

fixture_env rt-nomknod
own_net_number 150 30
fixture_own_net "$N" "rtn$$.test"
APOMON_INIT="$APOMON_BUILDDIR/core/runtime/apomon-init"
export APOMON_INIT

# the control: this shell may make nodes, the one below may not
node=$CONF/node
mknod "$node" c 1 3 || fail "mknod refused even with CAP_MKNOD"
rm -f "$node"
setpriv --inh-caps=-mknod --bounding-set=-mknod mknod "$node" c 1 3 2>/dev/null &&
	fail "setpriv did not take CAP_MKNOD away"

setpriv --inh-caps=-mknod --bounding-set=-mknod "$APOMON" -c "$CONF" -e "$ENV" up -q ||
	fail "up without CAP_MKNOD"
for st in s1 s2; do
	out=$(A exec $st -- sh -c '
		for d in null:1,3 zero:1,5 full:1,7 random:1,8 urandom:1,9 tty:5,0; do
			set -- $(stat -c "%F %t,%T" /dev/${d%%:*})
			[ "$1 $2 $3" = "character special file" ] || echo "/dev/${d%%:*}: $*"
			[ "$(printf "%d,%d" 0x${4%%,*} 0x${4##*,})" = "${d#*:}" ] || echo "/dev/${d%%:*}: $4"
		done
		echo x >/dev/null || echo "null: write"
		[ "$(head -c 8 /dev/zero | tr -d "\0" | wc -c)" = 0 ] || echo "zero: not zeros"
		[ "$(head -c 16 /dev/urandom | wc -c)" = 16 ] || echo "urandom: short"
		(echo x >/dev/full) 2>/dev/null && echo "full: write accepted"
		echo done') || fail "$st: exec: $out"
	[ "$out" = done ] || fail "$st: $out"
done
A down --purge -q || fail "down --purge"
assert_env_gone "$ENV"
echo PASS
