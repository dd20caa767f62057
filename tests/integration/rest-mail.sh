#!/bin/sh
# The mail type: a station (www1, another LAN) sends to 3pg@example.org
# over SMTP with curl, reads it back over IMAP and POP3 as 3pg; relaying
# to another domain is refused, so is a client outside the environment
# (the host), and a wrong password.  The message survives down and up.
. "${top_srcdir:?}/tests/integration/lib.sh" || exit 99
. "$APOMON_SRCDIR/tests/integration/rest-lib.sh"

rest_add mail
rest_up
PW='mail "secret" 3pg'
subject="rest-mail $$ $(date +%s%N)"
x www1 sh -c "printf 'From: a@example.org\r\nTo: 3pg@example.org\r\nSubject: $subject\r\n\r\nhello 3pg\r\n' >/tmp/m.txt"

# MX of the domain, then SMTP by that name
[ "$(x www1 getent hosts mail.example.org | cut -d' ' -f1)" = 10.74.0.25 ] || fail "mail.example.org"
x www1 curl -sS smtp://mail.example.org --mail-from a@example.org \
	--mail-rcpt 3pg@example.org -T /tmp/m.txt || fail "SMTP to 3pg@example.org"

# delivery is asynchronous: poll the mailbox over IMAP (a real login each time)
i=0
until x www1 curl -sS --user "3pg:$PW" 'imap://mail.example.org/INBOX;UID=1' \
	>"$REST_TMP/imap.txt" 2>/dev/null && grep -q "^Subject: $subject" "$REST_TMP/imap.txt"; do
	i=$((i + 1))
	[ $i -gt 100 ] && fail "not in INBOX over IMAP: $(cat "$REST_TMP/imap.txt")"
	sleep 0.1
done
grep -q '^hello 3pg' "$REST_TMP/imap.txt" || fail "IMAP body"
x www1 curl -sS --user "3pg:$PW" pop3://mail.example.org/1 >"$REST_TMP/pop3.txt" || fail "POP3"
grep -q "^Subject: $subject" "$REST_TMP/pop3.txt" || fail "POP3: $(cat "$REST_TMP/pop3.txt")"

# refusals: relaying to another domain (554), a wrong password, a client
# that is not a station (the host, through the backbone)
x www1 curl -sS smtp://mail.example.org --mail-from a@example.org \
	--mail-rcpt someone@elsewhere.test -T /tmp/m.txt 2>"$REST_TMP/relay" && fail "relayed to elsewhere.test"
grep -q 554 "$REST_TMP/relay" || fail "relay: $(cat "$REST_TMP/relay")"
A logs mail | grep 'Relay access denied' >/dev/null || fail "no 'Relay access denied' in the log"
x www1 curl -sS --user '3pg:wrong' pop3://mail.example.org/1 >/dev/null 2>&1 && fail "POP3 with a wrong password"
x www1 curl -sS --user '3pg:wrong' imap://mail.example.org/INBOX >/dev/null 2>&1 && fail "IMAP with a wrong password"
echo x >"$REST_TMP/m.txt"
curl -sS --max-time 10 smtp://10.74.0.25 --mail-from a@example.org --mail-rcpt 3pg@example.org \
	-T "$REST_TMP/m.txt" 2>"$REST_TMP/host" && fail "the host, outside the environment, sent mail"
grep -q 554 "$REST_TMP/host" || fail "host client: $(cat "$REST_TMP/host")"

# the mail spool is data: the message survives down and up (the station
# is ready when up returns: IMAP answers without polling)
A down --quiet || fail "down"
rest_up
x www1 curl -sS --user "3pg:$PW" 'imap://mail.example.org/INBOX;UID=1' >"$REST_TMP/kept.txt" ||
	fail "IMAP after down and up"
grep -q "^Subject: $subject" "$REST_TMP/kept.txt" ||
	fail "the message did not survive down and up: $(cat "$REST_TMP/kept.txt")"
A down --quiet || fail "down"
exit 0
