#!/bin/sh
# A mail station: sshd, Dovecot (IMAP, POP3) in the background, then
# Postfix's master in the foreground; both log to this script's output.
set -eu
. /apomon/sshd.sh
# the passwd-file Dovecot's auth reads: hashes only, group dovecot
chown root:dovecot /etc/apomon/mail-users
chmod 0640 /etc/apomon/mail-users
# Every Postfix program that reads a main.cf modified within the last
# second or so waits for it to "cool down" (it might be half written),
# 300 ms at a time: 1.5 s of every start, since apomon writes main.cf
# just before it.  apomon wrote it whole and renamed it into place, so
# its time is set two seconds back, before the first Postfix program
# (newaliases, postsuper) reads it.
touch -d "@$(($(date +%s) - 2))" /etc/postfix/main.cf
# The aliases database is the image's (image.cfg), made again only when
# /etc/aliases changed
[ /etc/aliases.db -nt /etc/aliases ] || newaliases
# `postfix start-fg` runs the package's install checks at every start
# (postfix-script check-fatal: post-install create-missing, a shell script
# of a few dozen postconf calls; check-warn: some twenty finds over the
# package's files, warnings only): most of the station's start CPU, about
# files that are the image's, made at its build and checked by apomon's
# seal (the queue's directories too: image.cfg runs `postfix check`).
# What a start can find different, queue files misnamed after a crash,
# postsuper (check-fatal's last step) still checks and repairs; then
# quick-start tells start-fg to skip the rest.  If postsuper fails (an
# image from before, a queue directory gone), start-fg runs every check
postsuper 2>/dev/null && touch /var/spool/postfix/quick-start
# A dotlock left in the kept writable layer by a Dovecot killed while it
# held it (the station's stop) is stale here, before any Dovecot of this
# start runs; the new master would otherwise wait on it, and treat it as
# live when its PID names a live process of this fresh PID namespace
# (the same small numbers each start): 12-15 s of a kept `up`, in about
# one start of five (master: Error: file_dotlock_open(/var/lib/dovecot/
# instances) failed: Resource temporarily unavailable)
rm -f /var/lib/dovecot/instances.lock
dovecot -c /etc/dovecot/dovecot.conf
# SIGTERM from the init reaches master with this script's process group
# (it terminates its services and exits); Dovecot left the group.  Every
# process of the station gets SIGTERM at once (kill -1: all but the init
# and this shell, in the station's own PID namespace), the way systemd
# stops a unit's cgroup: Dovecot's master, told alone (`doveadm stop`),
# took over a second to stop its children one by one.  Then both masters
# are waited for: Postfix's (`postfix stop` would poll it once a second),
# and Dovecot's by `doveadm stop`, which returns at once once it is gone
trap 'kill -TERM -1 2>/dev/null; wait "$pf" 2>/dev/null; doveadm stop >/dev/null 2>&1; exit 0' TERM
postfix start-fg &
pf=$!
wait "$pf"
