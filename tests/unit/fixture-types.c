/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "fixture-types.h"

static const struct apomon_station_type base_type = {
    APOMON_STATION_TYPE_HEADER,
    .name = "base",
    .description = "a station that runs its image's startup.sh",
    .version = "0",
    .image = "base",
    .role = APOMON_ROLE_MEMBER,
};

static const struct apomon_setting web_settings[] = {
    {.name = "port",
     .kind = APOMON_SETTING_INT,
     .default_value = "8080",
     .description = "the HTTP port"},
    {.name = "docroot",
     .kind = APOMON_SETTING_STRING,
     .default_value = "/var/www",
     .description = "the document root"},
    {.name = "aliases", .kind = APOMON_SETTING_STRING_LIST, .description = "other names"},
    {.name = "tls",
     .kind = APOMON_SETTING_BOOL,
     .default_value = "false",
     .description = "serve HTTPS"},
    {.name = NULL},
};

/* Reports each problem, as real types do, then fails. */
static int web_validate(const struct apomon_host *host, const struct apomon_station *st)
{
	int rc = 0;
	long long port = host->setting_int(st, "port");
	const char *docroot = host->setting_string(st, "docroot");

	if (port < 1 || port > 65535) {
		host->report(st, "port", "port %lld is out of range, expected 1 to 65535", port);
		rc = -EINVAL;
	}
	if (docroot[0] != '/') {
		host->report(st, "docroot", "'%s' is not an absolute path, expected one", docroot);
		rc = -EINVAL;
	}
	for (size_t i = 0; i < host->setting_list_count(st, "aliases"); i++) {
		if (strchr(host->setting_list_item(st, "aliases", i), ' ')) {
			host->report(st, "aliases", "alias %zu contains a space, expected a name",
				     i);
			rc = -EINVAL;
		}
	}
	return rc;
}

static const struct apomon_station_type web_type = {
    APOMON_STATION_TYPE_HEADER,
    .name = "web",
    .description = "a fixture web server",
    .version = "0",
    .image = "base",
    .role = APOMON_ROLE_MEMBER,
    .settings = web_settings,
    .validate = web_validate,
};

/* Fails without reporting: the core must say something anyway. */
static int lb_validate(const struct apomon_host *host, const struct apomon_station *st)
{
	return host->setting_bool(st, "broken") ? -ENOTSUP : 0;
}

static const struct apomon_setting lb_settings[] = {
    {.name = "broken",
     .kind = APOMON_SETTING_BOOL,
     .default_value = "false",
     .description = "fail validation without a report"},
    {.name = NULL},
};

static const struct apomon_station_type lb_type = {
    APOMON_STATION_TYPE_HEADER,
    .name = "lb",
    .description = "a fixture load balancer",
    .version = "0",
    .image = "base",
    .role = APOMON_ROLE_GATEWAY,
    .settings = lb_settings,
    .validate = lb_validate,
};

static const struct apomon_station_type dns_type = {
    APOMON_STATION_TYPE_HEADER,
    .name = "dns",
    .description = "a fixture DNS server",
    .version = "0",
    .image = "base",
    .role = APOMON_ROLE_BACKBONE,
};

struct apo_registry *fixture_registry(void)
{
	struct apo_registry *r = apo_registry_new();

	apo_registry_add(r, &web_type, "(test)", NULL, NULL);
	apo_registry_add(r, &base_type, "(test)", NULL, NULL);
	apo_registry_add(r, &lb_type, "(test)", NULL, NULL);
	apo_registry_add(r, &dns_type, "(test)", NULL, NULL);
	apo_registry_refuse(r, "/nonexistent/plugins/tomcat.so",
			    "wrong ABI version 7: rebuild it against apomon 0.1.0 (ABI 1)");
	return r;
}
