# The default environment, installed as $(sysconfdir)/apomon.
dist_pkgconf_DATA = apomon.conf
confddir = $(pkgconfdir)/conf.d
dist_confd_DATA = conf.d/10-example.conf conf.d/20-service.conf
