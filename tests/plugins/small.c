/* SPDX-License-Identifier: MIT */
/* Claims a struct smaller than ABI 1 requires (as if fields were missing). */
#include <stddef.h>

#include "apomon/station-type.h"

static const struct apomon_station_type small = {
    .abi_version = APOMON_ABI_VERSION,
    .size = offsetof(struct apomon_station_type, ready),
    .name = "small",
    .description = "a truncated type",
    .image = "base",
};

APOMON_STATION_TYPE(small)
