/* SPDX-License-Identifier: MIT */
/* Small helpers several built-in station types share: compiled into each
 * type that uses them (types are separate shared objects). */
#ifndef APO_PLUGIN_UTIL_H
#define APO_PLUGIN_UTIL_H

#include <stddef.h>
#include <sys/types.h>

#include "apomon/station-type.h"

/* The first address of the first station of type `type` in st's cluster;
 * NULL when the cluster has none. */
const char *apo_plugin_cluster_peer(const struct apomon_host *host, const struct apomon_station *st,
				    const char *type);

/* host->write_file of a string, logging which file failed. */
int apo_plugin_write(const struct apomon_host *host, const struct apomon_station *st,
		     const char *path, const char *data, size_t len, mode_t mode);

#endif
