#!/bin/sh
# A child image: only its upper layer is kept (whiteouts included), the
# chain mounts into the root it describes, changing one of its files
# rebuilds it and not base, and image rm refuses base while it is built
# on, then removes the child.
. "${top_srcdir:?}/tests/integration/lib.sh" || exit 99
. "$APOMON_SRCDIR/tests/integration/image-lib.sh"
set -u

name=images-test-child
tmp=$(mktemp -d /tmp/apomon-images-child.XXXXXX)
trap '"$APOMON" image rm "$name" >/dev/null 2>&1; rm -rf "$tmp"' EXIT
# a private copy of the fixture: the test edits it
cp -R "$APOMON_SRCDIR/tests/fixtures/images/$name" "$tmp/"
APOMON_IMAGES_PATH="$tmp:$APOMON_IMAGES_PATH"
out="$tmp/out"
# as a checkout under umask 077 makes it: the layer gets git's modes,
# not these (cp --preserve=mode of files/etc would make the image's /etc
# root's alone)
chmod 0700 "$tmp/$name/files" "$tmp/$name/files/etc"
chmod 0600 "$tmp/$name/files/etc/images-test-child.txt"

"$APOMON" image build "$name" >"$out" 2>&1 || { cat "$out"; fail "image build $name"; }
cat "$out"
assert_no_store_mounts
base=$(layer_of base) || fail "base not built"
child=$(layer_of "$name") || fail "$name not built"
base_stamp=$(stat -c '%Y %Z' "$base" "$base/root" "$base/image.json")

# the layer is an upper layer: the package and the file, no copy of base
[ -x "$child/root/usr/bin/hello" ] || fail "hello is not in the child layer"
[ -e "$child/root/usr/bin/apt-get" ] && fail "the child layer holds base's files"
[ "$(stat -c '%F %t:%T' "$child/root/etc/issue.net")" = "character special file 0:0" ] ||
	fail "no whiteout for the deleted /etc/issue.net"
[ "$(jq -r .parent "$child/image.json")" = base ] || fail "metadata parent"
[ "$(jq -r .parent_digest "$child/image.json")" = "$(basename "$base")" ] || fail "metadata parent_digest"
grep -q images-test-child.txt "$child/image.json" || fail "metadata lacks the seal list"
[ "$(stat -c %a "$child/root/etc" "$child/root/etc/images-test-child.txt" | tr '\n' ' ')" = "755 644 " ] ||
	fail "modes in the layer: $(stat -c '%a %n' "$child/root/etc" "$child/root/etc/images-test-child.txt")"
ls -d "$IMAGES_STORE/$name"/.tmp-* 2>/dev/null && fail "a temporary build directory remains"

# mounted as a station would: the whole root, the deletion honoured
mkdir "$tmp/m"
unshare --mount sh -eu -c '
	mount --make-rprivate /
	mount -t overlay overlay -o "lowerdir=$1/root:$2/root" "$3"
	[ -x "$3/bin/sh" ] && [ -x "$3/usr/bin/hello" ] && [ -x "$3/usr/sbin/sshd" ]
	[ ! -e "$3/etc/issue.net" ] && [ -e "$2/root/etc/issue.net" ]
	grep -q "Hello, world" "$3/etc/images-test-hello.txt"
	chroot "$3" hello | grep -q "Hello, world"
' sh "$child" "$base" "$tmp/m" || fail "the chain does not mount into the image's root"

# a change to one of its files rebuilds the child, not base; two builds at
# once: the store lock makes one build and the other find it done
echo "changed $(date +%s%N)" >"$tmp/$name/files/etc/images-test-child.txt"
"$APOMON" image build "$name" >"$out.2" 2>&1 &
other=$!
"$APOMON" image build "$name" >"$out" 2>&1 || { cat "$out"; fail "rebuild $name"; }
wait $other || { cat "$out.2"; fail "concurrent rebuild $name"; }
cat "$out" "$out.2"
[ "$(cat "$out" "$out.2" | grep -c "^$name: building")" = 1 ] || fail "not exactly one build"
[ "$(cat "$out" "$out.2" | grep -c "^$name: up to date")" = 1 ] || fail "the other build was no cache hit"
cat "$out.2" >>"$out"
! grep -q "^base: building" "$out" || fail "base was not a cache hit"
grep -q "^$name: building" "$out" || fail "$name was not rebuilt"
[ "$(stat -c '%Y %Z' "$base" "$base/root" "$base/image.json")" = "$base_stamp" ] || fail "base's layer changed"
child2=$(layer_of "$name")
[ "$child2" != "$child" ] || fail "the rebuilt layer kept its digest"
cmp "$tmp/$name/files/etc/images-test-child.txt" "$child2/root/etc/images-test-child.txt" ||
	fail "the new layer lacks the changed file"
"$APOMON" image build "$name" >"$out" 2>&1 || fail "third build"
grep -q "^$name: up to date" "$out" || fail "unchanged child was rebuilt"

# list, and rm
"$APOMON" image list | grep_q "^$name  *$(basename "$child2" | cut -c1-12)  *base " || fail "image list"
"$APOMON" image rm base >"$out" 2>&1 && fail "image rm base succeeded while $name is built on it"
grep -q "image rm: built on it: .*$name" "$out" || { cat "$out"; fail "rm refusal message"; }
[ -d "$base/root" ] || fail "refused rm removed base anyway"
# a mount of its layers in another mount namespace (a station) blocks rm
unshare --mount sh -c 'mount --make-rprivate / &&
	mount -t overlay overlay -o "lowerdir=$1/root:$2/root" "$3" && touch "$4" && exec sleep 600' \
	sh "$child2" "$base" "$tmp/m" "$tmp/mounted" &
holder=$!
i=0
until [ -e "$tmp/mounted" ]; do
	i=$((i + 1))
	[ $i -le 200 ] || { kill $holder; fail "the holding mount did not come up"; }
	sleep 0.05
done
"$APOMON" image rm "$name" >"$out" 2>&1 && { kill $holder; fail "image rm removed a mounted image"; }
kill $holder
wait $holder 2>/dev/null
grep -q "a mount uses its layers" "$out" || { cat "$out"; fail "in-use refusal message"; }
[ -d "$child2/root" ] || fail "refused rm removed the layer anyway"
"$APOMON" image rm "$name" || fail "image rm $name"
[ -e "$IMAGES_STORE/$name" ] && fail "$name is still in the store"
"$APOMON" image list | grep_q "^$name " && fail "$name still listed"
"$APOMON" image rm "$name" 2>/dev/null && fail "rm of a missing image succeeded"
echo "PASS"
