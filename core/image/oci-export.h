/* SPDX-License-Identifier: MIT */
/*
 * An image of the store as an OCI archive (oci-archive: layout tar, tag
 * "latest" or the one asked for), for skopeo to push: its layers, lowest
 * first, each a tar of its tree (overlayfs whiteouts and opaque
 * directories as .wh. entries), gzip-compressed unless asked not to (what
 * registries and `skopeo copy` write by default), and the config it came
 * with (else a bare one) with rootfs rewritten for them.  The archive is written beside
 * FILE and renamed into place: nothing half-written is left.
 */
#ifndef APO_OCI_EXPORT_H
#define APO_OCI_EXPORT_H

#include <stdbool.h>
#include <stdio.h>

struct apo_oci_export_opts {
	const char *tag;   /* NULL: "latest" */
	bool uncompressed; /* layers as plain tars (media type ...layer.v1.tar) */
};

/* 0, or a negative errno with *err (caller frees; NULL: said on stderr);
 * -EINVAL for a tag an OCI ref.name cannot be.  opts may be NULL. */
int apo_oci_export(const char *name, const char *file, const struct apo_oci_export_opts *opts,
		   FILE *progress, char **err);

#endif
