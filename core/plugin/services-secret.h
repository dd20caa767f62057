/* SPDX-License-Identifier: MIT */
/*
 * host->secret: random bytes a station's type asks for by name, made once
 * (OpenSSL's generator) and kept in apomon's state, outside the station's
 * root, until `down --purge`:
 *
 *   /var/lib/apomon/ENV/STATION/secrets/NAME    0600, in a 0700 directory
 *
 * What a type derives from them (a password hash's salt) is unpredictable
 * to whoever has the config, and still the same at every start, so the
 * file it is rendered into can be sealed.
 */
#ifndef APO_HOST_SECRET_H
#define APO_HOST_SECRET_H

#include <stddef.h>

#include "apomon/station-type.h"

/* The longest secret and name a type may ask for. */
#define APO_SECRET_MAX	    1024
#define APO_SECRET_NAME_MAX 64

/* The secret NAME of station STATION of environment ENV: the kept bytes
 * when they exist with this length, else new ones, written before they
 * are returned (two racing callers get the same bytes).  0, -EINVAL (a
 * bad name or len), -EMSGSIZE (kept with another length) or another
 * negative errno. */
int apo_secret_get(const char *env, const char *station, const char *name, void *out, size_t len);

/* struct apomon_host's secret. */
int apo_services_secret(const struct apomon_station *st, const char *name, void *out, size_t len);

#endif
