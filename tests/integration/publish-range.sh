#!/bin/sh
# publish = ( { host = "31500-31509"; port = "31500-31509"; } ): one entry
# for a range, through the plan, the nftables rules and the summary, and
# real connections from the host (127.0.0.1) to listeners in the station
# on two ports of the range; a shifted range (host 31600.. -> station
# 32600..) maps port by port; a port past the range does not connect.
. "${top_srcdir:?}/tests/integration/lib.sh" || exit 99
. "$APOMON_SRCDIR/tests/integration/env-lib.sh"
NS=r1.pubrange.test
PAIR="$APOMON_BUILDDIR/tests/integration/tcp-pair"
[ -x "$PAIR" ] || fail "$PAIR is not built (make check builds it)"
env_test "$APOMON_SRCDIR/tests/fixtures/publish-range" pubrange

# the plan carries the range as one entry
apo plan --json >"$tmp/plan.json" || fail "plan"
[ "$(jq -c '[.publish[] | [.host_port, .port, .count]]' "$tmp/plan.json")" = \
	'[[31500,31500,10],[31600,32600,5]]' ] || fail "plan: $(jq -c .publish "$tmp/plan.json")"

apo up --quiet >"$tmp/up" 2>&1 || fail "up: $(cat "$tmp/up")"
# the summary shows each range once
"$APOMON" -c "$CONF" plan >"$tmp/plan.txt" || fail "plan text"
grep -q "host tcp/31500-31509 -> r1 10.86.0.11:31500-31509" "$tmp/plan.txt" ||
	fail "plan text: $(grep host "$tmp/plan.txt")"
# one nftables rule for the same-port range, one a port for the shifted one
nft list table ip apomon-pubrange >"$tmp/nft" || fail "no nftables table apomon-pubrange"
grep -q "tcp dport 31500-31509 dnat to 10.86.0.11" "$tmp/nft" || fail "no range rule: $(cat "$tmp/nft")"
[ "$(grep -c "dnat to 10.86.0.11:326" "$tmp/nft")" = 5 ] || fail "shifted rules: $(cat "$tmp/nft")"

# real connections: a listener in the station, a client on the host
for p in 31500 31507; do
	"$PAIR" "$NS" 10.86.0.11 "$p" - 3000 127.0.0.1 "$p" >"$tmp/pair" 2>&1 ||
		fail "host 127.0.0.1:$p does not reach r1:$p: $(cat "$tmp/pair")"
done
"$PAIR" "$NS" 10.86.0.11 32602 - 3000 127.0.0.1 31602 >"$tmp/pair" 2>&1 ||
	fail "host 127.0.0.1:31602 does not reach r1:32602: $(cat "$tmp/pair")"
# past the range nothing is published: the same listener is not reached
rc=0
"$PAIR" "$NS" 10.86.0.11 31510 - 1000 127.0.0.1 31510 >"$tmp/pair" 2>&1 || rc=$?
[ "$rc" = 1 ] || fail "127.0.0.1:31510 (past the range) reached the station (rc $rc): $(cat "$tmp/pair")"
echo "PASS: publish ranges reach the station port by port"
