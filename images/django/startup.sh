#!/bin/sh
# A Django station: Gunicorn in the foreground serving the directory
# application as www-data, with its settings (gunicorn.conf.py: the port
# and the workers the type rendered, the application preloaded, a quick
# stop) in its own interpreter.
set -eu
. /apomon/sshd.sh
# gunicorn_main.py: Gunicorn's own command without pkg_resources' import
exec python3 /srv/directory/gunicorn_main.py --config /srv/directory/gunicorn.conf.py directory.wsgi:application
