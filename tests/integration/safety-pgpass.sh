#!/bin/sh
# Secrets never reach argv: while `up` runs the postgres station's
# startup check (psql with the role's password, a real query over TCP),
# no /proc/*/cmdline on the host holds the password.  The scanner is
# shown to see a secret that is in argv first.  Then, in the same
# environment, a postgres row survives down and up and not down --purge.
. "${top_srcdir:?}/tests/integration/lib.sh" || exit 99

own_net_number 170 10
D="spg$$.test"
CONF=$(mktemp -d /tmp/apomon-safety-pg.XXXXXX)
ENV="safety-pg-$$"
SECRET="Pw-$$-$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')"
APOMON_INIT="$APOMON_BUILDDIR/core/runtime/apomon-init"
export APOMON_INIT
A() { "$APOMON" -c "$CONF" -e "$ENV" "$@"; }
cleanup() {
	[ -n "${scan:-}" ] && kill "$scan" 2>/dev/null
	A down --purge -q >/dev/null 2>&1
	rm -rf "$CONF"
}
trap cleanup EXIT
mkdir -p "$CONF/conf.d"
cat >"$CONF/apomon.conf" <<EOC
environment = "spg";
backbone = { name = "bb"; domain = "$D"; type = "base"; host_network = "10.251.$N.0/30"; };
EOC
cat >"$CONF/conf.d/10-db.conf" <<EOC
cluster = {
  name = "db"; domain = "$D"; network = "10.$N.9.0/24";
  stations = ( { name = "pg"; type = "postgres"; addresses = ["10.$N.9.5"];
                 settings = { password = "$SECRET"; }; } );
};
EOC

# scan SECONDS: every /proc/*/cmdline, over and over; prints a hit
scan_for() {
	end=$(($(date +%s) + $1))
	while [ "$(date +%s)" -lt "$end" ]; do
		for f in /proc/[0-9]*/cmdline; do
			if { tr '\0' ' ' <"$f"; } 2>/dev/null | grep_q -F "$SECRET"; then
				echo "$f: $(tr '\0' ' ' <"$f")"
				return 0
			fi
		done
		[ -e "$CONF/stop" ] && return 0
	done
}
# the scanner sees a secret in argv: the control process lives until the
# scan ends (one pass over every process can take seconds on a loaded
# machine, and a control that exited first was a miss of the scanner's)
setsid sh -c 'sleep 60' "$SECRET" &
control=$!
scan_for 3 >"$CONF/control"
kill -- "-$control" # its group: the sh and its sleep
wait "$control" 2>/dev/null
grep -q "$SECRET" "$CONF/control" || fail "the scanner does not see argv"

scan_for 300 >"$CONF/hits" &
scan=$!
A up -q >"$CONF/out" 2>"$CONF/err" || fail "up: $(cat "$CONF/err")"
touch "$CONF/stop"
wait "$scan"
scan=
[ -s "$CONF/hits" ] && fail "the password is on a command line: $(cat "$CONF/hits")"
# and the check did log in with it: a query as the role, over TCP
A exec -T pg -- env PGPASSFILE=/root/.pgpass psql -X -tA -h 10.$N.9.5 -U skel -d skel \
	-c 'SELECT 1' >"$CONF/q" 2>&1 || fail "psql with the rendered file: $(cat "$CONF/q")"
grep -qx 1 "$CONF/q" || fail "query said: $(cat "$CONF/q")"

# Data kept across down/up (the same small environment): a row written
# with psql is there after `down` and `up`, and gone after `down --purge`.
ROW="kept-$$"
q() { # SQL: one query as the role over TCP, its tuples into $CONF/q
	A exec -T pg -- env PGPASSFILE=/root/.pgpass psql -X -tA -h 10.$N.9.5 -U skel -d skel \
		-c "$1" >"$CONF/q" 2>&1
}
q "CREATE TABLE kept (v text); INSERT INTO kept VALUES ('$ROW')" ||
	fail "insert: $(cat "$CONF/q")"
A down -q || fail "down"
assert_env_gone "$ENV"
A up -q 2>"$CONF/err" || fail "up again: $(cat "$CONF/err")"
q "SELECT v FROM kept" || fail "the table is gone after down/up: $(cat "$CONF/q")"
grep -qx "$ROW" "$CONF/q" || fail "the row is gone after down/up: $(cat "$CONF/q")"
echo "the row '$ROW' survived down and up"
A down --purge -q || fail "down --purge"
assert_env_gone "$ENV"
A up -q 2>"$CONF/err" || fail "up after --purge: $(cat "$CONF/err")"
if q "SELECT v FROM kept"; then fail "the table survived down --purge: $(cat "$CONF/q")"; fi
grep -q 'relation "kept" does not exist' "$CONF/q" || fail "after --purge: $(cat "$CONF/q")"
A down --purge -q || fail "down --purge"
assert_env_gone "$ENV"
exit 0
