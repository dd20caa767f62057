/* SPDX-License-Identifier: MIT */
/* A second, different type that also calls itself `good`. */
#include "apomon/station-type.h"

static const struct apomon_station_type dup = {
    APOMON_STATION_TYPE_HEADER,
    .name = "good",
    .description = "an impostor",
    .image = "base",
};

APOMON_STATION_TYPE(dup)
