#!/bin/sh
# User namespaces: every station's root is a host id range of its own.
# Two environments come up at the same time (their ranges must not
# overlap); a third runs with isolation = "host-root", against which
# every check must fail: that is what shows the check can see an escape.
. "${top_srcdir:?}/tests/security/userns-lib.sh" || exit 99

U1="uns1-$$" U2="uns2-$$" H="unsh-$$"
ENVS="$U1 $U2 $H"
new_env "$U1" 1
new_env "$U2" 2
new_env "$H" 3 host-root

sub=$(awk -F: '$1 == "apomon" { print $2, $3; exit }' /etc/subuid)
[ -n "$sub" ] || fail "no subordinate ids for user apomon (tools/apomon-user)"
SUB_START=${sub% *}
SUB_COUNT=${sub#* }

# ---- the checks: 0 when the station is isolated, 1 with what is wrong ----

# uid 0 of the station is a host id of apomon's range, for init and for
# what `apomon exec` runs
chk_map() {
	local base
	base=$(host_uid0 "$1" "$2")
	[ -n "$base" ] && [ "$base" != 0 ] || { echo "$2: uid 0 is host uid ${base:-?}"; return 1; }
	[ "$base" -ge "$SUB_START" ] && [ $((base + 65536)) -le $((SUB_START + SUB_COUNT)) ] ||
		{ echo "$2: uid 0 is host uid $base, outside apomon's range"; return 1; }
	m=$(E "$1" exec "$2" -- cat /proc/self/uid_map | awk '{ print $1, $2, $3 }')
	[ "$m" = "0 $base 65536" ] || { echo "$2: exec runs with uid_map '$m'"; return 1; }
}

# a file root makes inside is owned by the station's range on the host
chk_owner() {
	local base u
	base=$(host_uid0 "$1" "$2")
	E "$1" exec "$2" -- sh -c 'echo x > /root/made-by-root' || { echo "$2: write"; return 1; }
	u=$(stat -c %u "/var/lib/apomon/$1/$2/upper/root/made-by-root")
	[ "$u" != 0 ] && [ "$u" = "$base" ] ||
		{ echo "$2: root's file is host uid $u (its range starts at $base)"; return 1; }
}

# a file only host root may read, put into the station's root from the
# host: root inside cannot read it (host root is not mapped there)
chk_secret() {
	local f="/proc/$(init_pid "$1" "$2")/root/root/host-secret"
	rm -f "$f"
	(umask 077 && echo "host-secret-$$" >"$f") || { echo "$2: plant"; return 1; }
	if E "$1" exec "$2" -- cat /root/host-secret 2>/dev/null | grep_q "host-secret-$$"; then
		echo "$2: root inside read a file of host root"
		return 1
	fi
}

# inside, owners are the image's (idmapped layers, not copies); the host
# wrote /etc/hosts as host root: it is the station's root's nonetheless,
# and so is what the launcher made in /dev (Postfix's postlog writes to
# maillog_file = /dev/stdout only through a root-owned symlink), and root
# can reopen its stdio, pipes of apomon's
chk_image_owners() {
	local o u base
	o=$(E "$1" exec "$2" -- stat -c '%U:%G' /etc/shadow / /etc/hosts /home/3pg \
		/dev/stdout /dev/null | tr '\n' ' ')
	[ "$o" = "root:shadow root:root root:root 3pg:3pg root:root root:root " ] ||
		{ echo "$2: owners inside: $o"; return 1; }
	o=$(E "$1" exec "$2" -- sh -c 'echo reopened >/dev/stdout' 2>&1)
	[ "$o" = reopened ] || { echo "$2: root cannot reopen its stdout: $o"; return 1; }
	base=$(host_uid0 "$1" "$2")
	u=$(stat -c %u "/var/lib/apomon/$1/$2/upper/etc/hosts")
	[ "$u" = "$base" ] && [ "$u" != 0 ] ||
		{ echo "$2: /etc/hosts in the writable layer is host uid $u"; return 1; }
}

CHECKS="chk_map chk_owner chk_secret chk_image_owners"

# ---- two environments at once: disjoint ranges ----
E "$U1" up -q >"$TMPD/u1.out" 2>&1 &
p1=$!
E "$U2" up -q >"$TMPD/u2.out" 2>&1 &
p2=$!
wait $p1 || fail "up $U1: $(cat "$TMPD/u1.out")"
wait $p2 || fail "up $U2: $(cat "$TMPD/u2.out")"

bases=""
for e in "$U1" "$U2"; do
	for s in bb s1 s2; do
		for c in $CHECKS; do
			why=$($c "$e" "$s") || fail "$e: $why"
		done
		bases="$bases $(host_uid0 "$e" "$s")"
	done
done
# six stations, six ranges of 65536, none overlapping
echo "$bases" | tr ' ' '\n' | sed '/^$/d' | sort -n | awk '
	NR > 1 && $1 < prev + 65536 { bad = 1 } { prev = $1; n++ }
	END { exit !(n == 6 && !bad) }' || fail "ranges overlap:$bases"
E "$U1" status | grep_q warning && fail "status warns about a station in its user namespace"

# the allocation outlives down/up: the writable layer is owned by it
b1=$(host_uid0 "$U1" s1)
E "$U1" down -q || fail "down $U1"
E "$U1" up -q || fail "up $U1 again"
[ "$(host_uid0 "$U1" s1)" = "$b1" ] || fail "s1 got another range after down/up"
[ "$(E "$U1" exec s1 -- cat /root/made-by-root)" = x ] || fail "s1 lost its file"

# ---- host-root: every check sees the difference ----
out=$(E "$H" up 2>&1) || fail "up $H: $out"
echo "$out" | grep_q "^warning: s1\.$H\.test: isolation \"host-root\"" ||
	fail "the up summary does not warn about host-root: $out"
E "$H" status | grep_q "warning: s1\.$H\.test: isolation \"host-root\"" ||
	fail "status does not warn about host-root: $(E "$H" status)"
for c in $CHECKS; do
	$c "$H" s1 >/dev/null && fail "$c does not see that $H's s1 runs as host root"
done

# a writable layer from host-root times (owned by host root) is taken
# into the station's range at its first start with a user namespace
E "$H" exec s1 -- sh -c 'echo old > /root/old-data && chmod 600 /root/old-data' ||
	fail "write in $H"
[ "$(stat -c %u "/var/lib/apomon/$H/s1/upper/root/old-data")" = 0 ] ||
	fail "host-root: the file is not host root's"
E "$H" down -q || fail "down $H"
sed -i '/^isolation = /d' "$TMPD/$H/apomon.conf"
E "$H" up -q || fail "up $H with a user namespace"
[ "$(E "$H" exec s1 -- cat /root/old-data)" = old ] || fail "old data unreadable"
[ "$(stat -c %u "/var/lib/apomon/$H/s1/upper/root/old-data")" = "$(host_uid0 "$H" s1)" ] ||
	fail "old data not taken into the range"
for c in $CHECKS; do
	why=$($c "$H" s1) || fail "$H after the change: $why"
done

# ---- down --purge frees the ranges ----
[ "$(wc -l <"/var/lib/apomon/$U2/idmap")" = 3 ] || fail "$U2: idmap: $(cat "/var/lib/apomon/$U2/idmap")"
for e in $ENVS; do
	E "$e" down --purge -q || fail "down --purge $e"
	[ -e "/var/lib/apomon/$e/idmap" ] && fail "$e: ranges not freed"
done
no_leftovers
exit 0
