#!/bin/sh
# Builds the journal reader's libFuzzer target with clang and runs it for
# a bounded time (default 30 s).  Exits 77 (skip) without clang.
#   tests/fuzz/run-journal.sh [SECONDS]
# Needs a configured tree (config.h).  CI: `make fuzz` (FUZZ_SECONDS=30).
set -eu
secs=${1:-30}
srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
builddir=${top_builddir:-.}
command -v clang >/dev/null 2>&1 || { echo "SKIP: no clang" >&2; exit 77; }
out=$builddir/tests/fuzz
mkdir -p "$out/corpus-journal"
clang -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
	-I"$builddir" -I"$srcdir/core" -I"$srcdir/plugin-api" \
	"$srcdir/tests/fuzz/fuzz-journal.c" "$srcdir/core/engine/journal.c" \
	"$srcdir/core/base/util.c" "$srcdir/core/base/paths.c" "$srcdir/core/base/fs.c" -lpthread \
	-o "$out/fuzz-journal"
# seeds: what `up` writes, a torn end, and near misses
printf 'begin 42 up\nintent bridge apo-br0\ndone bridge apo-br0\nintent netns a.example.com\nintent hosts /etc/hosts example\nfail netns b.example.com\ncomplete\n' \
	>"$out/corpus-journal/good"
printf 'begin 42 up\nintent netns a.example.com\ndone netns a.ex' >"$out/corpus-journal/torn"
printf 'begin 42 up\n\000intent netns a\n' >"$out/corpus-journal/nul"
printf 'begin 42 up\nintent  netns a b c d\n' >"$out/corpus-journal/fields"
exec "$out/fuzz-journal" -max_total_time="$secs" -max_len=4096 \
	-print_final_stats=1 "$out/corpus-journal"
