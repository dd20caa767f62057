/* SPDX-License-Identifier: MIT */
/*
 * Start levels: the backbone (routing, DNS) first, at level 0; every
 * other station one level above the highest of its dependencies, and at
 * least at 1.  A level starts when every lower one is ready, so stations
 * of one level start in parallel.  A type whose stations need of their
 * dependencies only address and name (APOMON_NEEDS_ADDRESS: they exist
 * once the network does) puts them on the level of their highest
 * dependency instead: both start together and their start-ups overlap.  Validation rejects
 * dependency cycles; a cycle that reaches the plan anyway is reported, never looped on.
 */
#include "config.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "plan/plan-int.h"
#include "base/util.h"

enum { UNSEEN, VISITING, DONE };

struct order {
	struct apo_plan *p;
	unsigned char *state;
	struct apo_diag *d;
};

static int visit(struct order *o, size_t i)
{
	struct apo_plan_station *ps = &o->p->stations[i];
	const struct apo_station *s = ps->station;
	unsigned level = 1;

	if (o->state[i] == DONE)
		return 0;
	if (o->state[i] == VISITING) {
		apo_diag_add(o->d, &s->loc, s->path, "dependency cycle through '%s'", s->name);
		return -ELOOP;
	}
	if (ps->role == APOMON_ROLE_BACKBONE) {
		/* the backbone waits for nobody: everything needs its routes */
		ps->level = 0;
		o->state[i] = DONE;
		return 0;
	}
	o->state[i] = VISITING;
	/* a type built before depends_need waits for readiness */
	bool lazy = s->type && APOMON_TYPE_HAS(s->type, depends_need) &&
		    s->type->depends_need == APOMON_NEEDS_ADDRESS;
	for (size_t j = 0; j < s->n_depends; j++) {
		ssize_t k = apo_plan_find(o->p, s->depends[j]);
		if (k < 0) {
			apo_diag_add(o->d, &s->depends_loc[j], s->path,
				     "depends on '%s', which is not an enabled station",
				     s->depends[j]);
			o->state[i] = DONE;
			return -EINVAL;
		}
		int rc = visit(o, (size_t)k);
		if (rc < 0) {
			o->state[i] = DONE;
			return rc;
		}
		unsigned need = o->p->stations[k].level + (lazy ? 0 : 1);
		if (need > level)
			level = need;
	}
	ps->level = level;
	o->state[i] = DONE;
	return 0;
}

int apo_plan_levels(struct apo_plan *p, struct apo_diag *d)
{
	struct order o = {.p = p, .state = apo_xcalloc(p->n_stations, 1), .d = d};
	unsigned max = 0;
	int rc = 0;

	for (size_t i = 0; i < p->n_stations; i++) {
		if (visit(&o, i) < 0)
			rc = -EINVAL;
		if (p->stations[i].level > max)
			max = p->stations[i].level;
	}
	free(o.state);
	if (rc < 0)
		return rc;

	p->n_levels = p->n_stations ? max + 1 : 0;
	p->levels = apo_xcalloc(p->n_levels, sizeof(*p->levels));
	for (size_t l = 0; l < p->n_levels; l++) {
		struct apo_plan_level *lv = &p->levels[l];
		for (size_t i = 0; i < p->n_stations; i++)
			lv->n += p->stations[i].level == l;
		lv->stations = apo_xcalloc(lv->n, sizeof(*lv->stations));
		lv->n = 0;
		for (size_t i = 0; i < p->n_stations; i++)
			if (p->stations[i].level == l)
				lv->stations[lv->n++] = i;
	}
	return 0;
}
