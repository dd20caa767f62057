/* SPDX-License-Identifier: MIT */
/*
 * `apomon up`: realizes a plan as an ordered table of phases, under the
 * environment's lock, every object journaled before it exists.  Any
 * failure rolls back everything the journal knows, in reverse (down.c),
 * and the result names the step and the object.
 */
#ifndef APO_UP_H
#define APO_UP_H

#include <pthread.h>
#include <signal.h>
#include <stdbool.h>

#include "base/diag.h"
#include "base/fmt.h"
#include "engine/diff.h"
#include "engine/journal.h"
#include "net/netlink.h"
#include "plan/plan.h"
#include "base/progress.h"

struct apo_up_opts {
	bool quiet, json, verbose;
	bool network_only;		 /* only the network phases (tests, benchmarks) */
	bool dry_run;			 /* print what `up` would change, change nothing */
	unsigned threads;		 /* 0: apo_workers_default() */
	const struct apo_report *report; /* lines said while it works */
	/* A reconcile that fails puts back what it stopped or changed with
	 * the config of the last successful `up`, unpacked into dir (with
	 * the confdir it came from, for the paths it names): the caller
	 * loads, validates and plans it (*plan, and *handle released by
	 * previous_free).  NULL: a failed reconcile only undoes what it made. */
	int (*previous)(void *ctx, const char *dir, const char *confdir,
			const struct apo_plan **plan, void **handle);
	void (*previous_free)(void *ctx, void *handle);
	void *previous_ctx;
};

enum apo_up_outcome {
	APO_UP_REFUSED, /* locked, half-built or no state dir: nothing done (reported) */
	APO_UP_ALREADY, /* it was up: nothing done */
	APO_UP_FAILED,	/* a phase failed (reported) and everything was rolled back */
	APO_UP_DONE,
	APO_UP_RECONCILED, /* it was up, or --dry-run: the difference applied or
			    * printed: rec says how it went */
};

/* What `up` did to an environment that was up (APO_UP_RECONCILED). */
enum apo_rec_verdict {
	APO_REC_REFUSED, /* nothing done: error says why */
	APO_REC_NOTHING, /* nothing to change */
	APO_REC_DRY_RUN, /* diff is what it would change */
	APO_REC_DONE,	 /* diff applied */
	APO_REC_FAILED,	 /* error; rolled back unless left_behind */
};

struct apo_rec_result {
	enum apo_rec_verdict verdict;
	struct apo_diff diff;
	int undid_pid;	    /* an interrupted reconcile of this pid was undone first */
	int would_undo_pid; /* --dry-run: ... would be undone first (nothing done) */
	char **reloaded;    /* stations whose type applied their change live */
	size_t n_reloaded, cap_reloaded;
	bool left_behind; /* APO_REC_FAILED: the undo failed too */
	/* APO_REC_FAILED: the stations and networks it had touched were put
	 * back with the previous config (restored); or why not (NULL: it
	 * touched nothing to put back) */
	bool restored;
	char *not_restored;
	double ms;
};

struct apo_up_result {
	enum apo_up_outcome outcome;
	struct apo_rec_result rec; /* APO_UP_RECONCILED */
	char *error;		   /* APO_UP_FAILED: "link apv1a2b3c4d (www1 eth0): File exists" */
	bool left_behind;	   /* APO_UP_FAILED: the rollback failed too (reported) */
	/* APO_UP_FAILED: the environment had no data before this up, and the
	 * rollback removed what it made of it (its logs stay) */
	bool fresh;
	struct apo_progress *progress; /* the phases' times; NULL when refused */
};
void apo_up_result_clear(struct apo_up_result *res);

