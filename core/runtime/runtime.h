/* SPDX-License-Identifier: MIT */
/*
 * The runtime: the plan's stations as running units, level by level.
 *
 * Per station (apo_runtime_start_level):
 *   1. journal    o->journal(the level's stations) before their first object exists
 *   2. root       overlay of its image's layers under its writable layer
 *   3. files      /etc/hosts, /etc/resolv.conf (from the plan), and the
 *                 environment's SSH key for user 3pg when the image has one
 *   4. render     the type's render hook writes its config into the root
 *   5. integrity  o->integrity(station, root): the seal check  <- INTEGRITY GATE
 *                 (also o->integrity_before_render, before step 4)
 *   6. init       apomon-init runs startup.sh in the station's namespaces
 * (the stations of a level on a few threads: callbacks and the type's
 * render hook must be thread-safe), then for the whole level, in
 * parallel (a few threads, each round robin over its share):
 *   7. ready      the type's ready hook until it returns 0 or the type's
 *                 ready_timeout_ms passes; a type without a ready hook is
 *                 ready once startup.sh runs and is idle (blocked in the
 *                 kernel with all its children: waiting on or being its
 *                 server).  startup.sh exiting at any point fails the
 *                 station.
 *
 * Contract for startup.sh: it is the station's long-running entrypoint
 * (it execs its server, or starts it and waits).  Its exit is the
 * station's stop; a non-zero exit is a failure.
 */
#ifndef APO_RUNTIME_H
#define APO_RUNTIME_H

#include <signal.h>
#include <stdbool.h>
#include <stdio.h>

#include "plugin/services.h"
#include "plan/plan.h"
#include "runtime/station.h"

struct apo_runtime_opts {
	unsigned grace_ms; /* SIGTERM to SIGKILL; 0 = APO_STATION_GRACE_MS */
	FILE *progress;	   /* one line a station; NULL: quiet */
	void *ctx;	   /* handed to the callbacks */

	/* The image's layer directories, LOWEST FIRST (as the images part
	 * returns them); freed with layers_free.  Required. */
	int (*layers)(void *ctx, const char *image, char ***dirs, size_t *n);
	void (*layers_free)(void *ctx, char **dirs, size_t n);

	/* INTEGRITY GATE: called after render, before init starts.  0 lets
	 * the station start; otherwise *why says what failed ("/etc/x:
	 * digest mismatch") and the launch fails.  NULL: no check. */
	int (*integrity)(void *ctx, const struct apo_plan_station *ps, const char *root,
			 char **why);

	/* Called with a level's stations before any of their objects (dir,
	 * mount, cgroup, process) is created, so that `down` after a crash
	 * knows to clean them up.  NULL: nothing to record. */
	int (*journal)(void *ctx, const char *const *stations, size_t n);

	/* Set asynchronously (SIGINT/SIGTERM): stop waiting, fail. */
	const volatile sig_atomic_t *interrupted;

	/* Called when a station passed its startup checks (progress). */
	void (*on_ready)(void *ctx, const char *station);

	/* INTEGRITY GATE before render: called once the root is mounted,
	 * before the type renders into it, so that a sealed file edited
	 * inside the station is reported, not overwritten by the render.
	 * As integrity; NULL: no check. */
	int (*integrity_before_render)(void *ctx, const struct apo_plan_station *ps,
				       const char *root, char **why);
};

/* Fills the runtime's hooks of the host struct (run, netns_fd). */
void apo_runtime_wire(struct apo_services_ctx *hc);

/*
 * Starts every level of the plan in order.  On failure *err names the
 * station and the step and quotes the end of its log; the caller rolls
 * back (apo_runtime_down).  0 or a negative errno.
 */
int apo_runtime_start(const struct apo_plan *p, struct apo_services_ctx *hc,
		      const struct apo_runtime_opts *o, char **err);

/* Starts some stations of the plan (indexes into p->stations) as one
 * level: what `apomon start` and `restart` use. */
int apo_runtime_start_level(const struct apo_plan *p, struct apo_services_ctx *hc,
			    const struct apo_runtime_opts *o, const size_t *idx, size_t n,
			    char **err);

/* Stops every station of env (all at once), unmounts, removes cgroups and
 * state; purge: their writable layers and logs too.  Idempotent. */
int apo_runtime_down(const char *env, unsigned grace_ms, bool purge);

/* The environment's data (lib dir: layers, keys, CA, id ranges) and,
 * with logs, its log dir, removed without following a link; ENV must be
 * one component and not the image store's (-EINVAL).  Nothing of the
 * environment may run.  Absent is 0. */
int apo_runtime_drop_data(const char *env, bool logs);

/* The last `lines` lines of a station's log, indented, for messages
 * (caller frees; says so when it is empty). */
char *apo_runtime_log_tail(const char *env, const char *name, unsigned lines);

/* The environment's SSH key pair under /var/lib/apomon/ENV/ssh/ (made
 * when missing, runtime/ssh-keys.h): *priv the private key's path, *pub
 * the public key's text (caller frees both). */
int apo_runtime_ssh_key(const char *env, char **priv, char **pub);

/* The station NAME an argument means: NAME or its FQDN (caller frees). */
char *apo_runtime_station_name(const char *env, const char *arg);

/* /etc/hosts and /etc/resolv.conf of a planned station (caller frees). */
char *apo_runtime_hosts(const struct apo_plan *p, const struct apo_plan_station *ps);
char *apo_runtime_resolv(const struct apo_plan *p, const struct apo_plan_station *ps);

#endif
