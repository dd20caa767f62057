/* SPDX-License-Identifier: MIT */
/* Calls a function nobody defines: lazy binding would load it and die at
 * the first hook; the loader must refuse it up front. */
#include "apomon/station-type.h"

int apomon_test_no_such_function(void);

static int unresolved_validate(const struct apomon_host *host, const struct apomon_station *st)
{
	return apomon_test_no_such_function();
}

static const struct apomon_station_type unresolved = {
    APOMON_STATION_TYPE_HEADER,
    .name = "unresolved",
    .description = "a type with an undefined function",
    .image = "base",
    .validate = unresolved_validate,
};

APOMON_STATION_TYPE(unresolved)
