#!/bin/sh
# The whole default environment (this repository's apomon.conf and
# conf.d/, every enabled station) comes up with every startup check
# green, the backbone answers for every station, every station resolves
# and reaches service_endpoint.service.com through the backbone; then
# down leaves none of its objects behind.
. "${top_builddir:?}/tests/integration/lib.sh"
REST_FIXTURE=none
. "$APOMON_SRCDIR/tests/integration/rest-lib.sh"
mkdir -p "$REST_CONF"
cp -r "$APOMON_SRCDIR/apomon.conf" "$APOMON_SRCDIR/conf.d" "$REST_CONF/"
# the default environment's namespaces are named after its FQDNs
ip netns list 2>/dev/null | grep -q '^backbone\.example\.com\( \|$\)' &&
	{ echo "SKIP: a default environment is already up on this host" >&2; exit 77; }

A plan --json >"$REST_TMP/plan.json" || fail "plan"
A up >"$REST_TMP/up.log" 2>&1 || { cat "$REST_TMP/up.log" >&2; fail "up"; }
A status --json >"$REST_TMP/status.json" || fail "status: $(A status)"
jq -e '.drift | length == 0' "$REST_TMP/status.json" >/dev/null || fail "drift: $(A status)"
# every enabled station is in the summary and ready
for s in $(jq -r '.stations[].name' "$REST_TMP/plan.json"); do
	grep -q "^$s\." "$REST_TMP/up.log" || fail "$s missing from the summary: $(cat "$REST_TMP/up.log")"
	[ "$(jq -r --arg s "$s" '.stations[] | select(.station == $s) | .state' "$REST_TMP/status.json")" = ready ] ||
		fail "$s is not ready: $(A status)"
done

# DNS from the host: every record of the plan, at the backbone
NS=$(jq -r .host.backbone "$REST_TMP/plan.json")
jq -r '.records[] | select(.type == "A" or .type == "PTR") | "\(.type) \(.name) \(.value)"' \
	"$REST_TMP/plan.json" >"$REST_TMP/records"
[ -s "$REST_TMP/records" ] || fail "no records in the plan"
while read -r type name value; do
	if [ "$type" = PTR ]; then
		got=$(dig +short +time=2 @"$NS" -x "$(echo "$name" | awk -F. '{print $4"."$3"."$2"."$1}')")
	else
		got=$(dig +short +time=2 @"$NS" "$name" A)
	fi
	echo "$got" | grep -qx "$value" || fail "$type $name: '$got', expected $value"
done <"$REST_TMP/records"

# from every member station: service_endpoint by name, through the backbone
for s in $(jq -r '.stations[] | select(.role != "backbone" and .cluster != "service") | .name' \
	"$REST_TMP/plan.json"); do
	x "$s" getent hosts service_endpoint.service.com | grep -q '^10\.2\.0\.10 ' ||
		fail "$s: getent hosts service_endpoint.service.com"
	banner=$(x "$s" bash -c 'exec 3<>/dev/tcp/service_endpoint.service.com/22; head -c 7 <&3')
	[ "$banner" = SSH-2.0 ] || fail "$s -> service_endpoint.service.com:22: '$banner'"
done

A down --quiet || fail "down"
ip netns list 2>/dev/null | grep '^[^. ]*\.\(example\|service\)\.com\( \|$\)' && fail "namespaces left"
[ -e "/run/apomon/$REST_ENV" ] && [ -n "$(ls -A "/run/apomon/$REST_ENV" 2>/dev/null)" ] &&
	fail "state left in /run/apomon/$REST_ENV"
exit 0
