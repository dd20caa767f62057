#!/bin/sh
# The whole default environment (this repository's apomon.conf and
# conf.d/, every enabled station) comes up with every startup check
# green, the backbone answers for every station, every station resolves
# and reaches service_endpoint.service.com through the backbone; then
# down leaves none of its objects behind.
. "${top_srcdir:?}/tests/integration/lib.sh" || exit 99
REST_FIXTURE=none
. "$APOMON_SRCDIR/tests/integration/rest-lib.sh"
mkdir -p "$REST_CONF"
cp -r "$APOMON_SRCDIR/apomon.conf" "$APOMON_SRCDIR/conf.d" "$REST_CONF/"
# the default environment's namespaces are named after its FQDNs
# (one that exists already is a leak, or a default environment left up)
[ ! -e /run/netns/backbone.example.com ] ||
	fail "/run/netns/backbone.example.com exists before up: left behind, or the default environment is up"

A plan --json >"$REST_TMP/plan.json" || fail "plan"
has() { jq -e --arg n "$1" '.stations | map(select(.name == $n)) | length == 1' "$REST_TMP/plan.json" >/dev/null; }
if jq -e '.stations | map(select(.type == "tomcat")) | length > 0' "$REST_TMP/plan.json" >/dev/null &&
	[ ! -f "$APOMON_WEBAPPS_DIR/skel-0.1.0.war" ]; then
	echo "SKIP: $APOMON_WEBAPPS_DIR/skel-0.1.0.war not built (needs javac)" >&2
	exit 77
fi
# up under an operator's hardened umask: what apomon writes for the
# stations' services (dnsmasq's hosts file, read as user dnsmasq) must
# stay readable to them (with 077 passed on, the backbone never got ready)
(umask 077 && A up) >"$REST_TMP/up.log" 2>&1 || { cat "$REST_TMP/up.log" >&2; fail "up (umask 077)"; }
A status --json >"$REST_TMP/status.json" || fail "status: $(A status)"
jq -e '.drift | length == 0' "$REST_TMP/status.json" >/dev/null || fail "drift: $(A status)"
# every enabled station is in the summary and ready
for s in $(jq -r '.stations[].name' "$REST_TMP/plan.json"); do
	grep -q "^$s\." "$REST_TMP/up.log" || fail "$s missing from the summary: $(cat "$REST_TMP/up.log")"
	[ "$(jq -r --arg s "$s" '.stations[] | select(.station == $s) | .state' "$REST_TMP/status.json")" = ready ] ||
		fail "$s is not ready: $(A status)"
done

# DNS from the host, at the backbone's host-link address (apomon.conf's
# host_network 10.254.254.0/30): each name's whole answer set is the one
# written by hand in tests/fixtures/default-env/dns.txt, not the plan's
NS=10.254.254.2
[ "$(jq -r .host.backbone "$REST_TMP/plan.json")" = "$NS" ] || fail "the plan's backbone is not $NS"
n=0
while read -r name type want; do
	case $name in '#'* | '') continue ;; esac
	if [ "$type" = PTR ]; then
		got=$(dig +short +time=2 +tries=2 @"$NS" -x "$name") || fail "dig -x $name"
	else
		got=$(dig +short +time=2 +tries=2 @"$NS" "$name" "$type") || fail "dig $name $type"
	fi
	# A: several addresses, one a line, in any order; else one answer
	[ "$type" = A ] && got=$(printf '%s\n' "$got" | sort | tr '\n' ' ' | sed 's/ $//')
	[ "$got" = "$want" ] || fail "$name $type: '$got', expected '$want'"
	n=$((n + 1))
done <"$APOMON_SRCDIR/tests/fixtures/default-env/dns.txt"
[ "$n" -ge 21 ] || fail "only $n answers checked"
# the table names every station: one added to conf.d is added there too
[ "$(jq '[.stations[]] | length' "$REST_TMP/plan.json")" = 9 ] ||
	fail "the default environment has not the 9 stations of dns.txt: $(jq -c '[.stations[].name]' "$REST_TMP/plan.json")"

