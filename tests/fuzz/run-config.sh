#!/bin/sh
# Builds the config loader + validator's libFuzzer target with clang and
# runs it for a bounded time (default 30 s), with the built station types
# (plugins/*/.libs) loaded.  Exits 77 (skip) without clang.
#   tests/fuzz/run-config.sh [SECONDS]
# Needs a built tree (config.h, core/.libs/libapocore.a, the plugins):
# run from the build directory or set top_builddir.  Called by run.sh.
set -eu
secs=${1:-30}
srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
builddir=${top_builddir:-.}
command -v clang >/dev/null 2>&1 || { echo "SKIP: no clang" >&2; exit 77; }
out=$builddir/tests/fuzz
mkdir -p "$out/corpus-config"
# the loader, the validator and the host services the hooks call are
# instrumented; the rest of the core comes from the built archive (whole
# files only, so no symbol is defined twice)
clang -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
	-I"$builddir" -I"$srcdir/core" -I"$srcdir/plugin-api" \
	$(pkg-config --cflags libnl-3.0 libnl-route-3.0 json-c libcurl libconfig libnftables) \
	"$srcdir/tests/fuzz/fuzz-config.c" \
	"$srcdir"/core/config/*.c "$srcdir"/core/validate/*.c \
	"$srcdir/core/plugin/services.c" \
	"$builddir/core/.libs/libapocore.a" \
	$(pkg-config --libs libnl-3.0 libnl-route-3.0 json-c libcurl libconfig libnftables libarchive libseccomp) \
	-lcrypto -lltdl -lpthread -o "$out/fuzz-config"
# seeds: the repository's own clusters and a few of the bad fixtures
cp "$srcdir"/conf.d/*.conf "$out/corpus-config/" 2>/dev/null || true
for f in "$srcdir"/tests/fixtures/bad/*.conf; do
	cp "$f" "$out/corpus-config/bad-$(basename "$f")"
done
# the types the default environment uses, as `apomon validate` loads them
plugins=$(printf '%s:' "$builddir"/plugins/*/.libs)
# -rss_limit_mb: libFuzzer's default; -timeout: a validate that hangs
# (a FIFO, a device) is a finding
LSAN_OPTIONS=suppressions=$srcdir/tests/fuzz/lsan-config.supp${LSAN_OPTIONS:+:$LSAN_OPTIONS} \
APOMON_FUZZ_PLUGINS=$plugins exec "$out/fuzz-config" -max_total_time="$secs" -max_len=4096 \
	-timeout=10 -print_final_stats=1 "$out/corpus-config"
