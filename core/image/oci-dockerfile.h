/* SPDX-License-Identifier: MIT */
/*
 * dockerfile:DIR: DIR/Dockerfile built by buildah (`buildah bud`, no
 * container engine), pushed as an OCI layout for the import to read.
 */
#ifndef APO_OCI_DOCKERFILE_H
#define APO_OCI_DOCKERFILE_H

#include <stdbool.h>
#include <stdio.h>

/* true when buildah is on $PATH */
bool apo_oci_have_buildah(void);

/*
 * Builds dir and writes the image to the OCI layout out (an absent
 * directory), tag "latest".  buildah's output goes to progress, or is
 * kept and shown on failure when progress is NULL.  Its own image is
 * removed from buildah's storage after.  0 or a negative errno, said on
 * stderr with text (the reference) first.
 */
int apo_oci_dockerfile_build(const char *text, const char *dir, const char *out, FILE *progress);

#endif
