/* SPDX-License-Identifier: MIT */
/*
 * Manifests: what a station's sealed paths contained when it was sealed.
 * The format is described in docs/manifest.md; in short
 *
 *   # apomon-manifest 1
 *   # environment: example
 *   # station: www1.example.com
 *   # sealed: 2026-11-29T13:00:00Z
 *   <64 hex>  /etc/nginx/nginx.conf
 *   MISSING  /etc/nginx/conf.d/extra.conf
 *
 * sorted by path, one entry a path.
 */
#ifndef APO_MANIFEST_H
#define APO_MANIFEST_H

#include <stdbool.h>
#include <stdio.h>

#include "base/sha256.h"

#define APO_MANIFEST_MAGIC    "# apomon-manifest 1"
#define APO_MANIFEST_MAX_LINE 4096

struct apo_manifest_entry {
	char *path;   /* absolute, normalised: no "", ".", ".." components */
	bool missing; /* MISSING: the path did not exist when sealed */
	unsigned char digest[APO_SHA256_LEN];
};

struct apo_manifest {
	struct apo_manifest_entry *entries; /* sorted by path */
	size_t n, cap;
};

void apo_manifest_free(struct apo_manifest *m);

/*
 * Parses a manifest.  name is used in messages ("NAME:LINE: what is
 * wrong").  Strict: the header line, lines of at most
 * APO_MANIFEST_MAX_LINE bytes each ending in a newline, a digest of
 * exactly 64 lower-case hex digits or MISSING, two spaces, an absolute
 * normalised path without NUL, backslash or control characters, no
 * duplicates.  Returns 0 with *out, or -EINVAL with *why (caller frees).
 */
int apo_manifest_parse(const char *name, const char *buf, size_t len, struct apo_manifest **out,
		       char **why);

/* Checks that a path may appear in a manifest; NULL or a static reason. */
const char *apo_manifest_path_problem(const char *path);

/* Sorts entries by path (strcmp, like LC_ALL=C sort). */
void apo_manifest_sort(struct apo_manifest *m);

/* Adds an entry (path copied); the caller sorts before writing. */
void apo_manifest_add(struct apo_manifest *m, const char *path, bool missing,
		      const unsigned char *digest);

/* Writes the header (env/station/time may be NULL) and the entries. */
int apo_manifest_write(const struct apo_manifest *m, FILE *f, const char *env, const char *station);

#endif
