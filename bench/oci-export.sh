#!/bin/sh
# `apomon image export` of a large image: gzip layers (the default)
# against --uncompressed, and against peers in the same run on the same
# layers: `tar | gzip` of each layer tree (what one gzip stream of the
# same bytes costs here), and `skopeo copy --dest-compress` of the
# uncompressed export to an oci-archive (skopeo compresses with Go).
# The image: bench/oci-lib.sh's (apomon's base root as two layers plus
# 90 MB of random bytes), imported into a store of the script's own.
#
# Needs root, umoci, skopeo and a built base image.  No network.
set -eu
APOMON=${APOMON:-./apomon}
. "$(dirname "$0")/oci-lib.sh"
tmp=$(mktemp -d /tmp/apomon-bench-oci-export.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
oci_bench_image "$tmp"
APOMON_LIB_DIR=$tmp/lib
export APOMON_LIB_DIR
"$APOMON" image import -q "$tmp/lay" big
store=$tmp/lib/images
layers=$(for l in "$store"/oci-layer/*/root; do echo "$l"; done)
size=$(du -sm "$store" | cut -f1)
t() { s=$(date +%s.%N); "$@" >/dev/null 2>>"$tmp/err" || { cat "$tmp/err" >&2; exit 1; }; e=$(date +%s.%N); echo "$e - $s" | bc; }
runs=${RUNS:-3}
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) cores"
printf '%-48s %8s %8s\n' "what (image: $size MB unpacked)" "seconds" "MB out"
for i in $(seq "$runs"); do
	rm -f "$tmp"/*.tar "$tmp"/*.gz
	a=$(t "$APOMON" image export -q big "$tmp/gz.tar")
	sa=$(du -m "$tmp/gz.tar" | cut -f1)
	b=$(t "$APOMON" image export -q --uncompressed big "$tmp/plain.tar")
	sb=$(du -m "$tmp/plain.tar" | cut -f1)
	c=$(t sh -c "n=0; for l in $(echo $layers); do n=\$((n+1)); tar -C \$l -cf - . | gzip -6 >$tmp/l\$n.gz; done")
	sc=$(cat "$tmp"/l*.gz | wc -c | awk '{print int($1/1048576)}')
	rm -f "$tmp"/l*.gz
	d=$(t sh -c "n=0; for l in $(echo $layers); do n=\$((n+1)); tar -C \$l -cf - . | gzip -1 >$tmp/l\$n.gz; done")
	sd=$(cat "$tmp"/l*.gz | wc -c | awk '{print int($1/1048576)}')
	rm -f "$tmp"/l*.gz
	e=$(t skopeo copy -q --dest-compress "oci-archive:$tmp/plain.tar" "oci-archive:$tmp/sk.tar")
	se=$(du -m "$tmp/sk.tar" | cut -f1)
	printf '%-48s %8.2f %8s\n' "apomon image export (gzip)" "$a" "$sa"
	printf '%-48s %8.2f %8s\n' "apomon image export --uncompressed" "$b" "$sb"
	printf '%-48s %8.2f %8s\n' "tar | gzip -6, each layer" "$c" "$sc"
	printf '%-48s %8.2f %8s\n' "tar | gzip -1, each layer" "$d" "$sd"
	printf '%-48s %8.2f %8s\n' "skopeo copy --dest-compress plain -> archive" "$e" "$se"
	printf '%-48s %8.2f %8.2f %8.2f\n' "ratio gzip/uncompressed, gzip/tar|gzip-6, gzip/skopeo" \
		"$(echo "$a / $b" | bc -l)" "$(echo "$a / $c" | bc -l)" "$(echo "$a / $e" | bc -l)"
done
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
