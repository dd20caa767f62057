# Sourced by tests/security/userns-*.sh: an environment of the runtime's
# fixture (a backbone bb, base stations s1 and s2) of its own, with
# helpers to look at its stations from the host.
. "${top_srcdir:?}/tests/integration/lib.sh" || exit 99

APOMON_INIT="$APOMON_BUILDDIR/core/runtime/apomon-init"
export APOMON_INIT
LEFT="$APOMON_SRCDIR/../shared/tools/leftovers"
[ -x "$LEFT" ] || LEFT=/work/shared/tools/leftovers

# new_env NAME K [ISOLATION]: a copy of the fixture in $TMPD/NAME whose
# addresses and domain are the K-th of this run (tests of other trees
# may run at the same time); ISOLATION, when given, goes into apomon.conf
new_env() {
	local c="$TMPD/$1" n=$((100 + ($$ + $2 * 7) % 50))
	mkdir -p "$c"
	cp -r "$APOMON_SRCDIR/tests/fixtures/runtime/." "$c"
	sed -i "s/rt\.test/$1.test/; s/10\.77\./10.$n./g; s/10\.253\.77\./10.253.$n./" \
		"$c/apomon.conf" "$c/conf.d/10-lan.conf"
	[ -z "${3:-}" ] || echo "isolation = \"$3\";" >>"$c/apomon.conf"
}
# E NAME ARGS...: apomon on environment NAME
E() {
	local e=$1
	shift
	"$APOMON" -c "$TMPD/$e" -e "$e" "$@"
}
# init_pid ENV STATION: the host PID of the station's init
init_pid() { cut -d' ' -f1 "/run/apomon/$1/stations/$2/init"; }
# host_uid0 ENV STATION: the host uid that uid 0 of the station is
host_uid0() { awk '$1 == 0 { print $2 }' "/proc/$(init_pid "$1" "$2")/uid_map"; }

TMPD=$(mktemp -d /tmp/apomon-userns.XXXXXX)
ENVS=""
cleanup() {
	for e in $ENVS; do E "$e" down --purge -q >/dev/null 2>&1; done
	rm -rf "$TMPD"
}
trap cleanup EXIT

# no_leftovers: nothing of this test's environments is left
no_leftovers() {
	[ -x "$LEFT" ] || return 0
	for e in $ENVS; do
		"$LEFT" 2>/dev/null | grep -F "$e" && fail "leftovers of $e"
	done
	return 0
}
