#!/bin/sh
# docs/writing-a-station-type.md, followed literally: the files of its
# complete example (the greeter type) are taken from the guide's own
# text, checked against examples/greeter, built with
# pkg-config against apomon installed in a temporary prefix, installed
# into a temporary plugin and image directory, and a station of the type
# comes up (its real startup check), answers an HTTP GET from the host,
# and goes down.
. "${top_srcdir:?}/tests/integration/lib.sh" || exit 99
command -v curl >/dev/null || { echo "SKIP: needs curl" >&2; exit 77; }
umask 022
tmp=$(mktemp -d /tmp/apomon-guide.XXXXXX)
prefix=$tmp/prefix
conf=$tmp/conf
env=guide-$$
cleanup() {
	[ -x "$prefix/bin/apomon" ] &&
		"$prefix/bin/apomon" -c "$conf" -e "$env" down --quiet --purge >/dev/null 2>&1
	rm -rf "$tmp"
}
trap cleanup EXIT

guide=$APOMON_SRCDIR/docs/writing-a-station-type.md
fix=$APOMON_SRCDIR/examples/greeter
# 1. the example's files, from the guide: a fenced block right after a
#    line `<!-- file: PATH -->`
mkdir -p "$tmp/greeter/images/greeter"
awk -v dir="$tmp/greeter" '
	/^<!-- file: .* -->$/ { f = dir "/" $3; next }
	f && /^```/ { if (in_block) { close(out); f = ""; in_block = 0 } else { in_block = 1; out = f; printf "" > out }; next }
	in_block { print > out }' "$guide"
for p in greeter.c Makefile greeter.conf images/greeter/image.cfg images/greeter/startup.sh; do
	[ -f "$tmp/greeter/$p" ] || fail "the guide does not include $p"
	cmp -s "$tmp/greeter/$p" "$fix/$p" || fail "the guide's $p differs from $fix/$p"
done
# (its debian/ packages it: not part of the guide's text)
[ "$(cd "$fix" && find . -path ./debian -prune -o -type f -print | wc -l)" = 5 ] || fail "a fixture file is missing from the list"
chmod 755 "$tmp/greeter/images/greeter/startup.sh"

# 2. apomon installed in a prefix (make check runs us from make: do not
#    join its jobserver)
env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL ${MAKE:-make} -C "$APOMON_BUILDDIR" install \
	prefix="$prefix" >"$tmp/install.log" 2>&1 || { cat "$tmp/install.log" >&2; fail "make install"; }
export PKG_CONFIG_PATH="$prefix/lib/pkgconfig"

# 3. build and install the type as the guide says, into temporary dirs
env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -C "$tmp/greeter" >"$tmp/build.log" 2>&1 ||
	{ cat "$tmp/build.log" >&2; fail "make of the greeter"; }
[ "$(pkg-config --variable=plugindir apomon-plugin)" = "$prefix/lib/apomon/plugins" ] ||
	fail "plugindir"
env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -C "$tmp/greeter" install \
	PLUGINDIR="$tmp/plugins" IMAGESDIR="$tmp/images" >>"$tmp/build.log" 2>&1 ||
	{ cat "$tmp/build.log" >&2; fail "make install of the greeter"; }
[ -f "$tmp/plugins/greeter.so" ] && [ -f "$tmp/images/greeter/image.cfg" ] || fail "installed files"

# 4. enable a station in conf.d and bring it up with the installed apomon
mkdir -p "$conf/conf.d"
cat >"$conf/apomon.conf" <<'CONF'
environment = "guide";
backbone = { name = "backbone"; domain = "greet.example.org"; type = "base";
             host_network = "10.253.75.0/30"; };
CONF
cp "$tmp/greeter/greeter.conf" "$conf/conf.d/30-greeter.conf"
export APOMON_INIT="$prefix/libexec/apomon/apomon-init"
export APOMON_IMAGES_PATH="$tmp/images:$prefix/share/apomon/images"
export APOMON_PLUGIN_PATH="$tmp/plugins:$prefix/lib/apomon/plugins"
a() { "$prefix/bin/apomon" -c "$conf" -e "$env" "$@"; }
a plugins | grep_q "^greeter .* $tmp/plugins/greeter.so " || fail "apomon plugins: $(a plugins)"
a up >"$tmp/up.log" 2>&1 || { cat "$tmp/up.log" >&2; fail "up"; }
grep -q 'hello.greet.example.org' "$tmp/up.log" || fail "summary: $(cat "$tmp/up.log")"

# 5. a real GET from the host, through the backbone
page=$(curl -sS --max-time 10 http://10.75.0.10:8080/) || fail "GET from the host"
[ "$page" = "<h1>Bonjour from hello.greet.example.org</h1>" ] || fail "page: $page"

# 6. a bad setting is refused with the file and the line
sed -i 's/greeting = "Bonjour"/greeting = "<b>"/' "$conf/conf.d/30-greeter.conf"
a validate 2>"$tmp/bad.log" && fail "a greeting with < was accepted"
grep -q '30-greeter.conf:[0-9]*: .*settings.greeting: expected 1 to 64 characters' "$tmp/bad.log" ||
	fail "validate: $(cat "$tmp/bad.log")"

a down --quiet || fail "down"
ip netns list 2>/dev/null | grep_q 'greet\.example\.org' && fail "a namespace is left"
exit 0
