/* SPDX-License-Identifier: MIT */
/* Has the entry symbol, but it returns no type. */
#include <stddef.h>

#include "apomon/station-type.h"

APOMON_EXPORT const struct apomon_station_type *apomon_station_type_entry(void);
const struct apomon_station_type *apomon_station_type_entry(void)
{
	return NULL;
}
