/* SPDX-License-Identifier: MIT */
/* The cache key of a layer. */
#ifndef APO_IMAGE_DIGEST_H
#define APO_IMAGE_DIGEST_H

#include "image/image-cfg.h"

/*
 * SHA-256, in hex, over image.cfg's bytes, the files tree (each entry's
 * path, type, permission bits and content or link target, in byte order of
 * the paths), startup.sh and the parent layer's digest.  Ownership and
 * times are not part of it: they are not copied either.
 * 0 with out (APO_DIGEST_HEX + 1 bytes) filled, or negative errno.
 */
int apo_image_digest(const struct apo_image_def *def, const char *parent_digest, char *out);

/*
 * SHA-256, in hex, over label and the tree under dir as apo_image_digest
 * reads files/ (each entry's path, type, permission bits, content or link
 * target, in byte order).  -EINVAL for a fifo, socket or device in it.
 */
int apo_tree_digest(const char *label, const char *dir, char *out);

/* Hex SHA-256 of a string (for committed layers). */
void apo_sha256_hex(const void *data, size_t len, char *out);

#endif
