# The `haproxy` station type (image lb).
plugin_LTLIBRARIES += plugins/haproxy/haproxy.la
plugins_haproxy_haproxy_la_SOURCES = plugins/common/plugin-util.c plugins/common/plugin-util.h \
	plugins/haproxy/haproxy.c
plugins_haproxy_haproxy_la_CPPFLAGS = $(AM_CPPFLAGS) -I$(srcdir)/plugins/common
plugins_haproxy_haproxy_la_LDFLAGS = $(APO_MODULE_FLAGS)

# Its image, installed beside base's.
imageslbdir = $(imagesdir)/lb
dist_imageslb_DATA = images/lb/image.cfg images/lb/startup.sh
EXTRA_DIST += plugins/haproxy/README.md

# The three web types run by the core on temporary roots (no servers).
check_PROGRAMS += tests/unit/test-webtypes
TESTS += tests/unit/test-webtypes
tests_unit_test_webtypes_SOURCES = tests/unit/test-webtypes.c
tests_unit_test_webtypes_CFLAGS = $(APO_TEST_CFLAGS) -DAPO_SRCDIR=\"$(abs_top_srcdir)\"
tests_unit_test_webtypes_LDADD = $(APO_TEST_LDADD)
EXTRA_DIST += tests/fixtures/web-bad/apomon.conf tests/fixtures/web-bad/conf.d/10-web.conf \
	tests/fixtures/web-django/apomon.conf tests/fixtures/web-django/conf.d/10-web.conf \
	tests/fixtures/web-root/apomon.conf tests/fixtures/web-root/conf.d/10-web.conf
