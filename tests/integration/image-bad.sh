#!/bin/sh
# Failures: a package that does not exist fails the build with apt's error,
# exit 1, naming the image and the step, and leaves no layer, no temporary
# directory, no mount and no process; a broken image.cfg is a config error
# (exit 2) naming the file, the line and the setting.
. "${top_srcdir:?}/tests/integration/lib.sh" || exit 99
. "$APOMON_SRCDIR/tests/integration/image-lib.sh"
set -u

name=images-test-bad
tmp=$(mktemp -d /tmp/apomon-images-bad.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
APOMON_IMAGES_PATH="$APOMON_SRCDIR/tests/fixtures/images:$APOMON_IMAGES_PATH"

rc=0
"$APOMON" image build "$name" >"$tmp/out" 2>"$tmp/err" || rc=$?
cat "$tmp/out" "$tmp/err"
[ $rc = 1 ] || fail "bad package: exit $rc, expected 1"
grep -q "^$name: apt-get install apomon-no-such-package: failed (exit 100)" "$tmp/err" ||
	fail "the failing step is not named"
grep -q "E: Unable to locate package apomon-no-such-package" "$tmp/err" || fail "apt's error is not shown"
grep -q "^$name: build failed; no layer was kept" "$tmp/err" || fail "no final word"
[ -e "$IMAGES_STORE/$name" ] && fail "left in the store: $(ls -A "$IMAGES_STORE/$name")"
assert_no_store_mounts
pgrep -f "$IMAGES_STORE/$name" && fail "a build process survived"

# config errors: all of them, FILE:LINE: SETTING: ...
mkdir -p "$tmp/defs/images-test-cfg"
cat >"$tmp/defs/images-test-cfg/image.cfg" <<'CFG'
parent = "base";
packages = ["ok", "Not A Package"];
seal = "/etc/x";
colour = "blue";
CFG
rc=0
APOMON_IMAGES_PATH="$tmp/defs:$APOMON_IMAGES_PATH" "$APOMON" image build images-test-cfg \
	>"$tmp/out" 2>"$tmp/err" || rc=$?
cat "$tmp/err"
[ $rc = 2 ] || fail "config error: exit $rc, expected 2"
cfg="$tmp/defs/images-test-cfg/image.cfg"
grep -q "^$cfg:2: packages\[1\]: 'Not A Package' is not a Debian package name" "$tmp/err" || fail "packages error"
grep -q "^$cfg:3: seal: is not a list" "$tmp/err" || fail "seal error"
grep -q "^$cfg:4: colour: unknown setting" "$tmp/err" || fail "unknown setting error"
printf 'parent = "base"\npackages = [;\n' >"$cfg"
rc=0
APOMON_IMAGES_PATH="$tmp/defs:$APOMON_IMAGES_PATH" "$APOMON" image build images-test-cfg \
	>"$tmp/out" 2>"$tmp/err" || rc=$?
[ $rc = 2 ] || fail "syntax error: exit $rc, expected 2"
grep -q "^$cfg:2: syntax error" "$tmp/err" || { cat "$tmp/err"; fail "syntax error message"; }
[ -e "$IMAGES_STORE/images-test-cfg" ] && fail "a config error touched the store"
echo "PASS"
