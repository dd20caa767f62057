/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "engine/down.h"
#include "engine/reconcile.h"
#include "net/netlink.h"
#include "net/netns.h"
#include "base/paths.h"
#include "runtime/runtime.h"
#include "base/util.h"
#include "base/workers.h"

/* The kinds that are not network objects, undone one at a time in
 * reverse journal order before the network goes. */
const struct apo_undo_kind apo_undo_kinds[] = {
    {"hosts", apo_undo_hosts, "hosts block"},	{"applied", apo_undo_applied, "applied snapshot"},
    {"station1", apo_undo_station1, "station"}, {"publish", apo_undo_publish, "published ports"},
    {"station", apo_undo_station, "station"},	{NULL, NULL, NULL},
};
const size_t apo_undo_n_kinds = APO_ARRAY_SIZE(apo_undo_kinds) - 1;

/* How long the kernel may take to free the links of deleted namespaces
 * before they are deleted one by one. */
#define LINKS_GONE_TIMEOUT_MS 5000

struct names {
	const char **v;
	size_t n, cap;
};

struct down {
	struct apo_progress *progress;
	const struct apo_report *report;
	struct names groups;
	struct names netns, veths, bridges;
	int failures;
	pthread_mutex_t mutex;
};

static void failed(struct down *d, const char *what, const char *name, int err)
{
	pthread_mutex_lock(&d->mutex);
	apo_report(d->report, "down: %s %s: %s", what, name, strerror(-err));
	d->failures++;
	pthread_mutex_unlock(&d->mutex);
}

static int ns_item(void *ctx, size_t i, void *state)
{
	struct down *d = ctx;
	int r = apo_netns_delete(d->netns.v[i]);
	if (r < 0 && r != -ENOENT)
		failed(d, "namespace", d->netns.v[i], r);
	apo_progress_step(d->progress);
	return 0; /* go on with the others */
}

int apo_down_replay(struct apo_journal *j, struct apo_progress *p, unsigned threads,
		    const struct apo_report *report)
{
	struct down d = {.progress = p, .report = report};
	struct apo_nl *nl = NULL;
	int r;

	pthread_mutex_init(&d.mutex, NULL);
	for (size_t i = j->n; i-- > 0;) {
		const struct apo_jentry *e = &j->entries[i];
		size_t k;

		if (e->state == APO_J_FAIL)
			continue; /* not ours */
		for (k = 0; k < apo_undo_n_kinds; k++)
			if (!strcmp(apo_undo_kinds[k].kind, e->kind))
				break;
		if (k < apo_undo_n_kinds) {
			if ((r = apo_undo_kinds[k].undo(e)) < 0)
				failed(&d, apo_undo_kinds[k].what, e->name, r);
		} else if (!strcmp(e->kind, "group")) {
			APO_PUSH(d.groups.v, d.groups.n, d.groups.cap, e->name);
		} else if (!strcmp(e->kind, "netns")) {
			APO_PUSH(d.netns.v, d.netns.n, d.netns.cap, e->name);
		} else if (!strcmp(e->kind, "veth")) {
			APO_PUSH(d.veths.v, d.veths.n, d.veths.cap, e->name);
		} else if (!strcmp(e->kind, "bridge")) {
			APO_PUSH(d.bridges.v, d.bridges.n, d.bridges.cap, e->name);
		} else if (strcmp(e->kind, "p2p")) {
			apo_report(report, "down: unknown journal record '%s %s': left alone",
				   e->kind, e->name);
			d.failures++;
		}
	}

	if ((r = apo_nl_open(&nl)) < 0) {
		failed(&d, "netlink", "socket", r);
		goto out;
	}
	/*
	 * Every host-side link first, with ONE request: the environment's
	 * link group holds its bridges and veth host ends, and the kernel
	 * unregisters a group (the veths' peers included) as one batch,
	 * paying its grace periods once.  Measured at 500 stations: 0.44 s
	 * in all, against 0.59 s for namespaces first (their veths die in
	 * cleanup_net's batch) then bridges, and 0.63 s for bridges and
	 * the group in parallel threads.
	 */
	apo_progress_phase(p, "links", d.groups.n);
	for (size_t i = 0; i < d.groups.n; i++) {
		r = apo_nl_group_del(nl, (uint32_t)strtoul(d.groups.v[i], NULL, 10));
		if (r < 0)
			failed(&d, "link group", d.groups.v[i], r);
		apo_progress_step(p);
	}

	/* then the namespaces: what is left in them (loopback, p2p links)
	 * dies with them, in cleanup_net's batch */
	{
		struct rlimit rl;
		if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
			rl.rlim_cur = rl.rlim_max;
			setrlimit(RLIMIT_NOFILE, &rl);
		}
	}
	apo_progress_phase(p, "namespaces", d.netns.n);
	struct apo_work w = {.n = d.netns.n, .ctx = &d, .item = ns_item};
	/* more threads than for `up`: concurrent unmounts share the RCU
	 * grace period each one waits for (measured at 1000: ~150 ms with
	 * 4 threads, ~25 ms with 8) */
	/* a pool that could not start does the work on this thread; what
	 * it still reports is a failure: the journal must stay */
	if (d.netns.n && (r = apo_workers_run(threads			 ? threads
					      : getenv("APOMON_THREADS") ? 0
									 : 8,
					      &w)) < 0)
		failed(&d, "namespaces", "workers", r);

	apo_progress_phase(p, "leftover links", d.veths.n);
	if (d.veths.n) {
		/* names still present after the wait are deleted one by one
		 * (e.g. a namespace something else still holds) */
		const char **left = apo_xcalloc(d.veths.n, sizeof(*left));
		memcpy(left, d.veths.v, d.veths.n * sizeof(*left));
		r = apo_nl_wait_links_gone(nl, left, d.veths.n, LINKS_GONE_TIMEOUT_MS);
		for (size_t i = 0; i < d.veths.n; i++) {
			if (!left[i])
				continue;
			int e = apo_nl_link_del(nl, left[i]);
			if (e < 0 && e != -ENODEV && e != -ENOENT)
				failed(&d, "link", left[i], e);
		}
		free(left);
		if (r < 0 && r != -ETIMEDOUT)
			failed(&d, "links", "wait", r);
	}

	/* a journal from before groups, or a group refused: by name */
	apo_progress_phase(p, "switches", d.bridges.n);
	for (size_t i = 0; i < d.bridges.n; i++) {
		r = apo_nl_link_del(nl, d.bridges.v[i]);
		if (r < 0 && r != -ENODEV && r != -ENOENT)
			failed(&d, "switch", d.bridges.v[i], r);
		apo_progress_step(p);
	}
