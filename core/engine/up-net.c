/* SPDX-License-Identifier: MIT */
/*
 * The network phases of `up`: switches, namespaces, links, addresses,
 * routes.  Where the work is per station it runs on a few worker threads
 * (workers.c): a namespace is created by a thread that unshares into it,
 * and a station's addresses and routes are added through a netlink socket
 * opened by a thread that entered the station's namespace (a socket talks
 * to the namespace it was created in).
 *
 * IPv4 devconf, per link through netlink (IFLA_AF_SPEC/IFLA_INET_CONF,
 * rtnl_link_inet_set_conf), in the request that sets the link up:
 *   forwarding        1 on the backbone's and gateways' links, 0 elsewhere
 *                     (a new namespace inherits the host's IPv4 defaults,
 *                     so members clear it explicitly)
 *   send_redirects    0 on forwarders: a member must never learn a
 *                     redirect around its gateway; the kernel ORs `all`
 *                     into it, so forwarders also clear all/send_redirects
 *                     through /proc/sys/net (there is no netlink setter
 *                     for `all`)
 *   accept_redirects  0 on members' links
 * /proc/sys/net is avoided otherwise: its lookups walk one dentry per
 * namespace (proc_sys_compare), which made 1000 stations quadratic.
 * status.c reads each link's values back through netlink.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <linux/ip.h>
#include <netlink/route/addr.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "net/netns.h"
#include "engine/journal.h"
#include "engine/up.h"
#include "base/fmt.h"
#include "base/util.h"
#include "base/workers.h"

static const char *fqdn(const struct apo_plan_station *s)
{
	return s->netns;
}

static uint32_t mask(unsigned prefix)
{
	return prefix ? htonl(~0u << (32 - prefix)) : 0;
}

static bool overlap(struct in_addr a, unsigned pa, struct in_addr b, unsigned pb)
{
	uint32_t m = mask(pa < pb ? pa : pb);
	return (a.s_addr & m) == (b.s_addr & m);
}

/* --- before anything exists --------------------------------------------- */

struct host_addr {
	struct in_addr a;
	unsigned prefix;
	char dev[APO_IFNAMSIZ];
};

struct host_addrs {
	struct host_addr *v;
	size_t n, cap;
};

static int check_addr(struct apo_up *u, struct host_addrs *h, struct in_addr a, const char *who)
{
	char b[INET_ADDRSTRLEN];

	for (size_t i = 0; i < h->n; i++) {
		if (h->v[i].a.s_addr != a.s_addr)
			continue;
		apo_fmt_ip(b, a);
		return apo_up_fail(u, -EADDRINUSE,
				   "address %s (%s): already used on the host (dev %s)", b, who,
				   h->v[i].dev);
	}
	return 0;
}

