/* SPDX-License-Identifier: MIT */
/*
 * The network of one station brought to what the plan says, in place,
 * from what the kernel has (reconcile.h): links that should not be there
 * go, missing ones are made (host end on its switch, the other end
 * directly inside the namespace, journaled like a fresh `up`), then the
 * addresses and routes of each link converge (add what is missing,
 * delete what is extra).  Idempotent: run again after a crash, it
 * finishes the job.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_packet.h>
#include <linux/ip.h>
#include <net/ethernet.h>
#include <netinet/if_ether.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <netlink/route/route.h>
#include <stdio.h>
#include <string.h>

#include "base/util.h"
#include "base/workers.h"
#include "engine/reconcile.h"
#include "net/netns.h"

/* Threads that close a reconcile's ARP sockets (a reconcile may add
 * many stations, each close a grace period) */
#define ARP_CLOSE_THREADS 32

struct conv {
	struct apo_up *u;
	size_t i;
	const char *const *drop; /* links to delete first (moved to another switch) */
	size_t n_drop;
	bool *missing; /* per plan iface: absent from the namespace */
	bool fresh;    /* a new namespace: loopback and sysctl first */
	int arp;       /* its gratuitous-ARP socket, or -1 */
};

static bool in_plan(const struct apo_plan_station *s, const char *name)
{
	for (size_t k = 0; k < s->n_ifaces; k++)
		if (!strcmp(s->ifaces[k].name, name))
			return true;
	return false;
}

/* Inside the namespace: drop links, say which are missing. */
static int prune(void *arg)
{
	struct conv *c = arg;
	const struct apo_plan_station *s = &c->u->plan->stations[c->i];
	struct apo_nl *nl;
	struct nl_cache *links = NULL;
	int r;

	if ((r = apo_nl_open(&nl)) < 0)
		return r;
	if (c->fresh) {
		if ((r = apo_nl_link_up(nl, 1)) < 0)
			goto out;
		if (s->forwarding && (r = apo_sysctl_net("ipv4/conf/all/send_redirects", "0")) < 0)
			goto out;
	}
	for (size_t k = 0; k < c->n_drop; k++) {
		r = apo_nl_link_del(nl, c->drop[k]);
		if (r < 0 && r != -ENODEV)
			goto out;
	}
	if (rtnl_link_alloc_cache(apo_nl_sock(nl), AF_UNSPEC, &links) < 0) {
		r = -EIO;
		goto out;
	}
	for (struct nl_object *o = nl_cache_get_first(links); o; o = nl_cache_get_next(o)) {
		struct rtnl_link *l = (struct rtnl_link *)o;
		const char *name = rtnl_link_get_name(l);
		if (rtnl_link_get_ifindex(l) == 1 || in_plan(s, name))
			continue;
		/* a leg of a cluster that went: its veth pair goes with it */
		if ((r = apo_nl_link_del(nl, name)) < 0 && r != -ENODEV)
			goto out;
	}
	for (size_t k = 0; k < s->n_ifaces; k++)
		c->missing[k] = apo_nl_ifindex(nl, s->ifaces[k].name) < 0;
	r = 0;
out:
	nl_cache_free(links);
	apo_nl_close(nl);
	return r;
}

struct drop1 {
	const char *name;
};

/* Inside a namespace: one link goes (absent is fine). */
static int drop_one(void *arg)
{
	const struct drop1 *d = arg;
	struct apo_nl *nl;
	int r;

	if ((r = apo_nl_open(&nl)) < 0)
		return r;
	r = apo_nl_link_del(nl, d->name);
	apo_nl_close(nl);
	return r == -ENODEV || r == -ENOENT ? 0 : r;
}

static bool has_addr(const struct apo_plan_iface *f, struct in_addr a, unsigned prefix)
{
	for (size_t m = 0; m < f->n_addrs; m++)
		if (f->addrs[m].addr.s_addr == a.s_addr && f->addrs[m].prefix == prefix)
			return true;
	return false;
}

