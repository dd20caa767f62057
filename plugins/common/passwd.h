/* SPDX-License-Identifier: MIT */
/*
 * A password from the config as a SHA-512 crypt(3) hash, so that the
 * station's root holds no clear text.  The salt is 16 characters made
 * from random bytes the core keeps for the station (host->secret): a
 * reader of the user file cannot precompute guesses from the config,
 * two stations with one password get different hashes, and every start
 * renders the same file, which is what lets the file be sealed.
 */
#ifndef APOMON_PLUGIN_PASSWD_H
#define APOMON_PLUGIN_PASSWD_H

#include <stddef.h>

#include "apomon/station-type.h"

/* The bytes a salt is made of: 16 characters of 6 bits. */
#define PW_SALT_BYTES 12

/* The hash of password with this salt into out; 0 or a negative errno. */
__attribute__((visibility("hidden"))) int pw_hash_salted(const char *password,
							 const unsigned char salt[PW_SALT_BYTES],
							 char *out, size_t size);

/* The hash of password with st's kept salt; 0 or a negative errno
 * (-ENOTSUP: the core has no host->secret). */
__attribute__((visibility("hidden"))) int pw_hash(const struct apomon_host *host,
						  const struct apomon_station *st,
						  const char *password, char *out, size_t size);

#endif
