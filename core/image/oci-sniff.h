/* SPDX-License-Identifier: MIT */
/*
 * `apomon image import FILE|DIR`: a bare path, told by what it holds.
 *
 *   DIR holding oci-layout and index.json    oci:DIR (an OCI image layout)
 *   a tar holding oci-layout and index.json  oci-archive:FILE
 *   a tar holding manifest.json              docker-archive:FILE (docker save)
 *
 * A tar may be compressed (gzip, zstd, xz, bzip2: whatever libarchive
 * reads), since `docker save | gzip` is how archives travel.  A tar with
 * both (docker save since Docker 25 writes an OCI layout beside its
 * manifest.json) is read as an oci-archive, whose blobs are named by
 * their digests.
 */
#ifndef APO_OCI_SNIFF_H
#define APO_OCI_SNIFF_H

/*
 * arg already spelled as a reference (a known transport before its first
 * ':') is taken as it is; else arg is a path, sniffed as above.  0 with
 * *ref (caller frees), or a negative errno with one line on stderr naming
 * the path and what was expected.
 */
int apo_oci_import_source(const char *arg, char **ref);

#endif
