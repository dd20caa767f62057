/* SPDX-License-Identifier: MIT */
/*
 * A password from the config as a SHA-512 crypt(3) hash for chpasswd -e,
 * so that the station's root holds no clear text.  The salt is derived
 * from the station's FQDN and the password: the same config renders the
 * same file, which is what lets the file be sealed.
 */
#ifndef APOMON_PLUGIN_PASSWD_H
#define APOMON_PLUGIN_PASSWD_H

#include <stddef.h>

/* Writes the hash into out; 0 or a negative errno. */
__attribute__((visibility("hidden"))) int pw_hash(const char *password, const char *fqdn, char *out,
						  size_t size);

#endif