static void in_of(struct nl_addr *a, struct in_addr *out)
{
	out->s_addr = 0;
	if (a && nl_addr_get_len(a) == 4)
		memcpy(out, nl_addr_get_binary_addr(a), 4);
}

/*
 * A gratuitous ARP for addr on the link (inside the namespace): a station
 * re-made, or an address moved, has a new MAC address, and its peers'
 * neighbour entries would otherwise send to the old one until they go
 * stale and are probed again (seconds of silence).
 *
 * One packet socket per namespace, *fd (opened at the first; closed
 * with the others at the end, apo_reconcile_arp_close).  Its protocol is
 * 0 and it is never bound: the kernel hooks it to no link, and the link
 * and protocol go in each destination.  A socket with a protocol is
 * re-hooked by bind, and each unhook waits for an RCU grace period, as
 * does every close (packet_release): bound, one socket per address cost
 * two grace periods per address, 30-40 ms here; now the closes of a
 * reconcile share one.
 */
static void garp(int *fd, int ifindex, const char *ifname, struct in_addr addr)
{
	struct ether_arp a;
	struct sockaddr_ll to = {.sll_family = AF_PACKET,
				 .sll_protocol = htons(ETH_P_ARP),
				 .sll_ifindex = ifindex,
				 .sll_halen = ETH_ALEN};
	struct ifreq ifr = {0};

	if (*fd < 0 && (*fd = socket(AF_PACKET, SOCK_DGRAM | SOCK_CLOEXEC, 0)) < 0)
		return;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	if (ioctl(*fd, SIOCGIFHWADDR, &ifr) < 0 || ifr.ifr_hwaddr.sa_family != ARPHRD_ETHER)
		return;
	memset(&a, 0, sizeof(a));
	a.arp_hrd = htons(ARPHRD_ETHER);
	a.arp_pro = htons(ETH_P_IP);
	a.arp_hln = ETH_ALEN;
	a.arp_pln = 4;
	a.arp_op = htons(ARPOP_REQUEST);
	memcpy(a.arp_sha, ifr.ifr_hwaddr.sa_data, ETH_ALEN);
	memcpy(a.arp_spa, &addr, 4);
	memcpy(a.arp_tpa, &addr, 4);
	memset(to.sll_addr, 0xff, ETH_ALEN);
	/* best effort: a peer that misses it re-resolves on its own */
	(void)!sendto(*fd, &a, sizeof(a), 0, (struct sockaddr *)&to, sizeof(to));
}

