#!/bin/sh
# Generates configure and the Makefile templates from a git checkout.
set -e
cd "$(dirname "$0")"
autoreconf --force --install --warnings=all
# Autoconf's tests end with `rm -f core ...` (a crashed test's core dump);
# here core/ is the sources' top directory, so an in-tree configure
# printed "rm: cannot remove 'core': Is a directory" once per test, and
# its exit trap stopped at that rm, leaving its conftest files behind.
# Only the word `core` goes: the rest of each rm stays.
sed -i -e 's/\<rm -f core /rm -f /' configure
echo "Now run ./configure && make"