int apo_up_precheck(struct apo_up *u)
{
	const struct apo_plan *p = u->plan;
	struct nl_cache *cache = NULL;
	struct host_addrs h = {0};
	int r;

	for (size_t i = 0; i < p->n_stations; i++) {
		const char *ns = p->stations[i].netns;
		if (!apo_netns_exists(ns))
			continue;
		/* whose it is: one FQDN is one station, across environments */
		_cleanup_free_ char *owner = apo_journal_owner("netns", ns, p->env);
		if (owner)
			return apo_up_fail(
			    u, -EEXIST,
			    "namespace %s: environment '%s' has a station of that FQDN (%s/%s)", ns,
			    owner, apo_netns_dir(), ns);
		return apo_up_fail(u, -EEXIST, "namespace %s: %s/%s", ns, apo_netns_dir(), ns);
	}
	char user[APO_IFNAMSIZ];
	if (apo_nl_group_user(u->host_nl, u->group, user, sizeof(user)))
		return apo_up_fail(
		    u, -EEXIST,
		    "link group %u (environment %s): already used by link %s on the host", u->group,
		    p->env, user);
	r = rtnl_addr_alloc_cache(apo_nl_sock(u->host_nl), &cache);
	if (r < 0)
		return apo_up_fail(u, -EIO, "host addresses: cannot read them");
	for (struct nl_object *o = nl_cache_get_first(cache); o; o = nl_cache_get_next(o)) {
		struct rtnl_addr *a = (struct rtnl_addr *)o;
		struct nl_addr *l = rtnl_addr_get_local(a);
		struct host_addr x = {.prefix = rtnl_addr_get_prefixlen(a)};
		if (rtnl_addr_get_family(a) != AF_INET || !l)
			continue;
		memcpy(&x.a, nl_addr_get_binary_addr(l), 4);
		if ((ntohl(x.a.s_addr) >> 24) == 127)
			continue;
		if (!if_indextoname(rtnl_addr_get_ifindex(a), x.dev))
			snprintf(x.dev, sizeof(x.dev), "#%d", rtnl_addr_get_ifindex(a));
		APO_PUSH(h.v, h.n, h.cap, x);
	}
	nl_cache_free(cache);

	r = 0;
	for (size_t i = 0; i < p->n_stations && !r; i++) {
		const struct apo_plan_station *s = &p->stations[i];
		for (size_t k = 0; k < s->n_ifaces && !r; k++) {
			char who[300];
			snprintf(who, sizeof(who), "%s %s", fqdn(s), s->ifaces[k].name);
			for (size_t m = 0; m < s->ifaces[k].n_addrs && !r; m++)
				r = check_addr(u, &h, s->ifaces[k].addrs[m].addr, who);
		}
	}
	if (!r)
		r = check_addr(u, &h, p->host.addr.addr, "host link");
	/* a cluster network the host already sits in would shadow or
	 * fight the routes through the backbone */
	for (size_t i = 0; i < p->n_switches && !r; i++) {
		const struct apo_plan_switch *sw = &p->switches[i];
		for (size_t k = 0; k < h.n && !r; k++) {
			char a[20], b[20];
			if (!overlap(sw->network.addr, sw->network.prefix, h.v[k].a, h.v[k].prefix))
				continue;
			r = apo_up_fail(
			    u, -EADDRINUSE,
			    "switch %s (cluster %s): network %s overlaps the host's %s (dev %s)",
			    sw->name, sw->cluster->name,
			    apo_fmt_prefix(a, sw->network.addr, sw->network.prefix),
			    apo_fmt_prefix(b, h.v[k].a, h.v[k].prefix), h.v[k].dev);
		}
	}
	for (size_t k = 0; k < h.n && !r; k++) {
		char a[20], b[20];
		if (!overlap(p->host.addr.addr, p->host.addr.prefix, h.v[k].a, h.v[k].prefix))
			continue;
		r = apo_up_fail(
		    u, -EADDRINUSE, "host link %s: network %s overlaps the host's %s (dev %s)",
		    p->host.iface, apo_fmt_prefix(a, p->host.addr.addr, p->host.addr.prefix),
		    apo_fmt_prefix(b, h.v[k].a, h.v[k].prefix), h.v[k].dev);
	}
	free(h.v);
	return r;
}

/* --- counts for the progress line ---------------------------------------- */

size_t apo_up_count_switches(const struct apo_up *u)
{
	return u->plan->n_switches;
}

size_t apo_up_count_stations(const struct apo_up *u)
{
	return u->plan->n_stations;
}

/* A link to create: one a SWITCH/HOST iface, one a p2p pair (made by its
 * lower-indexed end). */
struct link_job {
	size_t st, ifc;
};

static size_t link_jobs(const struct apo_plan *p, struct link_job *out)
{
	size_t n = 0;
	for (size_t i = 0; i < p->n_stations; i++) {
		const struct apo_plan_station *s = &p->stations[i];
		for (size_t k = 0; k < s->n_ifaces; k++) {
			if (s->ifaces[k].kind == APO_IFACE_P2P && s->ifaces[k].peer_station < i)
				continue;
			if (out)
				out[n] = (struct link_job){i, k};
			n++;
		}
	}
	return n;
}

size_t apo_up_count_links(const struct apo_up *u)
{
	return link_jobs(u->plan, NULL);
}

/* --- the journal around one kernel object ------------------------------- */

/* Before the object: its intent, written out (a kill from here on leaves
 * a record `down` follows).  0, or the failure, recorded. */
static int journal_before(struct apo_up *u, const char *kind, const char *name, const char *detail)
{
	int r;

	apo_journal_intent(u->journal, kind, name, detail);
	if ((r = apo_journal_flush(u->journal)) < 0)
		return apo_up_fail(u, r, "journal %s", u->journal->dir);
	return 0;
}

/* After the kernel answered R: done; or, when an object of that name
 * exists already, fail, so that `down` never removes what is not ours.
 * Returns R. */
static int journal_after(struct apo_up *u, const char *kind, const char *name, int r)
{
	if (r == -EEXIST)
		apo_journal_fail(u->journal, kind, name);
	else if (r >= 0)
		apo_journal_done(u->journal, kind, name);
	return r;
}

