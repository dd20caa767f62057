/* SPDX-License-Identifier: MIT */
/* The summary after `up`: station, cluster, addresses, published ports. */
#ifndef APO_SUMMARY_H
#define APO_SUMMARY_H

#include <json-c/json.h>
#include <stdio.h>

#include "plan/plan.h"

void apo_summary_print(const struct apo_plan *p, FILE *out);
/* [{"station", "fqdn", "cluster", "addresses": [..], "publish": ["81/tcp->8080"]}] */
struct json_object *apo_summary_json(const struct apo_plan *p);

#endif
