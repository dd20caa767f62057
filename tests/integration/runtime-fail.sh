#!/bin/sh
# A station whose entrypoint exits 1, and one without an entrypoint: both
# read as failed with the entrypoint's code, and cleanup leaves nothing,
# their id ranges included.
. "${top_srcdir:?}/tests/integration/lib.sh" || exit 99
. "$APOMON_SRCDIR/tests/integration/runtime-lib.sh"

make_layer "$RT_TMP/bad" 'echo "cannot start: no config" >&2; exit 1'
mkdir -p "$RT_TMP/none/bin"
cp "$(command -v busybox)" "$RT_TMP/none/bin/busybox"
RT_STATIONS="bad none"

"$APO_STATION" start "$RT_ENV" bad bad.rt.test "$RT_TMP/bad" 2>"$RT_TMP/err" &&
	fail "start of a failing entrypoint succeeded"
grep -q '^apo-station: bad: entrypoint: exited$' "$RT_TMP/err" || fail "message: $(cat "$RT_TMP/err")"
# the init is gone once its status says so: poll the real state
poll sh -c "\"$APO_STATION\" info $RT_ENV bad | grep -q '^failed 0 0.0 1 '" ||
	fail "state: $("$APO_STATION" info "$RT_ENV" bad)"
grep -q '^cannot start: no config$' "$("$APO_STATION" log "$RT_ENV" bad)" || fail "log"

"$APO_STATION" start "$RT_ENV" none none.rt.test "$RT_TMP/none" 2>/dev/null &&
	fail "start without an entrypoint succeeded"
poll sh -c "\"$APO_STATION\" info $RT_ENV none | grep -q '^failed 0 0.0 127 '" ||
	fail "state: $("$APO_STATION" info "$RT_ENV" none)"
grep -q 'apomon-init: /apomon/startup.sh: No such file or directory' \
	"$("$APO_STATION" log "$RT_ENV" none)" || fail "log of the missing entrypoint"

"$APO_STATION" cleanup "$RT_ENV" --purge bad none || fail "cleanup"
grep -q "/run/apomon/$RT_ENV/" /proc/self/mounts && fail "mount left"
[ -e "/run/apomon/$RT_ENV/stations" ] && fail "state left"
# their id ranges went back to the pool (the table, then empty, with them)
[ -e "/var/lib/apomon/$RT_ENV/idmap" ] && fail "id ranges kept: $(cat "/var/lib/apomon/$RT_ENV/idmap")"
exit 0
