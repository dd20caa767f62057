# The `postgres` station type (image psql).
plugin_LTLIBRARIES += plugins/postgres/postgres.la
plugins_postgres_postgres_la_SOURCES = plugins/postgres/postgres.c plugins/postgres/pg-sample.h
plugins_postgres_postgres_la_LDFLAGS = $(APO_MODULE_FLAGS)
EXTRA_DIST += plugins/postgres/sample.sql
