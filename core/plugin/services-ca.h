/* SPDX-License-Identifier: MIT */
/* host->issue_cert: certificates from the environment's CA into a root. */
#ifndef APO_HOST_CA_H
#define APO_HOST_CA_H

#include "apomon/station-type.h"

int apo_services_issue_cert(const struct apomon_station *st, const char *const names[],
			    const char *cert_path, const char *key_path);

#endif
