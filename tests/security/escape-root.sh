#!/bin/sh
# The chroot escape (chroot into a directory, climb with "..", chroot
# "."; a station keeps CAP_SYS_CHROOT) ends on the station's own root: its
# root was moved onto the / of a mount namespace that holds nothing else
# but an empty tmpfs under it, and ".." at / stops there.  Then on a
# station weakened on purpose (APOMON_TEST_WEAKEN=root: a chroot in a
# copy of the host's tree, as a careless runtime does; userns: as host
# root) the same check
# sees the escape read a file the test left on the host.  (Unmounting /
# to uncover what is under it: escape-syscalls.sh's umount.)
. "${top_srcdir:?}/tests/security/escape-lib.sh" || exit 99

token="apomon-escape-root-$$-$(od -An -N8 -tx8 /dev/urandom | tr -d ' ')"
printf '%s\n' "$token" >"$CONF/host-marker"

esc_up
refused chroot
out=$(A exec -T s1 -- escape-probe chroot "$CONF/host-marker" </dev/null 2>&1)
printf '%s\n' "$out"
case "$out" in *"$token"*) fail "the chroot escape read a host file: $out" ;; esac

# each check can fail: a chroot in the host's tree (as host root: the
# station's own id range cannot search apomon's 0700 state directories on
# the way up, so it stops there, out of its root but short of /tmp)
esc_up root,userns
caught chroot root,userns
out=$(A exec -T s1 -- escape-probe chroot "$CONF/host-marker" </dev/null 2>&1)
printf '%s\n' "$out"
case "$out" in *"$token"*) ;; *) fail "the weakened station's escape did not reach the host file: $out" ;; esac
echo "escape-root: ok"
