#!/bin/sh
# The ftp type: upload and download as 3pg with curl from the host in
# passive mode (EPSV and PASV), directly and through the published ports,
# data ports in the configured range; a wrong password and anonymous
# logins are refused.  The password's salt is random and kept: a second
# station with the same password has another hash, a restart renders the
# same (sealed) user file and passes the integrity gate, and
# `down --purge` forgets the salt.  An upload survives down and up.
. "${top_srcdir:?}/tests/integration/lib.sh" || exit 99
. "$APOMON_SRCDIR/tests/integration/rest-lib.sh"

rest_add ftp
# ftp2: the same password, no published ports (the default passive range)
sed -i 's|^    { name = "ftp";|    { name = "ftp2"; type = "ftp"; addresses = ["10.73.0.22"];\
      settings = { password = "ftp-secret 3pg"; }; },\
&|' "$REST_CONF/conf.d/30-ftp.conf"
grep -q '"ftp2"' "$REST_CONF/conf.d/30-ftp.conf" || fail "ftp2 not added"
rest_up
LIB=${APOMON_LIB_DIR:-/var/lib/apomon}
SALT=$LIB/$REST_ENV/ftp/secrets/password-salt
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

# one password, two stations, two salts; the hash is the password's
h1=$(x ftp cat /etc/apomon/ftp-users) || fail "ftp-users of ftp"
h2=$(x ftp2 cat /etc/apomon/ftp-users) || fail "ftp-users of ftp2"
case $h1 in 3pg:\$6\$????????????????\$*) ;; *) fail "not a 16-character salt: $h1" ;; esac
[ "$h1" != "$h2" ] || fail "ftp and ftp2 share a hash: $h1"
curl -sS --user "$U" ftp://10.73.0.22/ >/dev/null || fail "ftp2 refuses the password"
[ "$(stat -c %a "$SALT")" = 600 ] || fail "the kept salt $SALT: $(ls -l "$SALT" 2>&1)"
[ "$(stat -c %a "${SALT%/*}")" = 700 ] || fail "${SALT%/*} is not 0700"

# sealed, then restarted: the same file, the gate passes
A seal ftp >/dev/null || fail "seal ftp"
grep -q '  /etc/apomon/ftp-users$' "$LIB/$REST_ENV/manifests/ftp.manifest" ||
	fail "ftp-users is not sealed"
A down --quiet || fail "down"
rest_up
[ "$(x ftp cat /etc/apomon/ftp-users)" = "$h1" ] || fail "the hash changed across a restart"
A verify ftp >/dev/null || fail "verify after the restart"
curl -sS --user "$U" "$F/" >/dev/null || fail "login after the restart"
# uploads are data: they survive down and up
curl -sS --user "$U" "$F/up.txt" -o "$REST_TMP/kept.txt" || fail "the upload is gone after down and up"
cmp -s "$REST_TMP/up.txt" "$REST_TMP/kept.txt" || fail "the upload changed across down and up"

# a purge forgets the salt with the rest of the environment's data
A down --quiet --purge || fail "down --purge"
[ -e "$SALT" ] && fail "down --purge left $SALT"
[ -e "$LIB/$REST_ENV" ] && fail "down --purge left $LIB/$REST_ENV: $(ls -A "$LIB/$REST_ENV")"
exit 0
