#!/bin/bash
# A third party builds a station type against an installed apomon with
# nothing but pkg-config, installs it where pkg-config says, and apomon
# lists it.  Needs no root: everything goes into a temporary prefix.
set -eu -o pipefail
: "${top_builddir:?run me from make check (top_builddir unset)}"
: "${top_srcdir:?run me from make check (top_srcdir unset)}"
fail() { echo "FAIL: $*" >&2; exit 1; }

# a plugin writable by group or others would be refused, rightly
umask 022
tmp=$(mktemp -d "${TMPDIR:-/tmp}/apomon-third-party-XXXXXX")
trap 'rm -rf "$tmp"' EXIT
prefix=$tmp/prefix

# make check runs us from make: do not join its jobserver or its level
if ! env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL ${MAKE:-make} -C "$top_builddir" \
	install prefix="$prefix" >"$tmp/install.log" 2>&1; then
	cat "$tmp/install.log" >&2
	fail "make install prefix=$prefix failed"
fi

pcdir=$prefix/lib/pkgconfig
[ -f "$pcdir/apomon-plugin.pc" ] || fail "no apomon-plugin.pc in $pcdir"
flags=$(PKG_CONFIG_PATH=$pcdir pkg-config --cflags --libs apomon-plugin) ||
	fail "pkg-config does not know apomon-plugin in $pcdir"
case " $flags " in
*" -I$prefix/include "*) ;;
*) fail "pkg-config --cflags gives '$flags', not -I$prefix/include" ;;
esac

mkdir "$tmp/mine"
# shellcheck disable=SC2086 # the flags are words
${CC:-cc} $flags -o "$tmp/mine/hello.so" "$top_srcdir/tests/fixtures/thirdparty/hello.c" ||
	fail "hello.c does not build against the installed header"

# the man page's example is the same type: it must build the same way
awk '/^\.SH EXAMPLE/ { ex = 1 } ex && /^\.EE/ { exit } ex == 2 { print } ex && /^\.EX/ { ex = 2 }' \
	"$top_srcdir/docs/apomon-plugin.7" | sed 's/\\-/-/g; s/\\e/\\/g' >"$tmp/example.c"
grep -q '^APOMON_STATION_TYPE(hello)$' "$tmp/example.c" || fail "no example found in apomon-plugin.7"
# shellcheck disable=SC2086
${CC:-cc} $flags -Wall -Werror -o "$tmp/example.so" "$tmp/example.c" ||
	fail "the example of apomon-plugin(7) does not build"

apomon=$prefix/bin/apomon
[ -x "$apomon" ] || fail "no $apomon installed"
out=$("$apomon" --plugin-path "$tmp/mine" plugins) || fail "apomon plugins exited $?"
printf '%s\n' "$out"
grep -Eq "^hello +member +base +http/tcp/80 +1\.0 +$tmp/mine/hello\.so +a third party's greeting page\$" <<<"$out" ||
	fail "apomon plugins does not list hello from $tmp/mine"
grep -q '^refused:' <<<"$out" && fail "apomon plugins refused something"

json=$("$apomon" --plugin-path "$tmp/mine" plugins --json) || fail "apomon plugins --json exited $?"
grep -q '"name":"hello","description":"athirdparty'"'"'sgreetingpage"' <<<"$(tr -d ' \n' <<<"$json")" ||
	fail "apomon plugins --json does not list hello"

# installed where pkg-config says, next to the installed base type
plugindir=$(PKG_CONFIG_PATH=$pcdir pkg-config --variable=plugindir apomon-plugin)
[ "$plugindir" = "$prefix/lib/apomon/plugins" ] ||
	fail "plugindir is '$plugindir', not $prefix/lib/apomon/plugins"
install -m 0755 "$tmp/mine/hello.so" "$plugindir/"
out=$("$apomon" --plugin-path "$plugindir" plugins) || fail "apomon plugins exited $?"
printf '%s\n' "$out"
for t in base hello; do
	grep -Eq "^$t +.* $plugindir/$t\.so " <<<"$out" ||
		fail "apomon plugins does not list $t from $plugindir"
done
echo "PASS: a type built with pkg-config alone loads"
