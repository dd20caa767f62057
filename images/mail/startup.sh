#!/bin/sh
# A mail station: sshd, Dovecot (IMAP, POP3) in the background, then
# Postfix's master in the foreground; both log to this script's output.
set -eu
. /apomon/sshd.sh
# the passwd-file Dovecot's auth reads: hashes only, group dovecot
chown root:dovecot /etc/apomon/mail-users
chmod 0640 /etc/apomon/mail-users
# no `postfix check` here: `postfix start-fg` runs the same checks
# (check-fatal, check-warn) and fails the start the same way; doing both
# doubled the station's start.  The aliases database is the image's
# (image.cfg), made again only when /etc/aliases changed
[ /etc/aliases.db -nt /etc/aliases ] || newaliases
dovecot -c /etc/dovecot/dovecot.conf
# SIGTERM from the init reaches master with this script's process group
# (it terminates its services and exits); Dovecot left the group: stop it
# too, and wait for both (`postfix stop` would poll master once a second)
trap 'doveadm stop >/dev/null 2>&1; wait "$pf" 2>/dev/null; exit 0' TERM
postfix start-fg &
pf=$!
wait "$pf"
