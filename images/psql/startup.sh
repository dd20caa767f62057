#!/bin/sh
# The entrypoint of a postgres station.  First start: initdb into the
# writable layer, then the type's setup SQL over the local socket only
# (nobody else can connect yet); every start: postgres in the foreground.
set -eu
. /apomon/sshd.sh
PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
DATA=/var/lib/postgresql/apomon
CONF=/etc/postgresql/apomon
install -d -o postgres -g postgres -m 0755 /run/postgresql
if [ ! -s "$DATA/PG_VERSION" ]; then
	install -d -o postgres -g postgres -m 0700 "$DATA"
	runuser -u postgres -- "$PGBIN/initdb" -D "$DATA" -E UTF8 --locale=C.UTF-8 \
		--auth-local=peer --auth-host=scram-sha-256 >/dev/null
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
exec runuser -u postgres -- "$PGBIN/postgres" -D "$DATA" -c "config_file=$CONF/postgresql.conf"
