#!/bin/sh
# apomon-plugin(7)'s EXAMPLE, followed literally: its code, its image and
# its build commands are taken from the man page's text, built out of
# tree with nothing but `pkg-config --cflags --libs apomon-plugin` against
# apomon installed in a temporary prefix, installed as the page says (the
# image beside the plugin, found with no APOMON_IMAGES_PATH entry for it),
# and a station of the type comes up and answers a GET from the host.
. "${top_srcdir:?}/tests/integration/lib.sh" || exit 99
command -v curl >/dev/null || { echo "SKIP: needs curl" >&2; exit 77; }
umask 022
tmp=$(mktemp -d /tmp/apomon-man.XXXXXX)
prefix=$tmp/prefix
conf=$tmp/conf
env=man-$$
cleanup() {
	[ -x "$prefix/bin/apomon" ] &&
		"$prefix/bin/apomon" -c "$conf" -e "$env" down --quiet --purge >/dev/null 2>&1
	rm -rf "$tmp"
}
trap cleanup EXIT

# 1. the EXAMPLE section's .EX blocks, roff escapes undone
mkdir -p "$tmp/hello/images/hello"
awk -v dir="$tmp/hello" '
	/^\.SH / { ex = ($2 == "EXAMPLE") }
	ex && /^\.EX/ { n++; out = dir "/block" n; printf "" > out; inb = 1; next }
	ex && /^\.EE/ { close(out); inb = 0; next }
	inb {
		gsub(/\\-/, "-"); gsub(/\\e/, "\\"); gsub(/\\&/, ""); gsub(/\\\(dq/, "\"")
		print > out
	}' "$APOMON_SRCDIR/docs/apomon-plugin.7"
[ -f "$tmp/hello/block5" ] || fail "the EXAMPLE has fewer than 5 blocks"
mv "$tmp/hello/block1" "$tmp/hello/hello.c"
mv "$tmp/hello/block2" "$tmp/hello/images/hello/image.cfg"
mv "$tmp/hello/block3" "$tmp/hello/images/hello/startup.sh"
grep -q '^cc .*pkg-config --cflags --libs apomon-plugin' "$tmp/hello/block4" ||
	fail "the build line: $(cat "$tmp/hello/block4")"

# 2. apomon installed in a prefix
env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL ${MAKE:-make} -C "$APOMON_BUILDDIR" install \
	prefix="$prefix" >"$tmp/install.log" 2>&1 || { cat "$tmp/install.log" >&2; fail "make install"; }
export PKG_CONFIG_PATH="$prefix/lib/pkgconfig"

# 3. the page's build and install commands, as written
(cd "$tmp/hello" && sh -e block4) >"$tmp/build.log" 2>&1 || { cat "$tmp/build.log" >&2; fail "build"; }
[ -f "$prefix/lib/apomon/plugins/hello.so" ] || fail "hello.so not installed"
[ -f "$prefix/lib/apomon/plugins/images/hello/image.cfg" ] || fail "image not beside the plugin"

# 4. the page's station in a cluster; base is apomon's own image
mkdir -p "$conf/conf.d"
cat >"$conf/apomon.conf" <<'CONF'
environment = "man";
backbone = { name = "backbone"; domain = "man.example.org"; type = "base";
             host_network = "10.253.77.0/30"; };
CONF
{
	echo 'cluster = { name = "c1"; domain = "man.example.org"; network = "10.78.0.0/24";'
	sed "s/10\.1\.0\./10.78.0./" "$tmp/hello/block5"
	echo '};'
} >"$conf/conf.d/30-hello.conf"
export APOMON_INIT="$prefix/libexec/apomon/apomon-init"
export APOMON_IMAGES_PATH="$prefix/share/apomon/images"
export APOMON_PLUGIN_PATH="$prefix/lib/apomon/plugins"
a() { "$prefix/bin/apomon" -c "$conf" -e "$env" "$@"; }
a validate >"$tmp/validate.log" 2>&1 || { cat "$tmp/validate.log" >&2; fail "validate"; }
grep -q warning "$tmp/validate.log" && fail "validate warns: $(cat "$tmp/validate.log")"
a up >"$tmp/up.log" 2>&1 || { cat "$tmp/up.log" >&2; fail "up"; }
page=$(curl -sS --max-time 10 http://10.78.0.20:8080/index.html) || fail "GET from the host"
[ "$page" = "good morning from hello1.man.example.org" ] || fail "page: $page"
a down --quiet || fail "down"
exit 0
