/* SPDX-License-Identifier: MIT */
/* A valid type with every field set, so that the loader's copy can be read back. */
#include <errno.h>

#include "apomon/station-type.h"

static const struct apomon_port ports[] = {
    {.name = "http", .proto = APOMON_PROTO_TCP, .port = 8080},
    {.name = "dns", .proto = APOMON_PROTO_UDP, .port = 53},
    {.name = NULL},
};

static const char *const sealed[] = {"/etc/good.conf", NULL};

static const struct apomon_setting settings[] = {
    {.name = "greeting",
     .kind = APOMON_SETTING_STRING,
     .default_value = "hello",
     .description = "what it says"},
    {.name = NULL},
};

static int good_validate(const struct apomon_host *host, const struct apomon_station *st)
{
	return 0;
}

static int good_ready(const struct apomon_host *host, const struct apomon_station *st)
{
	return host->probe_tcp(st, NULL, 8080, 1000) == 0 ? 0 : -EAGAIN;
}

static const struct apomon_station_type good = {
    APOMON_STATION_TYPE_HEADER,
    .name = "good",
    .description = "a valid test type",
    .version = "1.2.3",
    .image = "base",
    .role = APOMON_ROLE_GATEWAY,
    .ports = ports,
    .sealed = sealed,
    .settings = settings,
    .ready_timeout_ms = 5000,
    .validate = good_validate,
    .ready = good_ready,
};

APOMON_STATION_TYPE(good)
