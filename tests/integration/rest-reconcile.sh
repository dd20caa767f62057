#!/bin/sh
# `apomon up` on the running default environment (issue 13), each change
# made in conf.d and checked with real clients:
#   1. django switched off and on: the other stations keep their init
#      (PID and start time);
#   2. www2 moves to another address: DNS and the load balancer follow,
#      www1 keeps running, and the skel API keeps answering through the
#      load balancer during the change: a bounded client loop of real
#      curl requests runs across the whole `up` and not one may fail
#      (the balancer drains www2 before it moves and restarts, and takes
#      it back once it is ready);
#   3. a third cluster with a station, reached from www1 over TCP;
#   4. www1's published port moves from 81 to 83;
#   5. the ftp password changes: ftp restarts, nothing else, and only
#      the new password logs in.
# Then down leaves nothing (rest-lib.sh).
. "${top_srcdir:?}/tests/integration/lib.sh" || exit 99
REST_FIXTURE=none
. "$APOMON_SRCDIR/tests/integration/rest-lib.sh"
mkdir -p "$REST_CONF"
cp -r "$APOMON_SRCDIR/apomon.conf" "$APOMON_SRCDIR/conf.d" "$REST_CONF/"
EX="$REST_CONF/conf.d/10-example.conf"
[ ! -e /run/netns/backbone.example.com ] ||
	fail "/run/netns/backbone.example.com exists before up: left behind, or the default environment is up"
[ -f "$APOMON_WEBAPPS_DIR/skel-0.1.0.war" ] || {
	echo "SKIP: $APOMON_WEBAPPS_DIR/skel-0.1.0.war not built (needs javac)" >&2
	exit 77
}
TCP_PAIR="$APOMON_BUILDDIR/tests/integration/tcp-pair"
NS=10.254.254.2

