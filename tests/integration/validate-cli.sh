#!/bin/sh
# apomon validate, the real binary with the real base plugin: the exit
# codes, every problem at once sorted by file and line, and an unknown
# type explained by the loader's refusal of a plugin of that name.
. "${top_srcdir:?}/tests/integration/lib.sh" || exit 99

tmp=$(mktemp -d /tmp/apomon-config-cli.XXXXXX) || fail "mktemp"
trap 'rm -rf "$tmp"' EXIT

# the repository's own config
"$APOMON" -c "$APOMON_SRCDIR" validate >"$tmp/out" 2>"$tmp/err" ||
	fail "validate of the repository's config exited $?: $(cat "$tmp/err")"
grep -qx "$APOMON_SRCDIR: environment 'example' is valid: 2 clusters, 9 stations enabled" \
	"$tmp/out" || fail "validate said: $(cat "$tmp/out")"

# -e overrides the config's environment, and is checked
"$APOMON" -c "$APOMON_SRCDIR" -e staging validate >"$tmp/out" 2>&1 || fail "-e staging exited $?"
grep -q "environment 'staging' is valid" "$tmp/out" || fail "-e staging said: $(cat "$tmp/out")"
rc=0
"$APOMON" -c "$APOMON_SRCDIR" -e 'No Good' validate >"$tmp/out" 2>"$tmp/err" || rc=$?
[ "$rc" = 2 ] || fail "-e 'No Good' exited $rc, expected 2"
grep -qx "apomon: -e: invalid environment name 'No Good', expected lower-case letters, digits, '-' and '_', starting with a letter or digit, at most 63 bytes" \
	"$tmp/err" || fail "-e 'No Good' said: $(cat "$tmp/err")"

# several problems in two files: all of them, sorted, and a count; only
# the base type loads here, so that tomcat is an unknown type
APOMON_PLUGIN_PATH="$APOMON_BUILDDIR/plugins/base/.libs"
c=$tmp/bad
mkdir -p "$c/conf.d"
cat >"$c/apomon.conf" <<'CONF'
backbone = { name = "backbone"; domain = "example.com"; type = "base"; };
CONF
cat >"$c/conf.d/20-b.conf" <<'CONF'
cluster = {
  name = "b"; domain = "b.example"; network = "10.1.0.0/16";
  stations = ( { name = "www1"; type = "base"; addresses = ["10.1.0.11"]; } );
};
CONF
cat >"$c/conf.d/10-a.conf" <<'CONF'
cluster = {
  name = "a"; domain = "a.example"; network = "10.1.0.0/24";
  stations = (
    { name = "www1"; type = "base"; addresses = ["10.1.0.11"]; depends = ["www1"]; },
    { name = "tc"; type = "tomcat"; addresses = ["10.1.0.300"]; }
  );
};
CONF
cat >"$tmp/want" <<EOF2
$c/conf.d/10-a.conf:4: clusters.a.stations.www1.depends[0]: dependency cycle: www1 -> www1, expected dependencies without a cycle
$c/conf.d/10-a.conf:5: clusters.a.stations.tc.addresses[0]: invalid address '10.1.0.300', expected "A.B.C.D" or "A.B.C.D/PREFIX"
$c/conf.d/10-a.conf:5: clusters.a.stations.tc.type: unknown station type 'tomcat'; loaded types: base
$c/conf.d/20-b.conf:2: clusters.b.network: 10.1.0.0/16 overlaps 10.1.0.0/24 of cluster a ($c/conf.d/10-a.conf:2), expected disjoint networks
$c/conf.d/20-b.conf:3: clusters.b.stations.www1.name: duplicate station name 'www1', expected a name unique in the environment; the first is at $c/conf.d/10-a.conf:4
$c/conf.d/20-b.conf:3: clusters.b.stations.www1.addresses[0]: 10.1.0.11 is already the address of station www1 ($c/conf.d/10-a.conf:4), expected an address of its own
apomon: 6 problems; nothing was changed
EOF2
rc=0
"$APOMON" -c "$c" validate >"$tmp/out" 2>"$tmp/err" || rc=$?
[ "$rc" = 2 ] || fail "a bad config exited $rc, expected 2"
[ ! -s "$tmp/out" ] || fail "a bad config printed to stdout: $(cat "$tmp/out")"
diff -u "$tmp/want" "$tmp/err" >&2 || fail "a bad config: messages differ"

# a refused plugin of that name: the message says why (here: anyone may write it)
mkdir "$tmp/types"
cp "$APOMON_BUILDDIR/plugins/base/.libs/base.so" "$tmp/types/tomcat.so"
chmod 0666 "$tmp/types/tomcat.so"
rc=0
"$APOMON" -c "$c" --plugin-path "$tmp/types" validate >"$tmp/out" 2>"$tmp/err" || rc=$?
[ "$rc" = 2 ] || fail "with a refused tomcat.so: exited $rc, expected 2"
grep -q "^$c/conf.d/10-a.conf:5: clusters.a.stations.tc.type: unknown station type 'tomcat'; loaded types: base; tomcat.so was refused: unsafe permissions: " \
	"$tmp/err" || fail "with a refused tomcat.so: $(cat "$tmp/err")"

# a syntax error stops before validation: only that line
printf 'backbone = { name = "backbone"; domain = ; };\n' >"$c/apomon.conf"
rm -r "$c/conf.d"
rc=0
"$APOMON" -c "$c" validate >"$tmp/out" 2>"$tmp/err" || rc=$?
[ "$rc" = 2 ] || fail "a syntax error exited $rc, expected 2"
printf '%s\n' "$c/apomon.conf:1: cannot parse: syntax error, expected libconfig syntax" >"$tmp/want"
diff -u "$tmp/want" "$tmp/err" >&2 || fail "a syntax error: messages differ"

# no apomon.conf at all
rm "$c/apomon.conf"
rc=0
"$APOMON" -c "$c" validate >"$tmp/out" 2>"$tmp/err" || rc=$?
[ "$rc" = 2 ] || fail "a missing apomon.conf exited $rc, expected 2"
grep -qx "$c/apomon.conf: cannot read: No such file or directory" "$tmp/err" ||
	fail "a missing apomon.conf: $(cat "$tmp/err")"
exit 0
