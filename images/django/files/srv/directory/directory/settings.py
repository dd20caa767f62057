"""The directory application: settings.  Everything that differs between
stations (the database, the allowed host names, the secret) comes from
/etc/apomon/django.json, which apomon's django type renders at every start.
"""
import json

with open("/etc/apomon/django.json", encoding="utf-8") as f:
    APOMON = json.load(f)

SECRET_KEY = APOMON["secret_key"]
DEBUG = False
ALLOWED_HOSTS = APOMON["allowed_hosts"]
ROOT_URLCONF = "directory.urls"
WSGI_APPLICATION = "directory.wsgi.application"
INSTALLED_APPS = []
MIDDLEWARE = ["django.middleware.common.CommonMiddleware"]
USE_TZ = True
TIME_ZONE = "UTC"

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.postgresql",
        "HOST": APOMON["database"]["host"],
        "PORT": APOMON["database"]["port"],
        "NAME": APOMON["database"]["name"],
        "USER": APOMON["database"]["user"],
        "PASSWORD": APOMON["database"]["password"],
        # a directory only reads: the server refuses any write
        "OPTIONS": {"options": "-c default_transaction_read_only=on",
                    "connect_timeout": 5},
        "CONN_MAX_AGE": 60,
    }
}

LOGGING = {
    "version": 1,
    "handlers": {"stderr": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["stderr"], "level": "WARNING"},
}
