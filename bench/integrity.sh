#!/bin/bash
# Seal and verify a generated tree (10,000 files, 1 KiB to 10 MiB, about
# 2 GiB) with apomon, against sha256sum over the same files in the same
# run (one process, and two with xargs -P2).  Every tool reads the same
# page-cache-warm files, so this measures hashing, not the disk.
#   bench/integrity.sh [APOMON] [DIR]     (DIR: where to generate; removed after)
# Prints a table: seconds (best of 3), MiB/s and the ratio to single
# sha256sum.  openssl dgst (one process, the same OpenSSL SHA-256 code as
# apomon) is shown too: it tells hashing speed from apomon's own overhead.
set -euo pipefail
APOMON=${1:-./apomon}
base=${2:-${TMPDIR:-/var/tmp}}
[ -x "$APOMON" ] || { echo "usage: $0 [APOMON] [DIR]: $APOMON is not executable" >&2; exit 2; }
T=$(mktemp -d "$base/apomon-bench-integrity.XXXXXX")
trap 'rm -rf "$T"' EXIT
R=$T/root
mkdir -p "$R/data"

# sizes: 250 files of 1-10 MiB, 750 of 100 KiB-1 MiB, 9,000 of 1-100 KiB
# (log-uniform), from a fixed seed: the same tree every run
awk 'BEGIN { srand(42)
	for (i = 0; i < 250; i++) print int(1048576 + rand() * 9437184)
	for (i = 0; i < 750; i++) print int(102400 + rand() * 946176)
	for (i = 0; i < 9000; i++) print int(1024 * exp(rand() * log(100)))
}' >"$T/sizes"
echo "generating $(wc -l <"$T/sizes") files in $T ..." >&2
i=0
# one stream of pseudo-random bytes cut into files: fast, incompressible
openssl enc -aes-128-ctr -nosalt -pass pass:apomon -in /dev/zero 2>/dev/null |
	while read -r size; do
		d=$R/data/d$((i % 100))
		[ -d "$d" ] || mkdir -p "$d"
		head -c "$size" >"$d/f$i" <&3
		i=$((i + 1))
	done 3<&0 <"$T/sizes" || true # openssl ends on SIGPIPE
total=$(awk '{ s += $1 } END { print s }' "$T/sizes")
(cd "$R" && find data -type f | sed 's|^|/|' | LC_ALL=C sort) >"$T/paths"
nfiles=$(wc -l <"$T/paths")
[ "$nfiles" = "$(wc -l <"$T/sizes")" ] || { echo "generated $nfiles files only" >&2; exit 1; }
[ "$(du -sb "$R/data" | cut -f1)" -ge "$total" ] || { echo "short files" >&2; exit 1; }
(cd "$R" && find data -type f -print0) >"$T/paths0"
# warm the page cache once for everyone
(cd "$R" && xargs -0 cat <"$T/paths0" >/dev/null)

declare -a names secs
# best of 3: the machine is shared, the minimum is the least disturbed
# run; CPU seconds (user+sys) of that run are shown too
declare -a cpus
run() { # NAME COMMAND...
	local best='' bcpu='' r u s
	for _ in 1 2 3; do
		read -r r u s < <({ TIMEFORMAT='%3R %3U %3S'; time "${@:2}" >/dev/null 2>&1; } 2>&1)
		if [ -z "$best" ] || [ "$(echo "$r < $best" | bc -l)" = 1 ]; then
			best=$r
			bcpu=$(echo "$u + $s" | bc -l)
		fi
	done
	names+=("$1")
	secs+=("$best")
	cpus+=("$bcpu")
}
run "sha256sum (1 process)" sh -c "cd '$R' && xargs -0 sha256sum <'$T/paths0'"
run "sha256sum (xargs -P2)" sh -c "cd '$R' && xargs -0 -P2 -n 256 sha256sum <'$T/paths0'"
run "openssl dgst -sha256" sh -c "cd '$R' && xargs -0 openssl dgst -sha256 <'$T/paths0'"
run "apomon seal -j1" "$APOMON" seal --root "$R" --paths-from "$T/paths" -j1 -o "$T/m1"
run "apomon seal -j2" "$APOMON" seal --root "$R" --paths-from "$T/paths" -j2 -o "$T/m2"
run "apomon verify -j1" "$APOMON" verify --root "$R" -m "$T/m2" -j1
run "apomon verify -j2" "$APOMON" verify --root "$R" -m "$T/m2" -j2
# the tools agree
cmp -s "$T/m1" "$T/m2" || [ "$(grep -v '^#' "$T/m1")" = "$(grep -v '^#' "$T/m2")" ] ||
	{ echo "seal -j1 and -j2 differ" >&2; exit 1; }
(cd "$R" && sed -n 's|^\([0-9a-f]\{64\}\)  /|\1  ./|p' "$T/m2" | sha256sum -c --quiet) ||
	{ echo "sha256sum -c disagrees with apomon's manifest" >&2; exit 1; }

mib=$(echo "$total / 1048576" | bc -l)
printf '\n%d files, %.0f MiB, %s CPUs (%s)\n\n' "$nfiles" "$mib" "$(nproc)" \
	"$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)"
printf '%-24s %9s %9s %9s %14s\n' "tool" "seconds" "CPU s" "MiB/s" "vs sha256sum"
base_s=${secs[0]}
for k in "${!names[@]}"; do
	printf '%-24s %9.2f %9.2f %9.0f %13.2fx\n' "${names[$k]}" "${secs[$k]}" "${cpus[$k]}" \
		"$(echo "$mib / ${secs[$k]}" | bc -l)" "$(echo "$base_s / ${secs[$k]}" | bc -l)"
done