/* Inside the namespace: links up, addresses and routes as planned. */
static int converge(void *arg)
{
	struct conv *c = arg;
	const struct apo_plan_station *s = &c->u->plan->stations[c->i];
	struct nl_cache *addrs = NULL, *routes = NULL;
	struct apo_nl *nl;
	int r;

	if ((r = apo_nl_open(&nl)) < 0)
		return r;
	if (rtnl_addr_alloc_cache(apo_nl_sock(nl), &addrs) < 0 ||
	    rtnl_route_alloc_cache(apo_nl_sock(nl), AF_INET, 0, &routes) < 0) {
		r = -EIO;
		goto out;
	}
	for (size_t k = 0; k < s->n_ifaces; k++) {
		const struct apo_plan_iface *f = &s->ifaces[k];
		int ifindex = apo_nl_ifindex(nl, f->name);
		if (ifindex < 0) {
			r = ifindex;
			goto out;
		}
		if ((r = apo_up_link_setup(nl, s, ifindex)) < 0)
			goto out;
		/* extra addresses first: a moved address must leave its
		 * old link before it can be added to a new one */
		for (struct nl_object *o = nl_cache_get_first(addrs); o; o = nl_cache_get_next(o)) {
			struct rtnl_addr *a = (struct rtnl_addr *)o;
			struct in_addr x;
			if (rtnl_addr_get_family(a) != AF_INET ||
			    rtnl_addr_get_ifindex(a) != ifindex)
				continue;
			in_of(rtnl_addr_get_local(a), &x);
			unsigned pl = rtnl_addr_get_prefixlen(a);
			if (!has_addr(f, x, pl) && (r = apo_nl_addr_del(nl, ifindex, x, pl)) < 0 &&
			    r != -EADDRNOTAVAIL)
				goto out;
		}
		for (size_t m = 0; m < f->n_addrs; m++) {
			r = apo_nl_addr_add(nl, ifindex, f->addrs[m].addr, f->addrs[m].prefix);
			if (r < 0 && r != -EEXIST)
				goto out;
			if (r == 0)
				garp(&c->arp, ifindex, f->name, f->addrs[m].addr);
		}
	}
	/* routes: the kernel's own (connected) stay; ours converge */
	for (struct nl_object *o = nl_cache_get_first(routes); o; o = nl_cache_get_next(o)) {
		struct rtnl_route *rt = (struct rtnl_route *)o;
		struct in_addr dst, via = {0};
		bool keep = false;
		if (rtnl_route_get_table(rt) != RT_TABLE_MAIN ||
		    rtnl_route_get_protocol(rt) == RTPROT_KERNEL ||
		    rtnl_route_get_type(rt) != RTN_UNICAST || rtnl_route_get_nnexthops(rt) < 1)
			continue;
		in_of(rtnl_route_get_dst(rt), &dst);
		unsigned pl =
		    rtnl_route_get_dst(rt) ? nl_addr_get_prefixlen(rtnl_route_get_dst(rt)) : 0;
		struct rtnl_nexthop *nh = rtnl_route_nexthop_n(rt, 0);
		in_of(rtnl_route_nh_get_gateway(nh), &via);
		int ifi = rtnl_route_nh_get_ifindex(nh);
		for (size_t k = 0; k < s->n_routes && !keep; k++) {
			const struct apo_plan_route *pr = &s->routes[k];
			keep = pr->dst.addr.s_addr == dst.s_addr && pr->dst.prefix == pl &&
			       pr->via.s_addr == via.s_addr && apo_nl_ifindex(nl, pr->dev) == ifi;
		}
		if (!keep && (r = apo_nl_route_del(nl, dst, (uint8_t)pl, ifi)) < 0 && r != -ESRCH)
			goto out;
	}
	for (size_t k = 0; k < s->n_routes; k++) {
		const struct apo_plan_route *pr = &s->routes[k];
		int ifi = apo_nl_ifindex(nl, pr->dev);
		if (ifi < 0) {
			r = ifi;
			goto out;
		}
		r = apo_nl_route_add(nl, pr->dst.addr, pr->dst.prefix, pr->via, ifi);
		if (r < 0 && r != -EEXIST)
			goto out;
	}
	r = 0;
out:
	nl_cache_free(addrs);
	nl_cache_free(routes);
	apo_nl_close(nl);
	return r;
}

