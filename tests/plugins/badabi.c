/* SPDX-License-Identifier: MIT */
/* Built against a (future) ABI 99. */
#include "apomon/station-type.h"

static const struct apomon_station_type badabi = {
    .abi_version = 99,
    .size = sizeof(struct apomon_station_type),
    .name = "badabi",
    .description = "a type of another ABI",
    .image = "base",
};

APOMON_STATION_TYPE(badabi)
