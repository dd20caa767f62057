#!/bin/sh
# A sealed config file of a tomcat station (from its image, kept in its
# writable layer across a down) and one of the haproxy station changed
# behind apomon's back: `up` refuses, names the station and the file, and
# leaves nothing behind; restored, `up` works again.
. "${top_srcdir:?}/tests/integration/lib.sh" || exit 99
. "$APOMON_SRCDIR/tests/integration/web-lib.sh"

web_up
apo seal >/dev/null || fail "seal"
apo down --quiet || fail "down"

for f in "www1 /etc/tomcat10/web.xml" "lb /etc/haproxy/errors/503.http"; do
	set -- $f
	upper="/var/lib/apomon/$WEB_ENV/$1/upper"
	mkdir -p "$upper$(dirname "$2")"
	root_copy="$WEB_TMP/orig"
	image=$(apo plan --json | jq -r --arg s "$1" '.stations[] | select(.name == $s) | .image')
	cp "${APOMON_LIB_DIR:-/var/lib/apomon}/images/$image/current/root$2" "$root_copy" ||
		fail "$2 is not in image $image"
	{ cat "$root_copy"; echo "<!-- tampered -->"; } >"$upper$2" # one line more
	out=$(apo up --quiet 2>&1) && fail "up accepted a tampered $1:$2"
	echo "$out" | grep_q "$1.$WEB_DOMAIN: integrity: $2" || fail "up's message does not name $1 and $2: $out"
	[ -d "/run/apomon/$WEB_ENV" ] && fail "the refused up left state behind"
	assert_no_leftovers "$WEB_ENV" "$WEB_DOMAIN"
	rm -f "$upper$2"
done
apo up --quiet || fail "up after the files were restored"
echo "web-tamper: ok"
