#!/bin/sh
# libcurl, libnftables and libarchive are opened on first use, not linked
# (core/base/dl.c): in a mount namespace where each is an empty file,
# `apomon --version` still runs (it would not start were one linked), a
# fetch and an `up` that needs nftables each fail with one line naming
# the library and its Debian package, and the `up` rolls back: nothing of
# the environment is left, its state directory included (the guard's
# refused transaction made nothing, so its undo, which needs libnftables
# too, has nothing to do).
. "${top_srcdir:?}/tests/integration/lib.sh" || exit 99
. "$APOMON_SRCDIR/tests/integration/env-lib.sh"
command -v unshare >/dev/null || { echo "SKIP: no unshare" >&2; exit 77; }
env_test "$APOMON_SRCDIR/tests/fixtures/publish-range" pubrange

# where the loader finds each library (its cache)
libpath() { ldconfig -p | awk -v so="$1" '$1 == so && /x86-64/ { print $NF; exit }'; }
curl_so=$(libpath libcurl.so.4)
nft_so=$(libpath libnftables.so.1)
archive_so=$(libpath libarchive.so.13)
[ -n "$curl_so" ] && [ -n "$nft_so" ] && [ -n "$archive_so" ] || fail "libraries not found: ldconfig -p"
: >"$tmp/empty"
# without LIBS: runs the command with these libraries empty files
without() { # LIB... -- CMD...
	_m=""
	while [ "$1" != -- ]; do
		_m="$_m mount --bind $tmp/empty $1 &&"
		shift
	done
	shift
	unshare -m sh -c "$_m"' exec "$@"' sh "$@"
}
one_line() { # FILE TEXT...: the file is one line holding each TEXT
	[ "$(wc -l <"$1")" = 1 ] || fail "expected one line: $(cat "$1")"
	_f=$1
	shift
	for _t; do
		grep -qF -e "$_t" "$_f" || fail "expected '$_t' in: $(cat "$_f")"
	done
}

without "$curl_so" "$nft_so" "$archive_so" -- "$APOMON" --version >"$tmp/v" 2>&1 ||
	fail "apomon --version needs a library it does not use: $(cat "$tmp/v")"
grep -q '^apomon ' "$tmp/v" || fail "--version: $(cat "$tmp/v")"

# a remote manifest: nothing listens on port 1, libcurl fails first
if without "$curl_so" -- "$APOMON" verify --root "$tmp" -m http://127.0.0.1:1/m r1.pubrange.test \
	>"$tmp/out" 2>"$tmp/err"; then
	fail "verify without libcurl passed"
fi
one_line "$tmp/err" "http://127.0.0.1:1/m: " "libcurl.so.4" "libcurl4"

# up reaches the host guard (nftables), fails there and rolls back
if without "$nft_so" -- "$APOMON" -c "$CONF" up --quiet --network-only >"$tmp/out" 2>"$tmp/err"; then
	fail "up without libnftables passed"
fi
grep -F "libnftables.so.1" "$tmp/err" | grep_q -F "libnftables1" ||
	fail "up: no line naming libnftables: $(cat "$tmp/err")"
[ "$(grep -c libnftables "$tmp/err")" = 1 ] || fail "up: more than one line: $(cat "$tmp/err")"
ip netns list | grep_q pubrange && fail "up left a namespace: $(ip netns list)"
nft list table ip apomon-pubrange >/dev/null 2>&1 && fail "up left the nftables table"
assert_env_gone pubrange
assert_no_leftovers pubrange
grep -F "left objects behind" "$tmp/err" && fail "up: the rollback failed: $(cat "$tmp/err")"
echo "PASS: without libcurl, libnftables, libarchive: --version runs, fetch and up say why"
