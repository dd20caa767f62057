#!/bin/sh
# A failed reconcile puts back a config that @includes a file outside
# conf.d/ (every file the loader read is kept with the applied snapshot,
# not only apomon.conf and conf.d/*.conf), and a rollback killed while it
# loads that previous config leaves its copy only in the environment's
# own state directory: the next `up` and `down` remove it, nothing is
# left in /tmp.
. "${top_srcdir:?}/tests/integration/lib.sh" || exit 99

ENV="ri-$$"
CONF=$(mktemp -d /tmp/apomon-ri.XXXXXX)
cp -r "$APOMON_SRCDIR/tests/fixtures/runtime/." "$CONF"
own_net_number 150 30
D="ri$$.test"
fixture_own_net "$N" "$D"
APOMON_INIT="$APOMON_BUILDDIR/core/runtime/apomon-init"
export APOMON_INIT
RUN=/run/apomon/$ENV
A() { "$APOMON" -c "$CONF" -e "$ENV" "$@"; }
cleanup() {
	A down --purge -q >/dev/null 2>&1
	rm -rf "$CONF"
}
trap cleanup EXIT

# the LAN's definition moves out of conf.d/, into an @include one level
# deeper than the config directory's own files
mkdir "$CONF/shared"
mv "$CONF/conf.d/10-lan.conf" "$CONF/shared/lan.inc"
echo '@include "shared/lan.inc"' >"$CONF/conf.d/10-lan.conf"
cp "$CONF/shared/lan.inc" "$CONF/lan.orig"
moved() { sed "s/\"10.$N.0.11\"/\"10.$N.0.21\"/" "$CONF/lan.orig" >"$CONF/shared/lan.inc"; }
addr_of_s1() { ip -n "s1.$D" -4 -o addr show dev eth0 | awk '{print $4}'; }
no_tmp_copy() {
	for _d in "${TMPDIR:-/tmp}"/apomon-previous-"$ENV".* /tmp/apomon-previous-"$ENV".*; do
		[ -e "$_d" ] && fail "a copy of the previous config is left in $_d"
	done
	return 0
}

A up -q || fail "up"
[ "$(addr_of_s1)" = "10.$N.0.11/24" ] || fail "s1's address: $(addr_of_s1)"
A diff >/dev/null || fail "diff after up: $(A diff)"

# 1. the included file moves s1; the reconcile fails at its stations step
# (s1's address already moved): the rollback loads the previous config,
# @include and all, and s1 is back at its old address
moved
A diff >"$CONF/out"
grep -q "s1 (eth0 10.$N.0.11/24 -> 10.$N.0.21/24)" "$CONF/out" || fail "diff: $(cat "$CONF/out")"
APOMON_RECONCILE_FAULT=6 A up 2>"$CONF/err" && fail "up with a fault succeeded"
grep -q "stations: injected fault at step 6" "$CONF/err" || fail "up: $(cat "$CONF/err")"
grep -q "rolled back: the environment runs as before this up" "$CONF/err" ||
	fail "the rollback did not put the previous config back: $(cat "$CONF/err")"
[ "$(addr_of_s1)" = "10.$N.0.11/24" ] || fail "s1 is not back at its old address: $(addr_of_s1)"
cp "$CONF/lan.orig" "$CONF/shared/lan.inc"
A diff >/dev/null || fail "after the rollback, diff against the old files: $(A diff)"
[ ! -e "$RUN/previous" ] || fail "the rollback left $RUN/previous"
no_tmp_copy

# 2. SIGKILL in the middle of the rollback, the previous config unpacked:
# its copy is in the environment's state directory, not in /tmp; the
# next up undoes the interrupted reconcile, removes it, applies the files
moved
APOMON_RECONCILE_FAULT=6 APOMON_ROLLBACK_FAULT=kill A up -q 2>/dev/null
[ $? = 137 ] || fail "up killed in its rollback exits $?"
[ -d "$RUN/previous" ] || fail "the killed rollback's copy is not in $RUN/previous"
no_tmp_copy
A up -q 2>"$CONF/err" || fail "up after a killed rollback: $(cat "$CONF/err")"
[ ! -e "$RUN/previous" ] || fail "up after a killed rollback left $RUN/previous"
[ "$(addr_of_s1)" = "10.$N.0.21/24" ] || fail "s1's address after up: $(addr_of_s1)"
A diff >/dev/null || fail "diff after up: $(A diff)"

# 3. the same kill, then down: nothing of the environment is left
cp "$CONF/lan.orig" "$CONF/shared/lan.inc"
APOMON_RECONCILE_FAULT=6 APOMON_ROLLBACK_FAULT=kill A up -q 2>/dev/null
[ $? = 137 ] || fail "up killed in its rollback exits $?"
[ -d "$RUN/previous" ] || fail "the killed rollback's copy is not in $RUN/previous"
A down -q || fail "down after a killed rollback"
[ ! -e "$RUN" ] || fail "down left $RUN: $(ls -A "$RUN")"
printf '%s\n' "s1.$D" "s2.$D" "bb.$D" >"$CONF/names"
assert_env_gone "$ENV" "$CONF/names"
no_tmp_copy
echo "OK"
