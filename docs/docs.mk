# Manual pages and guides.  Each part lists its own man page in its
# fragment; this one holds the program's page and the guides.
dist_man_MANS += docs/apomon.8
EXTRA_DIST += docs/plan-json.md
