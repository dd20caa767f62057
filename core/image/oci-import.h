/* SPDX-License-Identifier: MIT */
/*
 * OCI images into the layer store, from an OCI layout (oci:DIR), a tar
 * of one (oci-archive:FILE) or what `docker save` writes
 * (docker-archive:FILE).
 *
 *   images/oci-layer/CHAIN/root    one OCI layer, unpacked as an overlayfs
 *                                  layer, keyed by its chain id (the
 *                                  digest of its diff id and of those
 *                                  below it): images sharing their lower
 *                                  layers share their directories
 *   images/NAME/KEY/root/apomon/oci-start
 *                                  the image's top layer: what apomon-init
 *                                  runs (Entrypoint, Cmd, Env, WorkingDir,
 *                                  User; ExposedPorts), made from its config
 *   images/NAME/KEY/oci.json       source, manifest and config digests
 *   images/NAME/KEY/config.json    the image's config, as it came
 *
 * NAME is apo_image_ref_store_name(REF); KEY the manifest's digest (a
 * docker-archive has none: its config's).  Each image.json's parent is
 * the layer below, so the runtime stacks them like built layers.
 * Nothing lands in the store before every blob was read and verified.
 */
#ifndef APO_OCI_IMPORT_H
#define APO_OCI_IMPORT_H

#include "image/image-store.h"

#define APO_OCI_LAYER_IMAGE "oci-layer"
#define APO_OCI_START	    "apomon/oci-start"

/*
 * For a foreign reference (apo_image_ref_is_foreign): imports it when
 * o->build (a cache hit touches nothing), else only looks.  *digest (may
 * be NULL) receives the store image's current key.  Takes the store lock
 * when o->build.  0, -ENOENT, -EINVAL (bad reference, message on stderr),
 * -EBADMSG (a blob did not match its digest) or another negative errno.
 */
int apo_oci_ensure(const char *ref, const struct apo_image_opts *o, char **digest);

struct apo_oci_import_opts {
	const char *name; /* NULL: the name derived from the reference */
	bool force;	  /* NAME may name another imported image: replace it */
	char **search;	  /* definitions NAME must not have; NULL: the default path */
	FILE *progress;
};

/*
 * `apomon image import REF [NAME]`: REF (oci:, oci-archive: or
 * docker-archive:; any foreign reference without NAME) into the store,
 * as NAME when given: images/NAME/KEY like any import, NAME/current
 * pointing at it, so that a station's `image = "NAME"`, `image rm NAME`
 * and `image export NAME` find it as they find a committed image.  NAME
 * must be a valid local name without a definition on the search path,
 * and must not name a built or committed image.  The same image again is
 * a cache hit; another image under a NAME that names an import is
 * refused (-EEXIST) unless o->force, and then only while no mount uses
 * NAME (-EBUSY); the old image is removed once the new one is in.  0 or
 * a negative errno, one line on stderr.
 */
int apo_oci_import(const char *ref, const struct apo_oci_import_opts *o, char **digest);

#endif
