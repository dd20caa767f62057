/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <netlink/netlink.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <netlink/route/link/bridge.h>
#include <netlink/route/link/inet.h>
#include <netlink/route/link/veth.h>
#include <netlink/route/route.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "net/netlink.h"
#include "base/time.h"
#include "base/util.h"

struct apo_nl {
	struct nl_sock *sk;
	int err; /* the kernel's errno of the last NLMSG_ERROR */
};

/* libnl folds the kernel's errno into its own codes; keep the original so
 * that messages can say exactly what the kernel said. */
static int on_error(struct sockaddr_nl *nla, struct nlmsgerr *e, void *arg)
{
	struct apo_nl *nl = arg;
	nl->err = -e->error;
	return NL_STOP;
}

static int nle_to_errno(int nle)
{
	switch (-nle) {
	case NLE_EXIST:
		return -EEXIST;
	case NLE_OBJ_NOTFOUND:
		return -ENOENT;
	case NLE_NODEV:
		return -ENODEV;
	case NLE_PERM:
		return -EPERM;
	case NLE_NOMEM:
		return -ENOMEM;
	case NLE_BUSY:
		return -EBUSY;
	case NLE_AGAIN:
		return -EAGAIN;
	case NLE_RANGE:
		return -ERANGE;
	case NLE_NOADDR:
		return -EADDRNOTAVAIL;
	case NLE_OPNOTSUPP:
		return -EOPNOTSUPP;
	case NLE_INVAL:
		return -EINVAL;
	default:
		return -EIO;
	}
}

static int result(struct apo_nl *nl, int r)
{
	if (r >= 0)
		return 0;
	return nl->err ? -nl->err : nle_to_errno(r);
}

int apo_nl_open(struct apo_nl **out)
{
	struct apo_nl *nl = apo_xcalloc(1, sizeof(*nl));
	int r;

	nl->sk = nl_socket_alloc();
	if (!nl->sk) {
		free(nl);
		return -ENOMEM;
	}
	r = nl_connect(nl->sk, NETLINK_ROUTE);
	if (r < 0) {
		nl_socket_free(nl->sk);
		free(nl);
		return nle_to_errno(r);
	}
	/* libnl does not set close-on-exec on its socket */
	fcntl(nl_socket_get_fd(nl->sk), F_SETFD, FD_CLOEXEC);
	nl_socket_modify_err_cb(nl->sk, NL_CB_CUSTOM, on_error, nl);
	*out = nl;
	return 0;
}

void apo_nl_close(struct apo_nl *nl)
{
	if (!nl)
		return;
	nl_socket_free(nl->sk);
	free(nl);
}

struct nl_sock *apo_nl_sock(struct apo_nl *nl)
{
	return nl->sk;
}

int apo_nl_ifindex(struct apo_nl *nl, const char *name)
{
	struct rtnl_link *l = NULL;
	int r;

	nl->err = 0;
	r = rtnl_link_get_kernel(nl->sk, 0, name, &l);
	if (r < 0)
		return result(nl, r) == -ENOENT ? -ENODEV : result(nl, r);
	r = rtnl_link_get_ifindex(l);
	rtnl_link_put(l);
	return r;
}

uint32_t apo_nl_env_group(const char *env)
{
	/* high bit set: out of the way of the small groups admins use */
	return 0x80000000u | (apo_fnv1a(env, strlen(env), APO_FNV_SEED) & 0x7fffffffu);
}

/* A raw request: libnl-route has no setter for the bridge's own
 * attributes (IFLA_INFO_DATA).  Multicast snooping off: the switch floods
 * multicast to every port, as a LAN without an IGMP querier does anyway
 * (the stations run none), and each port's enable and removal skip the
 * snooping state (1000 ports on one bridge: about 15% of adding them and
 * of deleting them, bench/README) */
