#!/bin/sh
# dockerfile:DIR through buildah: a Dockerfile FROM the image oci-lib.sh
# makes (a local OCI layout, no network) that adds a file and an Env
# item, imported into a store of the test's own; its layers hold the
# file, its oci-start the Env and the base's Cmd.  A Dockerfile that
# fails, and no buildah on PATH, each give one line and leave the store
# and buildah's storage as they were.
. "${top_srcdir:?}/tests/integration/lib.sh" || exit 99
set -u
# buildah names what FROM reads after its path: keep the path lower-case
tmp=/tmp/apomon-oci-df-$$
mkdir "$tmp" || fail mktemp
# buildah keeps what FROM read (as localhost/PATH): the test's to remove
trap 'command -v buildah >/dev/null && buildah rmi -f "localhost$tmp/lay" >/dev/null 2>&1; rm -rf "$tmp"' EXIT
. "$APOMON_SRCDIR/tests/integration/oci-lib.sh"
APOMON_LIB_DIR="$tmp/lib"
export APOMON_LIB_DIR
mkdir -p "$tmp/lib/images" "$tmp/df"
before=$(store_listing "$tmp/lib/images")

# no buildah: one line naming the package (apomon by its full path)
PATH=/nonexistent "$APOMON" image import "dockerfile:$tmp/df" >"$tmp/out" 2>&1 &&
	fail "a Dockerfile built without buildah"
[ "$(wc -l <"$tmp/out")" = 1 ] && grep_q "Debian package buildah" "$tmp/out" ||
	{ cat "$tmp/out"; fail "not one line naming the package"; }
command -v buildah >/dev/null || { echo "SKIP: buildah not installed (tools/install-deps)" >&2; exit 77; }
[ "$(store_listing "$tmp/lib/images")" = "$before" ] || fail "a refused build left something"

oci_make_image "$tmp"
printf 'FROM oci:%s:web\nCOPY df.html /www/df.html\nENV FROM_DF=yes\n' "$lay" >"$tmp/df/Dockerfile"
echo built-by-buildah >"$tmp/df/df.html"
"$APOMON" image import -q "dockerfile:$tmp/df" >"$tmp/out" 2>&1 || { cat "$tmp/out"; fail "dockerfile import"; }
top=$tmp/lib/images/$(cd "$tmp/lib/images" && ls -d oci-df-*)
top=$top/$(readlink "$top/current")
grep -qx 'env FROM_DF=yes' "$top/root/apomon/oci-start" && grep -qx 'env GREETING=hi' "$top/root/apomon/oci-start" ||
	{ cat "$top/root/apomon/oci-start"; fail "the Dockerfile's Env and the base's"; }
grep -qx 'arg httpd' "$top/root/apomon/oci-start" || fail "the base's Cmd"
[ "$(cat "$tmp"/lib/images/oci-layer/*/root/www/df.html)" = built-by-buildah ] || fail "the COPY'd file"
ls -d "$tmp"/lib/images/.build-* 2>/dev/null && fail "the build's layout remains"
buildah images --format '{{.Name}}' | grep_q apomon-build && fail "buildah's copy remains"

# a Dockerfile that fails: buildah's words, then one line of apomon's
before=$(store_listing "$tmp/lib/images")
printf 'FROM oci:%s:web\nCOPY missing.html /www/\n' "$lay" >"$tmp/df/Dockerfile"
"$APOMON" image import -q "dockerfile:$tmp/df" >"$tmp/out" 2>&1 && fail "a failing Dockerfile was imported"
[ "$(grep -c '^apomon:' "$tmp/out")" = 1 ] && grep_q "buildah bud failed" "$tmp/out" ||
	{ cat "$tmp/out"; fail "no line saying the build failed"; }
[ "$(store_listing "$tmp/lib/images")" = "$before" ] || fail "a failed build left something"
buildah images --format '{{.Name}}' | grep_q apomon-build && fail "buildah's copy of a failed build remains"
echo "oci-dockerfile: ok"
