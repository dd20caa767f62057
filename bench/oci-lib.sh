# shellcheck shell=sh
# The image bench/oci.sh and bench/oci-export.sh measure, made in one
# place: apomon's own base layer (a Debian root, about 110 MB) as two
# layers, packed with umoci, plus a third of 90 MB of random bytes
# (incompressible, as an application's own artifacts often are), about
# 200 MB of blobs.  Sourced (POSIX sh), not run.

# oci_bench_image DIR: that image as an OCI layout at DIR/lay, tag b.
# Needs umoci and a built base image (apomon image build base).
oci_bench_image() {
	_base=$(readlink /var/lib/apomon/images/base/current) ||
		{ echo "${0##*/}: build the base image first" >&2; exit 1; }
	_root=/var/lib/apomon/images/base/$_base/root
	umoci init --layout "$1/lay" >/dev/null
	umoci new --image "$1/lay:b"
	# (umoci insert wrote a truncated layer of /etc here: tar + raw add-layer)
	for _d in usr etc; do
		tar -C "$_root" --xattrs -cf "$1/$_d.tar" "$_d"
		umoci raw add-layer --image "$1/lay:b" "$1/$_d.tar"
		rm -f "$1/$_d.tar"
	done
	mkdir -p "$1/r/opt/app"
	head -c 90M /dev/urandom >"$1/r/opt/app/blob.bin"
	tar -C "$1/r" -cf "$1/app.tar" opt
	umoci raw add-layer --image "$1/lay:b" "$1/app.tar"
	rm -rf "$1/r" "$1/app.tar"
	umoci config --image "$1/lay:b" --config.cmd /bin/sh
}
