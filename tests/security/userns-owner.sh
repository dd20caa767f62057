#!/bin/sh
# What the host writes into a RUNNING station (the dns type's reload
# rewriting its hosts file on `up`, deploy, write_file and
# write_file_owned: one write path) is owned by the station's root at
# once, not by host root until its next start: host root is nobody
# inside, so root inside could neither chmod nor chown such a file.  The
# backbone is of type dns; a station added to the running environment
# makes `up` rewrite its dnsmasq.hosts in place.  The same reload with
# APOMON_TEST_WEAKEN=owners (the write as host root, as before) must fail
# the check: that shows it can see the difference.
. "${top_srcdir:?}/tests/security/userns-lib.sh" || exit 99

U="unso-$$"
ENVS="$U"
HOSTS=/etc/apomon/dnsmasq.hosts

# dns_env NAME K [ISOLATION]: the fixture with a dns backbone
dns_env() {
	new_env "$@"
	sed -i 's/type = "base";/type = "dns";/' "$TMPD/$1/apomon.conf"
	grep -q 'type = "dns"' "$TMPD/$1/apomon.conf" || fail "$1: no dns backbone"
}
# add NAME STATION K: one more station (address .K), so the backbone's
# records change
add() {
	local c="$TMPD/$1/conf.d/10-lan.conf" a
	a=$(grep -o '"10\.[0-9]*\.0\.12"' "$c" | tr -d '"')
	sed -i "s/^\(  .*\));\$/\1, { name = \"$2\"; type = \"base\"; addresses = [\"${a%.12}.$3\"]; } );/" "$c"
	grep -q "\"$2\"" "$c" || fail "$1: $2 not added"
}
# reload NAME STATION: up with STATION added reloads bb in place
reload() {
	local p out
	p=$(init_pid "$1" bb)
	out=$(E "$1" up 2>&1) || fail "up $1 with $2: $out"
	echo "$out" | grep_q "bb\.$1\.test: reloaded in place" ||
		fail "$1: the dns backbone was not reloaded in place: $out"
	[ "$(init_pid "$1" bb)" = "$p" ] || fail "$1: bb restarted instead of reloading"
	grep -q "$2" "/proc/$p/root$HOSTS" || fail "$1: $HOSTS has no $2"
	# dnsmasq answers for the new station after its SIGHUP
	E "$1" exec bb -- getent hosts "$2.$1.test" >/dev/null ||
		fail "$1: $2 does not resolve after the reload"
}

# chk NAME: the reloaded hosts file is the station root's, on the host and inside
chk() {
	local base u o
	base=$(host_uid0 "$1" bb)
	u=$(stat -c %u:%g "/var/lib/apomon/$1/bb/upper$HOSTS")
	[ "$base" != 0 ] && [ "$u" = "$base:$(awk '$1 == 0 { print $2 }' "/proc/$(init_pid "$1" bb)/gid_map")" ] ||
		{ echo "bb: $HOSTS is host $u after the reload (station root is $base)"; return 1; }
	o=$(E "$1" exec bb -- stat -c %U:%G "$HOSTS") || { echo "bb: stat"; return 1; }
	[ "$o" = root:root ] || { echo "bb: $HOSTS is $o inside"; return 1; }
	E "$1" exec bb -- sh -c "chmod 600 $HOSTS && chown root:root $HOSTS" ||
		{ echo "bb: root inside cannot chmod its own $HOSTS"; return 1; }
}

dns_env "$U" 1
out=$(E "$U" up -q 2>&1) || fail "up $U: $out"
add "$U" s3 13
reload "$U" s3
why=$(chk "$U") || fail "$U: $why"

# weakened: the same reload writing as host root must fail the check
add "$U" s4 14
export APOMON_TEST_WEAKEN=owners
reload "$U" s4
unset APOMON_TEST_WEAKEN
chk "$U" >/dev/null && fail "chk does not see a hosts file written as host root"

E "$U" down --purge -q || fail "down --purge $U"
no_leftovers
exit 0
