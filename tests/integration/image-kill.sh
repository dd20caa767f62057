#!/bin/sh
# kill -9 of `apomon image build` in the middle of a step: every process
# of the build dies with it, nothing stays mounted, no layer is recorded,
# and the next build removes the half-made directory.
. "${top_srcdir:?}/tests/integration/lib.sh" || exit 99
. "$APOMON_SRCDIR/tests/integration/image-lib.sh"
set -u

name=images-test-kill
tmp=$(mktemp -d /tmp/apomon-images-kill.XXXXXX)
trap '"$APOMON" image rm "$name" >/dev/null 2>&1; rm -rf "$tmp"' EXIT
mkdir "$tmp/$name"
# the step blocks until it is killed; its marker tells the test it runs
cat >"$tmp/$name/image.cfg" <<'CFG'
parent = "base";
run = ["echo images-test-kill-blocking; exec sleep 3600"];
CFG
APOMON_IMAGES_PATH="$tmp:$APOMON_IMAGES_PATH"
log="${APOMON_LOG_DIR:-/var/log/apomon}/images/$name.log"

"$APOMON" image build base >/dev/null || fail "image build base"
rm -f "$log" # the marker must come from this build
"$APOMON" image build "$name" >"$tmp/out" 2>&1 &
pid=$!
i=0
until grep -q '^images-test-kill-blocking' "$log" 2>/dev/null; do
	i=$((i + 1))
	[ $i -le 600 ] || { kill -9 $pid; cat "$tmp/out"; fail "the blocking step never ran"; }
	sleep 0.05
done
kill -9 $pid
wait $pid 2>/dev/null

# the build's processes follow it (parent-death signal, then the end of its
# PID namespace); poll until none has its root in the store
i=0
# (ls fails on processes that end meanwhile; grep reads all, no SIGPIPE)
while { ls -l /proc/[0-9]*/root 2>/dev/null || :; } | grep "$IMAGES_STORE/$name/" >/dev/null; do
	i=$((i + 1))
	[ $i -le 100 ] || { ls -l /proc/[0-9]*/root | grep "$IMAGES_STORE/$name/"; fail "build processes survived"; }
	sleep 0.05
done
assert_no_store_mounts
[ -e "$IMAGES_STORE/$name/current" ] && fail "a killed build recorded a layer"
ls -d "$IMAGES_STORE/$name"/.tmp-* >/dev/null 2>&1 || fail "expected the killed build's directory"

# the next build cleans up after it
sed -i 's/exec sleep 3600/true/' "$tmp/$name/image.cfg"
"$APOMON" image build "$name" >"$tmp/out" 2>&1 || { cat "$tmp/out"; fail "build after the kill"; }
ls -d "$IMAGES_STORE/$name"/.tmp-* 2>/dev/null && fail "the half-made directory remains"
"$APOMON" image rm "$name" >/dev/null || fail "image rm"
echo "PASS"
