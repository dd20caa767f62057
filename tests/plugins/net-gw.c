/* SPDX-License-Identifier: MIT */
/* A gateway type for the network tests: a station that may be its
 * cluster's default route.  Nothing else: the network engine's tests
 * need its role, not a service. */
#include "apomon/station-type.h"

static const struct apomon_station_type net_gw = {
    APOMON_STATION_TYPE_HEADER,
    .name = "net-gw",
    .description = "a plain router, default route of its cluster (network tests)",
    .version = "1",
    .image = "base",
    .role = APOMON_ROLE_GATEWAY,
};

APOMON_STATION_TYPE(net_gw)
