#!/bin/sh
# The backbone: sshd, then dnsmasq in the foreground (its log on stderr,
# the station's log).  SIGTERM from the init stops dnsmasq, and so the
# station.
set -eu
. /apomon/sshd.sh
dnsmasq --test --conf-file=/etc/apomon/dnsmasq.conf
exec dnsmasq --keep-in-foreground --conf-file=/etc/apomon/dnsmasq.conf
