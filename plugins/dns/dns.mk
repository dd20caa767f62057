# The `dns` station type: the backbone's DNS server (dnsmasq).
plugin_LTLIBRARIES += plugins/dns/dns.la
plugins_dns_dns_la_SOURCES = plugins/dns/dns.c
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
