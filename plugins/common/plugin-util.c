/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <errno.h>
#include <stdbool.h>
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

/* every byte of s is in `ok` (or alphanumeric when alnum) */
static bool only(const char *s, bool alnum, const char *ok)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (alnum &&
		    ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')))
			continue;
		if (ok ? !strchr(ok, c) : c < 0x20 || c == 0x7f)
			return false;
	}
	return true;
}

int apo_plugin_db_validate(const struct apomon_host *host, const struct apomon_station *st)
{
	/* host, name and user land in a URL or connection string unquoted;
	 * the password is escaped by each type where it lands */
	static const struct {
		const char *name, *ok, *expected;
	} rules[] = {
	    {"database.host", ".-", "a host name or IPv4 address"},
	    {"database.name", "_.-", "letters, digits, _ . -"},
	    {"database.user", "_.-", "letters, digits, _ . -"},
	    {"database.password", NULL, "printable text"},
	};
	int rc = 0;

	if (!apo_plugin_db_host(host, st)) {
		host->report(st, "database.host",
			     "omitted, and cluster '%s' has no postgres station: expected one "
			     "there or database.host",
			     host->cluster(st) ? host->cluster(st) : "");
		rc = -EINVAL;
	}
	for (size_t i = 0; i < sizeof(rules) / sizeof(rules[0]); i++) {
		const char *v = host->setting_string(st, rules[i].name);
		if (!v)
			continue; /* only host has no default, and was checked above */
		if (!*v) {
			host->report(st, rules[i].name, "is empty, expected %s%s",
				     rules[i].expected,
				     i == 0 ? " (or omit it: the cluster's postgres station)" : "");
			rc = -EINVAL;
		} else if (!only(v, rules[i].ok != NULL, rules[i].ok)) {
			host->report(st, rules[i].name, "'%s' has other characters, expected %s", v,
				     rules[i].expected);
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
