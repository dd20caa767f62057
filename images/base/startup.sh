#!/bin/sh
# The entrypoint of a base station, run by apomon's init (PID 1).  It must
# exit non-zero when the station cannot work, and otherwise keep running:
# the station lives as long as this script.
set -eu
. /apomon/sshd.sh
# SIGTERM from the init ends the wait, and so the station.
exec sleep infinity
