#!/bin/sh
# The entrypoint of a haproxy station: HAProxy in the foreground (master-
# worker, so that SIGTERM from the init stops it cleanly) with the config
# the type rendered.  No `haproxy -c` first: HAProxy parses the same
# config (certificate included) at its start and fails it the same way,
# with the same messages; checking first did that work twice.
set -eu
. /apomon/sshd.sh
install -d -m 0755 /run/haproxy
exec haproxy -W -db -f /etc/haproxy/haproxy.cfg
