#!/bin/sh
# bench/webtier.sh [RUNS]: apomon's overhead over the web tier's slowest
# chain of dependencies.
#
# apomon:  `apomon up` of tests/fixtures/web (lb, psql, www1, www2 and the
#          backbone) until every startup check passed, data kept from a
#          warm-up run (no initdb), RUNS times.
# by hand: the same servers from the same image layers and the same
#          rendered config, each started alone in a namespace of the
#          bench's own (overlay root, chroot, its own net and PID
#          namespaces), timed until the same kind of probe answers:
#          postgres (SQL over TCP), then both tomcats at once (GET of the
#          skel API, which needs postgres), and haproxy (HTTPS health URI).
# baseline = max(haproxy, postgres + tomcat): the slowest chain; apomon's
# overhead = all-ready - baseline, as a share of all-ready (target < 10 %).
# Run as root from the build tree after `make` (javac built the WARs).
set -eu
RUNS=${1:-3}
top_builddir=${top_builddir:-$(cd "$(dirname "$0")/.." && pwd)}
top_srcdir=${top_srcdir:-$top_builddir}
APOMON="$top_builddir/apomon"
CONF="$top_srcdir/tests/fixtures/web"
APOMON_PLUGIN_PATH=$(printf '%s:' "$top_builddir"/plugins/*/.libs)
APOMON_IMAGES_PATH="$top_srcdir/images"
APOMON_INIT="$top_builddir/core/runtime/apomon-init"
APOMON_WEBAPPS_DIR="$top_builddir/webapps"
export APOMON_PLUGIN_PATH APOMON_IMAGES_PATH APOMON_INIT APOMON_WEBAPPS_DIR
LIB=${APOMON_LIB_DIR:-/var/lib/apomon}
ENV=webtest
NS=apomon-bench-webtier
T=$(mktemp -d /tmp/apomon-bench-web.XXXXXX)
apo() { "$APOMON" -c "$CONF" "$@"; }
now() { date +%s%N; }
ms() { echo $((($2 - $1) / 1000000)); }

PIDS=""
cleanup() {
	for p in $PIDS; do kill -KILL "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
	ip netns del "$NS" 2>/dev/null || true
	apo down --purge --quiet >/dev/null 2>&1 || true
	rm -rf "$T"
}
trap cleanup EXIT INT TERM

# poll CMD...: a real probe, retried every 20 ms for at most 120 s
poll() {
	i=0
	while ! "$@" >/dev/null 2>&1; do
		i=$((i + 1))
		[ $i -gt 6000 ] && { echo "bench: timed out: $*" >&2; exit 1; }
		sleep 0.02
	done
}

# lowerdir of image NAME: its layer and its parents', uppermost first
layers() {
	name=$1 d=$(readlink "$LIB/images/$1/current") out=""
	while :; do
		out="${out:+$out:}$LIB/images/$name/$d/root"
		p=$(jq -r '.parent // empty' "$LIB/images/$name/$d/image.json")
		[ -n "$p" ] || break
		d=$(jq -r '.parent_digest' "$LIB/images/$name/$d/image.json")
		name=$p
	done
	echo "$out"
}

# prepare STATION: a copy of the station's writable layer (its config and
# data), made before the clock starts
# start STATION IMAGE CMD: CMD as the station's server in a root made of
# IMAGE's layers under that copy, in the bench's network namespace and its
# own mount and PID namespaces; everything dies with the PID namespace
prepare() {
	mkdir -p "$T/$1/upper" "$T/$1/work" "$T/$1/root"
	cp -a "$LIB/$ENV/$1/upper/." "$T/$1/upper/"
}
start() {
	st=$1 image=$2
	shift 2
	unshare --mount --propagation private --pid --fork --kill-child \
		nsenter --net="/run/netns/$NS" sh -c '
		set -e
		mount -t overlay overlay -o "lowerdir=$1,upperdir=$2/upper,workdir=$2/work" "$2/root"
		mount -t proc proc "$2/root/proc"
		mount --rbind /dev "$2/root/dev"
		mount -t tmpfs tmpfs "$2/root/run"
		mount -t tmpfs tmpfs "$2/root/tmp"
		shift 2
		exec chroot "$0" "$@"' "$T/$st/root" "$(layers "$image")" "$T/$st" "$@" \
		>"$T/$st.log" 2>&1 &
	PIDS="$PIDS $!"
}

x() { ip netns exec "$NS" "$@"; }
pg_ready() { x env PGPASSWORD=skel psql -X -tA -h 10.66.0.5 -U skel -d skel -c 'select 1' | grep -qx 1; }
tc_ready() { [ "$(x curl -s -o /dev/null -w '%{http_code}' "http://10.66.0.$1:8080/skel-0.1.0/api/companies")" = 200 ]; }
lb_ready() {
	[ "$(x curl -s -o /dev/null -w '%{http_code}' --cacert "$LIB/$ENV/ca/ca.crt" \
		--resolve "lb.webtest.example.com:443:10.66.0.2" https://lb.webtest.example.com/haproxy-health)" = 200 ]
}

echo "bench: warm-up (images, first start with initdb)" >&2
apo up --quiet
apo down --quiet

sum_up=0 max_up=0 min_up=999999999
for r in $(seq "$RUNS"); do
	out=$(apo up --json)
	m=$(echo "$out" | jq -r '.ms | floor')
	echo "$out" | jq -e '.result == "up"' >/dev/null || { echo "$out" >&2; exit 1; }
	apo down --quiet
	echo "$out" | jq -r '.phases[] | "\(.phase) \(.ms | floor)"' >"$T/phases.$r" 2>/dev/null || echo "$out" | jq -c .phases >"$T/phases.$r"
	sum_up=$((sum_up + m))
	[ "$m" -gt "$max_up" ] && max_up=$m
	[ "$m" -lt "$min_up" ] && min_up=$m
done
avg_up=$((sum_up / RUNS))

# by hand: one network namespace, the stations' addresses on its loopback
ip netns add "$NS"
ip -n "$NS" link set lo up
for a in 10.66.0.2 10.66.0.5 10.66.0.11 10.66.0.12; do ip -n "$NS" addr add "$a/32" dev lo; done

sum_pg=0 sum_tc=0 sum_lb=0
for r in $(seq "$RUNS"); do
	for s in psql www1 www2 lb; do prepare $s; done
	t0=$(now)
	start psql psql sh -c 'install -d -o postgres -g postgres /run/postgresql &&
		exec runuser -u postgres -- "$(ls -d /usr/lib/postgresql/*/bin | tail -n 1)/postgres" \
			-D /var/lib/postgresql/apomon -c config_file=/etc/postgresql/apomon/postgresql.conf'
	poll pg_ready
	t1=$(now)
	# both web servers at once, as up starts them (they share the CPUs)
	for w in www1 www2; do
		start $w tomcat sh -c 'export CATALINA_HOME=/usr/share/tomcat10 CATALINA_BASE=/var/lib/tomcat10 \
				CATALINA_TMPDIR=/tmp JAVA_OPTS=-Djava.awt.headless=true
			install -d -o tomcat -g tomcat /var/log/tomcat10 /var/cache/tomcat10
			chgrp tomcat /etc/tomcat10/context.xml; chmod 0640 /etc/tomcat10/context.xml
			/usr/libexec/tomcat10/tomcat-update-policy.sh
			exec runuser -u tomcat -- /bin/sh /usr/libexec/tomcat10/tomcat-start.sh'
	done
	poll tc_ready 11
	poll tc_ready 12
	t2=$(now)
	start lb lb sh -c 'install -d /run/haproxy && exec haproxy -W -db -f /etc/haproxy/haproxy.cfg'
	poll lb_ready
	t3=$(now)
	sum_pg=$((sum_pg + $(ms "$t0" "$t1")))
	sum_tc=$((sum_tc + $(ms "$t1" "$t2")))
	sum_lb=$((sum_lb + $(ms "$t2" "$t3")))
	# unshare ignores SIGTERM while it waits; SIGKILL takes its PID namespace
	for p in $PIDS; do kill -KILL "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
	PIDS=""
	rm -rf "$T/psql" "$T/www1" "$T/www2" "$T/lb"