int apo_reconcile_station_net(struct apo_up *u, size_t i, bool fresh, const char *const *drop,
			      size_t n_drop)
{
	const struct apo_plan_station *s = &u->plan->stations[i];
	struct conv c = {u, i, drop, n_drop, apo_xcalloc(s->n_ifaces + 1, sizeof(bool)), fresh, -1};
	int r;

	if (u->nsfd[i] < 0 && (u->nsfd[i] = apo_netns_open(s->netns)) < 0) {
		r = apo_up_fail(u, u->nsfd[i], "namespace %s: open", s->netns);
		u->nsfd[i] = -1;
		goto out;
	}
	if ((r = apo_netns_run(u->nsfd[i], prune, &c)) < 0) {
		apo_up_fail(u, r, "namespace %s: links", s->netns);
		goto out;
	}
	for (size_t k = 0; k < s->n_ifaces; k++) {
		const struct apo_plan_iface *f = &s->ifaces[k];
		if (!c.missing[k])
			continue;
		if (f->kind == APO_IFACE_P2P) {
			/* a pair between two namespaces: made once, from this
			 * end; the peer's stale end (if any) goes first */
			const struct apo_plan_station *o = &u->plan->stations[f->peer_station];
			int *pfd = &u->nsfd[f->peer_station];
			if (*pfd < 0 && (*pfd = apo_netns_open(o->netns)) < 0) {
				r = apo_up_fail(u, *pfd, "namespace %s: open", o->netns);
				*pfd = -1;
				goto out;
			}
			struct drop1 d1 = {f->peer_name};
			if ((r = apo_netns_run(*pfd, drop_one, &d1)) < 0) {
				apo_up_fail(u, r, "namespace %s: link %s", o->netns, f->peer_name);
				goto out;
			}
		}
		if ((r = apo_up_link_make(u, u->host_nl, i, k)) < 0)
			goto out;
	}
	if ((r = apo_netns_run(u->nsfd[i], converge, &c)) < 0)
		apo_up_fail(u, r, "namespace %s: addresses and routes", s->netns);
	if (c.arp >= 0)
		APO_PUSH(u->arp_fds, u->n_arp_fds, u->cap_arp_fds, c.arp);
out:
	free(c.missing);
	return r;
}

static int close_item(void *ctx, size_t i, void *state)
{
	(void)state;
	close(((int *)ctx)[i]);
	return 0;
}

void apo_reconcile_arp_close(struct apo_up *u)
{
	/* each close waits for an RCU grace period (packet_release): on
	 * threads, the waits overlap; without one, the caller closes them */
	struct apo_work w = {.n = u->n_arp_fds, .ctx = u->arp_fds, .item = close_item};
	if (u->n_arp_fds)
		apo_workers_run(ARP_CLOSE_THREADS, &w);
	free(u->arp_fds);
	u->arp_fds = NULL;
	u->n_arp_fds = u->cap_arp_fds = 0;
}

int apo_undo_p2p(const struct apo_jentry *e)
{
	/* "FQDN:IFNAME": deleting one end deletes the pair */
	_cleanup_free_ char *ns = apo_xstrdup(e->name);
	char *colon = strrchr(ns, ':');
	struct drop1 d1;
	int fd, r;

	if (!colon)
		return -EINVAL;
	*colon = '\0';
	d1.name = colon + 1;
	if ((fd = apo_netns_open(ns)) < 0)
		return fd == -ENOENT ? 0 : fd;
	r = apo_netns_run(fd, drop_one, &d1);
	close(fd);
	return r;
}

/* The host's routes through the backbone: the ones to networks that went
 * are deleted, new ones added. */
int apo_reconcile_host_routes(struct apo_up *u, const char *const *gone, size_t n_gone)
{
	const struct apo_plan *p = u->plan;
	int ifindex = apo_nl_ifindex(u->host_nl, p->host.iface);
	int r;

	if (ifindex < 0)
		return apo_up_fail(u, ifindex, "link %s (host)", p->host.iface);
	for (size_t k = 0; k < n_gone; k++) {
		char buf[64];
		snprintf(buf, sizeof(buf), "%s", gone[k]);
		char *slash = strchr(buf, '/');
		struct in_addr a;
		if (!slash)
			continue;
		*slash = '\0';
		if (inet_pton(AF_INET, buf, &a) != 1)
			continue;
		r = apo_nl_route_del(u->host_nl, a, (uint8_t)atoi(slash + 1), ifindex);
		if (r < 0 && r != -ESRCH)
			return apo_up_fail(u, r, "route %s (host)", gone[k]);
	}
	for (size_t k = 0; k < p->host.n_routes; k++) {
		const struct apo_plan_route *rt = &p->host.routes[k];
		r = apo_nl_route_add(u->host_nl, rt->dst.addr, rt->dst.prefix, rt->via, ifindex);
		if (r < 0 && r != -EEXIST)
			return apo_up_fail(u, r, "route (host)");
	}
	return 0;
}
