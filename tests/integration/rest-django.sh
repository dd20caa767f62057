#!/bin/sh
# The django type: the directory page lists the skel database's
# companies, including one the skel API creates while it runs (escaped),
# from the host (directly and through its published port) and by name
# from another cluster's station; it opens the database read-only.
# Needs the postgres and tomcat types (the web tier).
. "${top_srcdir:?}/tests/integration/lib.sh" || exit 99
. "$APOMON_SRCDIR/tests/integration/rest-lib.sh"

# a type of this tree that does not load is a failure, not a reason to skip
plugins=$("$APOMON" plugins 2>&1) || fail "plugins: $plugins"
for t in postgres tomcat django; do
	printf '%s\n' "$plugins" | grep_q "^$t " || fail "the $t station type does not load: $plugins"
done
[ -f "$APOMON_WEBAPPS_DIR/skel-0.1.0.war" ] ||
	{ echo "SKIP: $APOMON_WEBAPPS_DIR/skel-0.1.0.war not built (needs javac)" >&2; exit 77; }
rest_add django
rest_up

# the sample data, as the page shows it
page=$(curl -sS --max-time 10 http://10.76.0.30:8000/) || fail "GET / from the host"
echo "$page" | grep_q '<tr><td>Acme Logistics</td><td>Hamburg</td>' || fail "page: $page"

# a company created now through the skel API is listed at the next
# request, its name escaped
name="Rest & Co <$$>"
curl -sS --max-time 10 -o "$REST_TMP/created.json" -w '%{http_code}' -X POST \
	-H 'Content-Type: application/json' -d "{\"name\":\"$name\",\"city\":\"Oslo\"}" \
	http://10.76.0.11:8080/skel-0.1.0/api/companies >"$REST_TMP/code" || fail "POST to the skel API"
[ "$(cat "$REST_TMP/code")" = 201 ] || fail "skel API: HTTP $(cat "$REST_TMP/code"): $(cat "$REST_TMP/created.json")"
curl -sS --max-time 10 http://10.76.0.30:8000/directory/ |
	grep_q -F "<tr><td>Rest &amp; Co &lt;$$&gt;</td><td>Oslo</td><td>0</td></tr>" ||
	fail "the new company is not listed under /directory/"
curl -sS --max-time 10 http://127.0.0.1:18000/ | grep_q -F "Rest &amp; Co &lt;$$&gt;" ||
	fail "not listed through the published port 18000"
x www1 curl -sS --max-time 10 http://django.example.org:8000/api/companies >"$REST_TMP/api.json" ||
	fail "GET from www1 by name"
jq -e --arg n "$name" '.companies | map(select(.name == $n and .city == "Oslo")) | length == 1' \
	"$REST_TMP/api.json" >/dev/null || fail "api: $(cat "$REST_TMP/api.json")"
n=$(x psql psql -tA "postgresql://skel:skel@10.76.0.5/skel" -c 'SELECT count(*) FROM companies')
[ "$(jq '.companies | length' "$REST_TMP/api.json")" = "$n" ] || fail "the API lists not all $n companies"

# its session is read-only: the database refuses a write through it
x django sh -c 'cd /srv/directory && DJANGO_SETTINGS_MODULE=directory.settings python3 -c "
import django; django.setup()
from django.db import connection
connection.cursor().execute(\"DELETE FROM companies\")"' >"$REST_TMP/ro.log" 2>&1 &&
	fail "the application could write"
grep -q 'cannot execute DELETE in a read-only transaction' "$REST_TMP/ro.log" ||
	fail "write refused for another reason: $(tail -3 "$REST_TMP/ro.log")"

# a Host the application does not know is refused (400)
code=$(curl -s -o /dev/null -w '%{http_code}' -H 'Host: evil.test' http://10.76.0.30:8000/)
[ "$code" = 400 ] || fail "unknown Host: HTTP $code"

A down --quiet || fail "down"
exit 0