int apo_nl_bridge_add(struct apo_nl *nl, const char *name, uint32_t group)
{
	struct ifinfomsg ifi = {.ifi_family = AF_UNSPEC};
	struct nl_msg *m =
	    nlmsg_alloc_simple(RTM_NEWLINK, NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL);
	struct nlattr *info, *data;
	int r;

	if (!m)
		return -ENOMEM;
	if (nlmsg_append(m, &ifi, sizeof(ifi), NLMSG_ALIGNTO) < 0 ||
	    nla_put_string(m, IFLA_IFNAME, name) < 0 ||
	    (group && nla_put_u32(m, IFLA_GROUP, group) < 0) ||
	    !(info = nla_nest_start(m, IFLA_LINKINFO)) ||
	    nla_put_string(m, IFLA_INFO_KIND, "bridge") < 0 ||
	    !(data = nla_nest_start(m, IFLA_INFO_DATA)) ||
	    nla_put_u8(m, IFLA_BR_MCAST_SNOOPING, 0) < 0) {
		nlmsg_free(m);
		return -EMSGSIZE;
	}
	nla_nest_end(m, data);
	nla_nest_end(m, info);
	nl->err = 0;
	r = nl_send_sync(nl->sk, m); /* frees m */
	return result(nl, r);
}

int apo_nl_veth_add(struct apo_nl *nl, const char *name, int ns_fd, int master, const char *peer,
		    int peer_ns_fd, uint32_t group)
{
	struct rtnl_link *l = rtnl_link_veth_alloc(), *p;
	int r;

	if (!l)
		return -ENOMEM;
	rtnl_link_set_name(l, name);
	if (group)
		rtnl_link_set_group(l, group);
	if (ns_fd >= 0)
		rtnl_link_set_ns_fd(l, ns_fd);
	if (master > 0)
		rtnl_link_set_master(l, master);
	p = rtnl_link_veth_get_peer(l);
	rtnl_link_set_name(p, peer);
	/* One queue each way, asked for: a veth otherwise gets one per
	 * possible CPU, and veth_newlink then trims each end to one real
	 * queue, which waits for an expedited RCU grace period per end
	 * (netif_set_real_num_tx_queues -> synchronize_net under RTNL) */
	rtnl_link_set_num_tx_queues(l, 1);
	rtnl_link_set_num_rx_queues(l, 1);
	rtnl_link_set_num_tx_queues(p, 1);
	rtnl_link_set_num_rx_queues(p, 1);
	/* no IFF_UP for the peer: this kernel (6.18) refuses peer flags
	 * with ENOTCONN; the peer is set up from inside its namespace */
	if (peer_ns_fd >= 0)
		rtnl_link_set_ns_fd(p, peer_ns_fd);
	rtnl_link_put(p);
	nl->err = 0;
	r = rtnl_link_add(nl->sk, l, NLM_F_CREATE | NLM_F_EXCL);
	rtnl_link_veth_release(l);
	return result(nl, r);
}

int apo_nl_link_del(struct apo_nl *nl, const char *name)
{
	struct rtnl_link *l = rtnl_link_alloc();
	int r;

	rtnl_link_set_name(l, name);
	nl->err = 0;
	r = rtnl_link_delete(nl->sk, l);
	rtnl_link_put(l);
	return result(nl, r);
}

int apo_nl_group_del(struct apo_nl *nl, uint32_t group)
{
	struct ifinfomsg ifi = {.ifi_family = AF_UNSPEC};
	struct nl_msg *m = nlmsg_alloc_simple(RTM_DELLINK, NLM_F_REQUEST | NLM_F_ACK);
	int r;

	if (!m)
		return -ENOMEM;
	if (nlmsg_append(m, &ifi, sizeof(ifi), NLMSG_ALIGNTO) < 0 ||
	    nla_put_u32(m, IFLA_GROUP, group) < 0) {
		nlmsg_free(m);
		return -EMSGSIZE;
	}
	nl->err = 0;
	r = nl_send_sync(nl->sk, m); /* frees m */
	r = result(nl, r);
	/* no link in the group: nothing to do */
	return r == -ENODEV ? 0 : r;
}

