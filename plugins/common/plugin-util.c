/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "plugin-util.h"

struct peer_find {
	const struct apomon_host *host;
	const char *type;
	const char *address;
};

static int is_peer(const struct apomon_station *other, void *ctx)
{
	struct peer_find *f = ctx;
	const char *t = f->host->type(other);

	if (!t || strcmp(t, f->type) || !f->host->address_count(other))
		return 0;
	f->address = f->host->address(other, 0);
	return 1;
}

const char *apo_plugin_cluster_peer(const struct apomon_host *host, const struct apomon_station *st,
				    const char *type)
{
	struct peer_find f = {.host = host, .type = type};

	host->each_station(st, APOMON_SCOPE_CLUSTER, is_peer, &f);
	return f.address;
}

int apo_plugin_write(const struct apomon_host *host, const struct apomon_station *st,
		     const char *path, const char *data, size_t len, mode_t mode)
{
	int rc = host->write_file(st, path, data, len, mode);

	if (rc < 0)
		host->log(st, APOMON_LOG_ERROR, "render: %s: %s", path, strerror(-rc));
	return rc;
}

const char *apo_plugin_db_host(const struct apomon_host *host, const struct apomon_station *st)
{
	const char *v = host->setting_string(st, "database.host");

	return v ? v : apo_plugin_cluster_peer(host, st, "postgres");
}

static bool plain_text(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f || strchr("<>&\"'", *s))
			return false;
	return true;
}

int apo_plugin_db_validate(const struct apomon_host *host, const struct apomon_station *st)
{
	static const char *const names[] = {"database.host", "database.name", "database.user",
					    "database.password"};
	int rc = 0;

	if (!apo_plugin_db_host(host, st)) {
		host->report(st, "database.host",
			     "omitted, and cluster '%s' has no postgres station: expected one "
			     "there or database.host",
			     host->cluster(st) ? host->cluster(st) : "");
		rc = -EINVAL;
	}
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		const char *v = host->setting_string(st, names[i]);
		if (!v)
			continue; /* only host has no default, and was checked above */
		if (!*v) {
			host->report(st, names[i], "is empty, expected a value%s",
				     i == 0 ? " (omit it for the cluster's postgres station)" : "");
			rc = -EINVAL;
		} else if (!plain_text(v)) {
			host->report(st, names[i],
				     "contains < > & \" ' or a control character, expected plain "
				     "text");
			rc = -EINVAL;
		}
	}
	return rc;
}

int apo_plugin_port(const struct apomon_host *host, const struct apomon_station *st,
		    const char *name, int fallback)
{
	int p = APOMON_HOST_HAS(host, port) ? host->port(st, name) : -ENOENT;

	return p > 0 ? p : fallback;
}
