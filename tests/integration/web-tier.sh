#!/bin/sh
# The web tier end to end with real servers and clients: up (every
# startup check), HTTPS through the load balancer with the environment's
# CA and both backends serving, the REST API against what psql sees,
# published ports that bypass the balancer, redirect and stats, a
# backend stopped and started again, both stopped (the balancer's 503
# page), a hot deploy, the hosts block.
. "${top_srcdir:?}/tests/integration/lib.sh" || exit 99
. "$APOMON_SRCDIR/tests/integration/web-lib.sh"
command -v psql >/dev/null || { echo "SKIP: needs psql (postgresql-client)" >&2; exit 77; }

web_up
apo status --json >"$WEB_TMP/status.json" || fail "status"

# --- depends_need: tomcat needs of psql only its address and name --------
# so both Tomcats were launched before psql's startup check passed: their
# JVM start overlaps the database's.  The state files' times say when:
# init when a station's init was launched, ready when its startup check
# was seen to pass.  (Not "www1 ready after psql": the checks of a level
# run round robin, so skel's API may answer 200 from the database before
# psql's own check is polled again.)
st=/run/apomon/$WEB_ENV/stations
pg_ready=$(stat -c %.9Y "$st/psql/ready") || fail "no ready time for psql"
for w in www1 www2; do
	launched=$(stat -c %.9Y "$st/$w/init") || fail "no init time for $w"
	[ "$(echo "$launched < $pg_ready" | bc)" = 1 ] ||
		fail "$w launched at $launched, not before psql was ready ($pg_ready)"
done
apo plan --json >"$WEB_TMP/plan.json" || fail "plan --json"
lvl() { jq -r --arg n "$1" '.stations[] | select(.name == $n) | .level' "$WEB_TMP/plan.json"; }
[ "$(lvl www1)" = "$(lvl psql)" ] || fail "www1 is not planned on psql's level"

# both backends serve (HAProxy's health checks see a web server that just
# became ready within a second: polled, not assumed)
both() {
	s=""
	for i in 1 2 3 4; do
		s="$s $(lb_curl -o /dev/null -D - "$LB/skel-0.1.0/api/companies" | header X-Served-By)"
	done
	echo "$s" | grep_q www1 && echo "$s" | grep_q www2
}
poll both || fail "www1 and www2 do not both serve through the LB"

# --- HTTPS through the load balancer, certificate from the CA -----------
page=$(lb_curl "$LB/skel-0.1.0/") || fail "GET / through the LB"
echo "$page" | grep_q '<title>skel 0.1.0</title>' || fail "skel front end not served: $page"
# the certificate is the CA's, for the web name: without the CA curl refuses
curl -sS --max-time 10 --resolve "www.$WEB_DOMAIN:$P_HTTPS:127.0.0.1" "$LB/" >/dev/null 2>&1 &&
	fail "the LB's certificate verified without the environment's CA"
# 80 -> 443
loc=$(curl -sS --max-time 10 -o /dev/null -D - "http://127.0.0.1:$P_HTTP/x?y=1" -H "Host: www.$WEB_DOMAIN" | header Location)
[ "$loc" = "https://www.$WEB_DOMAIN/x?y=1" ] || fail "80 does not redirect to 443: '$loc'"
# statistics page, from the host through the backbone
curl -sS --max-time 10 "http://10.66.0.2:8404/stats;csv" | grep_q '^web,www1,' || fail "stats page"

# --- published ports 81/82 (here 18081/18082) bypass the balancer --------
for p in "$P_WWW1 www1" "$P_WWW2 www2"; do
	set -- $p
	for addr in 127.0.0.1 $(ip -4 -o addr show scope global | awk '{print $4}' | cut -d/ -f1 | grep -v '^10\.' | head -n 1); do
		h=$(curl -sS --max-time 10 -o /dev/null -D - "http://$addr:$1/skel-0.1.0/api/companies") ||
			fail "host port $1 on $addr"
		[ "$(echo "$h" | header X-Backend)" = "$2" ] || fail "port $1 on $addr: not $2: $h"
		[ -z "$(echo "$h" | header X-Load-Balancer)" ] || fail "port $1 went through the LB"
	done
