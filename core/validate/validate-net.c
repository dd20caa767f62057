/* SPDX-License-Identifier: MIT */
/* Networks that must not overlap, addresses inside their network and
 * used once, host ports published once. */
#include "config.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "config/conf.h"
#include "base/fmt.h"
#include "base/util.h"
#include "validate/validate-internal.h"

static uint32_t H(struct in_addr a)
{
	return ntohl(a.s_addr);
}

static const char *txt(struct in_addr a, char buf[static INET_ADDRSTRLEN])
{
	return apo_fmt_ip(buf, a);
}

static bool overlap(const struct apo_addr *a, const struct apo_addr *b)
{
	uint32_t mask = apo_prefix_mask(a->prefix < b->prefix ? a->prefix : b->prefix);
	return (H(a->addr) & mask) == (H(b->addr) & mask);
}

static bool net_ok(const struct apo_cluster *c)
{
	return c->network.prefix >= 8;
}

void v_networks(struct vctx *v)
{
	struct apo_model *m = v->m;
	char b1[INET_ADDRSTRLEN], b2[INET_ADDRSTRLEN];

	for (size_t i = 0; i < m->n_clusters; i++) {
		const struct apo_cluster *c = m->clusters[i];
		if (!net_ok(c))
			continue;
		_cleanup_free_ char *p = apo_xasprintf("%s.network", c->path);
		for (size_t k = 0; k < i; k++) {
			const struct apo_cluster *f = m->clusters[k];
			if (!net_ok(f) || !overlap(&c->network, &f->network))
				continue;
			_cleanup_free_ char *w = v_where(&f->network.loc);
			apo_diag_add(v->d, &c->network.loc, p,
				     "%s/%u overlaps %s/%u of cluster %s (%s), expected disjoint "
				     "networks",
				     txt(c->network.addr, b1), c->network.prefix,
				     txt(f->network.addr, b2), f->network.prefix,
				     f->name ? f->name : "?", w);
		}
		if (m->host_network.prefix && overlap(&c->network, &m->host_network)) {
			_cleanup_free_ char *w = v_where(&m->host_network.loc);
			apo_diag_add(v->d, &c->network.loc, p,
				     "%s/%u overlaps backbone.host_network %s/%u (%s), expected "
				     "disjoint networks",
				     txt(c->network.addr, b1), c->network.prefix,
				     txt(m->host_network.addr, b2), m->host_network.prefix, w);
		}
	}
	/* a link's network routes only between its two ends */
	for (size_t i = 0; i < m->n_links; i++) {
		const struct apo_link *l = m->links[i];
		_cleanup_free_ char *p = apo_xasprintf("%s.addresses[0]", l->path);
		for (size_t k = 0; k < m->n_clusters; k++) {
			const struct apo_cluster *c = m->clusters[k];
			if (!net_ok(c) || !overlap(&l->addr_a, &c->network))
				continue;
			_cleanup_free_ char *w = v_where(&c->network.loc);
			apo_diag_add(
			    v->d, &l->addr_a.loc, p,
			    "the link's network overlaps %s/%u of cluster %s (%s), expected "
			    "a network of its own",
			    txt(c->network.addr, b1), c->network.prefix, c->name ? c->name : "?",
			    w);
		}
		/* one station, two links in one network: the kernel would route
		 * that network through one of them only */
		for (size_t k = 0; k < i; k++) {
			const struct apo_link *f = m->links[k];
			const char *shared = !strcmp(f->a, l->a) || !strcmp(f->b, l->a)	  ? l->a
					     : !strcmp(f->a, l->b) || !strcmp(f->b, l->b) ? l->b
											  : NULL;
			if (!shared || !overlap(&l->addr_a, &f->addr_a))
				continue;
			_cleanup_free_ char *w = v_where(&f->addr_a.loc);
			apo_diag_add(v->d, &l->addr_a.loc, p,
				     "the link's network overlaps that of %s (%s), another link of "
				     "station %s, expected a network of its own",
				     f->path, w, shared);
			break;
		}
		if (m->host_network.prefix && overlap(&l->addr_a, &m->host_network)) {
			_cleanup_free_ char *w = v_where(&m->host_network.loc);
			apo_diag_add(
			    v->d, &l->addr_a.loc, p,
			    "the link's network overlaps backbone.host_network %s/%u (%s), "
			    "expected a network of its own",
			    txt(m->host_network.addr, b1), m->host_network.prefix, w);
		}
	}
}

struct use {
	struct in_addr addr;
	struct apo_loc loc;
	char *path;  /* where the message goes */
	char *owner; /* what the first user is, in a message about a second */
	size_t order;
};

static int use_cmp(const void *a, const void *b)
{
	const struct use *x = a, *y = b;
	if (H(x->addr) != H(y->addr))
		return H(x->addr) < H(y->addr) ? -1 : 1;
	return x->order < y->order ? -1 : x->order > y->order;
}

/* In its network, and neither its network nor its broadcast address. */
static void check_in(struct vctx *v, const struct apo_cluster *c, struct in_addr a,
		     const struct apo_loc *loc, const char *path)
{
	char b1[INET_ADDRSTRLEN], b2[INET_ADDRSTRLEN];
	uint32_t mask = apo_prefix_mask(c->network.prefix), h = H(a);

	txt(a, b1);
	txt(c->network.addr, b2);
	if ((h & mask) != H(c->network.addr))
		apo_diag_add(v->d, loc, path,
			     "%s is outside the cluster's network %s/%u, expected an address "
			     "inside it",
			     b1, b2, c->network.prefix);
	else if ((h & ~mask) == 0)
		apo_diag_add(v->d, loc, path,
			     "%s is the network address of %s/%u, expected a host address", b1, b2,
			     c->network.prefix);
	else if ((h & ~mask) == ~mask)
		apo_diag_add(v->d, loc, path,
			     "%s is the broadcast address of %s/%u, expected a host address", b1,
			     b2, c->network.prefix);
}

