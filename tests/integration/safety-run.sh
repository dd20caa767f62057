#!/bin/sh
# host->run is bounded: a startup check whose command never exits, and
# one whose command prints without end (`yes`), make `up` fail at the
# type's ready timeout (2 s) naming the station and the step, with
# apomon's memory bounded (64 KiB of output kept), and roll back with
# nothing left -- not even the command inside the station.
. "${top_srcdir:?}/tests/integration/lib.sh" || exit 99

own_net_number 150 20
D="srun$$.test"
CONF=$(mktemp -d /tmp/apomon-safety-run.XXXXXX)
ENV="safety-run-$$"
APOMON_INIT="$APOMON_BUILDDIR/core/runtime/apomon-init"
export APOMON_INIT
A() { "$APOMON" -c "$CONF" -e "$ENV" --plugin-path "$APOMON_BUILDDIR/tests/runtime/types/.libs" "$@"; }
cleanup() {
	A down --purge -q >/dev/null 2>&1
	rm -rf "$CONF"
}
trap cleanup EXIT
nothing_left() {
	[ -e "/run/apomon/$ENV" ] && fail "$1: state /run/apomon/$ENV left"
	grep -qF "/$ENV/" /proc/self/mounts && fail "$1: mounts left"
	[ -e "/run/netns/s1.$D" ] && fail "$1: namespace left"
	pgrep -f "$2" >/dev/null && fail "$1: the command is still running: $(pgrep -af "$2")"
	assert_no_leftovers "$ENV" "$D"
	return 0
}
config() { # config TYPE
	cat >"$CONF/apomon.conf" <<EOC
environment = "srun";
plugin_path = [];
backbone = { name = "bb"; domain = "$D"; type = "base"; host_network = "10.252.$N.0/30"; };
EOC
	mkdir -p "$CONF/conf.d"
	cat >"$CONF/conf.d/10-lan.conf" <<EOC
cluster = {
  name = "lan"; domain = "$D"; network = "10.$N.7.0/24";
  stations = ( { name = "s1"; type = "$1"; addresses = ["10.$N.7.11"]; } );
};
EOC
}

for t in hang flood; do
	config "rt-run-$t"
	t0=$(date +%s%N)
	/usr/bin/time -f '%M' -o "$CONF/rss" "$APOMON" -c "$CONF" -e "$ENV" \
		--plugin-path "$APOMON_BUILDDIR/tests/runtime/types/.libs" up -q 2>"$CONF/err"
	rc=$?
	ms=$((($(date +%s%N) - t0) / 1000000))
	[ $rc = 1 ] || fail "$t: up exited $rc, expected 1: $(cat "$CONF/err")"
	grep -q "s1.$D: ready: Connection timed out" "$CONF/err" ||
		fail "$t: message: $(cat "$CONF/err")"
	grep -q "run $([ $t = hang ] && echo sleep || echo yes): still running after 2000 ms: killed" \
		"$CONF/err" "/var/log/apomon/$ENV/s1.log" 2>/dev/null ||
		fail "$t: the kill was not said: $(cat "$CONF/err")"
	# the deadline, plus the start of the backbone and the station
	[ "$ms" -ge 2000 ] && [ "$ms" -lt 30000 ] || fail "$t: up took $ms ms"
	rss=$(tail -n 1 "$CONF/rss")
	echo "$t: up failed after $ms ms, max RSS $rss KiB"
	[ "$rss" -lt 65536 ] || fail "$t: apomon grew to $rss KiB"
	nothing_left "$t" "$([ $t = hang ] && echo 'sleep 100000' || echo 'yes 0123456789abcdef')"
done
grep -q "output cut at 65536 bytes" "$CONF/err" "/var/log/apomon/$ENV/s1.log" 2>/dev/null ||
	fail "flood: the cut was not said: $(cat "$CONF/err")"
exit 0
