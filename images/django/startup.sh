#!/bin/sh
# A Django station: sshd, then Gunicorn in the foreground serving the
# directory application as www-data on the port the type rendered.
set -eu
. /apomon/sshd.sh
port=$(python3 -c 'import json; print(json.load(open("/etc/apomon/django.json"))["port"])')
workers=$(python3 -c 'import json; print(json.load(open("/etc/apomon/django.json"))["workers"])')
exec gunicorn --chdir /srv/directory --bind "0.0.0.0:$port" --workers "$workers" \
	--user www-data --group www-data --access-logfile - --error-logfile - \
	directory.wsgi:application
