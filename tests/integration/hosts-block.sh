#!/bin/sh
# `apomon hosts`: the lines of the environment's names; --apply writes them
# as one marked block (refused before up, idempotent, other lines and
# other environments' blocks kept byte for byte), --remove takes exactly
# that block out, `down` removes it too, and a block without its END line
# is refused with file:line and leaves the file alone.  Works on a copy
# (APOMON_HOSTS_FILE): other tests run on this host meanwhile.
. "${top_srcdir:?}/tests/integration/lib.sh" || exit 99

ENV="hosts-$$"
CONF=$(mktemp -d /tmp/apomon-hosts-block.XXXXXX)
cp -r "$APOMON_SRCDIR/tests/fixtures/runtime/." "$CONF"
# a network and domain of its own (another tree may run this meanwhile)
own_net_number 180 30
D="hb$$.test"
fixture_own_net "$N" "$D"
APOMON_HOSTS_FILE="$CONF/hosts"
export APOMON_HOSTS_FILE
A() { "$APOMON" -c "$CONF" -e "$ENV" "$@"; }
cleanup() {
	A down --purge -q >/dev/null 2>&1
	rm -rf "$CONF"
}
trap cleanup EXIT

# the host's file as an operator keeps it: their lines, another
# environment's block, no newline at the very end
printf '127.0.0.1 localhost\n# keep me\n# BEGIN apomon other (`apomon -e other down` removes it)\n203.0.113.9 x.other.test\n# END apomon other\n203.0.113.10 last' >"$CONF/hosts.orig"
cp "$CONF/hosts.orig" "$APOMON_HOSTS_FILE"
# what apply adds (the newline the last line lacked, then the block)
block="# BEGIN apomon $ENV (\`apomon -e $ENV down\` removes it)
10.$N.0.11 s1.$D
10.$N.0.12 s2.$D
# END apomon $ENV"

# the lines, written out from the fixture: one a station address
out=$(A hosts) || fail "hosts: exit $?"
[ "$out" = "$(printf '%s\n' "$block" | sed '1d;$d')" ] || fail "hosts printed: $out"

# before up: refused, the file untouched
out=$(A hosts --apply 2>&1) && fail "hosts --apply before up was accepted"
case $out in *"environment '$ENV' is not up"*) ;; *) fail "hosts --apply before up: $out" ;; esac
cmp -s "$CONF/hosts.orig" "$APOMON_HOSTS_FILE" || fail "a refused --apply changed the file"

A up -q || fail "up"
A hosts --apply 2>/dev/null || fail "hosts --apply: exit $?"
want="$(cat "$CONF/hosts.orig")
$block"
[ "$(cat "$APOMON_HOSTS_FILE")" = "$want" ] || fail "after --apply: $(cat "$APOMON_HOSTS_FILE")"
# again: the same file, not a second block
A hosts --apply 2>/dev/null || fail "second hosts --apply"
[ "$(cat "$APOMON_HOSTS_FILE")" = "$want" ] || fail "a second --apply: $(cat "$APOMON_HOSTS_FILE")"

# --remove: the block out, the rest as it was (plus the final newline)
A hosts --remove || fail "hosts --remove: exit $?"
[ "$(cat "$APOMON_HOSTS_FILE")" = "$(cat "$CONF/hosts.orig")" ] ||
	fail "after --remove: $(cat "$APOMON_HOSTS_FILE")"
grep "apomon $ENV" "$APOMON_HOSTS_FILE" && fail "--remove left a marker"

# a block whose END line was lost: refused with the line, nothing changed
printf '127.0.0.1 localhost\n# BEGIN apomon %s\n10.%s.0.11 s1.%s\n' "$ENV" "$N" "$D" >"$CONF/hosts.bad"
for op in --apply --remove; do
	cp "$CONF/hosts.bad" "$APOMON_HOSTS_FILE"
	out=$(A hosts $op 2>&1) && fail "hosts $op accepted an unterminated block"
	case $out in *"$APOMON_HOSTS_FILE:2: '# BEGIN apomon $ENV' without its"*) ;;
	*) fail "hosts $op on an unterminated block: $out" ;; esac
	cmp -s "$CONF/hosts.bad" "$APOMON_HOSTS_FILE" || fail "hosts $op changed a file it refused"
done

# down removes an applied block
cp "$CONF/hosts.orig" "$APOMON_HOSTS_FILE"
A hosts --apply 2>/dev/null || fail "hosts --apply (before down)"
out=$(A down -q 2>&1) || fail "down: $out"
[ "$(cat "$APOMON_HOSTS_FILE")" = "$(cat "$CONF/hosts.orig")" ] ||
	fail "after down: $(cat "$APOMON_HOSTS_FILE")"
assert_env_gone "$ENV"
echo "hosts-block: ok"
