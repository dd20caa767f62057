# Integration tests (root, real kernel objects): shell scripts that exit
# 77 (skip) when not root.  Each fragment adds its own with TESTS +=.
EXTRA_DIST += tests/integration/lib.sh tests/integration/env-lib.sh
