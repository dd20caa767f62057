# The `oci` station type: a station of any OCI image, ready when its
# ports accept a TCP connection.
plugin_LTLIBRARIES += plugins/oci/oci.la
plugins_oci_oci_la_SOURCES = plugins/oci/oci.c
plugins_oci_oci_la_LDFLAGS = $(APO_MODULE_FLAGS)
EXTRA_DIST += plugins/oci/README.md
TESTS += tests/integration/oci-type.sh
EXTRA_DIST += tests/integration/oci-type.sh
