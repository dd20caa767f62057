# Manual pages and guides.  Each part lists its own man page in its
# fragment; this one holds the program's page and the guides.
dist_man_MANS += docs/apomon.8
EXTRA_DIST += docs/plan-json.md
EXTRA_DIST += docs/architecture.md tools/check-layers \
	core/base/README.md core/config/README.md core/plan/README.md \
	core/image/README.md core/integrity/README.md core/net/README.md \
	core/plugin/README.md core/validate/README.md core/runtime/README.md \
	core/engine/README.md core/cli/README.md

# Every guide a man page or a comment points at is installed beside
# them (all of docs/*.md).
dist_doc_DATA += README.md docs/architecture.md docs/images.md docs/manifest.md \
	docs/network.md docs/plan-json.md docs/stations.md docs/security.md
