/* SPDX-License-Identifier: MIT */
/*
 * One OCI layer (a tar, gzip, zstd or plain) unpacked into an empty
 * directory that becomes an overlayfs layer: `.wh.NAME` turns into a
 * whiteout (a 0/0 character device), `.wh..wh..opq` into an opaque
 * directory (trusted.overlay.opaque=y).  Ownership, modes (setuid too),
 * device nodes, hard links and xattrs are kept, except trusted.overlay.*
 * (a layer must not steer the overlay).  A path that is absolute or has a
 * `..`, or that would pass through a symlink, is refused.
 *
 * The blob's bytes are hashed as they stream, compressed (its digest) and
 * uncompressed (its diff id), and compared at the end.
 */
#ifndef APO_OCI_UNPACK_H
#define APO_OCI_UNPACK_H

#include <stddef.h>
#include <sys/types.h>

/* Reads up to n bytes; returns the count, 0 at the end, or -errno. */
typedef ssize_t (*apo_oci_read_fn)(void *ctx, void *buf, size_t n);

struct apo_oci_blob_in {
	apo_oci_read_fn read;
	void *ctx;
	const char *name;    /* for messages: its digest or path */
	const char *digest;  /* "sha256:HEX" of the bytes read; NULL: not checked */
	long long size;	     /* -1: not known */
	const char *diff_id; /* "sha256:HEX" of the uncompressed tar; NULL: not checked */
};

/*
 * Unpacks the blob into dir (existing, empty).  0, or -EBADMSG (a digest,
 * size or diff id mismatch, or a path refused) or another negative errno,
 * with *err (caller frees) one line saying which.
 */
int apo_oci_unpack(const struct apo_oci_blob_in *in, const char *dir, char **err);

/* "sha256:HEX" digests of a memory buffer; 0 when it matches. */
int apo_oci_digest_check(const void *data, size_t n, const char *digest);
/* "sha256:" + hex of data; caller frees. */
char *apo_oci_digest_of(const void *data, size_t n);

/*
 * A layer's chain id, hex (the key of its directory in the store): its
 * diff id's for the lowest layer, else the digest of "sha256:BELOW DIFF_ID"
 * (BELOW: the chain id hex of the layer under it).
 */
#define APO_OCI_CHAIN_LEN 65
void apo_oci_chain_id(const char *below, const char *diff_id, char out[APO_OCI_CHAIN_LEN]);

#endif
