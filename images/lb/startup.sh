#!/bin/sh
# The entrypoint of a haproxy station: HAProxy in the foreground (master-
# worker, so that SIGTERM from the init stops it cleanly) with the config
# the type rendered, checked first so that a bad one fails the start.
set -eu
. /apomon/sshd.sh
install -d -m 0755 /run/haproxy
haproxy -c -q -f /etc/haproxy/haproxy.cfg
exec haproxy -W -db -f /etc/haproxy/haproxy.cfg
