# The public plugin API: one header and a pkg-config file.
nobase_include_HEADERS = plugin-api/apomon/station-type.h
pkgconfig_DATA = plugin-api/apomon-plugin.pc
EXTRA_DIST += plugin-api/apomon-plugin.pc.in
