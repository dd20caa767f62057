/* SPDX-License-Identifier: MIT */
/*
 * Internals shared by the plan's files (plan*.c) and its unit test; not
 * an API for the rest of the core, which reads struct apo_plan only.
 */
#ifndef APO_PLAN_INT_H
#define APO_PLAN_INT_H

#include <stdint.h>

#include "plan/plan.h"

/* The short host-side names given out in one plan (plan-names.c). */
struct apo_nameset {
	uint64_t *slots; /* open addressing; 0 = empty */
	size_t n, cap;
};

void apo_nameset_init(struct apo_nameset *s);
void apo_nameset_clear(struct apo_nameset *s);

/*
 * Writes PREFIX + 8 lowercase hex digits of apo_fnv1a(key, len) into out
 * (PREFIX: 3 lowercase letters, so the result is 11 bytes).  When the
 * name is already taken in s, the hash is taken again with the seed
 * bumped by one until it is free: the first name of the plan keeps its
 * hash, a later colliding one moves, and the plan stays deterministic.
 * Returns 0, or -ENOSPC when no free name turned up (never in practice).
 */
int apo_short_name(struct apo_nameset *s, const char *prefix, const void *key, size_t len,
		   char out[APO_IFNAMSIZ]);

/* Steps of apo_plan_build, in the order it runs them. */
int apo_plan_routes(struct apo_plan *p, struct apo_diag *d);
void apo_plan_records(struct apo_plan *p);
int apo_plan_levels(struct apo_plan *p, struct apo_diag *d);

/* The address every other part uses for a station: the first address of
 * its first interface; NULL when it has none. */
const struct apo_plan_addr *apo_plan_first_addr(const struct apo_plan_station *s);

#endif