const char *apo_nl_group_user(struct apo_nl *nl, uint32_t group, char *buf, size_t len)
{
	struct nl_cache *cache;
	const char *found = NULL;

	if (rtnl_link_alloc_cache(nl->sk, AF_UNSPEC, &cache) < 0)
		return NULL;
	for (struct nl_object *o = nl_cache_get_first(cache); o; o = nl_cache_get_next(o)) {
		if (rtnl_link_get_group((struct rtnl_link *)o) == group) {
			snprintf(buf, len, "%s", rtnl_link_get_name((struct rtnl_link *)o));
			found = buf;
			break;
		}
	}
	nl_cache_free(cache);
	return found;
}

static int link_change(struct apo_nl *nl, int ifindex, struct rtnl_link *changes)
{
	struct rtnl_link *orig = rtnl_link_alloc();
	int r;

	rtnl_link_set_ifindex(orig, ifindex);
	nl->err = 0;
	r = rtnl_link_change(nl->sk, orig, changes, 0);
	rtnl_link_put(orig);
	return result(nl, r);
}

int apo_nl_link_up(struct apo_nl *nl, int ifindex)
{
	struct rtnl_link *c = rtnl_link_alloc();
	rtnl_link_set_flags(c, IFF_UP);
	int r = link_change(nl, ifindex, c);
	rtnl_link_put(c);
	return r;
}

/* RTM_NEWLINK on an existing link (by ifindex, else by name): up, no
 * IPv6 link-local address (addr_gen_mode none, applied before the link
 * goes up within the same request), and IPv4 devconf pairs. */
static int setup(struct apo_nl *nl, int ifindex, const char *name, const uint32_t (*conf)[2],
		 size_t n)
{
	struct ifinfomsg ifi = {.ifi_family = AF_UNSPEC,
				.ifi_index = ifindex > 0 ? ifindex : 0,
				.ifi_flags = IFF_UP,
				.ifi_change = IFF_UP};
	struct nl_msg *m = nlmsg_alloc_simple(RTM_NEWLINK, NLM_F_REQUEST | NLM_F_ACK);
	struct nlattr *spec, *af, *c;
	int r;

	if (!m)
		return -ENOMEM;
	if (nlmsg_append(m, &ifi, sizeof(ifi), NLMSG_ALIGNTO) < 0)
		goto too_big;
	if (ifindex <= 0 && nla_put_string(m, IFLA_IFNAME, name) < 0)
		goto too_big;
	if (!(spec = nla_nest_start(m, IFLA_AF_SPEC)))
		goto too_big;
	if (n) {
		if (!(af = nla_nest_start(m, AF_INET)) || !(c = nla_nest_start(m, IFLA_INET_CONF)))
			goto too_big;
		for (size_t i = 0; i < n; i++)
			if (nla_put_u32(m, (int)conf[i][0], conf[i][1]) < 0)
				goto too_big;
		nla_nest_end(m, c);
		nla_nest_end(m, af);
	}
	if (!(af = nla_nest_start(m, AF_INET6)) ||
	    nla_put_u8(m, IFLA_INET6_ADDR_GEN_MODE, IN6_ADDR_GEN_MODE_NONE) < 0)
		goto too_big;
	nla_nest_end(m, af);
	nla_nest_end(m, spec);
	nl->err = 0;
	r = nl_send_sync(nl->sk, m); /* frees m */
	return result(nl, r);
too_big:
	nlmsg_free(m);
	return -EMSGSIZE;
}

int apo_nl_link_setup(struct apo_nl *nl, int ifindex, const uint32_t (*conf)[2], size_t n)
{
	return setup(nl, ifindex, NULL, conf, n);
}