/* --- switches ------------------------------------------------------------ */

int apo_up_switches(struct apo_up *u)
{
	const struct apo_plan *p = u->plan;
	char g[16];
	int r;

	/* first: `down` removes every host-side link of the group at once */
	snprintf(g, sizeof(g), "%u", u->group);
	apo_journal_intent(u->journal, "group", g, NULL);
	for (size_t i = 0; i < p->n_switches; i++) {
		const struct apo_plan_switch *sw = &p->switches[i];
		if ((r = journal_before(u, "bridge", sw->name, sw->cluster->name)) < 0)
			return r;
		r = journal_after(u, "bridge", sw->name,
				  apo_nl_bridge_add(u->host_nl, sw->name, u->group));
		if (r < 0)
			return apo_up_fail(u, r, "switch %s (cluster %s)", sw->name,
					   sw->cluster->name);
		r = apo_nl_link_setup_name(u->host_nl, sw->name);
		if (r < 0)
			return apo_up_fail(u, r, "switch %s (cluster %s): up", sw->name,
					   sw->cluster->name);
		r = apo_nl_ifindex(u->host_nl, sw->name);
		if (r < 0)
			return apo_up_fail(u, r, "switch %s (cluster %s)", sw->name,
					   sw->cluster->name);
		u->bridge_ifindex[i] = r;
		apo_progress_step(u->progress);
		if (apo_up_interrupted)
			return apo_up_fail(u, -EINTR, "switches");
	}
	return apo_journal_sync(u->journal);
}

/* --- namespaces ---------------------------------------------------------- */

static int ns_settings(struct apo_up *u, const struct apo_plan_station *s)
{
	struct apo_nl *nl;
	int r;

	/* a new namespace's loopback is ifindex 1, and down */
	if ((r = apo_nl_open(&nl)) < 0)
		return apo_up_fail(u, r, "namespace %s: netlink", fqdn(s));
	r = apo_nl_link_up(nl, 1);
	apo_nl_close(nl);
	if (r < 0)
		return apo_up_fail(u, r, "namespace %s: loopback up", fqdn(s));
	/* the kernel ORs `all` into each link's send_redirects: a forwarder
	 * must clear both (the links' own values come with them, netlink) */
	if (s->forwarding && (r = apo_sysctl_net("ipv4/conf/all/send_redirects", "0")) < 0)
		return apo_up_fail(u, r, "namespace %s: sysctl net.ipv4.conf.all.send_redirects",
				   fqdn(s));
	return 0;
}

static int ns_item(void *ctx, size_t i, void *state)
{
	struct apo_up *u = ctx;
	const struct apo_plan_station *s = &u->plan->stations[i];
	int r;

	if (apo_up_interrupted)
		return apo_up_fail(u, -EINTR, "namespaces");
	if ((r = journal_before(u, "netns", s->netns, NULL)) < 0)
		return r;
	r = journal_after(u, "netns", s->netns, apo_netns_create_here(s->netns));
	if (r == -EEXIST)
		return apo_up_fail(u, r, "namespace %s: %s/%s", s->netns, apo_netns_dir(),
				   s->netns);
	if (r < 0)
		return apo_up_fail(u, r, "namespace %s", s->netns);
	/* this thread now sits in the new namespace: set it up from here */
	if ((r = ns_settings(u, s)) < 0)
		return r;
	u->nsfd[i] = apo_netns_open(s->netns);
	if (u->nsfd[i] < 0)
		return apo_up_fail(u, u->nsfd[i], "namespace %s: open", s->netns);
	apo_progress_step(u->progress);
	return 0;
}

int apo_up_namespaces(struct apo_up *u)
{
	int r = apo_netns_prepare();
	if (r < 0)
		return apo_up_fail(u, r, "namespaces: %s", apo_netns_dir());
	struct apo_work w = {.n = u->plan->n_stations, .ctx = u, .item = ns_item};
	r = apo_workers_run(u->opts->threads, &w);
	int s = apo_journal_sync(u->journal);
	return r ? r : s;
}

/* --- links --------------------------------------------------------------- */

struct links_ctx {
	struct apo_up *u;
	struct link_job *jobs;
};

static int nl_init(void *ctx, void **state)
{
	return apo_nl_open((struct apo_nl **)state);
}

static void nl_fini(void *ctx, void *state)
{
	apo_nl_close(state);
}

