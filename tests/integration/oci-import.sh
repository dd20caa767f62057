#!/bin/sh
# OCI images into the layer store, made here with umoci and skopeo (no
# network): oci:, oci-archive: and docker-archive: import, layers shared,
# whiteouts and opaque directories as overlayfs sees them, hard links,
# setuid and the config kept; `image import FILE|DIR NAME` with bare paths
# of the three forms (docker save through gzip), listed with source and
# digest, a cache hit again, another image under a NAME only with --force,
# export and rm by NAME; a corrupted blob (also by bare path with a NAME),
# a layer with a ../ path, an unknown tag, files that hold no image and
# bad NAMEs refused with one line, leaving the store unchanged.
. "${top_srcdir:?}/tests/integration/lib.sh" || exit 99
set -u
tmp=$(mktemp -d /tmp/apomon-oci-import.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
. "$APOMON_SRCDIR/tests/integration/oci-lib.sh"

oci_make_image "$tmp"
skopeo copy -q "oci:$lay:web" "oci-archive:$tmp/web.tar:web" || fail "skopeo oci-archive"
skopeo copy -q "oci:$lay:web" "docker-archive:$tmp/web-docker.tar:web:1" || fail "skopeo docker-archive"

# a store of the test's own: the shared one is not the test's to fill
APOMON_LIB_DIR="$tmp/lib"
export APOMON_LIB_DIR
store="$tmp/lib/images"
for ref in "oci:$lay:web" "oci-archive:$tmp/web.tar:web" "docker-archive:$tmp/web-docker.tar"; do
	"$APOMON" image import "$ref" >"$tmp/out" 2>&1 || { cat "$tmp/out"; fail "import $ref"; }
	cat "$tmp/out"
done
# one image, three sources: three layers, stored once (by chain id)
[ "$(ls "$store/oci-layer" | wc -l)" = 3 ] || { ls -la "$store/oci-layer"; fail "layers not shared"; }
ls -d "$store"/*/.tmp-* 2>/dev/null && fail "a temporary directory remains"
"$APOMON" image import "oci:$lay:web" | grep_q "up to date" || fail "a second import is no cache hit"

top=$store/$(cd "$store" && ls -d oci-lay-web-*)
top=$top/$(readlink "$top/current")
[ "$(jq -r .parent "$top/image.json")" = oci-layer ] || fail "top layer's parent"
start=$top/root/apomon/oci-start
grep -qx 'user 1000 1000' "$start" || { cat "$start"; fail "User web not resolved to 1000"; }
grep -qx 'cwd /www' "$start" && grep -qx 'env GREETING=hi' "$start" &&
	grep -qx 'port 8080/tcp' "$start" || { cat "$start"; fail "config not kept"; }
[ "$(grep '^arg ' "$start" | tr '\n' ' ')" = "arg /bin/busybox arg httpd arg -f arg -p arg 8080 arg -h arg /www " ] ||
	{ cat "$start"; fail "Entrypoint+Cmd"; }

# the layers as a station's root would see them
bottom=$store/oci-layer/$(jq -r .parent_digest "$top/image.json")
lower=
d=$bottom
while :; do
	lower="$lower${lower:+:}$d/root"
	p=$(jq -r .parent_digest "$d/image.json")
	[ "$p" = null ] && break
	d=$store/oci-layer/$p
done
[ "$(stat -c %a "$d/root/bin/suid")" = 4755 ] || fail "setuid bit lost"
[ "$(stat -c %i "$d/root/www/index.html")" = "$(stat -c %i "$d/root/www/hard.html")" ] ||
	fail "hard link lost"
mkdir "$tmp/m"
unshare --mount sh -eu -c '
	mount --make-rprivate /
	mount -t overlay overlay -o "lowerdir=$1/root:$2" "$3"
	[ "$(cat "$3/www/index.html")" = hello-oci ]
	[ ! -e "$3/gone/f" ] && [ -d "$3/gone" ]
	[ "$(ls "$3/opq")" = fresh ]
	[ "$(stat -c %U "$3/bin/busybox")" = root ]
' sh "$top" "$lower" "$tmp/m" || fail "the merged root is not the image's"

# ---- `image import FILE|DIR NAME`: bare paths told by their contents ----
# (a layout directory, an oci-archive, a docker save piped through gzip),
# each stored as a NAME of its own, its layers the ones above
gzip -c "$tmp/web-docker.tar" >"$tmp/web-docker.tar.gz"
APOMON_IMAGES_PATH="$APOMON_SRCDIR/images"
export APOMON_IMAGES_PATH
i=0
for p in "$lay" "$tmp/web.tar" "$tmp/web-docker.tar.gz"; do
	i=$((i + 1))
	"$APOMON" image import "$p" "web$i" >"$tmp/out" 2>&1 || { cat "$tmp/out"; fail "import $p web$i"; }
	cat "$tmp/out"
done
[ "$(ls "$store/oci-layer" | wc -l)" = 3 ] || { ls -la "$store/oci-layer"; fail "named imports did not share the layers"; }
"$APOMON" image list --json >"$tmp/list" || fail "image list"
jq -e --arg l "$lay" --arg t "$tmp" '[.[] | select(.name | test("^web[0-9]$")) | .source] ==
	["oci:" + $l, "oci-archive:" + $t + "/web.tar", "docker-archive:" + $t + "/web-docker.tar.gz"]' \
	"$tmp/list" >/dev/null || { cat "$tmp/list"; fail "list: not the sources of web1..web3"; }
jq -e '[.[] | select(.name | test("^web[0-9]$")) | .digest | length] == [64, 64, 64]' "$tmp/list" >/dev/null ||
	fail "list: no digest for web1..web3"
"$APOMON" image list | grep_q "^web2  .* oci-archive:$tmp/web.tar\$" || fail "list: no source for web2"
"$APOMON" image import "$tmp/web.tar" web2 | grep_q "up to date" || fail "the same archive again as web2: no cache hit"
# another image under web2: refused without --force, replaced with it
"$APOMON" image import "$tmp/web-docker.tar.gz" web2 >"$tmp/out" 2>&1 && fail "web2 moved without --force"
[ "$(wc -l <"$tmp/out")" = 1 ] && grep_q "^apomon: web2: image import: already names another image" "$tmp/out" ||
	{ cat "$tmp/out"; fail "no one line on web2's other image"; }
"$APOMON" image import -q --force "$tmp/web-docker.tar.gz" web2 || fail "import --force web2"
[ "$(readlink "$store/web2/current")" = "$(readlink "$store/web3/current")" ] || fail "web2 not replaced"
[ "$(ls "$store/web2" | wc -l)" = 2 ] || { ls -la "$store/web2"; fail "web2's old image kept"; }
# export and rm find a NAME (the station test, oci-type.sh, runs one)
"$APOMON" image export -q web2 "$tmp/web2.tar" || fail "export web2"
skopeo inspect "oci-archive:$tmp/web2.tar" | jq -e '.Env == ["GREETING=hi"]' >/dev/null || fail "web2's export"
"$APOMON" image rm web1 web2 web3 >/dev/null || fail "image rm web1 web2 web3"
[ "$(ls "$store/oci-layer" | wc -l)" = 3 ] || fail "rm of the NAMEs took layers other images use"

# ---- unhappy paths, each into an empty store that must stay so ----
APOMON_LIB_DIR="$tmp/lib2"
mkdir -p "$APOMON_LIB_DIR/images"
before=$(store_listing "$APOMON_LIB_DIR/images")

# a corrupted layer blob (the biggest): its digest no longer matches
cp -a "$lay" "$tmp/bad"
blob=$(ls -S "$tmp/bad/blobs/sha256/"* | head -1)
printf 'X' | dd of="$blob" bs=1 seek=100 conv=notrunc 2>/dev/null
"$APOMON" image import "oci:$tmp/bad:web" >"$tmp/out" 2>&1 && fail "a corrupted blob was imported"
grep -q "digest mismatch\|layer sha256:" "$tmp/out" || { cat "$tmp/out"; fail "no word of the mismatch"; }
[ "$(grep -c '^apomon:' "$tmp/out")" = 1 ] || { cat "$tmp/out"; fail "not one line"; }
[ "$(store_listing "$APOMON_LIB_DIR/images")" = "$before" ] ||
	{ store_listing "$APOMON_LIB_DIR/images"; fail "a corrupted import left something"; }

# the same, found by its bare path and given a NAME: no NAME is left
"$APOMON" image import "$tmp/bad" bad1 >"$tmp/out" 2>&1 && fail "a corrupted layout was imported as bad1"
[ "$(grep -c '^apomon:' "$tmp/out")" = 1 ] || { cat "$tmp/out"; fail "bad1: not one line"; }
[ "$(store_listing "$APOMON_LIB_DIR/images")" = "$before" ] ||
	{ store_listing "$APOMON_LIB_DIR/images"; fail "a corrupted import as bad1 left something"; }

# a layer with ../evil
cp -a "$lay" "$tmp/evil"
python3 - "$tmp/evil.tar" <<'PY'
import io, sys, tarfile
with tarfile.open(sys.argv[1], 'w') as t:
    f = tarfile.TarInfo('../evil'); f.size = 2; t.addfile(f, io.BytesIO(b'x\n'))
PY
umoci raw add-layer --image "$tmp/evil:web" "$tmp/evil.tar" || fail "umoci add-layer evil"
"$APOMON" image import "oci:$tmp/evil:web" >"$tmp/out" 2>&1 && fail "a ../ path was imported"
grep -q "refused: ../evil" "$tmp/out" || { cat "$tmp/out"; fail "no word of the refused path"; }
[ -n "$(find "$APOMON_LIB_DIR" -name evil)" ] && fail "../evil was written"
[ "$(store_listing "$APOMON_LIB_DIR/images")" = "$before" ] ||
	{ store_listing "$APOMON_LIB_DIR/images"; fail "a refused import left something"; }

# a config refused after every layer was verified (a User the image does
# not have, then nothing to run): no layer of it may stay in the store
for bad in "--config.user nosuchuser" "--clear=config.entrypoint --clear=config.cmd"; do
	rm -rf "$tmp/cfg" && cp -a "$lay" "$tmp/cfg"
	# shellcheck disable=SC2086
	umoci config --image "$tmp/cfg:web" $bad || fail "umoci config $bad"
	"$APOMON" image import "oci:$tmp/cfg:web" >"$tmp/out" 2>&1 && fail "config ($bad) imported"
	grep -q "config: " "$tmp/out" || { cat "$tmp/out"; fail "no word of the refused config"; }
	[ "$(grep -c '^apomon:' "$tmp/out")" = 1 ] || { cat "$tmp/out"; fail "not one line"; }
	cat "$tmp/out"
	[ -z "$(ls -A "$APOMON_LIB_DIR/images/oci-layer" 2>/dev/null)" ] ||
		{ ls -la "$APOMON_LIB_DIR/images/oci-layer"; fail "a refused config left its layers"; }
	[ "$(store_listing "$APOMON_LIB_DIR/images")" = "$before" ] ||
		{ store_listing "$APOMON_LIB_DIR/images"; fail "a refused config left something"; }
done

# an unknown tag, a missing file, a bad reference: one line each
for ref in "oci:$lay:nope" "oci-archive:$tmp/none.tar" "oci:"; do
	"$APOMON" image import "$ref" >"$tmp/out" 2>&1 && fail "$ref imported"
	[ "$(wc -l <"$tmp/out")" = 1 ] || { cat "$tmp/out"; fail "$ref: not one line"; }
	cat "$tmp/out"
done
# bare paths that hold no image, and bad NAMEs: one line naming the file
# (and what was expected) or the name, exit 2
echo junk >"$tmp/junk.tar"
tar -C "$tmp" -cf "$tmp/other.tar" opq.tar
head -c 3000 "$tmp/web-docker.tar.gz" >"$tmp/cut.tar.gz"
mkdir "$tmp/empty"
for c in "$tmp/junk.tar|not an image archive: expected an OCI archive" \
	"$tmp/other.tar|not an image archive: expected .*none of them in it" \
	"$tmp/cut.tar.gz|not an image archive" \
	"$tmp/empty|not an OCI image layout: expected a directory holding oci-layout and index.json" \
	"$tmp/none.tar|No such file"; do
	f=${c%%|*}
	"$APOMON" image import "$f" x1 >"$tmp/out" 2>&1
	[ $? = 2 ] || { cat "$tmp/out"; fail "$f: not refused with 2"; }
	[ "$(wc -l <"$tmp/out")" = 1 ] && grep_q "^apomon: $f: ${c#*|}" "$tmp/out" ||
		{ cat "$tmp/out"; fail "$f: not one line naming it"; }
	cat "$tmp/out"
done
for c in "Web|not an image name" "-w|not an image name" "w.1|not an image name" \
	"oci-layer|image import: the store's own name" "base|.*/images/base defines an image of that name"; do
	n=${c%%|*}
	"$APOMON" image import "$tmp/web.tar" "$n" >"$tmp/out" 2>&1
	[ $? = 2 ] || { cat "$tmp/out"; fail "NAME $n: not refused with 2"; }
	[ "$(wc -l <"$tmp/out")" = 1 ] && grep_q "^apomon: $n: ${c#*|}" "$tmp/out" ||
		{ cat "$tmp/out"; fail "NAME $n: not one line naming it"; }
	cat "$tmp/out"
done
[ "$(store_listing "$APOMON_LIB_DIR/images")" = "$before" ] || fail "a refused reference left something"
echo "oci-import: ok"