out:
	apo_nl_close(nl);
	free(d.groups.v);
	free(d.netns.v);
	free(d.veths.v);
	free(d.bridges.v);
	pthread_mutex_destroy(&d.mutex);
	return d.failures;
}

/* the stations' writable layers, the environment's SSH key and CA, the
 * logs: only below the lib and log dirs, ENV one checked component */
static int purge(const char *env, const struct apo_report *report)
{
	int r = apo_runtime_down(env, 0, true);
	if (r < 0) {
		_cleanup_free_ char *lib = apo_env_lib_dir(env);
		_cleanup_free_ char *log = apo_env_log_dir(env);
		apo_report(report, "down: --purge: environment '%s' (%s, %s): %s", env, lib, log,
			   strerror(-r));
	}
	return r;
}

void apo_down_result_clear(struct apo_down_result *res)
{
	apo_progress_free(res->progress);
	memset(res, 0, sizeof(*res));
}

int apo_down(const char *env, const struct apo_down_opts *o, struct apo_down_result *res)
{
	struct apo_journal *j = NULL;
	_cleanup_free_ char *busy = NULL;
	int r;

	memset(res, 0, sizeof(*res));
	res->outcome = APO_DOWN_REFUSED;
	r = apo_journal_open(env, "down", &j, &busy);
	if (r < 0) {
		if (busy)
			apo_report(o->report, "%s", busy);
		else
			apo_report(o->report, "down: environment '%s': %s", env, strerror(-r));
		return r;
	}
	if (!apo_journal_exists(j)) {
		if (o->purge && (r = purge(env, o->report)) < 0)
			goto out;
		apo_journal_remove(j);
		res->outcome = APO_DOWN_NOTHING;
		goto out;
	}
	res->outcome = APO_DOWN_DONE;
	res->records = j->n;
	res->progress = apo_progress_new("down", o->quiet, o->json);
	res->failures = apo_down_replay(j, res->progress, o->threads, o->report);
	apo_progress_end(res->progress);
	/* the data goes only once nothing of the environment runs */
	if (res->failures == 0 && o->purge && purge(env, o->report) < 0)
		res->failures++;
	if (res->failures == 0 && (r = apo_journal_remove(j)) < 0) {
		apo_report(o->report, "down: %s: %s", j->dir, strerror(-r));
		res->failures++;
	}
	r = res->failures ? -EIO : 0;
out:
	apo_journal_close(j);
	return r;
}