# from every member station: service_endpoint by name, through the backbone
for s in $(jq -r '.stations[] | select(.role != "backbone" and .cluster != "service") | .name' \
	"$REST_TMP/plan.json"); do
	x "$s" getent hosts service_endpoint.service.com | grep_q '^10\.2\.0\.10 ' ||
		fail "$s: getent hosts service_endpoint.service.com"
	banner=$(x "$s" bash -c 'exec 3<>/dev/tcp/service_endpoint.service.com/22; head -c 7 <&3')
	[ "$banner" = SSH-2.0 ] || fail "$s -> service_endpoint.service.com:22: '$banner'"
done

# every URL of the summary shows a page (the tomcats' "/" redirects to
# their first application), https verified against the environment's CA
# (the load balancer's certificate names 127.0.0.1 too)
urls=$(grep -o 'https\{0,1\}://127\.0\.0\.1[^ ]*' "$REST_TMP/up.log" | sort -u)
[ "$(printf '%s\n' "$urls" | grep -c .)" -ge 4 ] || fail "too few URLs in the summary: $(cat "$REST_TMP/up.log")"
ca=$(A ca --path) || fail "ca --path"
for u in $urls; do
	c=$(curl -sS --cacert "$ca" -L --max-time 10 -o /dev/null -w '%{http_code}' "$u")
	[ "$c" = 200 ] || fail "the summary's $u: HTTP $c"
done

# the services through the host's published ports, as README shows them
if has ftp; then
	echo "default $$" >"$REST_TMP/f.txt"
	curl -sS --max-time 10 --user 3pg:3pg-ftp -T "$REST_TMP/f.txt" ftp://127.0.0.1/ || fail "FTP upload on 21"
	curl -sS --max-time 10 --disable-epsv --user 3pg:3pg-ftp ftp://127.0.0.1/f.txt | grep_q -x "default $$" ||
		fail "FTP PASV download on 21"
fi
if has django && has www1; then
	c=$(curl -sS --max-time 10 -o /dev/null -w '%{http_code}' -X POST -H 'Content-Type: application/json' \
		-d "{\"name\":\"Default $$\",\"city\":\"Kiel\"}" http://127.0.0.1:81/skel-0.1.0/api/companies)
	[ "$c" = 201 ] || fail "skel API on host port 81: HTTP $c"
	curl -sS --max-time 10 http://127.0.0.1:8000/ | grep_q "<tr><td>Default $$</td><td>Kiel</td>" ||
		fail "django on host port 8000 does not list the company"
fi
if has mail; then
	from=$(jq -r '.stations[] | select(.role == "member" and .name != "mail") | .name' "$REST_TMP/plan.json" | head -n 1)
	x "$from" sh -c "printf 'Subject: default $$\r\n\r\nhi\r\n' >/tmp/m.txt && curl -sS smtp://mail.example.com \
		--mail-from me@example.com --mail-rcpt 3pg@example.com -T /tmp/m.txt" || fail "$from: SMTP"
	i=0
	until x "$from" curl -sS --user 3pg:3pg-mail 'imap://mail.example.com/INBOX;UID=1' 2>/dev/null |
		grep "^Subject: default $$" >/dev/null; do
		i=$((i + 1))
		[ $i -gt 100 ] && fail "$from: the mail never reached 3pg's INBOX"
		sleep 0.1
	done
fi

A down --quiet || fail "down"
ip netns list 2>/dev/null | grep '^[^. ]*\.\(example\|service\)\.com\( \|$\)' && fail "namespaces left"
[ -e "/run/apomon/$REST_ENV" ] && [ -n "$(ls -A "/run/apomon/$REST_ENV" 2>/dev/null)" ] &&
	fail "state left in /run/apomon/$REST_ENV"
exit 0
