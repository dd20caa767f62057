#!/bin/sh
# The ftp type: upload and download as 3pg with curl from the host in
# passive mode (EPSV and PASV), directly and through the published ports,
# data ports in the configured range; a wrong password and anonymous
# logins are refused.
. "${top_srcdir:?}/tests/integration/lib.sh" || exit 99
. "$APOMON_SRCDIR/tests/integration/rest-lib.sh"

rest_add ftp
rest_up
U='3pg:ftp-secret 3pg'
F=ftp://10.73.0.21
echo "upload $$ $(date +%s%N)" >"$REST_TMP/up.txt"

# the host reaches the station through the backbone
curl -sS --user "$U" -T "$REST_TMP/up.txt" "$F/" || fail "upload (EPSV)"
curl -sS --user "$U" "$F/up.txt" -o "$REST_TMP/down.txt" || fail "download (EPSV)"
cmp -s "$REST_TMP/up.txt" "$REST_TMP/down.txt" || fail "downloaded file differs"
# it landed in 3pg's home, owned by 3pg
[ "$(x ftp stat -c %U /home/3pg/up.txt)" = 3pg ] || fail "upload not owned by 3pg"

# PASV: the data port is in the configured range 30100..30104
curl -v -sS --disable-epsv --user "$U" "$F/up.txt" -o "$REST_TMP/pasv.txt" 2>"$REST_TMP/pasv.log" ||
	fail "download (PASV)"
cmp -s "$REST_TMP/up.txt" "$REST_TMP/pasv.txt" || fail "PASV download differs"
port=$(sed -n 's/.*Entering Passive Mode (\([0-9,]*\)).*/\1/p' "$REST_TMP/pasv.log" |
	awk -F, '{print $5 * 256 + $6}')
[ -n "$port" ] && [ "$port" -ge 30100 ] && [ "$port" -le 30104 ] ||
	fail "passive port '$port' outside 30100..30104"

# through the published ports: control on 2121, passive data on the same
# host ports as the station's range; EPSV and PASV
P=ftp://127.0.0.1:2121
curl -sS --max-time 10 --user "$U" -T "$REST_TMP/up.txt" "$P/pub.txt" || fail "upload through 2121"
x ftp cmp -s /home/3pg/up.txt /home/3pg/pub.txt || fail "published upload differs"
curl -sS --max-time 10 --disable-epsv --user "$U" "$P/pub.txt" -o "$REST_TMP/pub.txt" ||
	fail "PASV download through 2121"
cmp -s "$REST_TMP/up.txt" "$REST_TMP/pub.txt" || fail "published PASV download differs"
curl -sS --max-time 10 --user '3pg:wrong' "$P/" >/dev/null 2>&1 && fail "wrong password through 2121"

# refusals: a wrong password, anonymous (curl's default user), ftp
curl -sS --user '3pg:wrong' "$F/" >/dev/null 2>"$REST_TMP/err" && fail "a wrong password logged in"
grep -q 530 "$REST_TMP/err" || fail "wrong password: $(cat "$REST_TMP/err")"
curl -sS "$F/" >/dev/null 2>"$REST_TMP/err" && fail "anonymous logged in"
grep -q 530 "$REST_TMP/err" || fail "anonymous: $(cat "$REST_TMP/err")"
curl -sS --user 'ftp:a@b' "$F/" >/dev/null 2>&1 && fail "user ftp logged in"

# the password is not in the station's root in clear text
x ftp grep -rqs 'ftp-secret' /etc && fail "the clear-text password is in /etc"

A down --quiet || fail "down"
exit 0