int apo_up_link_make(struct apo_up *u, struct apo_nl *nl, size_t st, size_t ifc)
{
	const struct apo_plan *p = u->plan;
	const struct apo_plan_station *s = &p->stations[st];
	const struct apo_plan_iface *f = &s->ifaces[ifc];
	char detail[300];
	int r;

	snprintf(detail, sizeof(detail), "%s:%s", fqdn(s), f->name);
	if (f->kind == APO_IFACE_P2P) {
		const struct apo_plan_station *o = &p->stations[f->peer_station];
		char peer[300];
		snprintf(peer, sizeof(peer), "%s:%s", fqdn(o), f->peer_name);
		/* both ends inside stations: the link dies with them */
		if ((r = journal_before(u, "p2p", detail, peer)) < 0)
			return r;
		r = journal_after(u, "p2p", detail,
				  apo_nl_veth_add(nl, f->name, u->nsfd[st], 0, f->peer_name,
						  u->nsfd[f->peer_station], 0));
		if (r < 0)
			return apo_up_fail(u, r, "link %s (%s %s <-> %s %s)", f->name, fqdn(s),
					   f->name, fqdn(o), f->peer_name);
		return 0;
	}
	int master = f->kind == APO_IFACE_SWITCH ? u->bridge_ifindex[f->sw] : 0;
	if ((r = journal_before(u, "veth", f->peer_name, detail)) < 0)
		return r;
	r = journal_after(
	    u, "veth", f->peer_name,
	    apo_nl_veth_add(nl, f->peer_name, -1, master, f->name, u->nsfd[st], u->group));
	if (r < 0)
		return apo_up_fail(u, r, "link %s (%s %s)", f->peer_name, fqdn(s), f->name);
	r = apo_nl_link_setup_name(nl, f->peer_name);
	if (r < 0)
		return apo_up_fail(u, r, "link %s (%s %s): up", f->peer_name, fqdn(s), f->name);
	return 0;
}

static int link_item(void *ctx, size_t i, void *state)
{
	struct links_ctx *c = ctx;
	struct apo_up *u = c->u;
	int r;

	if (apo_up_interrupted)
		return apo_up_fail(u, -EINTR, "links");
	if ((r = apo_up_link_make(u, state, c->jobs[i].st, c->jobs[i].ifc)) < 0)
		return r;
	apo_progress_step(u->progress);
	return 0;
}

int apo_up_links(struct apo_up *u)
{
	size_t n = link_jobs(u->plan, NULL);
	struct links_ctx c = {u, apo_xcalloc(n, sizeof(struct link_job))};
	link_jobs(u->plan, c.jobs);
	struct apo_work w = {
	    .n = n, .ctx = &c, .init = nl_init, .item = link_item, .fini = nl_fini};
	int r = apo_workers_run(u->opts->threads, &w);
	free(c.jobs);
	int s = apo_journal_sync(u->journal);
	return r ? r : s;
}

/* --- addresses and routes, from inside each station ---------------------- */

/* Enters station i's namespace and opens a socket there. */
static int enter(struct apo_up *u, size_t i, struct apo_nl **nl)
{
	const struct apo_plan_station *s = &u->plan->stations[i];
	int r = apo_netns_enter_here(u->nsfd[i]);
	if (r < 0)
		return apo_up_fail(u, r, "namespace %s: enter", fqdn(s));
	r = apo_nl_open(nl);
	if (r < 0)
		return apo_up_fail(u, r, "namespace %s: netlink", fqdn(s));
	return 0;
}

/* Each station link's IPv4 devconf (see the top of this file). */
static const uint32_t forwarder[2][2] = {
    {IPV4_DEVCONF_FORWARDING, 1},
    {IPV4_DEVCONF_SEND_REDIRECTS, 0},
};
static const uint32_t member[2][2] = {
    {IPV4_DEVCONF_FORWARDING, 0},
    {IPV4_DEVCONF_ACCEPT_REDIRECTS, 0},
};

int apo_up_link_setup(struct apo_nl *nl, const struct apo_plan_station *s, int ifindex)
{
	return apo_nl_link_setup(nl, ifindex, s->forwarding ? forwarder : member, 2);
}

