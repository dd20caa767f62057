/* SPDX-License-Identifier: MIT */
/*
 * Detached Ed25519 signatures of manifests.  MANIFEST.sig holds the
 * 64-byte signature of the manifest's exact bytes, base64-encoded on one
 * line (docs/manifest.md); keys are PEM (PKCS#8 private, SPKI public).
 */
#ifndef APO_SIGNATURE_H
#define APO_SIGNATURE_H

#include <stddef.h>

/* Writes PREFIX.key (mode 0600, refusing to overwrite) and PREFIX.pub. */
int apo_sig_keygen(const char *prefix, char **why);

/* Signs data with the PEM private key in keyfile: *sig is the
 * base64 line with its newline (caller frees). */
int apo_sig_sign(const char *keyfile, const void *data, size_t len, char **sig, char **why);

/*
 * Verifies a signature file's contents against data with the PEM public
 * key in pubfile.  0: good; -EBADMSG: it does not verify (other key,
 * changed data); -EINVAL: malformed signature; other negative errno:
 * the key could not be read.  *why says which.
 */
int apo_sig_verify(const char *pubfile, const void *data, size_t len, const char *sig,
		   size_t siglen, char **why);

#endif
