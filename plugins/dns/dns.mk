# The `dns` station type: the backbone's DNS server (dnsmasq).
plugin_LTLIBRARIES += plugins/dns/dns.la
plugins_dns_dns_la_SOURCES = plugins/common/plugin-util.c plugins/common/plugin-util.h \
	plugins/dns/dns.c
plugins_dns_dns_la_CPPFLAGS = $(AM_CPPFLAGS) -I$(srcdir)/plugins/common
plugins_dns_dns_la_LDFLAGS = $(APO_MODULE_FLAGS)
EXTRA_DIST += plugins/dns/README.md
EXTRA_DIST += tests/integration/rest-dns.sh
TESTS += tests/integration/rest-dns.sh
EXTRA_DIST += tests/integration/rest-lib.sh
# its image definition, installed next to base's
imagesdnsdir = $(imagesdir)/dns
dist_imagesdns_DATA = images/dns/image.cfg images/dns/startup.sh
# the whole default environment, with whatever conf.d enables
TESTS += tests/integration/rest-default.sh
EXTRA_DIST += tests/integration/rest-default.sh \
	tests/fixtures/rest/apomon.conf tests/fixtures/rest/conf.d/10-example.conf \
	tests/fixtures/rest/conf.d/20-service.conf tests/fixtures/rest/extra/ftp.conf \
	tests/fixtures/rest/extra/mail.conf tests/fixtures/rest/extra/django.conf
# the rest types' validate and render on a temporary root (no privileges)
check_PROGRAMS += tests/unit/test-rest-types
TESTS += tests/unit/test-rest-types
tests_unit_test_rest_types_SOURCES = tests/unit/test-rest-types.c
tests_unit_test_rest_types_CFLAGS = $(APO_TEST_CFLAGS) -DAPO_SRCDIR=\"$(abs_top_srcdir)\" \
	-DAPO_BUILDDIR=\"$(abs_top_builddir)\"
tests_unit_test_rest_types_LDADD = $(APO_TEST_LDADD) -lcrypt
EXTRA_DIST += tests/fixtures/rest-unit/good/apomon.conf \
	tests/fixtures/rest-unit/good/conf.d/10-example.conf \
	tests/fixtures/rest-unit/bad/apomon.conf tests/fixtures/rest-unit/bad/conf.d/10-example.conf \
	tests/fixtures/rest-unit/salt/apomon.conf tests/fixtures/rest-unit/salt/conf.d/10-example.conf
