/* SPDX-License-Identifier: MIT */
/*
 * SHA-256 of files through OpenSSL's EVP interface: one read pass with a
 * large buffer, files opened relative to a root directory with
 * openat2(RESOLVE_IN_ROOT) so that no path or symlink leads outside it,
 * and a small pool of threads for many files at once.
 */
#ifndef APO_SHA256_H
#define APO_SHA256_H

#include <stddef.h>

#define APO_SHA256_LEN 32
#define APO_SHA256_HEX (2 * APO_SHA256_LEN)

/* Digest of what fd reads until EOF; 0 or negative errno (-EIO when
 * OpenSSL refuses). */
int apo_sha256_fd(int fd, unsigned char out[APO_SHA256_LEN]);

/*
 * Opens the regular file PATH (absolute or relative, interpreted inside
 * the directory rootfd as if it were "/") and hashes it.  Symlinks are
 * followed, but only inside the root.  Returns 0, -ENOENT when it does
 * not exist, -EISDIR/-EINVAL (not a regular file) or another negative
 * errno.
 */
int apo_sha256_at(int rootfd, const char *path, unsigned char out[APO_SHA256_LEN]);

/* Opens a directory as a root for apo_sha256_at; fd or negative errno. */
int apo_sha256_root_open(const char *dir);

struct apo_hash_job {
	const char *path;		      /* in */
	int err;			      /* out: 0 or negative errno */
	unsigned char digest[APO_SHA256_LEN]; /* out when err == 0 */
};

/*
 * Hashes every job's path relative to its root with `threads` threads
 * (0: one per online CPU).  roots[i] is job i's root fd (several stations
 * share one pool).  Always fills each job's err; returns 0 or a negative
 * errno when the pool itself could not run.
 */
int apo_sha256_many(struct apo_hash_job *jobs, const int *roots, size_t n, unsigned threads);

/* Lower-case hex of a digest into buf (APO_SHA256_HEX + 1 bytes). */
void apo_digest_hex(const unsigned char d[APO_SHA256_LEN], char *buf);
/* Parses exactly 64 lower-case hex digits; 0 or -EINVAL. */
int apo_digest_unhex(const char *hex, unsigned char d[APO_SHA256_LEN]);

#endif