int apo_nl_link_setup_name(struct apo_nl *nl, const char *name)
{
	return setup(nl, 0, name, NULL, 0);
}

int apo_nl_inet_conf(struct apo_nl *nl, int ifindex, const uint32_t (*conf)[2], size_t n)
{
	struct rtnl_link *c = rtnl_link_alloc();
	int r = 0;

	for (size_t i = 0; i < n && r == 0; i++)
		if (rtnl_link_inet_set_conf(c, conf[i][0], conf[i][1]) < 0)
			r = -EINVAL;
	if (r == 0)
		r = link_change(nl, ifindex, c);
	rtnl_link_put(c);
	return r;
}

static struct nl_addr *v4(struct in_addr a, uint8_t prefix)
{
	struct nl_addr *n = nl_addr_build(AF_INET, &a, sizeof(a));
	if (!n)
		abort();
	nl_addr_set_prefixlen(n, prefix);
	return n;
}

int apo_nl_addr(struct apo_nl *nl, enum apo_nl_op op, int ifindex, struct in_addr addr,
		uint8_t prefix)
{
	struct rtnl_addr *a = rtnl_addr_alloc();
	struct nl_addr *local = v4(addr, prefix);
	int r;

	rtnl_addr_set_ifindex(a, ifindex);
	rtnl_addr_set_family(a, AF_INET);
	rtnl_addr_set_local(a, local);
	rtnl_addr_set_prefixlen(a, prefix);
	nl->err = 0;
	r = op == APO_NL_ADD ? rtnl_addr_add(nl->sk, a, NLM_F_EXCL)
			     : rtnl_addr_delete(nl->sk, a, 0);
	nl_addr_put(local);
	rtnl_addr_put(a);
	return result(nl, r);
}

int apo_nl_route(struct apo_nl *nl, enum apo_nl_op op, struct in_addr dst, uint8_t prefix,
		 struct in_addr gw, int ifindex)
{
	struct rtnl_route *rt = rtnl_route_alloc();
	struct rtnl_nexthop *nh = rtnl_route_nh_alloc();
	struct nl_addr *d = v4(dst, prefix);
	int r;

	rtnl_route_set_family(rt, AF_INET);
	rtnl_route_set_table(rt, RT_TABLE_MAIN);
	rtnl_route_set_dst(rt, d);
	rtnl_route_nh_set_ifindex(nh, ifindex);
	if (op == APO_NL_DEL) {
		/* RT_SCOPE_NOWHERE: the kernel matches a route of any scope */
		rtnl_route_set_scope(rt, RT_SCOPE_NOWHERE);
	} else if (gw.s_addr) {
		struct nl_addr *g = v4(gw, 32);
		rtnl_route_nh_set_gateway(nh, g);
		nl_addr_put(g);
		rtnl_route_set_scope(rt, RT_SCOPE_UNIVERSE);
	} else {
		rtnl_route_set_scope(rt, RT_SCOPE_LINK);
	}
	if (op == APO_NL_ADD)
		rtnl_route_set_protocol(rt, RTPROT_STATIC);
	rtnl_route_add_nexthop(rt, nh); /* rt owns nh now */
	nl->err = 0;
	r = op == APO_NL_ADD ? rtnl_route_add(nl->sk, rt, NLM_F_EXCL)
			     : rtnl_route_delete(nl->sk, rt, 0);
	nl_addr_put(d);
	rtnl_route_put(rt);
	return result(nl, r);
}

