# Shared by the image tests (sourced after lib.sh).  They use the default
# store (/var/lib/apomon/images) on purpose: base is built once and every
# later test reuses it, so they must work whether or not it is cached.
IMAGES_STORE="${APOMON_LIB_DIR:-/var/lib/apomon}/images"
APOMON_IMAGES_PATH="$APOMON_SRCDIR/images"
export APOMON_IMAGES_PATH

# The directory of NAME's current layer.
layer_of() {
	d=$(readlink "$IMAGES_STORE/$1/current") || return 1
	echo "$IMAGES_STORE/$1/$d"
}

# No mount of the store remains in this (the host's) namespace.
assert_no_store_mounts() {
	if grep -q " $IMAGES_STORE" /proc/self/mounts; then
		grep " $IMAGES_STORE" /proc/self/mounts >&2
		fail "a mount under $IMAGES_STORE remains"
	fi
}
