/* SPDX-License-Identifier: MIT */
/*
 * `up` on an environment that is up: applies the diff between what runs
 * and the plan of the files (diff.h), in a safe order, each object
 * journaled like a fresh `up`:
 *   1. images, the host guard (when networks or addresses changed)
 *   2. new switches; the running stations that send traffic to a
 *      running station about to move or restart (a balancer and its
 *      backend) and can reload drain it (host->draining); stations
 *      re-created lose their old namespace
 *   3. namespaces of new stations; each changed station's links,
 *      addresses and routes converge in place; the host's routes
 *   4. stations (new, re-created, re-rendered, not running), level by
 *      level in dependency order; a running one is stopped first; one
 *      whose type has a `reload` hook and whose settings alone changed
 *      is reloaded instead; then, all of them ready, the stations that
 *      drained reload again with nothing draining
 *   5. published ports, the backbone's DNS (reload hook, else restart)
 *   6. removals, in reverse level order: stations, their namespaces and
 *      links, then switches
 *   7. the new applied snapshot, then `complete`
 * The journal gets "begin PID reconcile" first.  A reconcile that fails
 * undoes the objects it created (the records after its begin, one by
 * one) and completes the journal again; one that was killed is undone
 * the same way by the next `up` before it reconciles afresh, or by
 * `down` with everything else.  A drain is a reload, not an object: after
 * such an undo that `up` skips the no-op shortcut, and every running
 * station whose type can reload reloads with nothing draining (step 4).
 */
#ifndef APO_RECONCILE_H
#define APO_RECONCILE_H

#include <stdbool.h>

#include "engine/diff.h"
#include "engine/up.h"

/* The diff of an environment: applied snapshot, what runs, the plan.
 * 0 (d filled), or negative errno with *err (caller frees). */
int apo_reconcile_diff(const struct apo_plan *p, struct apo_diff *d, char **err);

/* `up` of an environment whose journal is open and complete or left by
 * a killed reconcile (up.c calls it): fills res (its verdict, the diff,
 * the error in u->error); prints nothing. */
void apo_reconcile(struct apo_up *u, struct apo_rec_result *res);
void apo_rec_result_clear(struct apo_rec_result *res);

/* Undoes the records of the journal from index `from` on, in reverse,
 * one object at a time (each failure said through report); returns how
 * many failed. */
int apo_reconcile_undo(struct apo_journal *j, size_t from, const struct apo_report *report);

/* reconcile-net.c */
int apo_reconcile_station_net(struct apo_up *u, size_t i, bool fresh, const char *const *drop,
			      size_t n_drop);
/* Closes the gratuitous-ARP sockets of apo_reconcile_station_net, on
 * threads of their own: each close waits for an RCU grace period
 * (packet_release), and concurrent ones share it.  Idempotent. */
void apo_reconcile_arp_close(struct apo_up *u);
/* The undo of `p2p FQDN:IFNAME` made by a reconcile (the pair goes). */
int apo_undo_p2p(const struct apo_jentry *e);
int apo_reconcile_host_routes(struct apo_up *u, const char *const *gone, size_t n_gone);

/* A fresh `up` stores its snapshot before `complete` (up.c). */
int apo_reconcile_save(struct apo_up *u);

/* The undo of `station1 NAME ENV` (one station) and `applied PATH ENV`. */
int apo_undo_station1(const struct apo_jentry *e);
int apo_undo_applied(const struct apo_jentry *e);

#endif
