#!/bin/sh
# A station whose startup.sh exits 1 makes `up` exit 1 naming it and
# quoting its log, and leaves nothing but the logs (the environment's
# first up: its data goes too); so does a station that never gets ready,
# at its deadline, and an up interrupted (SIGINT, SIGTERM) while it waits
# for that station.  An environment with data from an earlier up keeps
# it as it was.
. "${top_srcdir:?}/tests/integration/lib.sh" || exit 99

# netns names are FQDNs and host routes are per network: a run of its own
own_net_number 180 30
D="rtf$$.test"
CONF=$(mktemp -d /tmp/apomon-rt-fail.XXXXXX)
ENV="rt-upfail-$$"
APOMON_INIT="$APOMON_BUILDDIR/core/runtime/apomon-init"
APOMON_IMAGES_PATH="$APOMON_SRCDIR/tests/fixtures/runtime/images"
export APOMON_INIT APOMON_IMAGES_PATH
A() { "$APOMON" -c "$CONF" -e "$ENV" --plugin-path "$APOMON_BUILDDIR/tests/runtime/types/.libs" "$@"; }
cleanup() {
	A down --purge -q >/dev/null 2>&1
	"$APOMON" image rm rt-fail >/dev/null 2>&1
	rm -rf "$CONF"
}
trap cleanup EXIT
[ -n "${RT_SHOW:-}" ] && trap 'cat "$CONF/err" >&2; cleanup' EXIT
LIB=${APOMON_LIB_DIR:-/var/lib/apomon}
LOG=${APOMON_LOG_DIR:-/var/log/apomon}
nothing_left() {
	[ -e "/run/apomon/$ENV" ] && fail "$1: state /run/apomon/$ENV left"
	# the first up of the environment: its data (layers, host keys, CA,
	# id ranges) goes too, its logs stay to read why
	[ -e "$LIB/$ENV" ] && fail "$1: data $LIB/$ENV left: $(ls "$LIB/$ENV")"
	[ -n "$(ls -A "$LOG/$ENV" 2>/dev/null)" ] || fail "$1: logs gone"
	grep -qF "/$ENV/" /proc/self/mounts && fail "$1: mounts left"
	[ -e /run/netns/s1.$D ] && fail "$1: namespace left"
	assert_no_leftovers "$ENV" "$D"
	return 0
}

config() { # config STATION_LINE
	cat >"$CONF/apomon.conf" <<EOC
environment = "rtf";
plugin_path = [];
backbone = { name = "bb"; domain = "$D"; type = "base"; host_network = "10.253.$N.0/30"; };
EOC
	mkdir -p "$CONF/conf.d"
	cat >"$CONF/conf.d/10-lan.conf" <<EOC
cluster = {
  name = "lan"; domain = "$D"; network = "10.$N.0.0/24";
  stations = (
    { name = "s1"; type = "base"; addresses = ["10.$N.0.11"]; },
    $1
  );
};
EOC
}

# startup.sh exits 1
config "{ name = \"bad\"; type = \"base\"; image = \"rt-fail\"; addresses = [\"10.$N.0.12\"]; }"
A up 2>"$CONF/err" >/dev/null
rc=$?
[ $rc = 1 ] || fail "up exited $rc, expected 1: $(cat "$CONF/err")"
grep -qx "apomon: up: rolled back: nothing of environment '$ENV' is left but its logs, in $LOG/$ENV" \
	"$CONF/err" || fail "verdict: $(cat "$CONF/err")"
grep -q "bad.$D: startup.sh exited with 1" "$CONF/err" || fail "message: $(cat "$CONF/err")"
grep -q 'rt-fail: cannot start: /etc/rt-fail.conf is missing' "$CONF/err" ||
	fail "log not quoted: $(cat "$CONF/err")"