# "NAME=PID:START ..." of every station's init (dead or none when it
# does not run)
snap() {
	for d in /run/apomon/"$REST_ENV"/stations/*/; do
		n=$(basename "$d")
		if [ -f "$d/init" ] && set -- $(cat "$d/init") && kill -0 "$1" 2>/dev/null; then
			printf '%s=%s:%s ' "$n" "$1" "$2"
		else
			printf '%s=dead ' "$n"
		fi
	done
}
# the snapshot without the stations named
without() {
	s=$1
	shift
	for n; do s=$(printf '%s\n' "$s" | tr ' ' '\n' | grep -v "^$n=" | tr '\n' ' '); done
	printf '%s' "$s"
}
# the skel API on a host port: straight to a tomcat (81, 82, 83) or
# through the load balancer (443, HTTPS with the environment's CA)
api() {
	if [ "$1" = 443 ]; then
		curl -sS --max-time 5 -o /dev/null -w '%{http_code}' --cacert "$CA" \
			--resolve www.example.com:443:127.0.0.1 https://www.example.com/skel-0.1.0/api/companies
	else
		curl -sS --max-time 5 -o /dev/null -w '%{http_code}' "http://127.0.0.1:$1/skel-0.1.0/api/companies"
	fi
}
# the load balancer's haproxy processes (master and workers), "PID ..."
haproxies() { pgrep -x haproxy -P "$(cat /run/apomon/"$REST_ENV"/stations/lb/init | cut -d' ' -f1)" 2>/dev/null; }

rest_up
CA=$(A ca --path) || fail "apomon ca --path"
before=$(snap)
lb_master=$(haproxies)
[ -n "$lb_master" ] || fail "no haproxy under the load balancer's init"
echo "before: $before"

# 1. django off, then on
sed -i 's/{ name = "django"; type = "django";/{ name = "django"; type = "django"; enabled = false;/' "$EX"
A diff >"$REST_TMP/out"
grep -q "^- station disabled: django" "$REST_TMP/out" || fail "diff: $(cat "$REST_TMP/out")"
A up -q || fail "up with django off"
[ ! -e /run/netns/django.example.com ] || fail "django's namespace stays"
[ "$(without "$(snap)" django)" = "$(without "$before" django)" ] ||
	fail "django off restarted others: $(snap) vs $before"
curl -sS --max-time 5 http://127.0.0.1:8000/ >/dev/null 2>&1 && fail "django still answers on 8000"
# django is no backend of the balancer: its config is the same bytes, so
# its haproxy was neither restarted nor reloaded
[ "$(haproxies)" = "$lb_master" ] || fail "django off touched haproxy: $(haproxies) vs $lb_master"
sed -i 's/ enabled = false;//' "$EX"
A up -q || fail "up with django on"
curl -sS --max-time 10 http://127.0.0.1:8000/ | grep_q "<tr>" || fail "django does not answer on 8000"
[ "$(without "$(snap)" django)" = "$(without "$before" django)" ] || fail "django on restarted others"
before=$(snap)

# 2. www2 moves from .12 to .13 while a client asks the API through the
# load balancer (published port 80) in a bounded loop
[ "$(api 443)" = 200 ] || fail "the API does not answer through the load balancer"
sed -i 's/"10.1.0.12"/"10.1.0.13"/' "$EX"
A diff >"$REST_TMP/out"
grep -q "www2" "$REST_TMP/out" || fail "diff: $(cat "$REST_TMP/out")"
: >"$REST_TMP/codes"
(
	i=0
	while [ ! -f "$REST_TMP/stop" ] && [ $i -lt 3000 ]; do
		api 443 >>"$REST_TMP/codes" 2>/dev/null
		echo >>"$REST_TMP/codes"
		i=$((i + 1))
	done
) &
loop=$!
t0=$(date +%s%N)
A up >"$REST_TMP/upout" 2>"$REST_TMP/err" || fail "up moving www2: $(cat "$REST_TMP/err")"
echo "MEASURE: up moving www2 took $((($(date +%s%N) - t0) / 1000000)) ms"
touch "$REST_TMP/stop"
wait $loop
total=$(grep -c . "$REST_TMP/codes")
bad=$(grep -vc '^200$' "$REST_TMP/codes")
echo "MEASURE: www2 moved: $bad of $total requests through the load balancer failed"
[ "$total" -gt 0 ] || fail "the client loop made no request"
[ "$bad" = 0 ] || fail "www2 moved: $bad of $total requests through the load balancer failed (HTTP codes, 000: no answer: $(grep -v '^200$' "$REST_TMP/codes" | sort | uniq -c | tr -s ' \n' ' '))"
[ "$(dig +short +time=2 +tries=2 @$NS www2.example.com A)" = 10.1.0.13 ] || fail "DNS: www2 is not 10.1.0.13"
ip -n www2.example.com -4 addr show dev eth0 | grep_q "inet 10.1.0.13/" || fail "www2's address"
# the balancer was reloaded, not restarted: same init, same master, its
# config names www2's new address
[ "$(without "$(snap)" www2)" = "$(without "$before" www2)" ] ||
	fail "moving www2 restarted others: $(snap) vs $before"
[ "$(haproxies)" = "$lb_master" ] || fail "the haproxy master changed: $(haproxies) vs $lb_master"
x lb cat /etc/haproxy/haproxy.cfg | grep_q "server www2 10.1.0.13:8080" ||
	fail "the balancer's config: $(x lb cat /etc/haproxy/haproxy.cfg)"
cat "$REST_TMP/upout" "$REST_TMP/err" | grep_q "lb.example.com: reloaded" || fail "up did not say it reloaded the balancer: $(cat "$REST_TMP/upout" "$REST_TMP/err")"
[ "$(api 443)" = 200 ] || fail "the API does not answer through the load balancer after the move"
# www2 gets balanced traffic at its new address (health check: inter 1s)
seen=0
for _ in $(seq 40); do
	curl -sS --max-time 5 -D - -o /dev/null --cacert "$CA" --resolve www.example.com:443:127.0.0.1 \
		https://www.example.com/skel-0.1.0/api/companies | grep_q -i "^x-served-by: www2" && { seen=1; break; }
done
[ $seen = 1 ] || fail "no response served by www2 through the balancer"
[ "$(api 82)" = 200 ] || fail "www2 does not answer on its published port 82"
before=$(snap)

# 3. a third cluster with a base station, reached from www1
cat >"$REST_CONF/conf.d/30-third.conf" <<EOT
cluster = { name = "third"; domain = "third.test"; network = "10.3.0.0/24";
  stations = ( { name = "t1"; type = "base"; addresses = ["10.3.0.10"]; } ); };
EOT
A up -q 2>"$REST_TMP/err" || fail "up adding a cluster: $(cat "$REST_TMP/err")"
"$TCP_PAIR" t1.third.test 10.3.0.10 7000 www1.example.com >/dev/null || fail "www1 does not reach t1"
[ "$(dig +short +time=2 +tries=2 @$NS t1.third.test A)" = 10.3.0.10 ] || fail "DNS: t1.third.test"
[ "$(without "$(snap)" t1 backbone)" = "$(without "$before" t1 backbone)" ] ||
	fail "adding a cluster restarted others: $(snap) vs $before"
before=$(snap)

# 4. www1's published port 81 -> 83
sed -i 's/{ host = 81; port = 8080; }/{ host = 83; port = 8080; }/' "$EX"
A up -q 2>"$REST_TMP/err" || fail "up moving a published port: $(cat "$REST_TMP/err")"
[ "$(api 83)" = 200 ] || fail "www1 does not answer on host port 83"
[ "$(api 81)" = 200 ] && fail "host port 81 still reaches www1"
[ "$(snap)" = "$before" ] || fail "moving a published port restarted stations: $(snap) vs $before"

# 5. the ftp password: ftp restarts, nothing else
sed -i 's/password = "3pg-ftp"/password = "3pg-ftp2"/' "$EX"
A diff >"$REST_TMP/out"
grep -q "^~ station re-rendered (reloaded or restarted): ftp (settings)$" "$REST_TMP/out" || fail "diff: $(cat "$REST_TMP/out")"
A up -q 2>"$REST_TMP/err" || fail "up changing the ftp password: $(cat "$REST_TMP/err")"
[ "$(without "$(snap)" ftp)" = "$(without "$before" ftp)" ] || fail "the ftp password restarted others"
[ "$(snap | tr ' ' '\n' | grep '^ftp=')" != "$(printf '%s\n' $before | grep '^ftp=')" ] ||
	fail "ftp did not restart"
echo "reconcile $$" >"$REST_TMP/f.txt"
curl -sS --max-time 10 --user 3pg:3pg-ftp2 -T "$REST_TMP/f.txt" ftp://127.0.0.1/ || fail "FTP with the new password"
curl -sS --max-time 10 --user 3pg:3pg-ftp ftp://127.0.0.1/ >/dev/null 2>&1 && fail "FTP takes the old password"
A diff >/dev/null || fail "diff after all that: $(A diff)"
A status --json | jq -e '[.stations[].config] | unique == ["current"]' >/dev/null ||
	fail "status: $(A status)"
exit 0
