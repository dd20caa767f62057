#!/bin/sh
# `apomon image export NAME FILE[:TAG]`: the image made by oci-lib.sh (a
# whiteout, an opaque directory, a hard link, a setuid file, a User)
# imported, exported as an OCI archive tagged v2 with gzip layers (the
# default), read and copied by skopeo (which checks every blob's digest),
# and imported again into a second store: every layer of the second is
# the first's, file for file (type, mode, owner, size, content, the
# opaque mark), and the config survives.  A second export is the same
# image, digest for digest; --uncompressed writes plain tar layers, and
# no tag means `latest`.  An unknown name, an unwritable FILE and a bad
# tag fail with one line and leave no file behind.
. "${top_srcdir:?}/tests/integration/lib.sh" || exit 99
set -u
tmp=$(mktemp -d /tmp/apomon-oci-export.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
. "$APOMON_SRCDIR/tests/integration/oci-lib.sh"

oci_make_image "$tmp"

# the layer roots of store image $2 in store $1, bottom first, then its own
layers() {
	top=$1/$2/$(readlink "$1/$2/current")
	d=$1/oci-layer/$(jq -r .parent_digest "$top/image.json")
	out=$top/root
	while [ -d "$d" ]; do
		out="$d/root $out"
		p=$(jq -r .parent_digest "$d/image.json")
		d=$1/oci-layer/$p
	done
	echo "$out"
}
# what a layer holds, as a line a file
describe() {
	(cd "$1" && find . -mindepth 1 -printf '%P %y %m %U:%G %s %l\n' | sort &&
		find . -type f -size +0 -exec sha256sum {} + | sort -k2 &&
		find . -type d | python3 -c '
import os, sys
for p in sys.stdin.read().split():
    try:
        if os.getxattr(p, "trusted.overlay.opaque", follow_symlinks=False) == b"y":
            print(p, "opaque=\"y\"")
    except OSError:
        pass')
}

APOMON_LIB_DIR="$tmp/lib1"
export APOMON_LIB_DIR
"$APOMON" image import -q "oci:$lay:web" || fail "import"
name=$(cd "$tmp/lib1/images" && ls -d oci-lay-web-*)
"$APOMON" image export "$name" "$tmp/web.tar:v2" >"$tmp/out" 2>&1 || { cat "$tmp/out"; fail "export"; }
cat "$tmp/out"
[ -f "$tmp/web.tar" ] || fail "no $tmp/web.tar (the :v2 is the tag, not the name)"
skopeo inspect "oci-archive:$tmp/web.tar:v2" >"$tmp/inspect" || fail "skopeo cannot read the archive's v2"
jq -e '.Env == ["GREETING=hi"] and (.Layers | length) == 4' "$tmp/inspect" >/dev/null ||
	{ cat "$tmp/inspect"; fail "skopeo sees another image"; }
skopeo inspect "oci-archive:$tmp/web.tar:latest" >/dev/null 2>&1 && fail "tagged v2, yet latest is there"
skopeo inspect --raw "oci-archive:$tmp/web.tar:v2" >"$tmp/manifest" || fail "no raw manifest"
jq -e '[.layers[].mediaType] == [range(4) | "application/vnd.oci.image.layer.v1.tar+gzip"]' \
	"$tmp/manifest" >/dev/null || { cat "$tmp/manifest"; fail "layers not gzip by default"; }
# skopeo copy verifies each blob against its digest, and the diff ids
# (the uncompressed tars') against the config
skopeo copy -q "oci-archive:$tmp/web.tar:v2" "oci:$tmp/copy:v2" || fail "skopeo copy of the export"
for d in $(jq -r '.layers[].digest' "$tmp/manifest"); do
	gzip -t "$tmp/copy/blobs/sha256/${d#sha256:}" || fail "layer $d is not gzip"
done
ls -A "$tmp" | grep_q '^\.apomon-export' && fail "a temporary directory remains"
# the same image again: the same digests (no timestamp in the gzip header)
"$APOMON" image export -q "$name" "$tmp/again.tar:v2" || fail "second export"
skopeo inspect --raw "oci-archive:$tmp/again.tar:v2" | cmp -s - "$tmp/manifest" ||
	fail "a second export of the same image differs"
# uncompressed, no tag: plain tars under latest, the same diff ids
"$APOMON" image export -q --uncompressed "$name" "$tmp/plain.tar" || fail "export --uncompressed"
skopeo inspect --raw "oci-archive:$tmp/plain.tar:latest" >"$tmp/plain" || fail "no latest in plain.tar"
jq -e '[.layers[].mediaType] == [range(4) | "application/vnd.oci.image.layer.v1.tar"]' \
	"$tmp/plain" >/dev/null || { cat "$tmp/plain"; fail "--uncompressed wrote compressed layers"; }
skopeo inspect --config "oci-archive:$tmp/plain.tar" | jq -c .rootfs.diff_ids >"$tmp/ids1"
skopeo inspect --config "oci-archive:$tmp/web.tar:v2" | jq -c .rootfs.diff_ids >"$tmp/ids2"
cmp -s "$tmp/ids1" "$tmp/ids2" || fail "gzip and plain exports disagree on the diff ids"
[ "$(jq -r '.layers[0].digest' "$tmp/plain")" = "$(jq -r '.[0]' "$tmp/ids1")" ] ||
	fail "a plain layer's digest is not its diff id"

APOMON_LIB_DIR="$tmp/lib2"
"$APOMON" image import -q "oci:$tmp/copy:v2" || fail "re-import"
name2=$(cd "$tmp/lib2/images" && ls -d oci-copy-v2-*)
set -- $(layers "$tmp/lib1/images" "$name")
first="$*"
set -- $(layers "$tmp/lib2/images" "$name2")
[ $# = 5 ] || fail "re-imported: $# layers, expected the 4 exported and its own top"
i=0
for a in $first; do
	i=$((i + 1))
	b=$(eval echo "\${$i}")
	describe "$a" >"$tmp/a"
	describe "$b" >"$tmp/b"
	diff -u "$tmp/a" "$tmp/b" || fail "layer $i differs after the round trip"
done
opaque=0
for a in $first; do describe "$a" | grep_q 'opaque="y"' && opaque=1; done
[ $opaque = 1 ] || fail "no opaque directory in the image: the check above proves nothing"
top1=$(echo "$first" | awk '{print $4}')
diff "$top1/apomon/oci-start" "$5/apomon/oci-start" || fail "the config did not survive"

# unhappy: one line, no file
"$APOMON" image export nosuch "$tmp/x.tar" >"$tmp/out" 2>&1 && fail "export of nothing succeeded"
[ "$(wc -l <"$tmp/out")" = 1 ] && grep_q "nosuch" "$tmp/out" || { cat "$tmp/out"; fail "not one line naming it"; }
[ -e "$tmp/x.tar" ] && fail "a file for a missing image"
"$APOMON" image export "$name2" "$tmp/none/x.tar" >"$tmp/out" 2>&1 && fail "export into a missing directory succeeded"
[ "$(wc -l <"$tmp/out")" = 1 ] || { cat "$tmp/out"; fail "not one line"; }
"$APOMON" image export "$name2" "$tmp/bad.tar:-x" >"$tmp/out" 2>&1 && fail "export with tag -x succeeded"
[ "$(wc -l <"$tmp/out")" = 1 ] && grep_q "tag '-x'" "$tmp/out" || { cat "$tmp/out"; fail "not one line naming the tag"; }
[ -e "$tmp/bad.tar" ] && fail "a file for a bad tag"
echo "oci-export: ok"
