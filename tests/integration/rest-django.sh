#!/bin/sh
# The django type: the directory page lists the skel database's
# companies, including one created while it runs (escaped), from the
# host and by name from another cluster's station; it opens the database
# read-only.  Needs the postgres type (the web tier).
. "${top_builddir:?}/tests/integration/lib.sh"
. "$APOMON_SRCDIR/tests/integration/rest-lib.sh"

"$APOMON" plugins 2>/dev/null | grep -q '^postgres ' ||
	{ echo "SKIP: no postgres station type loads" >&2; exit 77; }
rest_add django
rest_up

# the sample data, as the page shows it
page=$(curl -sS --max-time 10 http://10.76.0.30:8000/) || fail "GET / from the host"
echo "$page" | grep -q '<tr><td>Acme Logistics</td><td>Hamburg</td>' || fail "page: $page"

# a company created now (through the database, as the skel API does) is
# listed at the next request, its name escaped
name="Rest & Co <$$>"
x psql psql -q "postgresql://skel:skel@10.76.0.5/skel" \
	-c "INSERT INTO companies (name, city) VALUES ('$name', 'Oslo')" || fail "INSERT"
curl -sS --max-time 10 http://10.76.0.30:8000/directory/ |
	grep -qF "<tr><td>Rest &amp; Co &lt;$$&gt;</td><td>Oslo</td><td>0</td></tr>" ||
	fail "the new company is not listed under /directory/"
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
