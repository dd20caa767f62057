/* SPDX-License-Identifier: MIT */
/*
 * Building image layers: the root image with debootstrap, every other one
 * in a chroot over its parent's layers through overlayfs, keeping only the
 * upper layer.  All mounts of a build live in a private mount and PID
 * namespace that dies with the build, so nothing stays mounted even when
 * the build fails or is killed.
 */
#ifndef APO_IMAGE_BUILD_H
#define APO_IMAGE_BUILD_H

#include "image/image-store.h"

/*
 * Makes image NAME's layer (and its parents') match its definition:
 * a cache hit prints "NAME: up to date (digest D)" and touches nothing;
 * otherwise it builds when o->build.  Takes the store lock.  *digest (may
 * be NULL) receives the current digest.  0, -ENOENT, -EINVAL or -EIO
 * (see apo_image_layers).
 */
int apo_image_ensure(const char *name, const struct apo_image_opts *o, char **digest);

#endif
