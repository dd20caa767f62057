#!/bin/bash
# `apomon plugins` against the purpose-built plugins: the table, the
# refusals, --json, the search order, and exit 0 with refusals.  Needs no
# root and no valid config (the config directory does not even exist).
set -eu -o pipefail
: "${top_builddir:?run me from make check (top_builddir unset)}"
fail() { echo "FAIL: $*" >&2; exit 1; }

umask 022
apomon=$top_builddir/apomon
built=$top_builddir/tests/plugins/.libs
tmp=$(mktemp -d "${TMPDIR:-/tmp}/apomon-plugins-command-XXXXXX")
trap 'rm -rf "$tmp"' EXIT
noconf=$tmp/no-config
# plugins exits 2 when a type's image is nowhere: the test types use base,
# this tree's own
APOMON_IMAGES_PATH="${top_srcdir:?}/images"
export APOMON_IMAGES_PATH
mkdir "$tmp/a" "$tmp/b"
for p in good badabi noentry; do cp "$built/$p.so" "$tmp/a/"; done
cp "$built/dup.so" "$tmp/b/"

out=$("$apomon" -c "$noconf" --plugin-path "$tmp/a" plugins) || fail "exit status $?, expected 0"
printf '%s\n' "$out"
expect() {
	printf '%s\n' "$out" | grep -E -- "$1" >/dev/null || fail "no line matching: $1"
}
expect '^NAME +ROLE +IMAGE +PORTS +VERSION +FILE +DESCRIPTION$'
expect "^good +gateway +base +http/tcp/8080, dns/udp/53 +1\\.2\\.3 +$tmp/a/good\\.so +a valid test type\$"
expect '^refused:$'
expect "^  $tmp/a/badabi\\.so: wrong ABI version 99: rebuild it against apomon [0-9.]+ \\(ABI 1\\)\$"
expect "^  $tmp/a/noentry\\.so: not an apomon plugin: no symbol apomon_station_type_entry\$"
expect '^2 plugins were refused; the types above load all the same \(exit status 0\)$'
expect "^searched: $tmp/a "

# the environment variable comes after --plugin-path
out=$(APOMON_PLUGIN_PATH=":$tmp/b:" "$apomon" -c "$noconf" --plugin-path "$tmp/a" plugins) ||
	fail "exit status $?, expected 0"
expect "^good +.* $tmp/a/good\\.so +a valid test type\$"
expect "^  $tmp/b/dup\\.so: duplicate type name 'good': already loaded from $tmp/a/good\\.so\$"
out=$(APOMON_PLUGIN_PATH="$tmp/b" "$apomon" -c "$noconf" plugins) || fail "exit status $?, expected 0"
expect "^good +member +base +- +- +$tmp/b/dup\\.so +an impostor\$"

# apomon's own status, not tr's
out=$("$apomon" -c "$noconf" --plugin-path "$tmp/a" plugins --json) ||
	fail "--json: exit status $?, expected 0"
out=$(printf '%s' "$out" | tr -d ' \n')
expect '^\{"types":\[\{"name":"good","description":"avalidtesttype","version":"1\.2\.3","image":"base","role":"gateway","ports":\[\{"name":"http","proto":"tcp","port":8080\},\{"name":"dns","proto":"udp","port":53\}\]'
expect "\"refused\":\\[\\{\"file\":\"$tmp/a/badabi\\.so\",\"reason\":\"wrongABIversion99"

# a group-writable directory is refused as a whole
chmod 0770 "$tmp/a"
out=$("$apomon" -c "$noconf" --plugin-path "$tmp/a" plugins) || fail "exit status $?, expected 0"
expect "^  $tmp/a: unsafe permissions: $tmp/a is writable by group \\(mode 0770\\); only its owner may write it\$"
expect '^no station types loaded$'
expect '^1 plugin was refused; no type loaded \(exit status 0\)$'

set +e
"$apomon" -c "$noconf" plugins extra >/dev/null 2>&1
rc=$?
set -e
[ "$rc" = 2 ] || fail "an extra argument gave exit status $rc, expected 2"
echo "PASS: apomon plugins"
