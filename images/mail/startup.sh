#!/bin/sh
# A mail station: sshd, Dovecot (IMAP, POP3) in the background, then
# Postfix's master in the foreground; both log to this script's output.
set -eu
. /apomon/sshd.sh
# the passwd-file Dovecot's auth reads: hashes only, group dovecot
chown root:dovecot /etc/apomon/mail-users
chmod 0640 /etc/apomon/mail-users
postfix check
newaliases
dovecot -c /etc/dovecot/dovecot.conf
# SIGTERM from the init stops master; then stop Dovecot too
trap 'postfix stop >/dev/null 2>&1; doveadm stop; exit 0' TERM
postfix start-fg &
wait $!
