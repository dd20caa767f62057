#!/bin/sh
# Import of an OCI image into apomon's store against `skopeo copy` of the
# same image to a directory (what a container tool does before it can
# unpack), and against skopeo copy to an OCI layout + `umoci unpack`.
# The image: bench/oci-lib.sh's (apomon's base root as two gzip layers
# plus 90 MB of random bytes, about 200 MB of blobs).
#
# Then the pull: Debian's docker-registry on a loopback port serves the
# image; `apomon image pull docker://...` (download, verify, unpack into
# the store) against `skopeo copy docker://... oci:DIR` + `umoci unpack`,
# each into an empty target, in the same run.
#
# Needs root, umoci, skopeo, docker-registry, and a built base image
# (apomon image build base).  No network beyond loopback.
set -eu
APOMON=${APOMON:-./apomon}
. "$(dirname "$0")/oci-lib.sh"
tmp=$(mktemp -d /tmp/apomon-bench-oci.XXXXXX)
reg=
# set -e holds in the trap too: wait's 143 (the registry's SIGTERM) must not
# end it before the clean-up
trap 'rc=$?; [ -z "$reg" ] || { kill "$reg"; wait "$reg"; } 2>/dev/null || :; rm -rf "$tmp"; exit $rc' EXIT
oci_bench_image "$tmp"
skopeo copy -q "oci:$tmp/lay:b" "oci-archive:$tmp/b.tar:b"
size=$(du -sm "$tmp/lay/blobs" | cut -f1)
t() { s=$(date +%s.%N); "$@" >/dev/null 2>&1; e=$(date +%s.%N); echo "$e - $s" | bc; }
runs=${RUNS:-3}
printf '%-44s %8s\n' "what (image: $size MB of blobs)" "seconds"
for i in $(seq "$runs"); do
	rm -rf "$tmp/d" "$tmp/o" "$tmp/u" "$tmp/lib"
	a=$(APOMON_LIB_DIR=$tmp/lib t "$APOMON" image import "oci-archive:$tmp/b.tar:b")
	APOMON_LIB_DIR=$tmp/lib "$APOMON" image import "oci-archive:$tmp/b.tar:b" | grep -q "up to date"
	b=$(t skopeo copy -q "oci-archive:$tmp/b.tar:b" "dir:$tmp/d")
	c=$(t sh -c "skopeo copy -q oci-archive:$tmp/b.tar:b oci:$tmp/o:b && umoci unpack --image $tmp/o:b $tmp/u")
	printf '%-44s %8.2f\n' "apomon image import oci-archive:" "$a"
	printf '%-44s %8.2f\n' "skopeo copy oci-archive: dir:" "$b"
	printf '%-44s %8.2f\n' "skopeo copy oci-archive: oci: + umoci unpack" "$c"
	printf '%-44s %8.2f %8.2f\n' "ratio apomon/skopeo, apomon/skopeo+umoci" "$(echo "$a / $b" | bc -l)" "$(echo "$a / $c" | bc -l)"
done

# ---- pull from a registry on loopback ----
command -v docker-registry >/dev/null || { echo "oci.sh: no docker-registry: pull not measured" >&2; exit 0; }
P=$((20000 + $$ % 20000))
printf 'version: 0.1\nstorage:\n  filesystem:\n    rootdirectory: %s/reg\nhttp:\n  addr: 127.0.0.1:%s\n' \
	"$tmp" "$P" >"$tmp/reg.yml"
docker-registry serve "$tmp/reg.yml" >"$tmp/reg.log" 2>&1 &
reg=$!
i=0
until curl -s -o /dev/null "http://127.0.0.1:$P/v2/"; do
	i=$((i + 1))
	[ $i -lt 100 ] || { cat "$tmp/reg.log"; exit 1; }
	sleep 0.1
done
ref=docker://127.0.0.1:$P/bench/b:1
skopeo copy -q --dest-tls-verify=false "oci:$tmp/lay:b" "$ref"
printf 'registries = ( { host = "127.0.0.1:%s"; insecure = true; } );\n' "$P" >"$tmp/registries.conf"
echo
printf '%-44s %8s\n' "pull (image: $size MB of blobs, 3 layers)" "seconds"
for i in $(seq "$runs"); do
	rm -rf "$tmp/o" "$tmp/u" "$tmp/lib"
	a=$(APOMON_REGISTRIES=$tmp/registries.conf APOMON_LIB_DIR=$tmp/lib t "$APOMON" image pull -q "$ref")
	[ -d "$tmp/lib/images/oci-layer" ] || { echo "oci.sh: apomon pull failed" >&2; exit 1; }
	c=$(t sh -c "skopeo copy -q --src-tls-verify=false $ref oci:$tmp/o:b && umoci unpack --image $tmp/o:b $tmp/u")
	[ -d "$tmp/u/rootfs/usr" ] || { echo "oci.sh: skopeo+umoci failed" >&2; exit 1; }
	printf '%-44s %8.2f\n' "apomon image pull docker://" "$a"
	printf '%-44s %8.2f\n' "skopeo copy docker:// oci: + umoci unpack" "$c"
	printf '%-44s %8.2f\n' "ratio apomon/(skopeo+umoci)" "$(echo "$a / $c" | bc -l)"
done
