"""Gunicorn's settings for the directory application (startup.sh: -c).

The port and the worker count are the django type's, from the JSON it
renders at every start: read here, in Gunicorn's own interpreter, not by
two more Python start-ups in startup.sh.
"""
import json
import os

with open("/etc/apomon/django.json", encoding="utf-8") as _f:
    _APOMON = json.load(_f)

bind = "0.0.0.0:%d" % _APOMON["port"]
workers = _APOMON["workers"]
chdir = "/srv/directory"
user = "www-data"
group = "www-data"
accesslog = "-"
errorlog = "-"

# Django and the application imported once, in the master, before the
# workers fork: one import instead of one a worker (on a few shared cores
# each was as much CPU as the whole master), and the workers share its
# pages.  Django opens no database connection at import (the first
# request does), so no socket is shared across the fork.
preload_app = True


def worker_int(worker):
    """A worker's SIGINT or SIGQUIT, the quick shutdown (the type's stop
    signal): end now.  Gunicorn would sleep 0.1 s and then unwind the
    interpreter, Django's modules and all, while the master waits; the
    worker's requests are cut either way, and its database connection
    closes with the process (outside a transaction: Django autocommits)."""
    os._exit(0)


def on_exit(server):
    """The master, its workers gone: end without unwinding the
    interpreter (the same work as a worker's, and the station's last)."""
    os._exit(0)