static int addr_item(void *ctx, size_t i, void *state)
{
	struct apo_up *u = ctx;
	const struct apo_plan_station *s = &u->plan->stations[i];
	struct apo_nl *nl;
	int r;

	if (apo_up_interrupted)
		return apo_up_fail(u, -EINTR, "addresses");
	if ((r = enter(u, i, &nl)) < 0)
		return r;
	for (size_t k = 0; k < s->n_ifaces && r >= 0; k++) {
		const struct apo_plan_iface *f = &s->ifaces[k];
		int ifindex = apo_nl_ifindex(nl, f->name);
		if (ifindex < 0) {
			r = apo_up_fail(u, ifindex, "link %s (%s)", f->name, fqdn(s));
			break;
		}
		/* created down (a veth peer's flags cannot be set at
		 * creation): up, with its IPv4 devconf, in one request */
		if ((r = apo_up_link_setup(nl, s, ifindex)) < 0) {
			r = apo_up_fail(u, r, "link %s (%s): up", f->name, fqdn(s));
			break;
		}
		for (size_t m = 0; m < f->n_addrs; m++) {
			r = apo_nl_addr_add(nl, ifindex, f->addrs[m].addr, f->addrs[m].prefix);
			if (r < 0) {
				char b[20];
				r = apo_up_fail(
				    u, r, "address %s (%s %s)",
				    apo_fmt_prefix(b, f->addrs[m].addr, f->addrs[m].prefix),
				    fqdn(s), f->name);
				break;
			}
		}
	}
	apo_nl_close(nl);
	if (r >= 0)
		apo_progress_step(u->progress);
	return r < 0 ? r : 0;
}

int apo_up_addresses(struct apo_up *u)
{
	const struct apo_plan *p = u->plan;
	struct apo_work w = {.n = p->n_stations, .ctx = u, .item = addr_item};
	char b[20];
	int r = apo_workers_run(u->opts->threads, &w);
	if (r < 0)
		return r;
	/* the host's end of the backbone link */
	int ifindex = apo_nl_ifindex(u->host_nl, p->host.iface);
	if (ifindex < 0)
		return apo_up_fail(u, ifindex, "link %s (host)", p->host.iface);
	r = apo_nl_addr_add(u->host_nl, ifindex, p->host.addr.addr, p->host.addr.prefix);
	if (r < 0)
		return apo_up_fail(u, r, "address %s (host %s)",
				   apo_fmt_prefix(b, p->host.addr.addr, p->host.addr.prefix),
				   p->host.iface);
	return 0;
}

static int route_fail(struct apo_up *u, int r, const struct apo_plan_route *rt, const char *who)
{
	char d[20], v[INET_ADDRSTRLEN];
	apo_fmt_ip(v, rt->via);
	return apo_up_fail(u, r, "route %s via %s dev %s (%s)",
			   rt->dst.prefix ? apo_fmt_prefix(d, rt->dst.addr, rt->dst.prefix)
					  : "default",
			   v, rt->dev, who);
}

static int route_item(void *ctx, size_t i, void *state)
{
	struct apo_up *u = ctx;
	const struct apo_plan_station *s = &u->plan->stations[i];
	struct apo_nl *nl;
	int r;

	if (apo_up_interrupted)
		return apo_up_fail(u, -EINTR, "routes");
	if (!s->n_routes) {
		apo_progress_step(u->progress);
		return 0;
	}
	if ((r = enter(u, i, &nl)) < 0)
		return r;
	for (size_t k = 0; k < s->n_routes && r >= 0; k++) {
		const struct apo_plan_route *rt = &s->routes[k];
		int ifindex = apo_nl_ifindex(nl, rt->dev);
		r = ifindex < 0
			? ifindex
			: apo_nl_route_add(nl, rt->dst.addr, rt->dst.prefix, rt->via, ifindex);
		if (r < 0)
			r = route_fail(u, r, rt, fqdn(s));
	}
	apo_nl_close(nl);
	if (r >= 0)
		apo_progress_step(u->progress);
	return r < 0 ? r : 0;
}

int apo_up_routes(struct apo_up *u)
{
	const struct apo_plan *p = u->plan;
	struct apo_work w = {.n = p->n_stations, .ctx = u, .item = route_item};
	int r = apo_workers_run(u->opts->threads, &w);
	if (r < 0)
		return r;
	int ifindex = apo_nl_ifindex(u->host_nl, p->host.iface);
	if (ifindex < 0)
		return apo_up_fail(u, ifindex, "link %s (host)", p->host.iface);
	/* host routes go with the host link: nothing to journal */
	for (size_t k = 0; k < p->host.n_routes; k++) {
		const struct apo_plan_route *rt = &p->host.routes[k];
		r = apo_nl_route_add(u->host_nl, rt->dst.addr, rt->dst.prefix, rt->via, ifindex);
		if (r < 0)
			return route_fail(u, r, rt, "host");
	}
	return 0;
}
