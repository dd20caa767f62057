# The `postgres` station type (image psql).
plugin_LTLIBRARIES += plugins/postgres/postgres.la
plugins_postgres_postgres_la_SOURCES = plugins/postgres/postgres.c plugins/postgres/pg-sample.h
plugins_postgres_postgres_la_LDFLAGS = $(APO_MODULE_FLAGS)
EXTRA_DIST += plugins/postgres/sample.sql

# Its image, installed beside base's.
imagespsqldir = $(imagesdir)/psql
dist_imagespsql_DATA = images/psql/image.cfg images/psql/startup.sh
imagespsqlconfdir = $(imagesdir)/psql/files/etc/postgresql/apomon
dist_imagespsqlconf_DATA = images/psql/files/etc/postgresql/apomon/README
EXTRA_DIST += plugins/postgres/README.md