int apo_sysctl_net(const char *path, const char *value)
{
	char full[256];
	size_t len = strlen(value);
	int fd, r = 0;

	snprintf(full, sizeof(full), "/proc/sys/net/%s", path);
	fd = open(full, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (write(fd, value, len) != (ssize_t)len)
		r = errno ? -errno : -EIO;
	close(fd);
	return r;
}

/* --- waiting for links to go ------------------------------------------- */

struct gone {
	const char **names;
	size_t n, left;
};

static void mark_gone(struct gone *g, const char *name)
{
	for (size_t i = 0; i < g->n; i++) {
		if (g->names[i] && !strcmp(g->names[i], name)) {
			g->names[i] = NULL;
			g->left--;
			return;
		}
	}
}

static int on_link_event(struct nl_msg *msg, void *arg)
{
	struct nlmsghdr *h = nlmsg_hdr(msg);
	struct nlattr *tb[IFLA_MAX + 1];

	if (h->nlmsg_type != RTM_DELLINK)
		return NL_OK;
	if (nlmsg_parse(h, sizeof(struct ifinfomsg), tb, IFLA_MAX, NULL) < 0 || !tb[IFLA_IFNAME])
		return NL_OK;
	mark_gone(arg, nla_get_string(tb[IFLA_IFNAME]));
	return NL_OK;
}

/* One dump: whatever is not there any more is gone. */
static int recheck(struct apo_nl *nl, struct gone *g)
{
	struct nl_cache *cache;
	int r = rtnl_link_alloc_cache(nl->sk, AF_UNSPEC, &cache);
	if (r < 0)
		return nle_to_errno(r);
	for (size_t i = 0; i < g->n; i++) {
		if (!g->names[i])
			continue;
		struct rtnl_link *l = rtnl_link_get_by_name(cache, g->names[i]);
		if (l)
			rtnl_link_put(l);
		else
			mark_gone(g, g->names[i]);
	}
	nl_cache_free(cache);
	return 0;
}

int apo_nl_wait_links_gone(struct apo_nl *nl, const char **names, size_t n, unsigned timeout_ms)
{
	struct gone g = {.names = names, .n = n, .left = 0};
	struct nl_sock *ev;
	long deadline = (long)apo_now_ms() + timeout_ms;
	int r, bufsz = 4 << 20;

	for (size_t i = 0; i < n; i++)
		if (names[i])
			g.left++;
	if (!g.left)
		return 0;
	ev = nl_socket_alloc();
	if (!ev)
		return -ENOMEM;
	nl_socket_disable_seq_check(ev);
	nl_socket_modify_cb(ev, NL_CB_VALID, NL_CB_CUSTOM, on_link_event, &g);
	r = nl_connect(ev, NETLINK_ROUTE);
	if (r < 0)
		goto out_nle;
	fcntl(nl_socket_get_fd(ev), F_SETFD, FD_CLOEXEC);
	setsockopt(nl_socket_get_fd(ev), SOL_SOCKET, SO_RCVBUFFORCE, &bufsz, sizeof(bufsz));
	r = nl_socket_add_membership(ev, RTNLGRP_LINK);
	if (r < 0)
		goto out_nle;
	/* subscribed first, then looked: no removal can fall in between */
	if ((r = recheck(nl, &g)) < 0)
		goto out;
	nl_socket_set_nonblocking(ev);
	while (g.left) {
		long left = deadline - (long)apo_now_ms();
		if (left <= 0) {
			r = -ETIMEDOUT;
			goto out;
		}
		struct pollfd p = {.fd = nl_socket_get_fd(ev), .events = POLLIN};
		if (poll(&p, 1, (int)left) < 0 && errno != EINTR) {
			r = -errno;
			goto out;
		}
		if (!(p.revents & POLLIN))
			continue;
		r = nl_recvmsgs_default(ev);
		if (r == -NLE_NOMEM || r == -NLE_DUMP_INTR || r == -NLE_MSG_OVERFLOW) {
			/* ENOBUFS: events were lost; look again */
			if ((r = recheck(nl, &g)) < 0)
				goto out;
		} else if (r < 0 && r != -NLE_AGAIN) {
			goto out_nle;
		}
	}
	r = 0;
	goto out;
out_nle:
	r = nle_to_errno(r);
out:
	nl_socket_free(ev);
	return r;
}
