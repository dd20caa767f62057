/* SPDX-License-Identifier: MIT */
/* A name that could not be written in a config file. */
#include "apomon/station-type.h"

static const struct apomon_station_type badname = {
    APOMON_STATION_TYPE_HEADER,
    .name = "Bad Name",
    .description = "a type with an invalid name",
    .image = "base",
};

APOMON_STATION_TYPE(badname)
