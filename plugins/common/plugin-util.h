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

/*
 * The database group every type that uses postgres accepts:
 *   settings = { database = { host; port; name; user; password; }; };
 * host omitted: the first address of the cluster's postgres station.
 */
#define APO_PLUGIN_DATABASE_SETTINGS                                                               \
	{.name = "database.host",                                                                  \
	 .kind = APOMON_SETTING_STRING,                                                            \
	 .description = "the database's name or address; omitted: the cluster's "                  \
			"postgres station"},                                                       \
	    {.name = "database.port",                                                              \
	     .kind = APOMON_SETTING_INT,                                                           \
	     .default_value = "5432",                                                              \
	     .description = "its port",                                                            \
	     .min = 1,                                                                             \
	     .max = 65535},                                                                        \
	    {.name = "database.name",                                                              \
	     .kind = APOMON_SETTING_STRING,                                                        \
	     .default_value = "skel",                                                              \
	     .description = "the database"},                                                       \
	    {.name = "database.user",                                                              \
	     .kind = APOMON_SETTING_STRING,                                                        \
	     .default_value = "skel",                                                              \
	     .description = "the role to connect as"},                                             \
	{                                                                                          \
		.name = "database.password", .kind = APOMON_SETTING_STRING,                        \
		.default_value = "skel", .description = "that role's password"                     \
	}

/* A retired setting name and what replaced it. */
#define APO_PLUGIN_RETIRED(old, hint)                                                              \
	{                                                                                          \
		.name = (old), .kind = APOMON_SETTING_RETIRED, .default_value = (hint)             \
	}

/* database.host, else the cluster's postgres station; NULL when neither. */
const char *apo_plugin_db_host(const struct apomon_host *host, const struct apomon_station *st);

/* Checks the database group the same way for every type: host a name
 * or address (omitted: the cluster must have a postgres station), name
 * and user letters, digits, _ . -, password printable (each type escapes
 * it where it lands).  Reports each problem; 0 or -EINVAL. */
int apo_plugin_db_validate(const struct apomon_host *host, const struct apomon_station *st);

/* The port st's type declares as `name` (host->port); fallback when the
 * core predates that service. */
int apo_plugin_port(const struct apomon_host *host, const struct apomon_station *st,
		    const char *name, int fallback);

#endif
