#!/bin/sh
# apomon plan, plan --json and graph on the repository's own config (its
# stations are enabled): real binary, real Graphviz.
. "${top_srcdir:?}/tests/integration/lib.sh" || exit 99

tmp=$(mktemp -d /tmp/apomon-plan-cli.XXXXXX) || fail "mktemp"
trap 'rm -rf "$tmp"' EXIT
conf=$APOMON_SRCDIR

"$APOMON" -c "$conf" plan >"$tmp/plan.txt" 2>"$tmp/err" || fail "plan exited $?: $(cat "$tmp/err")"
for want in '^switches$' '^  backbone.example.com (backbone, type dns, level 0, forwards)$' \
	'^    host0  host link, host end aph[0-9a-f]\{8\}: 10.254.254.2/30$' \
	'^  route 10.2.0.0/24 via 10.254.254.2 dev aph[0-9a-f]\{8\}$' '^start levels$'; do
	grep -q "$want" "$tmp/plan.txt" || fail "plan lacks /$want/: $(cat "$tmp/plan.txt")"
done

"$APOMON" -c "$conf" plan --json >"$tmp/plan.json" || fail "plan --json exited $?"
grep -q '"environment": "example"' "$tmp/plan.json" || fail "plan --json: no environment"
grep -q '"role": "backbone"' "$tmp/plan.json" || fail "plan --json: no backbone"
# pure: the same config gives the same document
"$APOMON" -c "$conf" plan --json >"$tmp/plan2.json" || fail "plan --json exited $?"
cmp -s "$tmp/plan.json" "$tmp/plan2.json" || fail "plan --json differs between two runs"

"$APOMON" -c "$conf" graph >"$tmp/g.dot" || fail "graph exited $?"
grep -q '^	subgraph "cluster_service" {$' "$tmp/g.dot" || fail "graph: no service cluster box"
grep -q '^	"backbone.example.com" -- "host"' "$tmp/g.dot" || fail "graph: no host link"

if command -v dot >/dev/null; then
	"$APOMON" -c "$conf" graph --svg "$tmp/g.svg" || fail "graph --svg exited $?"
	grep -q '<svg' "$tmp/g.svg" || fail "graph --svg wrote no SVG"
else
	echo "graphviz is not installed: graph --svg not tested" >&2
fi

# without Graphviz in PATH: exit 1 and say how to install it
rc=0
PATH=/nonexistent "$APOMON" -c "$conf" graph --svg "$tmp/none.svg" 2>"$tmp/err" || rc=$?
[ "$rc" = 1 ] || fail "graph --svg without dot exited $rc, expected 1"
grep -qx 'apomon: graph: graphviz is not installed (apt-get install graphviz)' "$tmp/err" ||
	fail "graph --svg without dot said: $(cat "$tmp/err")"
[ ! -e "$tmp/none.svg" ] || fail "graph --svg without dot wrote a file"
exit 0
