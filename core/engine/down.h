/* SPDX-License-Identifier: MIT */
/*
 * `apomon down` and the rollback of a failed `up`: replays the journal in
 * reverse.  Other parts' records (processes, mounts) are undone first,
 * one by one; then the network, in the order that measured fastest:
 *   1. the environment's link group (netlink.h): every bridge and veth
 *      host end, and with them their peers inside the stations, in ONE
 *      kernel batch;
 *   2. the namespaces (umount + unlink): what is left in them (loopback,
 *      p2p links) dies with them in the kernel's cleanup batch;
 *   3. journaled links and bridges still there by name (a journal from
 *      before groups, or a namespace something else still holds).
 * Addresses and routes go with their links and are not journaled.
 * Idempotent: what is already gone is fine.  Records marked `fail` (the
 * kernel refused: the object is someone else's) are never touched.
 */
#ifndef APO_DOWN_H
#define APO_DOWN_H

#include <stdbool.h>

#include "base/diag.h"
#include "engine/journal.h"
#include "base/progress.h"

/* How to undo a kind of journal record.  The network kinds (group,
 * bridge, netns, veth, p2p) are handled in down.c; the others (hosts,
 * publish, station) are listed in apo_undo_kinds and undone one by one,
 * in reverse journal order, before any network object goes. */
struct apo_undo_kind {
	const char *kind;
	/* 0, or negative errno (already gone must count as 0) */
	int (*undo)(const struct apo_jentry *e);
	/* "namespace", "mount": for messages */
	const char *what;
};
extern const struct apo_undo_kind apo_undo_kinds[];
extern const size_t apo_undo_n_kinds;

/* The runtime's undo of a `station NAME ENV` record (up-stations.c). */
int apo_undo_station(const struct apo_jentry *e);
int apo_undo_publish(const struct apo_jentry *e);
int apo_undo_hosts(const struct apo_jentry *e);

struct apo_down_opts {
	bool quiet, json, verbose;
	/* and the environment's data and logs, under its lock, once nothing
	 * of it runs */
	bool purge;
	unsigned threads;
	const struct apo_report *report; /* lines said while it works */
};

enum apo_down_outcome {
	APO_DOWN_REFUSED, /* locked, no state dir, or --purge failed (reported) */
	APO_DOWN_NOTHING, /* it was not up */
	APO_DOWN_DONE,	  /* the journal was replayed: see failures */
};

struct apo_down_result {
	enum apo_down_outcome outcome;
	size_t records; /* in the journal */
	int failures;	/* objects that could not be removed (reported); the journal stays */
	struct apo_progress *progress; /* APO_DOWN_DONE: the phases' times */
};
void apo_down_result_clear(struct apo_down_result *res);

/* Undoes every record of a locked journal; reports one line per failure
 * ("down: namespace X: Device or resource busy") and returns how many
 * failed (0: everything is gone). */
int apo_down_replay(struct apo_journal *j, struct apo_progress *p, unsigned threads,
		    const struct apo_report *report);

/* The whole command: 0 (down, or nothing to do), or negative errno; *res
 * says what happened (apo_down_result_clear). */
int apo_down(const char *env, const struct apo_down_opts *opts, struct apo_down_result *res);

#endif
