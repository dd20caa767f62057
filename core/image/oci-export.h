/* SPDX-License-Identifier: MIT */
/*
 * An image of the store as an OCI archive (oci-archive: layout tar, tag
 * "latest"), for skopeo to push: its layers, lowest first, each an
 * uncompressed tar of its tree (overlayfs whiteouts and opaque
 * directories as .wh. entries), and the config it came with (else a bare
 * one) with rootfs rewritten for them.  The archive is written beside
 * FILE and renamed into place: nothing half-written is left.
 */
#ifndef APO_OCI_EXPORT_H
#define APO_OCI_EXPORT_H

#include <stdio.h>

/* 0, or a negative errno with *err (caller frees; NULL: said on stderr). */
int apo_oci_export(const char *name, const char *file, FILE *progress, char **err);

#endif
