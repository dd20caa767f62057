#!/bin/sh
# kill -9 of `up` while it starts stations: `down` still removes every
# station (process, mount, cgroup, state), from the journal alone.
. "${top_srcdir:?}/tests/integration/lib.sh" || exit 99

ENV="rt-crash-$$"
# netns names are FQDNs and host routes are per network: a run of its own
N=$((210 + $$ % 30))
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
# poll the real state: kill it once some stations run
i=0
until [ "$(ls "/run/apomon/$ENV/stations" 2>/dev/null | wc -l)" -ge 5 ]; do
	i=$((i + 1))
	[ $i -gt 3000 ] && fail "no station started"
	kill -0 $up 2>/dev/null || fail "up ended before it could be killed"
	sleep 0.01
done
kill -9 $up
wait $up 2>/dev/null
ls /run/apomon/"$ENV"/stations/*/init >/dev/null 2>&1 || echo "note: killed before any init ran" >&2

A down -q || fail "down after kill -9"
[ -e "/run/apomon/$ENV" ] && fail "state left"
grep -qF "/$ENV/" /proc/self/mounts && fail "mount left"
[ -e "/sys/fs/cgroup/pids/apomon/$ENV" ] && fail "cgroup left"
for p in /proc/[0-9]*; do
	case "$(cat "$p/environ" 2>/dev/null | tr '\0' '\n' | grep "^APOMON_ENV=")" in
	"APOMON_ENV=$ENV") fail "process ${p#/proc/} of the station left" ;;
	esac
done
exit 0
