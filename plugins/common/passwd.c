/* SPDX-License-Identifier: MIT */
#include "passwd.h"

#include <crypt.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* The one secret all of a station's password hashes take their salt from. */
#define PW_SALT_SECRET "password-salt"

int pw_hash_salted(const char *password, const unsigned char salt[PW_SALT_BYTES], char *out,
		   size_t size)
{
	static const char b64[] =
	    "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
	struct crypt_data cd;
	char setting[3 + 16 + 2];

	if (!password)
		return -EINVAL;
	memcpy(setting, "$6$", 3);
	/* 3 bytes make 4 characters: all 96 bits reach the salt */
	for (int i = 0; i < 4; i++) {
		uint32_t v =
		    (uint32_t)salt[3 * i] << 16 | (uint32_t)salt[3 * i + 1] << 8 | salt[3 * i + 2];
		for (int j = 0; j < 4; j++)
			setting[3 + 4 * i + j] = b64[(v >> (18 - 6 * j)) & 63];
	}
	setting[19] = '$';
	setting[20] = '\0';
	memset(&cd, 0, sizeof(cd));
	const char *r = crypt_r(password, setting, &cd);
	int rc = 0;
	if (!r || r[0] == '*')
		rc = -EINVAL;
	else if ((size_t)snprintf(out, size, "%s", r) >= size)
		rc = -ENAMETOOLONG;
	explicit_bzero(&cd, sizeof(cd));
	return rc;
}

int pw_hash(const struct apomon_host *host, const struct apomon_station *st, const char *password,
	    char *out, size_t size)
{
	unsigned char salt[PW_SALT_BYTES];
	int rc;

	if (!APOMON_HOST_HAS(host, secret))
		return -ENOTSUP;
	rc = host->secret(st, PW_SALT_SECRET, salt, sizeof(salt));
	if (rc < 0)
		return rc;
	return pw_hash_salted(password, salt, out, size);
}
