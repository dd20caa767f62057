#!/bin/sh
# dockerfile:DIR through buildah: a Dockerfile FROM the image oci-lib.sh
# makes (a local OCI layout, no network) that adds a file and an Env
# item, imported into a store of the test's own; its layers hold the
# file, its oci-start the Env and the base's Cmd.  The build is cached on
# DIR's contents: an unchanged DIR is the same image with no buildah run
# (buildah is called through a wrapper that counts its `bud`s), a changed
# file's content or mode builds again, and DIR as it was first is the
# first image again, without a build.  A Dockerfile that fails, and no
# buildah on PATH, each give one line and leave the store and buildah's
# storage as they were.
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

# the cache: buildah through a wrapper that counts its builds
mkdir "$tmp/bin"
printf '#!/bin/sh
[ "$1" = bud ] && echo bud >>%s/buds
exec %s "$@"
' "$tmp" "$(command -v buildah)" >"$tmp/bin/buildah"
chmod 755 "$tmp/bin/buildah"
: >"$tmp/buds"
dfimg=$tmp/lib/images/$(cd "$tmp/lib/images" && ls -d oci-df-*)
first=$(readlink "$dfimg/current")
imp() { PATH="$tmp/bin:$PATH" "$APOMON" image import "dockerfile:$tmp/df" >"$tmp/out" 2>&1 || { cat "$tmp/out"; fail "dockerfile import: $1"; }; }
imp unchanged
[ ! -s "$tmp/buds" ] || fail "an unchanged DIR was built again"
grep_q "up to date (context" "$tmp/out" || { cat "$tmp/out"; fail "no 'up to date' for an unchanged DIR"; }
[ "$(readlink "$dfimg/current")" = "$first" ] || fail "an unchanged DIR is another image"
echo changed >"$tmp/df/df.html"
imp "content changed"
[ "$(wc -l <"$tmp/buds")" = 1 ] || fail "a changed file was not built ($(wc -l <"$tmp/buds") buds)"
second=$(readlink "$dfimg/current")
[ "$second" != "$first" ] || fail "a changed file, the same image"
grep -l changed "$tmp"/lib/images/oci-layer/*/root/www/df.html >/dev/null || fail "the changed file is not in the store"
echo built-by-buildah >"$tmp/df/df.html"
chmod 600 "$tmp/df/df.html"
imp "mode changed"
[ "$(wc -l <"$tmp/buds")" = 2 ] || fail "a changed mode was not built"
[ "$(readlink "$dfimg/current")" != "$first" ] || fail "a changed mode, the first image"
chmod 644 "$tmp/df/df.html"
imp "back as it was"
[ "$(wc -l <"$tmp/buds")" = 2 ] || fail "DIR as it first was was built again"
[ "$(readlink "$dfimg/current")" = "$first" ] || fail "DIR as it first was is not the first image"
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