done
pg=$((sum_pg / RUNS)) tc=$((sum_tc / RUNS)) lb=$((sum_lb / RUNS))
chain=$((pg + tc))
base=$chain
[ "$lb" -gt "$base" ] && base=$lb

printf '\nweb tier, %s runs each (ms, mean)\n' "$RUNS"
printf '%-44s %8s %8s\n' "what" "ms" "ratio"
printf '%-44s %8d %8s\n' "postgres alone (SQL answers)" "$pg" "$(echo "scale=2; $pg / $base" | bc)"
printf '%-44s %8d %8s\n' "tomcat x2 at once, postgres up (API 200)" "$tc" "$(echo "scale=2; $tc / $base" | bc)"
printf '%-44s %8d %8s\n' "haproxy alone (HTTPS health 200)" "$lb" "$(echo "scale=2; $lb / $base" | bc)"
printf '%-44s %8d %8s\n' "slowest chain by hand: max(lb, pg + tomcat)" "$base" "1.00"
printf '%-44s %8d %8s\n' "apomon up, all ready (min $min_up, max $max_up)" "$avg_up" "$(echo "scale=2; $avg_up / $base" | bc)"
over=$((avg_up - base))
printf '%-44s %8d %7s%%\n' "apomon overhead (of all-ready time)" "$over" "$(echo "scale=1; 100 * $over / $avg_up" | bc)"
printf '\napomon up, phases of the last run (ms):\n'
sed 's/^/  /' "$T/phases.$RUNS"
