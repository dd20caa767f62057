#!/bin/sh
# `down` ends a postgres station with a clean shutdown, not SIGKILL: with
# a client in an open transaction, the server's log says "database system
# is shut down", the next start finds no crash to recover from, and the
# committed row is there.  The time of `down` is printed, never asserted.
# With APOMON_TEST_WEAKEN=stop (stations killed at once) this test fails.
. "${top_srcdir:?}/tests/integration/lib.sh" || exit 99

own_net_number 180 10
D="sc$$.test"
CONF=$(mktemp -d /tmp/apomon-stop-clean.XXXXXX)
ENV="stop-clean-$$"
APOMON_INIT="$APOMON_BUILDDIR/core/runtime/apomon-init"
export APOMON_INIT
A() { "$APOMON" -c "$CONF" -e "$ENV" "$@"; }
cleanup() {
	_rc=$?
	[ -n "${client:-}" ] && kill "$client" 2>/dev/null
	A down --purge -q >/dev/null 2>&1
	rm -rf "$CONF"
	exit "$_rc"
}
trap cleanup EXIT
mkdir -p "$CONF/conf.d"
cat >"$CONF/apomon.conf" <<EOC
environment = "sc";
backbone = { name = "bb"; domain = "$D"; type = "base"; host_network = "10.251.$N.0/30"; };
EOC
cat >"$CONF/conf.d/10-db.conf" <<EOC
cluster = {
  name = "db"; domain = "$D"; network = "10.$N.9.0/24";
  stations = ( { name = "pg"; type = "postgres"; addresses = ["10.$N.9.5"]; } );
};
EOC
q() { # SQL as the role over TCP, inside the station; its tuples into $CONF/q
	A exec -T pg -- env PGPASSFILE=/root/.pgpass psql -X -tA -v ON_ERROR_STOP=1 \
		-h 10.$N.9.5 -U skel -d skel -c "$1" >"$CONF/q" 2>&1
}
# the server's log from line $1 on
since() { A logs pg 2>/dev/null | tail -n "+$1"; }

A up -q 2>"$CONF/err" || fail "up: $(cat "$CONF/err")"
q "CREATE TABLE sc (v text); INSERT INTO sc VALUES ('committed-$$')" || fail "insert: $(cat "$CONF/q")"
# a client in an open transaction when down comes: a smart shutdown
# would wait for it, a fast one rolls it back
A exec -T pg -- env PGPASSFILE=/root/.pgpass psql -X -q -h 10.$N.9.5 -U skel -d skel \
	-c "BEGIN; INSERT INTO sc VALUES ('open-$$'); SELECT pg_sleep(600);" >/dev/null 2>&1 &
client=$!
open() { q "SELECT count(*) FROM pg_stat_activity WHERE query LIKE '%pg_sleep(600)%' AND pid <> pg_backend_pid()" &&
	grep -qx 1 "$CONF/q"; }
i=0
until open; do
	i=$((i + 1))
	[ $i -gt 100 ] && fail "the open transaction never showed: $(cat "$CONF/q")"
	sleep 0.1
done
from=$(($(A logs pg 2>/dev/null | wc -l) + 1))
t0=$(date +%s.%N)
A down -q || fail "down"
t1=$(date +%s.%N)
echo "down of bb and pg with a client in a transaction: $(echo "$t1 - $t0" | bc -l | cut -c1-5) s"
wait "$client" 2>/dev/null
client=
assert_env_gone "$ENV"
# the log outlives the station; `logs` reads it once pg runs again
A up -q 2>"$CONF/err" || fail "up again: $(cat "$CONF/err")"
since "$from" >"$CONF/log"
sed '/database system was shut down at\|database system was interrupted\|not properly shut down/,$d' \
	"$CONF/log" >"$CONF/stop.log"
grep -q "received fast shutdown request" "$CONF/stop.log" ||
	fail "postgres was not asked for a fast shutdown: $(cat "$CONF/log")"
grep -q "database system is shut down" "$CONF/stop.log" ||
	fail "postgres did not shut down cleanly (killed?): $(cat "$CONF/log")"
grep -q "database system was shut down at" "$CONF/log" ||
	fail "the next start did not find a clean shutdown: $(cat "$CONF/log")"
grep -Eq "not properly shut down|automatic recovery|was interrupted" "$CONF/log" &&
	fail "the next start recovered from a crash: $(cat "$CONF/log")"
q "SELECT v FROM sc ORDER BY v" || fail "select: $(cat "$CONF/q")"
[ "$(cat "$CONF/q")" = "committed-$$" ] || fail "rows after down and up: $(cat "$CONF/q")"
echo "postgres shut down cleanly; the committed row is there, the open transaction's is not"
A down --purge -q || fail "down --purge"
assert_env_gone "$ENV"
exit 0
