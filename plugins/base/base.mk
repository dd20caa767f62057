# The `base` station type: runs its image's startup.sh, nothing more.
plugin_LTLIBRARIES += plugins/base/base.la
plugins_base_base_la_SOURCES = plugins/base/base.c
plugins_base_base_la_LDFLAGS = $(APO_MODULE_FLAGS)
EXTRA_DIST += plugins/base/README.md