done

# --- REST: CRUD, validation, and psql sees the same rows -----------------
api="$LB/skel-0.1.0/api"
code() { lb_curl -o "$WEB_TMP/body" -w '%{http_code}' "$@"; }
[ "$(code -X POST -H 'Content-Type: application/json' -d '{"name":"Testco Web","city":"Kiel"}' "$api/companies")" = 201 ] ||
	fail "create company: $(cat "$WEB_TMP/body")"
cid=$(jq -r .id "$WEB_TMP/body")
[ "$(code -X POST -d "{\"name\":\"Ada Test\",\"email\":\"ada@testco.example\",\"company_id\":$cid}" "$api/users")" = 201 ] ||
	fail "create user: $(cat "$WEB_TMP/body")"
uid=$(jq -r .id "$WEB_TMP/body")
[ "$(code "$api/users/$uid")" = 200 ] && [ "$(jq -r .company "$WEB_TMP/body")" = "Testco Web" ] || fail "read user"
[ "$(code -X PUT -d '{"email":"ada.l@testco.example"}' "$api/users/$uid")" = 200 ] || fail "update user: $(cat "$WEB_TMP/body")"
[ "$(db "select email from users where id = $uid")" = ada.l@testco.example ] || fail "psql does not see the update"
# invalid input: 400 with a message naming the field
for bad in '{"name":"","email":"x@y.example","company_id":1}' '{"name":"B","email":"nope","company_id":1}' \
	'{"name":"B","email":"b@y.example","company_id":999999}' '{"name":"B","email":"b@y.example"}' '{"name":' '[1]'; do
	[ "$(code -X POST -d "$bad" "$api/users")" = 400 ] || fail "invalid $bad: not 400: $(cat "$WEB_TMP/body")"
	jq -e '.error | length > 0' "$WEB_TMP/body" >/dev/null || fail "400 without a message: $(cat "$WEB_TMP/body")"
done
[ "$(code "$api/users/999999")" = 404 ] || fail "missing user: not 404"
[ "$(code -X DELETE "$api/companies/$cid")" = 409 ] || fail "deleting a company with users: not 409"
# the API's list and the database agree row for row
lb_curl "$api/users" | jq -r '.[] | "\(.id)|\(.company_id)|\(.name)|\(.email)"' >"$WEB_TMP/api-users"
db "select id, company_id, name, email from users order by id" >"$WEB_TMP/db-users"
[ "$(wc -l <"$WEB_TMP/db-users")" -ge 30 ] || fail "fewer sample users than expected"
cmp -s "$WEB_TMP/api-users" "$WEB_TMP/db-users" || fail "API and psql disagree: $(diff "$WEB_TMP/api-users" "$WEB_TMP/db-users")"
[ "$(code -X DELETE "$api/users/$uid")" = 204 ] || fail "delete user"
[ "$(code -X DELETE "$api/companies/$cid")" = 204 ] || fail "delete company"
[ "$(db "select count(*) from users where id = $uid") $(db "select count(*) from companies where id = $cid")" = "0 0" ] ||
	fail "psql still sees deleted rows"

# --- a real browser through the load balancer ----------------------------
. "$APOMON_SRCDIR/tests/integration/web-browser.sh"

# --- www1 stopped: everything goes to www2; started: both again ----------
apo stop www1 >/dev/null 2>&1 || fail "stop www1"
for i in 1 2 3 4 5 6 7 8; do
	h=$(lb_curl -o "$WEB_TMP/body" -D - "$api/companies") || fail "API with www1 stopped"
	[ "$(echo "$h" | header X-Served-By)" = www2 ] || fail "served by a stopped backend: $h"
	jq -e 'length >= 8' "$WEB_TMP/body" >/dev/null || fail "API with www1 stopped: $(cat "$WEB_TMP/body")"
done
# --- both backends stopped: the balancer itself answers 503 (its own page:
# HAProxy sets no response headers on what it generates) ---------------
apo stop www2 >/dev/null 2>&1 || fail "stop www2"
all_down() {
	[ "$(lb_curl -o "$WEB_TMP/body" -D "$WEB_TMP/head" -w '%{http_code}' "$api/companies")" = 503 ]
}
poll all_down || fail "no 503 with www1 and www2 stopped: $(cat "$WEB_TMP/head" "$WEB_TMP/body")"
grep -q "No server is available to handle this request" "$WEB_TMP/body" ||
	fail "503 without HAProxy's page: $(cat "$WEB_TMP/body")"
[ -z "$(header X-Served-By <"$WEB_TMP/head")" ] || fail "a stopped backend served: $(cat "$WEB_TMP/head")"
echo "both backends down: the balancer answers 503 with its page"
apo start www1 www2 >/dev/null 2>&1 || fail "start www1 www2"
poll both || fail "www1 and www2 do not serve again after start"

# --- hot deploy of a new build of the hello WAR ---------------------------
h1=$(curl -sS --max-time 10 "http://127.0.0.1:$P_WWW1/hello/") || fail "hello on www1"
echo "$h1" | grep_q '<p id="version">hello 1</p>' || fail "hello 1 not served: $h1"
pid1=$(apo status --json | jq -r '.stations[] | select(.station == "www1") | .pid')
mkdir -p "$WEB_TMP/hello"
(cd "$WEB_TMP/hello" && jar xf "$APOMON_WEBAPPS_DIR/hello.war") || fail "unpack hello.war"
sed -i 's|hello 1|hello 2|' "$WEB_TMP/hello/index.jsp"
jar --create --file "$WEB_TMP/hello.war" -C "$WEB_TMP/hello" . || fail "build hello 2"
apo deploy www1 "$WEB_TMP/hello.war" || fail "deploy"
new_version() { curl -sS --max-time 5 "http://127.0.0.1:$P_WWW1/hello/" 2>/dev/null | grep_q 'hello 2'; }
poll new_version || fail "hello 2 never answered after deploy"
pid2=$(apo status --json | jq -r '.stations[] | select(.station == "www1") | .pid')
[ -n "$pid1" ] && [ "$pid1" = "$pid2" ] || fail "www1 restarted for the deploy ($pid1 -> $pid2)"
curl -sS --max-time 10 "http://127.0.0.1:$P_WWW2/hello/" | grep_q 'hello 1' || fail "www2 changed too"
apo deploy www1 /etc/hostname 2>/dev/null && fail "deploy of a non-WAR accepted"

# --- hosts: print, apply into a marked block, down removes it -------------
printf '127.0.0.1 localhost\n# keep me\n' >"$APOMON_HOSTS_FILE"
apo hosts | grep_q "^127.0.0.1 www.$WEB_DOMAIN $WEB_DOMAIN\$" || fail "hosts: web names"
apo hosts | grep_q "^10.66.0.11 www1.$WEB_DOMAIN\$" || fail "hosts: www1"
apo hosts --apply 2>/dev/null || fail "hosts --apply"
grep -q "^# BEGIN apomon $WEB_ENV" "$APOMON_HOSTS_FILE" || fail "no block written"
grep -q "^127.0.0.1 www.$WEB_DOMAIN" "$APOMON_HOSTS_FILE" || fail "block without the web names"
curl -sS --max-time 10 --cacert "$CA" --resolve "www.$WEB_DOMAIN:$P_HTTPS:$(awk -v n="www.$WEB_DOMAIN" '$2 == n {print $1}' "$APOMON_HOSTS_FILE")" \
	"$LB/hello/" | grep_q Hello || fail "the applied address does not serve"

# --- down: ports, table, block gone ---------------------------------------
apo down --quiet || fail "down"
nft list table ip "apomon-$WEB_ENV" >/dev/null 2>&1 && fail "nftables table left after down"
[ "$(cat "$APOMON_HOSTS_FILE")" = "127.0.0.1 localhost
# keep me" ] || fail "hosts file not restored: $(cat "$APOMON_HOSTS_FILE")"
curl -s --max-time 3 "http://127.0.0.1:$P_WWW1/" >/dev/null && fail "port $P_WWW1 still answers after down"
echo "web-tier: ok"
