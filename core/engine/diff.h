/* SPDX-License-Identifier: MIT */
/*
 * What `up` would change in an environment that is up: `apomon diff`,
 * `apomon up --dry-run`, and the list `up` applies (reconcile.c).
 *
 * Three inputs, all JSON so that the comparison is a pure function a unit
 * test feeds with fixtures:
 *   applied   the snapshot the last successful `up` stored in the
 *             environment's state (/run/apomon/ENV/applied.json);
 *   wanted    the snapshot of the plan of the files as they are now;
 *   observed  what runs: per station of `applied`, whether its namespace
 *             exists and its init runs; per switch, whether its bridge
 *             exists.  A station that died or whose namespace went is
 *             started or re-created even when the files did not change.
 *
 * A snapshot holds per station what its rendered config depends on as
 * digests (the settings, seal and limits) and as values (its addresses,
 * its dependencies' addresses), and its network (links, addresses,
 * routes), so that each change lands in exactly one group below.
 */
#ifndef APO_DIFF_H
#define APO_DIFF_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stdio.h>

#include "plan/plan.h"

/* The groups, in the order they are printed (and the issue lists them). */
enum apo_change_group {
	APO_CH_SWITCH_ADD,
	APO_CH_SWITCH_DEL,
	APO_CH_STATION_ADD,
	APO_CH_STATION_DEL,
	APO_CH_ENABLE,
	APO_CH_DISABLE,
	APO_CH_RECREATE, /* image, type, host name changed, or its namespace is gone */
	/* re-rendered, then reloaded in place (its type's reload hook) or
	 * restarted: settings, seal, limits, deps' addresses */
	APO_CH_RESTART,
	APO_CH_START,	/* unchanged but not running */
	APO_CH_ADDRESS, /* addresses and routes, in place */
	APO_CH_LINK,	/* links added or removed (a station's new leg, p2p) */
	APO_CH_PUBLISH,
	APO_CH_DNS,
	APO_CH_HOSTNAME,
	APO_CH_GUARD, /* the host's guard follows the networks */
	APO_CH_N_GROUPS,
};

/* "stations added", ...; for the JSON, a key: "stations_added". */
const char *apo_change_group_name(enum apo_change_group g);
const char *apo_change_group_key(enum apo_change_group g);

struct apo_change {
	enum apo_change_group group;
	char sign;    /* '+', '-', '~' (changed), '!' (not running) */
	char *object; /* a station, cluster, port or record */
	char *detail; /* why, or what: "settings", "eth0 10.1.0.12/24 -> 10.1.0.13/24" */
};

struct apo_diff {
	struct apo_change *v;
	size_t n, cap;
};

/* The snapshot of a plan (caller puts it). */
struct json_object *apo_snapshot_of_plan(const struct apo_plan *p);

/*
 * The digest of a plan's snapshot as `up` applied it (with or without
 * --network-only): kept as the first member of the applied snapshot, so
 * that a no-op `up` knows the files did not change without parsing it.
 */
char *apo_snapshot_digest(struct json_object *snap, bool network_only);
/* The digest at the head of env's applied snapshot: 0, -ENOENT (none, or
 * an older apomon's), or a negative errno. */
int apo_applied_digest(const char *env, char hex[static 65]);

/*
 * Compares; applied NULL: nothing is up (everything is added).  observed
 * NULL: trust applied.  Pure.  d is filled in group order.
 */
void apo_diff_compute(struct json_object *applied, struct json_object *wanted,
		      struct json_object *observed, struct apo_diff *d);
void apo_diff_clear(struct apo_diff *d);

/* True when the diff has a change of group g about object (NULL: any). */
bool apo_diff_has(const struct apo_diff *d, enum apo_change_group g, const char *object);

/* One line a change ("station restarted: www1 (settings)"); JSON. */
void apo_diff_print(const struct apo_diff *d, FILE *out);
struct json_object *apo_diff_json(const struct apo_diff *d);

/* The applied snapshot of env: read (NULL and 0 when none), written
 * atomically (write + rename), its path (caller frees). */
char *apo_applied_path(const char *env);
int apo_applied_read(const char *env, struct json_object **out);
int apo_applied_write(const char *env, struct json_object *snap);

/*
 * The config files of confdir as the applied snapshot keeps them under
 * "config": {"confdir", "files": {"conf.d/10-x.conf": TEXT}}: apomon.conf,
 * conf.d/\*.conf, and of the n_read files the loader read (the model's
 * files) those below confdir, its @include targets; NULL when one is
 * unreadable.  Unpacked into dir (made, 0700, with the directories on
 * the way) for a loader: 0, -ENOENT when cfg holds none, -EBADMSG for a
 * name that would leave dir.
 */
struct json_object *apo_applied_config_of(const char *confdir, const char *const *read,
					  size_t n_read);
int apo_applied_config_unpack(struct json_object *cfg, const char *dir);

/* What runs now of the applied snapshot (caller puts). */
struct json_object *apo_observe(const char *env, struct json_object *applied);

#endif
