/* SPDX-License-Identifier: MIT */
/*
 * The kernel objects of a topology, through libnl-3 (route library).
 * A struct apo_nl is a netlink socket bound to the network namespace of
 * the thread that opened it; it keeps talking to that namespace whichever
 * thread uses it later (one thread at a time).  Every call waits for the
 * kernel's answer and returns 0 or the kernel's own negative errno (not
 * libnl's folded codes), so that messages say "File exists".
 */
#ifndef APO_NETLINK_H
#define APO_NETLINK_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>

struct apo_nl;
struct nl_sock;

int apo_nl_open(struct apo_nl **out);
void apo_nl_close(struct apo_nl *nl);
struct nl_sock *apo_nl_sock(struct apo_nl *nl);

/* ifindex of NAME (> 0), or -ENODEV. */
int apo_nl_ifindex(struct apo_nl *nl, const char *name);

/*
 * Every host-side link of an environment (bridges, veth host ends) gets
 * the environment's link group (IFLA_GROUP) in its creating request, so
 * that `down` removes them all with ONE request: the kernel unregisters
 * a group's links (and their veth peers) as one batch, paying its RCU
 * grace periods once instead of ~35 ms a bridge and ~20 ms a veth.
 */
uint32_t apo_nl_env_group(const char *env);

/* A bridge, down, in group (0: none): set it up with
 * apo_nl_link_setup_name, which also switches its IPv6 link-local address
 * off (an up bridge with one took ~40 ms to delete, without ~16 ms). */
int apo_nl_bridge_add(struct apo_nl *nl, const char *name, uint32_t group);

/*
 * A veth pair in ONE request, both ends down (this kernel refuses a
 * peer's flags; and a link must not go up before its IPv6 link-local
 * address is switched off, see apo_nl_link_setup):
 *   name: in this socket's namespace, or in ns_fd when ns_fd >= 0;
 *         enslaved to master when master > 0;
 *   peer: created directly in peer_ns_fd (>= 0) or this socket's namespace.
 * Moving an end afterwards costs about 16 ms a link; this costs none.
 */
int apo_nl_veth_add(struct apo_nl *nl, const char *name, int ns_fd, int master, const char *peer,
		    int peer_ns_fd, uint32_t group);

/* Deletes every link of the group in this socket's namespace, in one
 * kernel batch.  0 also when there was none. */
int apo_nl_group_del(struct apo_nl *nl, uint32_t group);

/* The name of some link of the group (for messages), or NULL; frees
 * nothing: buf gets it. */
const char *apo_nl_group_user(struct apo_nl *nl, uint32_t group, char *buf, size_t len);

int apo_nl_link_del(struct apo_nl *nl, const char *name);
int apo_nl_link_up(struct apo_nl *nl, int ifindex);
/*
 * Up, in one request with: IPv4 devconf pairs (as apo_nl_inet_conf), and
 * IPv6 addr_gen_mode none.  Topologies are IPv4 only; a link-local
 * address a link would cost its DAD and MLD on the way up and, worse, a
 * walk of the namespace's whole IPv6 FIB when it goes: at 1000 host-side
 * links that walk was a quarter of `down`.
 */
int apo_nl_link_setup(struct apo_nl *nl, int ifindex, const uint32_t (*conf)[2], size_t n);
/* The same by name, without devconf (host-side ends). */
int apo_nl_link_setup_name(struct apo_nl *nl, const char *name);

/* Per-link IPv4 devconf (IFLA_AF_SPEC/IFLA_INET_CONF): pairs of
 * IPV4_DEVCONF_* id and value, n pairs. */
int apo_nl_inet_conf(struct apo_nl *nl, int ifindex, const uint32_t (*conf)[2], size_t n);

enum apo_nl_op { APO_NL_ADD, APO_NL_DEL };

/* Adds addr/prefix to ifindex (-EEXIST when there), or deletes it
 * (-EADDRNOTAVAIL when absent). */
int apo_nl_addr(struct apo_nl *nl, enum apo_nl_op op, int ifindex, struct in_addr addr,
		uint8_t prefix);

/* Adds dst/prefix via gw (0.0.0.0: on-link) dev ifindex to the main
 * table (-EEXIST when there), or deletes the main-table route to
 * dst/prefix through ifindex, whatever its gateway (gw unused; -ESRCH
 * when absent). */
int apo_nl_route(struct apo_nl *nl, enum apo_nl_op op, struct in_addr dst, uint8_t prefix,
		 struct in_addr gw, int ifindex);

/* The callers' names for the four requests. */
static inline int apo_nl_addr_add(struct apo_nl *nl, int ifindex, struct in_addr addr,
				  uint8_t prefix)
{
	return apo_nl_addr(nl, APO_NL_ADD, ifindex, addr, prefix);
}
static inline int apo_nl_addr_del(struct apo_nl *nl, int ifindex, struct in_addr addr,
				  uint8_t prefix)
{
	return apo_nl_addr(nl, APO_NL_DEL, ifindex, addr, prefix);
}
static inline int apo_nl_route_add(struct apo_nl *nl, struct in_addr dst, uint8_t prefix,
				   struct in_addr gw, int ifindex)
{
	return apo_nl_route(nl, APO_NL_ADD, dst, prefix, gw, ifindex);
}
static inline int apo_nl_route_del(struct apo_nl *nl, struct in_addr dst, uint8_t prefix,
				   int ifindex)
{
	return apo_nl_route(nl, APO_NL_DEL, dst, prefix, (struct in_addr){0}, ifindex);
}

/* Writes VALUE to /proc/sys/net/PATH of the calling thread's namespace. */
int apo_sysctl_net(const char *path, const char *value);

/*
 * Waits until none of the named links exists in this socket's namespace
 * (the kernel removes a namespace's veths asynchronously, after its last
 * user is gone), listening to link notifications.  0, or -ETIMEDOUT with
 * the links still present left in names (others set to NULL).
 */
int apo_nl_wait_links_gone(struct apo_nl *nl, const char **names, size_t n, unsigned timeout_ms);

#endif
