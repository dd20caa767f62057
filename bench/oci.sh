#!/bin/sh
# Import of an OCI image into apomon's store against `skopeo copy` of the
# same image to a directory (what a container tool does before it can
# unpack), and against skopeo copy to an OCI layout + `umoci unpack`.
# The image: apomon's own base layer (a Debian root, about 110 MB) as two
# gzip layers, packed here with umoci.  Needs root, umoci, skopeo, and a
# built base image (apomon image build base).  No network.
set -eu
APOMON=${APOMON:-./apomon}
base=$(readlink /var/lib/apomon/images/base/current) ||
	{ echo "oci.sh: build the base image first" >&2; exit 1; }
root=/var/lib/apomon/images/base/$base/root
tmp=$(mktemp -d /tmp/apomon-bench-oci.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
umoci init --layout "$tmp/lay" >/dev/null
umoci new --image "$tmp/lay:b"
# (umoci insert wrote a truncated layer of /etc here: tar + raw add-layer)
for d in usr etc; do
	tar -C "$root" --xattrs -cf "$tmp/$d.tar" "$d"
	umoci raw add-layer --image "$tmp/lay:b" "$tmp/$d.tar"
	rm -f "$tmp/$d.tar"
done
umoci config --image "$tmp/lay:b" --config.cmd /bin/sh
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
