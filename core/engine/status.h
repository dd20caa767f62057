/* SPDX-License-Identifier: MIT */
/*
 * `apomon status`: reads the KERNEL (not only the journal) and compares
 * it with the plan: every station's namespace, its links (up, addresses,
 * IPv4 forwarding), its routes; the switches and their ports; the host
 * link and the host's routes through it.  A missing or unexpected object
 * is drift, named in one line: "www1.example.com: eth0: unexpected
 * address 10.1.0.99/24".
 */
#ifndef APO_STATUS_H
#define APO_STATUS_H

#include <stdbool.h>
#include <stdio.h>

#include "plan/plan.h"

struct apo_status;

/* Reads the kernel and compares it with the plan; *st (apo_status_free)
 * holds the result.  0, or negative errno. */
int apo_status_read(const struct apo_plan *plan, struct apo_status **st);
void apo_status_free(struct apo_status *st);

/* How many drift lines: 0 everything as planned (a "not up" is drift). */
size_t apo_status_n_drift(const struct apo_status *st);
/* The document of `status --json` (owned by st). */
struct json_object *apo_status_json(const struct apo_status *st);
/* The table of `status`: a line a station, then a line a drift. */
void apo_status_print(const struct apo_status *st, FILE *out);

#endif
