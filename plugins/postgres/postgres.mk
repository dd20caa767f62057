# The `postgres` station type (image psql).
plugin_LTLIBRARIES += plugins/postgres/postgres.la
plugins_postgres_postgres_la_CPPFLAGS = $(AM_CPPFLAGS) -I$(srcdir)/plugins/common
plugins_postgres_postgres_la_SOURCES = plugins/common/plugin-util.c plugins/common/plugin-util.h \
	plugins/postgres/postgres.c plugins/postgres/pg-sample.h
plugins_postgres_postgres_la_LDFLAGS = $(APO_MODULE_FLAGS)
EXTRA_DIST += plugins/postgres/sample.sql

# Its image, installed beside base's.
imagespsqldir = $(imagesdir)/psql
dist_imagespsql_DATA = images/psql/image.cfg images/psql/startup.sh
imagespsqlconfdir = $(imagesdir)/psql/files/etc/postgresql/apomon
dist_imagespsqlconf_DATA = images/psql/files/etc/postgresql/apomon/README
EXTRA_DIST += plugins/postgres/README.md

# pg-sample.h is committed; after editing sample.sql, `make pg-sample`
# writes it again (every line a C string, the SQL comment line left out).
pg-sample:
	{ echo '/* SPDX-License-Identifier: MIT */'; \
	  echo '/* Generated from sample.sql: the skel database'"'"'s tables and rows. */'; \
	  echo '#ifndef APO_PG_SAMPLE_H'; echo '#define APO_PG_SAMPLE_H'; echo; \
	  echo 'static const char apo_pg_sample_sql[] ='; \
	  sed -e '1d' -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/^/    "/' -e 's/$$/\\n"/' \
		$(srcdir)/plugins/postgres/sample.sql | sed '$$s/$$/;/'; \
	  echo; echo '#endif'; } >$(srcdir)/plugins/postgres/pg-sample.h.tmp
	mv $(srcdir)/plugins/postgres/pg-sample.h.tmp $(srcdir)/plugins/postgres/pg-sample.h
.PHONY: pg-sample

# down ends postgres cleanly (its stop signal): no recovery at the next start
TESTS += tests/integration/stop-clean.sh
EXTRA_DIST += tests/integration/stop-clean.sh
