#!/bin/sh
# The gate in `up`: seal a running station, `down`, tamper with
# its writable layer, `up` refuses naming the station and the file, the
# integrity log has the line, nothing of the environment is left.  Then a
# missing file (an overlay whiteout) and an added manifest line for a file
# that does not exist, likewise.
# Uses the runtime fixture (tests/fixtures/runtime) and this tree's images.
. "${top_srcdir:?}/tests/integration/lib.sh" || exit 99
set -u
ENV="int-up-$$"
CONF=$(mktemp -d /tmp/apomon-int-up.XXXXXX)
cp -r "$APOMON_SRCDIR/tests/fixtures/runtime/." "$CONF"
APOMON_INIT="$APOMON_BUILDDIR/core/runtime/apomon-init"
# this tree's image definitions, whatever ran before
APOMON_IMAGES_PATH="$APOMON_SRCDIR/images:$CONF/images"
export APOMON_INIT APOMON_IMAGES_PATH
LIB=${APOMON_LIB_DIR:-/var/lib/apomon}
LOG=${APOMON_LOG_DIR:-/var/log/apomon}
A() { "$APOMON" -c "$CONF" -e "$ENV" "$@"; }
cleanup() {
	A down --purge -q >/dev/null 2>&1
	rm -rf "$CONF" "${LIB:?}/$ENV" "${LOG:?}/$ENV"
}
trap cleanup EXIT

A up -q || fail "up"
pid=$(A status | sed -n 's/^  s1\.rt\.test  *ready  *pid \([0-9][0-9]*\) .*/\1/p')
[ -n "$pid" ] || fail "no pid for s1: $(A status)"
# the running station's root, seen through its init
A seal s1 --root "/proc/$pid/root" 2>/dev/null || fail "seal"
M=$LIB/$ENV/manifests/s1.manifest
grep -q '  /etc/ssh/sshd_config$' "$M" || fail "the image's sealed path: $(cat "$M")"
_v=$(A verify s1 --root "/proc/$pid/root") || fail "verify exited $?: $_v"
printf '%s\n' "$_v" | grep -q "s1.rt.test: .* files ok" || fail "verify"
# without --root: the running station's root, found through its init
_v=$(A verify s1) || fail "verify exited $?: $_v"
printf '%s\n' "$_v" | grep -q "s1.rt.test: .* files ok" || fail "verify (default root)"
A down -q || fail "down"

upper=$LIB/$ENV/s1/upper
refused() { # TEXT: up fails, says TEXT, logs the station and path, leaves nothing
	if A up -q 2>"$CONF/err"; then fail "up accepted a bad s1 (expected '$1')"; fi
	grep -qF "s1.rt.test: integrity: $1" "$CONF/err" || fail "up said: $(cat "$CONF/err")"
	grep -q "	s1.rt.test	${1%%:*}	" "$LOG/$ENV/integrity.log" ||
		fail "not logged: $(cat "$LOG/$ENV/integrity.log")"
	ip netns list | grep -q "rt.test" && fail "namespaces left behind"
	[ -z "$(ls "/run/apomon/$ENV/stations" 2>/dev/null)" ] || fail "station state left behind"
	sed 's/^/up refused as expected: /' "$CONF/err"
}

# changed
mkdir -p "$upper/etc/ssh"
echo "PermitRootLogin yes" >"$upper/etc/ssh/sshd_config"
refused "/etc/ssh/sshd_config: digest mismatch"

# missing: an overlay whiteout hides the image's file
rm -f "$upper/etc/ssh/sshd_config"
mknod "$upper/etc/ssh/sshd_config" c 0 0
refused "/etc/ssh/sshd_config: missing"
rm -f "$upper/etc/ssh/sshd_config"

# a manifest line for a file that does not exist
echo "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855  /etc/never.conf" >>"$M"
refused "/etc/never.conf: missing"

# and with the manifest as sealed, s1 starts again
sed -i '/never.conf/d' "$M"
A up -q || fail "up after repair"
exit 0
