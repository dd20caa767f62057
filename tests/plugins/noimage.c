/* SPDX-License-Identifier: MIT */
/* Forgets to name its default image. */
#include "apomon/station-type.h"

static const struct apomon_station_type noimage = {
    APOMON_STATION_TYPE_HEADER,
    .name = "noimage",
    .description = "a type without an image",
};

APOMON_STATION_TYPE(noimage)
