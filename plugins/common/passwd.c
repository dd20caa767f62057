/* SPDX-License-Identifier: MIT */
#include "passwd.h"

#include <crypt.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static uint64_t fnv1a(uint64_t h, const char *s)
{
	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 0x100000001b3ULL;
	}
	return h;
}

int pw_hash(const char *password, const char *fqdn, char *out, size_t size)
{
	static const char b64[] =
	    "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
	struct crypt_data cd;
	char salt[3 + 16 + 2];
	uint64_t h = fnv1a(fnv1a(0xcbf29ce484222325ULL, fqdn), password);

	memcpy(salt, "$6$", 3);
	for (int i = 0; i < 16; i++) {
		salt[3 + i] = b64[h & 63];
		h = h >> 6 | h << 58;
		if (i == 9)
			h = fnv1a(h, fqdn);
	}
	salt[19] = '$';
	salt[20] = '\0';
	memset(&cd, 0, sizeof(cd));
	const char *r = crypt_r(password, salt, &cd);
	if (!r || r[0] == '*')
		return -EINVAL;
	if ((size_t)snprintf(out, size, "%s", r) >= size)
		return -ENAMETOOLONG;
	return 0;
}
