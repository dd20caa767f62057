/* SPDX-License-Identifier: MIT */
/* Names its default image with an empty string. */
#include "apomon/station-type.h"

static const struct apomon_station_type noimage = {
    APOMON_STATION_TYPE_HEADER,
    .name = "noimage",
    .description = "a type with an empty image name",
    .image = "",
};

APOMON_STATION_TYPE(noimage)
