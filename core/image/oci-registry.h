/* SPDX-License-Identifier: MIT */
/*
 * docker:// references: the OCI distribution API over libcurl.  A pull
 * fetches the manifest (an index or manifest list picks linux/HOST-ARCH),
 * the config and the layer blobs the store lacks into a fresh OCI layout,
 * each blob hashed as it streams and refused when its digest differs;
 * the import then reads that layout like any oci: directory.
 *
 * Registries are reached over HTTPS with the system CA store, unless the
 * registries file (APOMON_REGISTRIES, else CONFDIR/registries.conf, in
 * libconfig syntax) says otherwise:
 *
 *   registries = ( { host = "127.0.0.1:5000"; insecure = true; },
 *                  { host = "reg.example.com"; ca = "/etc/ssl/reg-ca.pem"; } );
 *   auth = "/etc/apomon/auth.json";
 *
 * `insecure` means plain HTTP, and only for that host.  Credentials come
 * from a file in the format of ~/.docker/config.json ("auths": {HOST:
 * {"auth": base64(USER:PASSWORD)}}): the file's `auth`, else
 * REGISTRY_AUTH_FILE, else $XDG_RUNTIME_DIR/containers/auth.json, else
 * ~/.docker/config.json.  A 401 is answered as its WWW-Authenticate asks:
 * Basic with those credentials, or Bearer through the token endpoint it
 * names (with those credentials when there are some, anonymously else).
 */
#ifndef APO_OCI_REGISTRY_H
#define APO_OCI_REGISTRY_H

#include <stdbool.h>
#include <stdio.h>

#include "base/image-ref.h"

/* Asked before a layer is downloaded: true when the store has it already. */
typedef bool (*apo_oci_have_fn)(void *ctx, const char *what, const char *digest);

struct apo_oci_pull {
	const struct apo_image_ref *ref;
	const char *text; /* the reference, for messages */
	const char *dir;  /* an empty directory: the OCI layout to fill */
	FILE *progress;	  /* NULL: quiet */
	bool live;	  /* a live line on stderr (a terminal): layers and bytes */
	/* have(ctx, "image", "sha256:MANIFEST"): the whole image is there;
	 * have(ctx, "chain", "sha256:CHAIN"): that layer is there */
	apo_oci_have_fn have;
	void *ctx;
};

/*
 * Fills p->dir with index.json (one manifest, no tag), the manifests on
 * the way (index, then the platform's), the config and the layers the
 * store lacks.  Returns 0, 1 when have("image") said the image is there
 * (nothing but the manifests fetched), or a negative errno with one line
 * on stderr naming the reference, the step, the HTTP status and the
 * registry: -ENOENT (404), -EACCES (401/403), -EBADMSG (a digest
 * mismatch or a malformed answer), -EIO (transport).  *digest (caller
 * frees) receives the image manifest's digest when 0 or 1.
 */
int apo_oci_registry_pull(const struct apo_oci_pull *p, char **digest);

struct json_object;
/* From an index's manifests: the one for linux/HOST-ARCH (or without a
 * platform); NULL when none. */
struct json_object *apo_oci_pick_platform(struct json_object *manifests);

/* Whether a media type is an OCI index or a Docker manifest list. */
bool apo_oci_is_index(const char *mt);

/* linux/ARCH of this host, as OCI spells it ("amd64", "arm64"). */
const char *apo_oci_host_arch(void);

#endif
