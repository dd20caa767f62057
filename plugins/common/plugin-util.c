/* SPDX-License-Identifier: MIT */
#include "config.h"

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
