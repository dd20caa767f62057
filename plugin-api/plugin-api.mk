# The public plugin API: one header and a pkg-config file.
# installed as <apomon/station-type.h> (nobase_ would keep plugin-api/)
apomonincludedir = $(includedir)/apomon
apomoninclude_HEADERS = plugin-api/apomon/station-type.h
pkgconfig_DATA = plugin-api/apomon-plugin.pc
EXTRA_DIST += plugin-api/apomon-plugin.pc.in
EXTRA_DIST += plugin-api/README.md
