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

#include "plan/plan.h"

enum apo_status_output { APO_STATUS_TEXT, APO_STATUS_JSON, APO_STATUS_QUIET };

/* Exit code: 0 everything as planned, 1 drift (or not up). */
int apo_status(const struct apo_plan *plan, enum apo_status_output out);

#endif