nothing_left "failing startup.sh"
# logs of the station that no longer runs: why it ended, exit 0; -f says
# there is nothing to follow (and does not wait)
A logs bad >"$CONF/out" 2>"$CONF/err" || fail "logs bad after the failed up: $(cat "$CONF/err")"
grep -q 'rt-fail: cannot start: /etc/rt-fail.conf is missing' "$CONF/out" ||
	fail "logs bad: $(cat "$CONF/out")"
timeout 10 "$APOMON" -c "$CONF" -e "$ENV" logs -f bad >"$CONF/out" 2>"$CONF/err" ||
	fail "logs -f bad exited $?: $(cat "$CONF/err")"
grep -q 'rt-fail: cannot start' "$CONF/out" && grep -q "bad: logs: not running in environment '$ENV': its last output, nothing to follow" "$CONF/err" ||
	fail "logs -f bad: $(cat "$CONF/out" "$CONF/err")"
# a station that never ran has nothing kept: one line, exit 1
rc=0
A logs s9 >"$CONF/out" 2>"$CONF/err" || rc=$?
[ $rc = 1 ] && grep -q "s9: logs: not running in environment '$ENV', and no output of it is kept" "$CONF/err" ||
	fail "logs s9 exited $rc: $(cat "$CONF/err")"

# never ready: its check probes a port that never opens; deadline 1.5 s
config "{ name = \"nr\"; type = \"rt-never-ready\"; addresses = [\"10.$N.0.13\"]; }"
t0=$(date +%s%N)
A up -q 2>"$CONF/err"
rc=$?
t1=$(date +%s%N)
[ $rc = 1 ] || fail "up exited $rc, expected 1: $(cat "$CONF/err")"
grep -q "nr.$D: ready: not ready after 1500 ms" "$CONF/err" || fail "message: $(cat "$CONF/err")"
[ $(((t1 - t0) / 1000000)) -ge 1500 ] || fail "failed before its deadline"
nothing_left "never ready"

# interrupted (SIGINT, SIGTERM) while nr is started and not ready: up
# stops, rolls back and exits 1 naming the interrupt; nothing is left
for sig in INT TERM; do
	"$APOMON" -c "$CONF" -e "$ENV" --plugin-path "$APOMON_BUILDDIR/tests/runtime/types/.libs" \
		up -q 2>"$CONF/err" &
	up=$!
	i=0
	until [ -e "/run/apomon/$ENV/stations/nr/init" ]; do
		i=$((i + 1))
		[ $i -lt 500 ] || { kill "$up"; fail "SIG$sig: nr did not start"; }
		sleep 0.01
	done
	kill -"$sig" "$up"
	rc=0
	wait "$up" || rc=$?
	[ $rc = 1 ] || fail "up interrupted by SIG$sig exited $rc, expected 1: $(cat "$CONF/err")"
	grep -q "interrupted" "$CONF/err" || fail "SIG$sig: $(cat "$CONF/err")"
	nothing_left "SIG$sig"
done

# an environment with data (up, then down): a failed up keeps it as it was
config "{ name = \"s2\"; type = \"base\"; addresses = [\"10.$N.0.12\"]; }"
A up -q || fail "up of s1 and s2"
A down -q || fail "down"
echo kept >"$LIB/$ENV/s1/upper/kept" || fail "no data dir for s1"
config "{ name = \"bad\"; type = \"base\"; image = \"rt-fail\"; addresses = [\"10.$N.0.12\"]; }"
A up 2>"$CONF/err" >/dev/null && fail "up with bad succeeded"
grep -qx "apomon: up: rolled back: environment '$ENV' is down, its data as before ($LIB/$ENV); its logs in $LOG/$ENV" \
	"$CONF/err" || fail "verdict with data: $(cat "$CONF/err")"
[ "$(cat "$LIB/$ENV/s1/upper/kept")" = kept ] || fail "s1's data changed by the failed up"
[ -e "/run/apomon/$ENV" ] && fail "state /run/apomon/$ENV left"
exit 0
