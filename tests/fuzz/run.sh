#!/bin/sh
# Builds the manifest parser's libFuzzer target (then the config's,
# run-config.sh) with clang and runs it for
# a bounded time (default 30 s).  Exits 77 (skip) without clang.
#   tests/fuzz/run.sh [SECONDS]
# Needs a configured tree (config.h): run from the build directory or set
# top_builddir.  CI: `make fuzz` (FUZZ_SECONDS=30).
set -eu
secs=${1:-30}
srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
builddir=${top_builddir:-.}
command -v clang >/dev/null 2>&1 || { echo "SKIP: no clang" >&2; exit 77; }
out=$builddir/tests/fuzz
mkdir -p "$out/corpus"
clang -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
	-I"$builddir" -I"$srcdir/core" -I"$srcdir/plugin-api" \
	"$srcdir/tests/fuzz/fuzz-manifest.c" "$srcdir/core/integrity/manifest.c" \
	"$srcdir/core/base/sha256.c" "$srcdir/core/base/util.c" -lcrypto -lpthread \
	-o "$out/fuzz-manifest"
# seeds: a good manifest and a few near misses
printf '# apomon-manifest 1\n# c\n%064d  /etc/a\nMISSING  /etc/b c\n' 0 >"$out/corpus/good"
printf '# apomon-manifest 1\n%064d  /etc/../a\n' 0 >"$out/corpus/dotdot"
printf '# apomon-manifest 1\nMISSING  /x\nMISSING  /x\n' >"$out/corpus/dup"
"$out/fuzz-manifest" -max_total_time="$secs" -max_len=9000 \
	-print_final_stats=1 "$out/corpus"
# the config loader + validator (tests/fuzz/run-config.sh)
sh "$srcdir/tests/fuzz/run-config.sh" "$secs"
