/* SPDX-License-Identifier: MIT */
/*
 * Routes beyond the connected ones.  A cluster is a star: its members
 * send everything off the LAN to the gateway when the cluster has one,
 * else to the backbone's leg (the router); the gateway itself goes to the
 * router.  The backbone is connected to every cluster and has no default
 * route at all, so no station's traffic can ever leave through the host's
 * uplink.  The host reaches every cluster through the backbone.
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "plan/plan-int.h"
#include "base/util.h"

static void add_route(struct apo_plan_route **routes, size_t *n, struct apo_plan_addr dst,
		      struct in_addr via, const char *dev)
{
	*routes = apo_xreallocarray(*routes, *n + 1, sizeof(**routes));
	struct apo_plan_route *r = &(*routes)[(*n)++];
	memset(r, 0, sizeof(*r));
	r->dst = dst;
	r->via = via;
	snprintf(r->dev, sizeof(r->dev), "%s", dev);
}

/* The default gateway of a cluster station. */
static int default_via(const struct apo_plan *p, const struct apo_plan_station *ps,
		       struct in_addr *via, struct apo_diag *d)
{
	const struct apo_cluster *c = ps->station->cluster;

	*via = c->router;
	if (ps->role != APOMON_ROLE_MEMBER || !c->gateway)
		return 0;
	ssize_t g = apo_plan_find(p, c->gateway->name);
	const struct apo_plan_addr *a = g < 0 ? NULL : apo_plan_first_addr(&p->stations[g]);
	if (!a) {
		apo_diag_add(d, &c->gateway_loc, c->path, "gateway '%s' has no address in the plan",
			     c->gateway->name);
		return -EINVAL;
	}
	*via = a->addr;
	return 0;
}

int apo_plan_routes(struct apo_plan *p, struct apo_diag *d)
{
	const struct apo_plan_addr any = {.prefix = 0};
	int rc = 0;

	for (size_t i = 0; i < p->n_stations; i++) {
		struct apo_plan_station *ps = &p->stations[i];
		struct in_addr via;
		if (ps->role == APOMON_ROLE_BACKBONE)
			continue;
		if (default_via(p, ps, &via, d) < 0) {
			rc = -EINVAL;
			continue;
		}
		/* eth0 is always the switch leg of a cluster station */
		add_route(&ps->routes, &ps->n_routes, any, via, ps->ifaces[0].name);
	}
	for (size_t k = 0; k < p->n_switches; k++)
		add_route(&p->host.routes, &p->host.n_routes, p->switches[k].network,
			  p->host.backbone_addr, p->host.iface);
	return rc;
}
