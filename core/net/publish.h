/* SPDX-License-Identifier: MIT */
/*
 * Published ports: a host port that reaches one station's port, from the
 * host itself (127.0.0.1 and the host's own addresses), bypassing the
 * cluster's gateway.
 *
 * nftables through libnftables rather than a forwarder of our own: the
 * kernel does the work, so nothing has to keep running after `up`
 * returns, connections keep their addresses end to end, and the table
 * `apomon-ENV` is one object to journal and to delete at `down`.  Only
 * the output hook is used (locally made connections): nothing from other
 * machines is forwarded and the host's forwarding settings stay as they
 * are.  Connections from 127.0.0.1 leave through the host <-> backbone
 * link, so that one interface (ours) gets route_localnet, and translated
 * connections leaving through it are masqueraded to the host's address on
 * it, which the backbone routes back.  Frames on the clusters' switches
 * are not tracked by the host (see publish.c).
 */
#ifndef APO_PUBLISH_H
#define APO_PUBLISH_H

#include "plan/plan.h"

/* "apomon-ENV": the nftables table (family ip) of an environment. */
char *apo_publish_table(const char *env);

/* The ruleset apo_publish_apply loads (caller frees); NULL when the plan
 * publishes nothing.  Pure. */
char *apo_publish_ruleset(const struct apo_plan *p);

/* Creates the table (replacing a stale one).  0 or a negative errno with
 * *err saying what nftables refused (caller frees). */
int apo_publish_apply(const struct apo_plan *p, char **err);

/* The host's guard, table inet apomon-ENV (caller frees), pure: on the
 * host's input hook, what arrives from the environment (its networks,
 * station addresses, the host link and the switches) is dropped but the
 * replies to what the host opened and the config's host_services; nothing
 * from stations reaches 127.0.0.0/8, route_localnet or not. */
char *apo_guard_ruleset(const struct apo_plan *p);

/* Creates the guard table (replacing a stale one); as apo_publish_apply. */
int apo_guard_apply(const struct apo_plan *p, char **err);

/* Each published host port (and protocol) is free on the host: 0, or a
 * negative errno (-EADDRINUSE: a program holds it) with *err naming the
 * port and the station (caller frees). */
int apo_publish_check_free(const struct apo_plan *p, char **err);

/* Deletes env's tables (ip: published ports; inet: the guard); 0 also
 * when they do not exist. */
int apo_publish_remove(const char *env);

#endif
