#!/bin/sh
# Runs the JSON tests of the skel application (compiled by make).
exec java -cp "${top_builddir:?}/tests/java" JsonTest
