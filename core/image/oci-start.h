/* SPDX-License-Identifier: MIT */
/*
 * What an OCI image's config says to run, in the form apomon-init reads
 * from /apomon/oci-start when the root has no /apomon/startup.sh: one
 * item a line, a word, a space and the value, in this order:
 *
 *   user UID GID        numeric: names are resolved here, at import,
 *                       against the image's own /etc/passwd and /etc/group
 *   cwd DIR             WorkingDir, or /
 *   env KEY=VALUE       each of Env
 *   arg WORD            Entrypoint then Cmd, at least one
 *   port PORT/PROTO     each of ExposedPorts (for ready checks)
 *
 * A value with a newline is refused at import.
 */
#ifndef APO_OCI_START_H
#define APO_OCI_START_H

#include <json-c/json.h>
#include <stddef.h>

/*
 * Writes path from the image config.  layers: the image's layer
 * directories, top first (where /etc/passwd is looked up).  0 or
 * -EINVAL with *err (caller frees), or another negative errno.
 */
int apo_oci_start_write(struct json_object *config, const char *const *layers, size_t n,
			const char *path, char **err);

#endif