struct apo_up {
	const struct apo_plan *plan;
	const struct apo_up_opts *opts;
	struct apo_journal *journal;
	struct apo_progress *progress;
	struct apo_nl *host_nl; /* the host namespace; main thread only */
	int *nsfd;		/* per plan station: its namespace, O_CLOEXEC; -1 */
	int *bridge_ifindex;	/* per plan switch */
	uint32_t group;		/* link group of every host-side link (netlink.h) */
	pthread_mutex_t mutex;
	char *error; /* the first failure: "link apv1a2b3c4d (www1 eth0): File exists" */
	struct apo_rec_result *rec; /* a reconcile's account (reconcile.c) */
	/* a reconcile's gratuitous-ARP sockets, one per namespace, closed
	 * together (apo_reconcile_arp_close) */
	int *arp_fds;
	size_t n_arp_fds, cap_arp_fds;
};

/* Closes every station's namespace fd that is open (u->nsfd): once the
 * network phases are done, before the stations are launched.  Each
 * launch clones the fd table and its exec closes what was copied, so 1000
 * fds held open made each of 1000 launches copy and close 1000 files. */
void apo_up_close_nsfds(struct apo_up *u);

/* Records the first failure (later ones are consequences) and returns
 * err.  The message names the step and the object; ": strerror(-err)"
 * is appended. */
int apo_up_fail(struct apo_up *u, int err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Set by SIGINT/SIGTERM during `up`: phases stop and everything rolls back. */
extern volatile sig_atomic_t apo_up_interrupted;

struct apo_up_phase {
	const char *name; /* shown in the progress line and the JSON */
	/* how many objects it makes (for the progress line) */
	size_t (*count)(const struct apo_up *u);
	int (*run)(struct apo_up *u);
	/* part of the network (`up --network-only` runs only these) */
	bool network;
};

/* The phases, in order (up.c). */
extern const struct apo_up_phase apo_up_phases[];
extern const size_t apo_up_n_phases;

/* The network phases (up-net.c). */
int apo_up_precheck(struct apo_up *u);
size_t apo_up_count_switches(const struct apo_up *u);
size_t apo_up_count_stations(const struct apo_up *u);
size_t apo_up_count_links(const struct apo_up *u);
int apo_up_switches(struct apo_up *u);
int apo_up_namespaces(struct apo_up *u);
int apo_up_links(struct apo_up *u);
int apo_up_addresses(struct apo_up *u);
int apo_up_routes(struct apo_up *u);
/* One link of station st (its iface ifc), journaled: a veth whose host
 * end joins its switch, or a p2p pair between two stations' namespaces
 * (u->nsfd of both open); nl talks to the host.  0, or the failure,
 * recorded. */
int apo_up_link_make(struct apo_up *u, struct apo_nl *nl, size_t st, size_t ifc);
/* A station's link up with its IPv4 devconf (forwarder or member), from
 * inside its namespace. */
int apo_up_link_setup(struct apo_nl *nl, const struct apo_plan_station *s, int ifindex);

/* The images phase (before the network) and the stations phase (after
 * it), up-stations.c. */
size_t apo_up_count_images(const struct apo_up *u);
int apo_up_images(struct apo_up *u);
int apo_up_stations(struct apo_up *u);
size_t apo_up_count_guard(const struct apo_up *u);
int apo_up_guard(struct apo_up *u);
size_t apo_up_count_publish(const struct apo_up *u);
int apo_up_publish(struct apo_up *u);
/* `apomon start`/`restart`: starts these stations (indexes into
 * p->stations) of an environment that is up, as one level. */
int apo_up_start_some(const struct apo_plan *p, const size_t *idx, size_t n, char **err);

/* Up of an environment that is up applies the difference (reconcile.c),
 * journaled, each station undone alone; failures land in u->error. */
int apo_up_start_journaled(struct apo_up *u, const size_t *idx, size_t n);

/* The whole command: 0 (up, or already up), or negative errno; *res says
 * what happened (apo_up_result_clear). */
int apo_up(const struct apo_plan *plan, const struct apo_up_opts *opts, struct apo_up_result *res);

#endif
