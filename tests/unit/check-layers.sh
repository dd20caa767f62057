#!/bin/sh
# No file of the core includes from a layer above its own, nor another
# folder's private header (docs/architecture.md, tools/check-layers).
exec "${top_srcdir:?}/tools/check-layers" "$top_srcdir"
