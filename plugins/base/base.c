/* SPDX-License-Identifier: MIT */
/*
 * The base station type: a station whose whole behaviour is its image's
 * startup.sh.  It renders nothing and has no startup check, because it
 * knows no service to probe: the runtime counts a running startup.sh as
 * ready (a NULL ready hook).
 */
#include "config.h"

#include "apomon/station-type.h"

static const struct apomon_station_type base = {
    APOMON_STATION_TYPE_HEADER,
    .name = "base",
    .description = "a station that runs its image's startup.sh",
    .version = PACKAGE_VERSION,
    .image = "base",
    .role = APOMON_ROLE_MEMBER,
};

APOMON_STATION_TYPE(base)
