#!/bin/sh
# The gate in `up`: seal a running station, `down`, tamper with
# its writable layer, `up` refuses naming the station and the file, the
# integrity log has the line, nothing of the environment is left.  Then a
# missing file (an overlay whiteout) and an added manifest line for a file
# that does not exist, likewise.  The gate on `start` and `restart` in a
# running environment: refused with one line, restored, runs again.  A
# required signature: missing, or a manifest rewritten to bless a
# tampered file, refuses `up`.
# Uses the runtime fixture (tests/fixtures/runtime) and this tree's images.
. "${top_srcdir:?}/tests/integration/lib.sh" || exit 99
set -u
fixture_env int-up
# this tree's image definitions, whatever ran before
APOMON_IMAGES_PATH="$APOMON_SRCDIR/images:$CONF/images"
export APOMON_IMAGES_PATH

A up -q || fail "up"
pid=$(A status | sed -n 's/^  s1\.rt\.test  *ready  *pid \([0-9][0-9]*\) .*/\1/p')
[ -n "$pid" ] || fail "no pid for s1: $(A status)"
# the running station's root, seen through its init; signed (the key is
# required at the end)
A keygen -o "$CONF/k" >/dev/null 2>&1 || fail "keygen"
A seal s1 --root "/proc/$pid/root" --sign "$CONF/k.key" 2>/dev/null || fail "seal"
M=$LIB/$ENV/manifests/s1.manifest
[ -s "$M.sig" ] || fail "seal --sign wrote no $M.sig"
# the digest is the file's SHA-256, as sha256sum computes it
d=$(sha256sum <"/proc/$pid/root/etc/ssh/sshd_config" | cut -d' ' -f1)
grep -q "^$d  /etc/ssh/sshd_config\$" "$M" || fail "the image's sealed path: $(cat "$M")"
_v=$(A verify s1 --root "/proc/$pid/root") || fail "verify exited $?: $_v"
printf '%s\n' "$_v" | grep_q "s1.rt.test: .* files ok" || fail "verify"
# without --root: the running station's root, found through its init
_v=$(A verify s1) || fail "verify exited $?: $_v"
printf '%s\n' "$_v" | grep_q "s1.rt.test: .* files ok" || fail "verify (default root)"
A down -q || fail "down"

upper=$LIB/$ENV/s1/upper
refused() { # TEXT: up fails, says TEXT, logs the station and path, leaves nothing
	if A up -q 2>"$CONF/err"; then fail "up accepted a bad s1 (expected '$1')"; fi
	grep -qF "s1.rt.test: integrity: $1" "$CONF/err" || fail "up said: $(cat "$CONF/err")"
	grep -q "	s1.rt.test	${1%%:*}	" "$LOG/$ENV/integrity.log" ||
		fail "not logged: $(cat "$LOG/$ENV/integrity.log")"
	ip netns list | grep_q "rt.test" && fail "namespaces left behind"
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

# The gate on start and restart, the environment up.  VERB s1 is refused
# with one line naming the station and the file, s1 does not run, its
# root is not left mounted, the rest of the environment stays up.
gate() { # VERB
	if A "$1" s1 2>"$CONF/err"; then fail "$1 accepted a tampered s1"; fi
	# restart says "stopped" first; then one line, the verdict
	grep -vx "s1.rt.test: stopped" "$CONF/err" >"$CONF/err1" || true
	[ "$(wc -l <"$CONF/err1")" = 1 ] &&
		grep -qF "s1.rt.test: integrity: /etc/ssh/sshd_config: digest mismatch" "$CONF/err1" ||
		fail "$1 said: $(cat "$CONF/err")"
	sed "s/^/$1 refused as expected: /" "$CONF/err1"
	# s1 not running is drift: status exits 1
	rc=0
	A status --json >"$CONF/st.json" || rc=$?
	[ "$rc" = 1 ] || fail "status after a refused $1: exit $rc, expected 1 (s1 is drift)"
	jq -e '.stations[] | select(.station == "s1") | .state != "ready" and .state != "starting"' \
		"$CONF/st.json" >/dev/null || fail "s1 runs after a refused $1: $(A status)"
	jq -e '.stations[] | select(.station == "bb") | .state == "ready"' "$CONF/st.json" >/dev/null ||
		fail "the refused $1 took the environment down: $(A status)"
	! grep -F "/$ENV/roots/s1 " /proc/self/mounts >&2 || fail "the refused $1 left s1's root mounted"
}
restored() { # VERB: with the file restored, VERB s1 runs it again
	rm -f "$upper/etc/ssh/sshd_config"
	A "$1" s1 2>"$CONF/err" || fail "$1 s1 after the restore: $(cat "$CONF/err")"
	A status --json | jq -e '.stations[] | select(.station == "s1") | .state == "ready"' \
		>/dev/null || fail "s1 not ready after $1: $(A status)"
}
# s1 changes its own sealed file while it runs, then is restarted
A exec -T s1 -- sh -c 'echo "PermitRootLogin yes" >/etc/ssh/sshd_config' ||
	fail "exec in s1"
gate restart
restored start
# tampered in the layer while stopped, then started
A stop s1 2>/dev/null || fail "stop s1"
echo "PermitRootLogin yes" >"$upper/etc/ssh/sshd_config"
gate start
restored restart
A down -q || fail "down"
assert_env_gone "$ENV"

# A required signature: s1's config names a public key.  The attack it
# stops: whoever can write the manifest seals their own file's digest.
sed -i 's|{ name = "s1"; type = "base"; addresses = \["10.77.0.11"\];|& integrity = { public_key = "k.pub"; };|' \
	"$CONF/conf.d/10-lan.conf"
grep -q 'public_key = "k.pub"' "$CONF/conf.d/10-lan.conf" || fail "fixture: s1 not found"
sigrefused() { # TEXT: up fails naming s1 and TEXT, leaves nothing
	if A up -q 2>"$CONF/err"; then fail "up accepted s1 (expected '$1')"; fi
	grep -qF "s1.rt.test: integrity: " "$CONF/err" && grep -qF "$1" "$CONF/err" ||
		fail "up said: $(cat "$CONF/err")"
	sed 's/^/up refused as expected: /' "$CONF/err"
	assert_env_gone "$ENV"
}
# the manifest as sealed, its signature gone
mv "$M.sig" "$CONF/m.sig"
sigrefused "signature required (public_key "
mv "$CONF/m.sig" "$M.sig"
# signed, then rewritten for a tampered file: the signature no longer holds
cp "$M" "$CONF/m.sealed"
echo "PermitRootLogin yes" >"$upper/etc/ssh/sshd_config"
d=$(sha256sum <"$upper/etc/ssh/sshd_config" | cut -d' ' -f1)
sed -i "s|^[0-9a-f]\{64\}  /etc/ssh/sshd_config\$|$d  /etc/ssh/sshd_config|" "$M"
grep -q "^$d  /etc/ssh/sshd_config\$" "$M" || fail "manifest not rewritten: $(cat "$M")"
sigrefused "s1.manifest.sig: "
# as sealed and signed, s1 starts
cp "$CONF/m.sealed" "$M"
rm -f "$upper/etc/ssh/sshd_config"
A up -q || fail "up with a signed manifest"
A down -q || fail "down"
assert_env_gone "$ENV"
exit 0
