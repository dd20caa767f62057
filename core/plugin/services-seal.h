/* SPDX-License-Identifier: MIT */
/*
 * host->check_sealed: the core's integrity gate on a station's current
 * root, for a type's reload hook before the service reads its new config.
 */
#ifndef APO_SERVICES_SEAL_H
#define APO_SERVICES_SEAL_H

#include "apomon/station-type.h"

int apo_services_check_sealed(const struct apomon_station *st);

#endif
