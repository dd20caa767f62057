#!/bin/sh
# kill -9 of `up` while it starts stations: `down` still removes every
# station (process, mount, cgroup, state), from the journal alone.
. "${top_srcdir:?}/tests/integration/lib.sh" || exit 99

ENV="rt-crash-$$"
# netns names are FQDNs and host routes are per network: a run of its own
own_net_number 210 30
D="rtc$$.test"
CONF=$(mktemp -d /tmp/apomon-rt-crash.XXXXXX)
APOMON_INIT="$APOMON_BUILDDIR/core/runtime/apomon-init"
export APOMON_INIT
A() { "$APOMON" -c "$CONF" -e "$ENV" "$@"; }
trap 'A down --purge -q >/dev/null 2>&1; rm -rf "$CONF"' EXIT

cat >"$CONF/apomon.conf" <<EOC
environment = "rtc";
plugin_path = [];
backbone = { name = "bb"; domain = "$D"; type = "base"; host_network = "10.253.$N.0/30"; };
EOC
mkdir -p "$CONF/conf.d"
{
	echo "cluster = { name = \"lan\"; domain = \"$D\"; network = \"10.$N.0.0/24\"; stations = ("
	for i in $(seq 1 40); do
		echo "{ name = \"c$i\"; type = \"base\"; addresses = [\"10.$N.0.$((i + 10))\"];" \
			"limits = { pids = 100; }; },"
	done
	echo "{ name = \"c0\"; type = \"base\"; addresses = [\"10.$N.0.10\"]; }); };"
} >"$CONF/conf.d/10-lan.conf"

"$APOMON" -c "$CONF" -e "$ENV" up -q >/dev/null 2>&1 &
up=$!
# poll the real state: kill it once some stations' inits run (the test
# is about those: a kill before any init would prove nothing)
i=0
until [ "$(ls /run/apomon/"$ENV"/stations/*/init 2>/dev/null | wc -l)" -ge 3 ]; do
	i=$((i + 1))
	[ $i -gt 3000 ] && fail "no station's init started within 30 s"
	kill -0 $up 2>/dev/null || fail "up ended before it could be killed"
	sleep 0.01
done
kill -9 $up
wait $up 2>/dev/null
# the inits that ran: PID, start time (/proc/PID/stat field 22)
inits=$(cat /run/apomon/"$ENV"/stations/*/init 2>/dev/null | awk '{print $1 ":" $2}')
[ -n "$inits" ] || fail "no init record after the kill"
# alive: that very process (same start time), and not a zombie waiting
# for whoever inherited it from the killed `up` to reap it
alive_init() {
	_st=$(sed 's/^.*) //' "/proc/${1%%:*}/stat" 2>/dev/null) || return 1
	[ "${_st%% *}" != Z ] && [ "$(echo "$_st" | awk '{print $20}')" = "${1#*:}" ]
}
n=0
for r in $inits; do alive_init "$r" && n=$((n + 1)); done
[ "$n" -ge 1 ] || fail "no init was running when up was killed"

A down -q || fail "down after kill -9"
assert_env_gone "$ENV"
for r in $inits; do
	alive_init "$r" && fail "init ${r%%:*} survived down"
done
for p in /proc/[0-9]*; do
	case "$(cat "$p/environ" 2>/dev/null | tr '\0' '\n' | grep "^APOMON_ENV=")" in
	"APOMON_ENV=$ENV") fail "process ${p#/proc/} of the station left" ;;
	esac
done
exit 0
