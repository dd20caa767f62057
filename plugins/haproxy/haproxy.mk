# The `haproxy` station type (image lb).
plugin_LTLIBRARIES += plugins/haproxy/haproxy.la
plugins_haproxy_haproxy_la_SOURCES = plugins/haproxy/haproxy.c
plugins_haproxy_haproxy_la_LDFLAGS = $(APO_MODULE_FLAGS)

# Its image, installed beside base's.
imageslbdir = $(imagesdir)/lb
dist_imageslb_DATA = images/lb/image.cfg images/lb/startup.sh
EXTRA_DIST += plugins/haproxy/README.md
