#!/bin/sh
# The dns backbone: dig from the host at the backbone's host-link address
# gets the A and PTR record of every station address and the clusters'
# extra records; nothing is forwarded; a station resolves another
# cluster's station by name and reaches it through the backbone.
. "${top_srcdir:?}/tests/integration/lib.sh" || exit 99
. "$APOMON_SRCDIR/tests/integration/rest-lib.sh"
command -v dig >/dev/null || { echo "SKIP: needs dig (Debian: bind9-dnsutils)" >&2; exit 77; }

rest_up
NS=$(A plan --json | jq -r .host.backbone)
[ "$NS" = 10.253.71.2 ] || fail "the backbone's host-link address is '$NS'"
D() { dig +short +time=2 +tries=2 @"$NS" "$@"; }

# every station's name: its whole A answer set, and each address's PTR,
# written out from tests/fixtures/rest (not read from the plan, which is
# what is under test); the backbone has a leg in each cluster
a_set() { D "$1" A | sort | tr '\n' ' ' | sed 's/ $//'; }
for want in "backbone.example.org 10.71.0.254 10.72.0.254" "www1.example.org 10.71.0.11" \
	"multi.example.org 10.71.0.12 10.71.0.13" "service_endpoint.service.org 10.72.0.10"; do
	fqdn=${want%% *}
	[ "$(a_set "$fqdn")" = "${want#* }" ] || fail "A $fqdn: '$(a_set "$fqdn")' (expected ${want#* })"
	for addr in ${want#* }; do
		[ "$(D -x "$addr")" = "$fqdn." ] || fail "PTR $addr: $(D -x "$addr") (expected $fqdn.)"
	done
done
# the host link is no station address: no name for it
[ -z "$(D -x 10.253.71.2)" ] || fail "PTR 10.253.71.2: $(D -x 10.253.71.2)"

# the cluster's extra records
[ "$(D www.example.org A)" = 10.71.0.11 ] || fail "www.example.org A"
[ "$(D -x 10.71.0.11)" = www1.example.org. ] || fail "an extra A record changed the PTR"
[ "$(D web.example.org A)" = "www1.example.org.
10.71.0.11" ] || fail "CNAME web.example.org: $(D web.example.org A)"
[ "$(D example.org MX)" = "10 mail.example.org." ] || fail "MX example.org: $(D example.org MX)"
[ "$(D info.example.org TXT)" = '"apomon rest fixture"' ] || fail "TXT"

# unknown names: NXDOMAIN in the environment's domains, REFUSED (never
# forwarded to the host's resolver) elsewhere
dig +time=2 @"$NS" nope.example.org | grep_q 'status: NXDOMAIN' || fail "nope.example.org"
dig +time=2 @"$NS" debian.org | grep_q 'status: REFUSED' || fail "debian.org was not refused"

# inside stations: across clusters, by FQDN and by short name in its domain
[ "$(x www1 getent hosts service_endpoint.service.org)" = "10.72.0.10      service_endpoint.service.org" ] ||
	fail "www1: getent hosts service_endpoint.service.org"
x service_endpoint getent hosts www1.example.org | grep_q '^10.71.0.11 ' || fail "service_endpoint: getent www1"
x www1 getent hosts multi | grep_q '^10.71.0.13 ' || fail "www1: getent hosts multi (search domain)"

# service_endpoint by name from www1, through the backbone: the route says
# so, and the backbone's leg in the service cluster carries the packets
x www1 ip route get 10.72.0.10 | grep_q 'via 10.71.0.254' || fail "route from www1"
before=$(ip netns exec backbone.example.org cat /sys/class/net/eth1/statistics/tx_packets)
banner=$(x www1 bash -c 'exec 3<>/dev/tcp/service_endpoint.service.org/22; head -c 7 <&3')
[ "$banner" = SSH-2.0 ] || fail "www1 -> service_endpoint.service.org:22: '$banner'"
after=$(ip netns exec backbone.example.org cat /sys/class/net/eth1/statistics/tx_packets)
[ "$after" -gt "$before" ] || fail "the backbone's eth1 carried nothing ($before -> $after)"

A down --quiet || fail "down"
ip netns list 2>/dev/null | grep '^[^. ]*\.\(example\|service\)\.org\( \|$\)' && fail "namespaces left"
exit 0
