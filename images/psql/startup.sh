#!/bin/sh
# The entrypoint of a postgres station.  First start: the cluster made at
# image build (initdb, image.cfg) copied into the station's writable layer
# (initdb here only for an image from before that), then the type's setup
# SQL, the skel data, over the local socket only (nobody else can connect
# yet); every start: postgres in the foreground.
set -eu
. /apomon/sshd.sh
PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
DATA=/var/lib/postgresql/apomon
TEMPLATE=/var/lib/postgresql/apomon-template
CONF=/etc/postgresql/apomon
install -d -o postgres -g postgres -m 0755 /run/postgresql
if [ ! -s "$DATA/PG_VERSION" ]; then
	rm -rf "$DATA" "$DATA.new"
	if [ -s "$TEMPLATE/PG_VERSION" ]; then
		# a copy, not the image's files in place: the station's data
		# must not mix with a rebuilt image's cluster under it;
		# whole or absent (renamed once complete)
		cp -a "$TEMPLATE" "$DATA.new"
		mv "$DATA.new" "$DATA"
	else
		install -d -o postgres -g postgres -m 0700 "$DATA"
		runuser -u postgres -- "$PGBIN/initdb" -D "$DATA" -E UTF8 --locale=C.UTF-8 \
			--auth-local=peer --auth-host=scram-sha-256 >/dev/null
	fi
fi
if [ ! -e "$DATA/apomon-setup.done" ]; then
	runuser -u postgres -- "$PGBIN/pg_ctl" -D "$DATA" -w -s \
		-o "-c config_file=$CONF/postgresql.conf -c listen_addresses=''" start
	for f in "$CONF"/setup.d/*.sql; do
		[ -e "$f" ] || continue
		# root reads the file (0600): the server gets only its text
		runuser -u postgres -- psql -X -q -v ON_ERROR_STOP=1 -d postgres <"$f" >/dev/null
	done
	runuser -u postgres -- "$PGBIN/pg_ctl" -D "$DATA" -w -s stop
	touch "$DATA/apomon-setup.done"
fi
# setpriv execs (runuser stays as postgres' parent, turns a SIGINT into
# SIGTERM, a smart shutdown, and kills postgres with SIGKILL 2 s later):
# the type's stop signal, SIGINT, reaches postgres itself: a fast shutdown
exec setpriv --reuid=postgres --regid=postgres --init-groups -- \
	"$PGBIN/postgres" -D "$DATA" -c "config_file=$CONF/postgresql.conf"
