/* SPDX-License-Identifier: MIT */
/*
 * Image references as containers-transports(5) spells them, so that users
 * of skopeo, podman and buildah need nothing new:
 *
 *   NAME                           an image of apomon's own (images/NAME/)
 *   docker://HOST[:PORT]/REPO[:TAG][@sha256:HEX]    a registry
 *   oci:DIR[:TAG]                  an OCI image layout
 *   oci-archive:FILE[:TAG]         a tar of one
 *   docker-archive:FILE[:REF]      what `docker save` writes
 *   dockerfile:DIR                 apomon's own: built by `buildah bud`
 *
 * As in containers-transports(5), a path ends at its first ':'.  A
 * registry is always named: apomon has no default registry.  Lives in
 * base because the config reader checks the spelling and the image
 * layer acts on it.
 */
#ifndef APO_IMAGE_REF_H
#define APO_IMAGE_REF_H

#include <stdbool.h>

enum apo_ref_kind {
	APO_REF_LOCAL,
	APO_REF_DOCKER,
	APO_REF_OCI,
	APO_REF_OCI_ARCHIVE,
	APO_REF_DOCKER_ARCHIVE,
	APO_REF_DOCKERFILE,
};

struct apo_image_ref {
	enum apo_ref_kind kind;
	char *name;	  /* LOCAL: the image's name */
	char *registry;	  /* DOCKER: HOST[:PORT] */
	char *repository; /* DOCKER: path inside the registry */
	char *tag;	  /* DOCKER, OCI, OCI_ARCHIVE: tag (NULL: none given);
			     DOCKER_ARCHIVE: the REF after the path */
	char *digest;	  /* DOCKER: "sha256:HEX" when given */
	char *path;	  /* OCI, *_ARCHIVE, DOCKERFILE: the directory or file */
};

/*
 * Parses s into *r (cleared first).  0, or -EINVAL with *err (caller
 * frees) one line saying what was expected.
 */
int apo_image_ref_parse(const char *s, struct apo_image_ref *r, char **err);
void apo_image_ref_clear(struct apo_image_ref *r);

/* Whether s names something else than an image of apomon's own. */
bool apo_image_ref_is_foreign(const char *s);

/* The transport's name ("docker", "oci", ...), for messages. */
const char *apo_image_ref_transport(enum apo_ref_kind k);

/*
 * The name under which a foreign reference lives in the image store:
 * "oci-" + a readable tail (at most 40 bytes) + "-" + 12 hex digits of
 * its SHA-256, so that two references never share a name.  Caller frees.
 */
char *apo_image_ref_store_name(const char *s);

#endif