void v_addresses(struct vctx *v)
{
	struct apo_model *m = v->m;
	struct use *uses = NULL;
	size_t n = 0, cap = 0;

	/* the backbone's legs first: it comes first in the files */
	for (size_t i = 0; i < m->n_clusters; i++) {
		const struct apo_cluster *c = m->clusters[i];
		if (!net_ok(c) || c->router.s_addr == 0)
			continue;
		/* a default router has no location of its own */
		bool explicit_router = c->router_loc.file != NULL;
		struct use u = {
		    .addr = c->router,
		    .loc = explicit_router ? c->router_loc : c->network.loc,
		    .path = apo_xasprintf("%s.%s", c->path, explicit_router ? "router" : "network"),
		    .owner =
			apo_xasprintf("the backbone's %srouter in cluster %s",
				      explicit_router ? "" : "default ", c->name ? c->name : "?"),
		    .order = n,
		};
		if (explicit_router)
			check_in(v, c, c->router, &u.loc, u.path);
		APO_PUSH(uses, n, cap, u);
	}
	for (size_t i = 0; i < m->n_stations; i++) {
		const struct apo_station *s = m->stations[i];
		if (!s->enabled || !s->cluster)
			continue;
		for (size_t k = 0; k < s->n_addrs; k++) {
			struct use u = {
			    .addr = s->addrs[k].addr,
			    .loc = s->addrs[k].loc,
			    .path = apo_xasprintf("%s.addresses[%zu]", s->path, k),
			    .owner = apo_xasprintf("station %s", s->name ? s->name : s->path),
			    .order = n,
			};
			if (net_ok(s->cluster))
				check_in(v, s->cluster, u.addr, &u.loc, u.path);
			APO_PUSH(uses, n, cap, u);
		}
	}
	for (size_t i = 0; i < m->n_links; i++) {
		const struct apo_link *l = m->links[i];
		const struct apo_addr *ends[2] = {&l->addr_a, &l->addr_b};
		for (size_t k = 0; k < 2; k++) {
			struct use u = {
			    .addr = ends[k]->addr,
			    .loc = ends[k]->loc,
			    .path = apo_xasprintf("%s.addresses[%zu]", l->path, k),
			    .owner = apo_xasprintf("%s's end of %s", k ? l->b : l->a, l->path),
			    .order = n,
			};
			APO_PUSH(uses, n, cap, u);
		}
	}
	if (n)
		qsort(uses, n, sizeof(*uses), use_cmp);
	for (size_t i = 1, first = 0; i < n; i++) {
		if (uses[i].addr.s_addr != uses[first].addr.s_addr) {
			first = i;
			continue;
		}
		char b[INET_ADDRSTRLEN];
		_cleanup_free_ char *w = v_where(&uses[first].loc);
		apo_diag_add(v->d, &uses[i].loc, uses[i].path,
			     "%s is already the address of %s (%s), expected an address of its own",
			     txt(uses[i].addr, b), uses[first].owner, w);
	}
	for (size_t i = 0; i < n; i++) {
		free(uses[i].path);
		free(uses[i].owner);
	}
	free(uses);
}

struct pub {
	const struct apo_station *s;
	size_t k; /* index in s->publish */
	size_t order;
};

static int pub_cmp(const void *a, const void *b)
{
	const struct pub *x = a, *y = b;
	const struct apo_publish *p = &x->s->publish[x->k], *q = &y->s->publish[y->k];

	if (p->proto != q->proto)
		return p->proto < q->proto ? -1 : 1;
	if (p->host_port != q->host_port)
		return p->host_port < q->host_port ? -1 : 1;
	return x->order < y->order ? -1 : x->order > y->order;
}

void v_publish(struct vctx *v)
{
	struct apo_model *m = v->m;
	struct pub *pubs = NULL;
	size_t n = 0, cap = 0;

	for (size_t i = 0; i < m->n_stations; i++) {
		const struct apo_station *s = m->stations[i];
		for (size_t k = 0; s->enabled && k < s->n_publish; k++) {
			struct pub p = {.s = s, .k = k, .order = n};
			APO_PUSH(pubs, n, cap, p);
		}
	}
	if (n)
		qsort(pubs, n, sizeof(*pubs), pub_cmp);
	/* sorted by protocol and first port: an entry collides with the one
	 * reaching furthest among those before it (ranges included); on
	 * equal first ports the first in config order owns the port */
	for (size_t i = 1, owner = 0; i < n; i++) {
		const struct apo_publish *fp = &pubs[owner].s->publish[pubs[owner].k];
		const struct apo_publish *p = &pubs[i].s->publish[pubs[i].k];
		unsigned fend = (unsigned)fp->host_port + (fp->count ? fp->count : 1) - 1;
		unsigned pend = (unsigned)p->host_port + (p->count ? p->count : 1) - 1;
		if (p->proto != fp->proto || p->host_port > fend) {
			owner = i;
			continue;
		}
		const struct apo_station *s = pubs[i].s, *fs = pubs[owner].s;
		_cleanup_free_ char *path =
		    apo_xasprintf("%s.publish[%zu].host", s->path, pubs[i].k);
		_cleanup_free_ char *w = v_where(&fp->loc);
		apo_diag_add(v->d, &p->loc, path,
			     "host port %u/%s is already published by %s (%s), expected a free "
			     "host port",
			     p->host_port, p->proto == IPPROTO_UDP ? "udp" : "tcp",
			     fs->name ? fs->name : fs->path, w);
		if (pend > fend)
			owner = i;
	}
	free(pubs);
}
