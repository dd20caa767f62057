/* SPDX-License-Identifier: MIT */
/* `up` on an environment that is up (reconcile.h). */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/fs.h"
#include "base/paths.h"
#include "base/util.h"
#include "image/image-build.h"
#include "integrity/ca.h"
#include "integrity/conf-integrity.h"
#include "plugin/services.h"
#include "engine/down.h"
#include "engine/reconcile.h"
#include "net/netns.h"
#include "net/publish.h"
#include "runtime/runtime.h"

int apo_undo_station1(const struct apo_jentry *e)
{
	if (!e->detail)
		return -EINVAL;
	return apo_station_cleanup(e->detail, e->name, APO_STATION_GRACE_MS, false);
}

int apo_undo_applied(const struct apo_jentry *e)
{
	_cleanup_free_ char *tmp = apo_xasprintf("%s.new", e->name);
	unlink(tmp);
	return unlink(e->name) < 0 && errno != ENOENT ? -errno : 0;
}

int apo_reconcile_undo(struct apo_journal *j, size_t from, const struct apo_report *report)
{
	struct apo_nl *nl = NULL;
	int failures = 0, r;

	if (apo_nl_open(&nl) < 0)
		return 1;
	for (size_t i = j->n; i-- > from;) {
		const struct apo_jentry *e = &j->entries[i];
		if (e->state == APO_J_FAIL)
			continue;
		if (!strcmp(e->kind, "station1"))
			r = apo_undo_station1(e);
		else if (!strcmp(e->kind, "netns"))
			r = apo_netns_delete(e->name);
		else if (!strcmp(e->kind, "p2p"))
			r = apo_undo_p2p(e);
		else if (!strcmp(e->kind, "veth") || !strcmp(e->kind, "bridge"))
			r = apo_nl_link_del(nl, e->name);
		else
			r = 0; /* the snapshot and tables are replaced, not made */
		if (r == -ENOENT || r == -ENODEV)
			r = 0;
		if (r < 0) {
			apo_report(report, "up: undo %s %s: %s", e->kind, e->name, strerror(-r));
			failures++;
		}
	}
	apo_nl_close(nl);
	return failures;
}

/*
 * The no-op `up`'s short way: true when the applied snapshot's digest is
 * that of p's snapshot (the files did not change) and everything of it
 * runs; then the snapshot itself, with its config texts the largest file
 * `up` reads, is not parsed.  False: the full comparison decides.
 */
static bool unchanged(const struct apo_plan *p)
{
	char had[65];
	struct json_object *wanted;
	struct apo_diff d;
	bool network_only, same;

	if (apo_applied_digest(p->env, had) < 0)
		return false;
	wanted = apo_snapshot_of_plan(p);
	char *plain = apo_snapshot_digest(wanted, false);
	char *no = apo_snapshot_digest(wanted, true);
	network_only = !strcmp(had, no);
	same = network_only || !strcmp(had, plain);
	free(plain);
	free(no);
	if (same) {
		/* the applied snapshot is this one: what runs of it decides */
		struct json_object *obs = apo_observe(p->env, wanted);
		if (network_only)
			json_object_object_add(wanted, "network_only",
					       json_object_new_boolean(true));
		apo_diff_compute(wanted, wanted, obs, &d);
		same = !d.n;
		apo_diff_clear(&d);
		json_object_put(obs);
	}
	json_object_put(wanted);
	return same;
}

/* The diff of p against applied (NULL: nothing is up) and what runs. */
static void diff_of(const struct apo_plan *p, struct json_object *applied, struct apo_diff *d)
{
	struct json_object *obs = applied ? apo_observe(p->env, applied) : NULL;
	struct json_object *wanted = apo_snapshot_of_plan(p);

	apo_diff_compute(applied, wanted, obs, d);
	json_object_put(obs);
	json_object_put(wanted);
}

int apo_reconcile_diff(const struct apo_plan *p, struct apo_diff *d, char **err)
{
	struct json_object *applied = NULL;
	int r;

	*err = NULL;
	memset(d, 0, sizeof(*d));
	if (unchanged(p))
		return 0;
	if ((r = apo_applied_read(p->env, &applied)) < 0) {
		_cleanup_free_ char *path = apo_applied_path(p->env);
		*err = apo_xasprintf("environment '%s': %s: %s", p->env, path, strerror(-r));
		return r;
	}
	diff_of(p, applied, d);
	json_object_put(applied);
	return 0;
}

/* --- the steps ------------------------------------------------------------ */

struct rec {
	struct apo_up *u;
	struct json_object *applied;
	struct apo_diff d;
	bool *new_ns, *net, *start; /* per plan station */
	bool *reload;		    /* start: try its type's reload hook first */
	bool *draining;		    /* moves or restarts: its dependents drain it */
	bool *drained;		    /* a dependent reloaded with some draining: undrain() */
	unsigned step;		    /* fault(): steps so far */
	/* the stations and clusters a step began to change: what a failed
	 * reconcile puts back (rollback()) */
	char **touched;
	size_t n_touched, cap_touched;
	bool rollback;		    /* putting the previous config back: no faults */
	bool undrain_all;	    /* an interrupted reconcile was undone: undrain() */
	struct json_object *config; /* the files to store with the snapshot */
};

static void touch(struct rec *c, const char *name)
{
	for (size_t i = 0; i < c->n_touched; i++)
		if (!strcmp(c->touched[i], name))
			return;
	APO_PUSH(c->touched, c->n_touched, c->cap_touched, apo_xstrdup(name));
}

static bool touched(const struct rec *c, const char *name)
{
	for (size_t i = 0; i < c->n_touched; i++)
		if (!strcmp(c->touched[i], name))
			return true;
	return false;
}

static struct json_object *jget(struct json_object *o, const char *k)
{
	struct json_object *v = NULL;
	if (o)
		json_object_object_get_ex(o, k, &v);
	return v;
}

static const char *jstr(struct json_object *o, const char *k)
{
	struct json_object *v = jget(o, k);
	return v ? json_object_get_string(v) : "";
}

/* How long the kernel may take to free the veths of deleted namespaces
 * before the ones left are deleted by name (a namespace something else
 * still holds: an `ip netns exec` shell).  Removing 10 stations of 510
 * took 174-196 ms in all (bench/README); a batch later than this only
 * costs a request per link. */
#define LINKS_GONE_TIMEOUT_MS 1000

/*
 * Stations of the applied snapshot go (their data stays): stopped, in
 * the order given; then their namespaces, all of them, and the kernel
 * removes their veth pairs in its cleanup batch, one unregistration whose
 * RCU grace periods are paid once; this waits until their host ends are
 * gone.  Deleted one request a host end, each paid them again: 25-45 ms
 * a station next to 500 others.
 */
static int remove_old(struct rec *c, const char *const *names, size_t n)
{
	struct apo_up *u = c->u;
	const char **ends = NULL;
	size_t n_ends = 0, cap = 0;
	int r = 0;

	for (size_t i = 0; i < n && r == 0; i++) {
		touch(c, names[i]);
		r = apo_station_cleanup(u->plan->env, names[i], APO_STATION_GRACE_MS, false);
		if (r < 0)
			r = apo_up_fail(u, r, "%s: stop", names[i]);
	}
	for (size_t i = 0; i < n && r == 0; i++) {
		struct json_object *st = jget(jget(c->applied, "stations"), names[i]);
		r = apo_netns_delete(jstr(st, "fqdn"));
		if (r < 0 && r != -ENOENT) {
			r = apo_up_fail(u, r, "namespace %s", jstr(st, "fqdn"));
			break;
		}
		r = 0;
		json_object_object_foreach(jget(st, "ifaces"), ifname, f)
		{
			(void)ifname;
			if (strcmp(jstr(f, "kind"), "p2p"))
				APO_PUSH(ends, n_ends, cap, jstr(f, "peer"));
		}
	}
	if (r == 0 && n_ends) {
		int w = apo_nl_wait_links_gone(u->host_nl, ends, n_ends, LINKS_GONE_TIMEOUT_MS);
		if (w < 0 && w != -ETIMEDOUT)
			r = apo_up_fail(u, w, "links of removed stations: wait");
		for (size_t k = 0; r == 0 && k < n_ends; k++) {
			if (!ends[k])
				continue; /* gone */
			int e = apo_nl_link_del(u->host_nl, ends[k]);
			if (e < 0 && e != -ENODEV && e != -ENOENT)
				r = apo_up_fail(u, e, "link %s", ends[k]);
		}
	}
	free(ends);
	return r;
}

static int add_switches(struct rec *c)
{
	struct apo_up *u = c->u;
	const struct apo_plan *p = u->plan;
	int r;

	for (size_t i = 0; i < p->n_switches; i++) {
		const struct apo_plan_switch *sw = &p->switches[i];
		if (apo_diff_has(&c->d, APO_CH_SWITCH_ADD, sw->cluster->name)) {
			/* a switch that changed goes first */
			touch(c, sw->cluster->name);
			r = apo_nl_link_del(u->host_nl, sw->name);
			if (r < 0 && r != -ENODEV)
				return apo_up_fail(u, r, "switch %s", sw->name);
			apo_journal_intent(u->journal, "bridge", sw->name, sw->cluster->name);
			if ((r = apo_journal_flush(u->journal)) < 0)
				return apo_up_fail(u, r, "journal %s", u->journal->dir);
			if ((r = apo_nl_bridge_add(u->host_nl, sw->name, u->group)) < 0) {
				if (r == -EEXIST)
					apo_journal_fail(u->journal, "bridge", sw->name);
				return apo_up_fail(u, r, "switch %s (cluster %s)", sw->name,
						   sw->cluster->name);
			}
			apo_journal_done(u->journal, "bridge", sw->name);
			if ((r = apo_nl_link_setup_name(u->host_nl, sw->name)) < 0)
				return apo_up_fail(u, r, "switch %s: up", sw->name);
		}
		if ((r = apo_nl_ifindex(u->host_nl, sw->name)) < 0)
			return apo_up_fail(u, r, "switch %s (cluster %s)", sw->name,
					   sw->cluster->name);
		u->bridge_ifindex[i] = r;
	}
	return apo_journal_sync(u->journal);
}

static int namespaces(struct rec *c)
{
	struct apo_up *u = c->u;
	const struct apo_plan *p = u->plan;
	int r;

	if ((r = apo_netns_prepare()) < 0)
		return apo_up_fail(u, r, "namespaces: %s", apo_netns_dir());
	for (size_t i = 0; i < p->n_stations; i++) {
		const char *ns = p->stations[i].netns;
		if (!c->new_ns[i])
			continue;
		apo_journal_intent(u->journal, "netns", ns, NULL);
		if ((r = apo_journal_flush(u->journal)) < 0)
			return apo_up_fail(u, r, "journal %s", u->journal->dir);
		if ((r = apo_netns_create(ns)) < 0) {
			if (r == -EEXIST)
				apo_journal_fail(u->journal, "netns", ns);
			return apo_up_fail(u, r, "namespace %s", ns);
		}
		apo_journal_done(u->journal, "netns", ns);
	}
	if ((r = apo_journal_sync(u->journal)) < 0)
		return apo_up_fail(u, r, "journal %s", u->journal->dir);
	for (size_t i = 0; i < p->n_stations; i++) {
		if (!c->net[i])
			continue;
		touch(c, p->stations[i].station->name);
		if ((r = apo_reconcile_station_net(u, i, c->new_ns[i], NULL, 0)) < 0)
			return r;
	}
	apo_reconcile_arp_close(u);
	if (apo_diff_has(&c->d, APO_CH_SWITCH_ADD, NULL) ||
	    apo_diff_has(&c->d, APO_CH_SWITCH_DEL, NULL) ||
	    apo_diff_has(&c->d, APO_CH_ADDRESS, "host")) {
		const char **gone = NULL;
		size_t n = 0, cap = 0;
		for (size_t k = 0; k < c->d.n; k++) {
			if (c->d.v[k].group != APO_CH_SWITCH_DEL)
				continue;
			struct json_object *sw =
			    jget(jget(c->applied, "switches"), c->d.v[k].object);
			const char *net = jstr(sw, "network");
			APO_PUSH(gone, n, cap, net);
		}
		r = apo_reconcile_host_routes(u, gone, n);
		free(gone);
		if (r < 0)
			return r;
	}
	return 0;
}

static bool running(const char *env, const char *name)
{
	struct apo_station_info in = {0};
	return apo_station_info(env, name, &in) == 0 &&
	       (in.state == APO_STATION_READY || in.state == APO_STATION_STARTING);
}

/*
 * A running station's type applies a change live (the reload hook, into
 * its root as its init sees it): 0 done, -EOPNOTSUPP when it must be
 * restarted instead (no hook, not running, or the type says so).
 */
static int try_reload(struct rec *c, size_t i, const bool *draining, bool report)
{
	struct apo_up *u = c->u;
	const struct apo_plan *p = u->plan;
	const struct apo_station *s = p->stations[i].station;
	const struct apomon_station_type *t = s->type;
	struct apo_station_info in = {0};
	struct apo_services_ctx hc;
	struct apo_diag d;
	_cleanup_free_ char *ca = NULL, *root = NULL;
	int r;

	if (!t || !APOMON_TYPE_HAS(t, reload) || !t->reload)
		return -EOPNOTSUPP;
	if (apo_station_info(p->env, s->name, &in) < 0 || in.state != APO_STATION_READY)
		return -EOPNOTSUPP;
	root = apo_xasprintf("/proc/%d/root", (int)in.pid);
	if ((r = apo_ca_ensure(p->env, &ca, NULL)) < 0)
		return apo_up_fail(u, r, "%s: reload: CA", s->fqdn);
	apo_diag_init(&d);
	apo_services_ctx_init(&hc, (struct apo_model *)p->model, &d);
	hc.plan = p;
	hc.ca_file = ca;
	apo_runtime_wire(&hc);
	struct apomon_station *h = apo_services_handle(&hc, s);
	h->root = apo_xstrdup(root);
	for (size_t k = 0; draining && k < p->n_stations; k++)
		if (draining[k])
			apo_services_handle(&hc, p->stations[k].station)->draining = true;
	r = t->reload(&apo_services, h);
	apo_services_ctx_clear(&hc);
	apo_diag_clear(&d);
	if (r < 0 && r != -EOPNOTSUPP)
		return apo_up_fail(u, r, "%s: %s", s->fqdn, draining ? "drain" : "reload");
	/* what it wrote passes the gate a restart would have passed: a
	 * sealed config is not changed live behind the seal's back.  A hook
	 * should call host->check_sealed itself before the service reads the
	 * new file (haproxy's does, before SIGUSR2); this gate stays as the
	 * backstop for hooks that do not, and then it comes late: the
	 * config may already be live when it fails. */
	if (r == 0) {
		_cleanup_free_ char *why = NULL;
		int g = apo_integrity_gate(p->model, s, root, NULL, &why);
		if (g < 0)
			return apo_up_fail(u, g, "%s: reload: integrity: %s", s->fqdn,
					   why ? why : "failed");
	}
	if (r == 0 && report) {
		struct apo_rec_result *res = u->rec;
		APO_PUSH(res->reloaded, res->n_reloaded, res->cap_reloaded, apo_xstrdup(s->fqdn));
	}
	return r;
}

/* Level by level: the stations to (re)start of a level stop, then start
 * together. */
static int stations(struct rec *c)
{
	struct apo_up *u = c->u;
	const struct apo_plan *p = u->plan;
	size_t *idx = apo_xcalloc(p->n_stations + 1, sizeof(*idx));
	int r = 0;

	for (size_t l = 0; l < p->n_levels && r >= 0; l++) {
		size_t n = 0;
		for (size_t k = 0; k < p->levels[l].n && r >= 0; k++) {
			size_t i = p->levels[l].stations[k];
			if (!c->start[i] || c->drained[i])
				continue; /* drained: undrain() reloads it */
			touch(c, p->stations[i].station->name);
			/* only re-rendered (its namespace and addresses stay):
			 * its type may apply that live */
			if (c->reload[i] && (r = try_reload(c, i, NULL, true)) != -EOPNOTSUPP)
				continue;
			r = 0;
			idx[n++] = i;
		}
		if (r < 0)
			break;
		if (!n)
			continue;
		for (size_t k = 0; k < n && r >= 0; k++) {
			const char *name = p->stations[idx[k]].station->name;
			if (running(p->env, name) &&
			    (r = apo_station_stop(p->env, name, APO_STATION_GRACE_MS)) < 0)
				apo_up_fail(u, r, "%s: stop", p->stations[idx[k]].netns);
		}
		if (r >= 0)
			r = apo_up_start_journaled(u, idx, n);
	}
	free(idx);
	return r;
}

/*
 * Before a running station moves or restarts, the running stations whose
 * config points at it (its name is among their `deps` in the applied
 * snapshot: a balancer's backends, a `depends`) and that can reload stop
 * sending it traffic: their reload hook renders it draining
 * (host->draining; haproxy: `disabled`).  They are left out of the
 * level-by-level pass and reloaded again by undrain(), once every station
 * this reconcile starts is ready.  A dependent that restarts anyway, or
 * whose type says -EOPNOTSUPP, is not drained.  One whose render does not
 * name the station (a balancer and its cluster's mail server) renders
 * the same bytes, which its hook leaves alone.
 */
static int drain(struct rec *c)
{
	struct apo_up *u = c->u;
	const struct apo_plan *p = u->plan;
	struct json_object *sa = jget(c->applied, "stations");
	bool any = false;
	int r;

	if (u->opts->network_only)
		return 0; /* starts nothing: nothing to undrain */
	for (size_t i = 0; i < p->n_stations; i++) {
		const char *x = p->stations[i].station->name;
		if (!c->net[i] && !(c->start[i] && !c->reload[i]))
			continue;
		if (!jget(sa, x) || !running(p->env, x))
			continue; /* new, or not serving anyway */
		for (size_t j = 0; j < p->n_stations; j++) {
			const struct apo_station *d = p->stations[j].station;
			if (j == i || c->net[j] || c->new_ns[j] || (c->start[j] && !c->reload[j]))
				continue;
			if (!d->type || !APOMON_TYPE_HAS(d->type, reload) || !d->type->reload ||
			    !jget(jget(jget(sa, d->name), "deps"), x))
				continue;
			c->draining[i] = c->drained[j] = any = true;
		}
	}
	for (size_t j = 0; any && j < p->n_stations; j++) {
		if (!c->drained[j])
			continue;
		touch(c, p->stations[j].station->name);
		if ((r = try_reload(c, j, c->draining, false)) == -EOPNOTSUPP) {
			c->drained[j] = false; /* not running, or restarts: the pass does it */
			continue;
		}
		if (r < 0)
			return r;
	}
	return 0;
}

/* The dependents drain() reloaded, now that what they drained is ready
 * (or gone): reloaded with nothing draining, restarted when their type
 * cannot reload now. */
static int undrain(struct rec *c)
{
	struct apo_up *u = c->u;
	const struct apo_plan *p = u->plan;
	int r;

	for (size_t j = 0; j < p->n_stations; j++) {
		if (!c->drained[j])
			continue;
		touch(c, p->stations[j].station->name);
		/* said as reloaded when the change was its own too */
		if ((r = try_reload(c, j, NULL, c->start[j])) != -EOPNOTSUPP) {
			if (r < 0)
				return r;
			continue;
		}
		const char *name = p->stations[j].station->name;
		if (running(p->env, name) &&
		    (r = apo_station_stop(p->env, name, APO_STATION_GRACE_MS)) < 0)
			return apo_up_fail(u, r, "%s: stop", p->stations[j].netns);
		if ((r = apo_up_start_journaled(u, &j, 1)) < 0)
			return r;
	}
	/* after an interrupted reconcile was undone: a drain is a reload, no
	 * object its undo knows, so whatever it drained still runs with
	 * that config.  Every running station whose type can reload does,
	 * with nothing draining (a render that is the same bytes is left
	 * alone by its hook: haproxy is not signalled); those this pass
	 * started or undrained above were rendered so already. */
	for (size_t j = 0; c->undrain_all && !u->opts->network_only && j < p->n_stations; j++) {
		const struct apomon_station_type *t = p->stations[j].station->type;
		if (c->drained[j] || c->start[j] || !t || !APOMON_TYPE_HAS(t, reload) ||
		    !t->reload || !running(p->env, p->stations[j].station->name))
			continue;
		touch(c, p->stations[j].station->name);
		if ((r = try_reload(c, j, NULL, false)) < 0 && r != -EOPNOTSUPP)
			return r;
	}
	return 0;
}

static int publish(struct rec *c)
{
	struct apo_up *u = c->u;
	char *err = NULL;
	int r = 0;

	if (apo_diff_has(&c->d, APO_CH_GUARD, NULL) && (r = apo_guard_apply(u->plan, &err)) < 0)
		apo_up_fail(u, r, "guard: %s", err ? err : "refused");
	else if (apo_diff_has(&c->d, APO_CH_PUBLISH, NULL) &&
		 (r = apo_publish_apply(u->plan, &err)) < 0)
		apo_up_fail(u, r, "publish: %s", err ? err : "refused");
	free(err);
	return r;
}

/* Removed and disabled stations in reverse level order, then switches. */
static int removals(struct rec *c)
{
	struct apo_up *u = c->u;
	int r;

	const char **gone = NULL;
	size_t n_gone = 0, cap = 0;
	for (int lvl = 64; lvl >= 0; lvl--) {
		for (size_t k = 0; k < c->d.n; k++) {
			const struct apo_change *ch = &c->d.v[k];
			if (ch->group != APO_CH_STATION_DEL && ch->group != APO_CH_DISABLE)
				continue;
			struct json_object *st = jget(jget(c->applied, "stations"), ch->object);
			struct json_object *lv = jget(st, "level");
			int l = lv ? json_object_get_int(lv) : 0;
			if (l > 64)
				l = 64;
			if (l == lvl)
				APO_PUSH(gone, n_gone, cap, ch->object);
		}
	}
	r = remove_old(c, gone, n_gone);
	free(gone);
	if (r < 0)
		return r;
	for (size_t k = 0; k < c->d.n; k++) {
		const struct apo_change *ch = &c->d.v[k];
		if (ch->group != APO_CH_SWITCH_DEL ||
		    apo_diff_has(&c->d, APO_CH_SWITCH_ADD, ch->object))
			continue;
		const char *br = jstr(jget(jget(c->applied, "switches"), ch->object), "bridge");
		touch(c, ch->object);
		r = apo_nl_link_del(u->host_nl, br);
		if (r < 0 && r != -ENODEV)
			return apo_up_fail(u, r, "switch %s (cluster %s)", br, ch->object);
	}
	return 0;
}

/* The snapshot of u's plan with its config files (config: those, else
 * the ones in the plan's confdir now) */
static int save(struct apo_up *u, struct json_object *config)
{
	_cleanup_free_ char *path = apo_applied_path(u->plan->env);
	struct json_object *plan = apo_snapshot_of_plan(u->plan);
	_cleanup_free_ char *digest = apo_snapshot_digest(plan, u->opts->network_only);
	struct json_object *snap = json_object_new_object();
	struct json_object *cfg =
	    config ? json_object_get(config)
	    : u->plan->model->confdir
		? apo_applied_config_of(u->plan->model->confdir,
					(const char *const *)u->plan->model->files,
					u->plan->model->n_files)
		: NULL;
	int r;

	/* the digest first: what a no-op `up` reads of it (unchanged()) */
	json_object_object_add(snap, "digest", json_object_new_string(digest));
	json_object_object_foreach(plan, key, val)
	{
		json_object_object_add(snap, key, json_object_get(val));
	}
	json_object_put(plan);
	/* without it a failed reconcile cannot put stations back: said then */
	if (cfg)
		json_object_object_add(snap, "config", cfg);
	if (u->opts->network_only)
		json_object_object_add(snap, "network_only", json_object_new_boolean(true));
	apo_journal_intent(u->journal, "applied", path, u->plan->env);
	if ((r = apo_journal_sync(u->journal)) < 0)
		return apo_up_fail(u, r, "journal %s", u->journal->dir);
	r = apo_applied_write(u->plan->env, snap);
	json_object_put(snap);
	if (r < 0)
		return apo_up_fail(u, r, "%s", path);
	apo_journal_done(u->journal, "applied", path);
	return 0;
}

int apo_reconcile_save(struct apo_up *u)
{
	return save(u, NULL);
}

/* Which plan stations get a new namespace, a network pass, a start. */
static void classify(struct rec *c)
{
	const struct apo_plan *p = c->u->plan;

	for (size_t k = 0; k < c->d.n; k++) {
		const struct apo_change *ch = &c->d.v[k];
		ssize_t i = apo_plan_find(p, ch->object);
		if (i < 0)
			continue;
		switch (ch->group) {
		case APO_CH_STATION_ADD:
		case APO_CH_ENABLE:
		case APO_CH_RECREATE:
			c->new_ns[i] = c->net[i] = c->start[i] = true;
			break;
		case APO_CH_ADDRESS:
		case APO_CH_LINK:
			c->net[i] = true;
			break;
		case APO_CH_RESTART:
			c->start[i] = true;
			c->reload[i] = !c->net[i];
			break;
		case APO_CH_START:
			c->start[i] = true;
			break;
		default:
			break;
		}
	}
	/* the backbone's DNS follows the records: reloaded in place when
	 * its type can (dns: a hosts file and SIGHUP), else restarted (its
	 * namespace stays, so routing between clusters goes on); a type
	 * that renders nothing serves no DNS */
	const struct apomon_station_type *bt = p->stations[p->backbone].station->type;
	if (apo_diff_has(&c->d, APO_CH_DNS, NULL) && bt && bt->render && !c->start[p->backbone]) {
		c->start[p->backbone] = true;
		c->reload[p->backbone] = true;
	}
	/* a station whose network changes restarts: never reloaded (the
	 * backbone's new legs are its own business: its type says) */
	for (size_t i = 0; i < p->n_stations; i++)
		if (c->net[i] && i != p->backbone)
			c->reload[i] = false;
	if (c->u->opts->network_only)
		memset(c->start, 0, p->n_stations * sizeof(bool));
}

/*
 * Fault injection for the tests: APOMON_RECONCILE_FAULT=K makes the K-th
 * step fail, =kill:K kills the process with SIGKILL right before it
 * (a real crash at a known point).  Steps are counted from 1.
 */
static int fault(struct rec *c, const char *step)
{
	const char *f = getenv("APOMON_RECONCILE_FAULT");
	bool kill = f && !strncmp(f, "kill:", 5);
	unsigned k = f ? (unsigned)atoi(kill ? f + 5 : f) : 0;

	c->step++;
	if (!k || k != c->step || c->rollback)
		return 0;
	if (kill)
		raise(SIGKILL);
	return apo_up_fail(c->u, -EIO, "%s: injected fault at step %u", step, k);
}

/* The images of the stations this reconcile starts, built when missing
 * or stale: not every image of the plan, as a first `up` does (an image's
 * digest reads its whole definition). */
static int images(struct rec *c)
{
	struct apo_up *u = c->u;
	const struct apo_plan *p = u->plan;
	struct apo_image_opts o = {.build = true, .verbose = u->opts->verbose};
	const char **done = apo_xcalloc(p->n_stations + 1, sizeof(*done));
	size_t n = 0;
	int r = 0;

	o.progress = u->opts->quiet || u->opts->json ? NULL : stderr;
	for (size_t i = 0; i < p->n_stations && r >= 0; i++) {
		const struct apo_station *s = p->stations[i].station;
		const char *im = s->image ? s->image : s->type ? s->type->image : NULL;
		size_t k;
		if (!c->start[i] || !im)
			continue;
		for (k = 0; k < n && strcmp(done[k], im); k++)
			;
		if (k < n)
			continue;
		done[n++] = im;
		if ((r = apo_image_ensure(im, &o, NULL)) < 0)
			apo_up_fail(u, r, "image %s", im);
	}
	free(done);
	return r;
}

static int apply(struct rec *c)
{
	struct apo_up *u = c->u;
	int r;

	if ((r = fault(c, "images")) < 0 || (!u->opts->network_only && (r = images(c)) < 0))
		return r;
	if ((r = fault(c, "switches")) < 0 || (r = add_switches(c)) < 0)
		return r;
	if ((r = fault(c, "drain")) < 0 || (r = drain(c)) < 0)
		return r;
	if ((r = fault(c, "re-created stations")) < 0)
		return r;
	const char **remade = NULL;
	size_t n_remade = 0, cap = 0;
	for (size_t k = 0; k < c->d.n; k++)
		if (c->d.v[k].group == APO_CH_RECREATE)
			APO_PUSH(remade, n_remade, cap, c->d.v[k].object);
	r = remove_old(c, remade, n_remade);
	free(remade);
	if (r < 0)
		return r;
	if ((r = fault(c, "network")) < 0 || (r = namespaces(c)) < 0)
		return r;
	if ((r = fault(c, "stations")) < 0 || (r = stations(c)) < 0)
		return r;
	if ((r = fault(c, "undrain")) < 0 || (r = undrain(c)) < 0)
		return r;
	if ((r = fault(c, "publish")) < 0 || (r = publish(c)) < 0)
		return r;
	if ((r = fault(c, "removals")) < 0 || (r = removals(c)) < 0)
		return r;
	if ((r = fault(c, "applied state")) < 0)
		return r;
	return save(u, c->config);
}

/* The per-station arrays of c's plan, its classes, u's buffers. */
static void prepare(struct rec *c)
{
	struct apo_up *u = c->u;
	const struct apo_plan *p = u->plan;

	u->nsfd = apo_xcalloc(p->n_stations + 1, sizeof(int));
	for (size_t i = 0; i < p->n_stations; i++)
		u->nsfd[i] = -1;
	u->bridge_ifindex = apo_xcalloc(p->n_switches + 1, sizeof(int));
	u->group = apo_nl_env_group(p->env);
	c->new_ns = apo_xcalloc(p->n_stations + 1, sizeof(bool));
	c->net = apo_xcalloc(p->n_stations + 1, sizeof(bool));
	c->start = apo_xcalloc(p->n_stations + 1, sizeof(bool));
	c->reload = apo_xcalloc(p->n_stations + 1, sizeof(bool));
	c->draining = apo_xcalloc(p->n_stations + 1, sizeof(bool));
	c->drained = apo_xcalloc(p->n_stations + 1, sizeof(bool));
	classify(c);
}

static void rec_clear(struct rec *c)
{
	apo_diff_clear(&c->d);
	free(c->new_ns);
	free(c->net);
	free(c->start);
	free(c->reload);
	free(c->draining);
	free(c->drained);
	for (size_t i = 0; i < c->n_touched; i++)
		free(c->touched[i]);
	free(c->touched);
	json_object_put(c->applied);
}

/* A change of the way back that a failed reconcile needs: about what it
 * touched (a station or cluster of which it began to change something),
 * or about the environment as a whole (published ports, DNS, the host's
 * routes and guard: put back as they were, which costs little). */
static bool needed(const struct rec *failed, const struct apo_change *ch)
{
	switch (ch->group) {
	case APO_CH_START:
	case APO_CH_PUBLISH:
	case APO_CH_DNS:
	case APO_CH_HOSTNAME:
	case APO_CH_GUARD:
		return true;
	case APO_CH_ADDRESS:
		return !strcmp(ch->object, "host") || touched(failed, ch->object);
	default:
		return touched(failed, ch->object);
	}
}

/* Where a rollback unpacks the previous config: RUNDIR/previous. */
static char *previous_dir(const char *env)
{
	_cleanup_free_ char *run = apo_env_run_dir(env);
	return apo_xasprintf("%s/previous", run);
}

/* APOMON_ROLLBACK_FAULT=kill: SIGKILL while the previous config is
 * unpacked (the tests' crash in the middle of a rollback). */
static void rollback_fault(const char *what)
{
	const char *f = getenv("APOMON_ROLLBACK_FAULT");
	if (f && !strcmp(f, what))
		raise(SIGKILL);
}

/*
 * After a failed reconcile undid the objects it made: what it stopped,
 * re-rendered, moved or removed goes back to the config of the last
 * successful `up` (kept in the applied snapshot): a reconcile from the
 * snapshot of the plan it tried to the previous plan, of what it touched,
 * journaled like any; the stations that ran run again with their old
 * config.  Sets res->restored, or res->not_restored.
 */
static void rollback(struct rec *failed, struct apo_rec_result *res)
{
	struct apo_up *u = failed->u;
	const struct apo_up_opts *o = u->opts;
	struct json_object *cfg = jget(failed->applied, "config");
	const struct apo_plan *p0 = NULL;
	void *handle = NULL;
	/* in the environment's state directory, under its lock: one a kill
	 * -9 left there goes with the next `up` (apo_reconcile) or `down`
	 * (apo_journal_remove), never into /tmp for good */
	_cleanup_free_ char *dir = previous_dir(u->plan->env);
	struct json_object *wanted = NULL, *obs = NULL;
	struct apo_up u2;
	struct rec c = {.u = &u2, .rollback = true, .config = cfg};
	int r;

	if (!failed->n_touched) {
		res->restored = true;
		return;
	}
	if (!o->previous || !cfg) {
		res->not_restored =
		    apo_xstrdup(!cfg ? "the last successful up kept no config (an older apomon)"
				     : "no loader for the previous config");
		return;
	}
	apo_rmtree(dir);
	r = apo_applied_config_unpack(cfg, dir);
	if (r >= 0)
		rollback_fault("kill");
	if (r >= 0)
		r = o->previous(o->previous_ctx, dir, jstr(cfg, "confdir"), &p0, &handle);
	apo_rmtree(dir);
	if (r < 0 || !p0) {
		res->not_restored =
		    apo_xasprintf("the previous config (%s) does not load: %s",
				  jstr(cfg, "confdir"), strerror(r < 0 ? -r : EINVAL));
		goto out;
	}

	u2 = (struct apo_up){.plan = p0,
			     .opts = o,
			     .journal = u->journal,
			     .progress = u->progress,
			     .host_nl = u->host_nl,
			     .rec = res};
	pthread_mutex_init(&u2.mutex, NULL);
	/* from what it tried (as far as it went) back to the previous plan */
	c.applied = apo_snapshot_of_plan(u->plan);
	wanted = apo_snapshot_of_plan(p0);
	obs = apo_observe(p0->env, c.applied);
	struct apo_diff all = {0};
	apo_diff_compute(c.applied, wanted, obs, &all);
	for (size_t k = 0; k < all.n; k++) {
		if (!needed(failed, &all.v[k]))
			continue;
		struct apo_change ch = all.v[k];
		ch.object = apo_xstrdup(ch.object);
		ch.detail = ch.detail ? apo_xstrdup(ch.detail) : NULL;
		APO_PUSH(c.d.v, c.d.n, c.d.cap, ch);
	}
	apo_diff_clear(&all);
	prepare(&c);
	/* a dependent the failed reconcile drained and did not undrain runs
	 * with that config: reloaded with the previous plan's, even when the
	 * way back changes nothing it renders */
	for (size_t j = 0; j < u->plan->n_stations; j++) {
		ssize_t k;
		if (!failed->drained[j] ||
		    (k = apo_plan_find(p0, u->plan->stations[j].station->name)) < 0 || c.start[k])
			continue; /* gone, or the way back re-renders it anyway */
		c.start[k] = true;
		c.reload[k] = !c.net[k];
	}
	if ((r = apo_journal_begin(u->journal, "reconcile")) < 0) {
		res->not_restored = apo_xasprintf("journal %s: %s", u->journal->dir, strerror(-r));
	} else {
		size_t from = u->journal->begun_at;
		r = apply(&c);
		apo_up_close_nsfds(&u2);
		apo_reconcile_arp_close(&u2);
		if (r < 0) {
			res->not_restored = apo_xstrdup(u2.error ? u2.error : strerror(-r));
			if (apo_reconcile_undo(u->journal, from, o->report))
				res->left_behind = true;
		}
		if (apo_journal_complete(u->journal) < 0)
			res->left_behind = true;
		res->restored = r >= 0;
	}
	free(u2.nsfd);
	free(u2.bridge_ifindex);
	free(u2.error);
	pthread_mutex_destroy(&u2.mutex);
	rec_clear(&c);
out:
	json_object_put(wanted);
	json_object_put(obs);
	if (handle && o->previous_free)
		o->previous_free(o->previous_ctx, handle);
}

void apo_rec_result_clear(struct apo_rec_result *res)
{
	free(res->not_restored);
	apo_diff_clear(&res->diff);
	for (size_t i = 0; i < res->n_reloaded; i++)
		free(res->reloaded[i]);
	free(res->reloaded);
	memset(res, 0, sizeof(*res));
}

/* The verdict's error, in u->error (the CLI says it). */
static void refuse(struct apo_up *u, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void refuse(struct apo_up *u, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	free(u->error);
	u->error = apo_xvasprintf(fmt, ap);
	va_end(ap);
}

void apo_reconcile(struct apo_up *u, struct apo_rec_result *res)
{
	const struct apo_plan *p = u->plan;
	struct apo_journal *j = u->journal;
	struct rec c = {.u = u};
	int r;

	memset(res, 0, sizeof(*res));
	res->verdict = APO_REC_REFUSED;
	u->rec = res;
	if (!j->complete) {
		/* a reconcile that was killed: its objects go, the rest stays
		 * and the diff below sees what is missing */
		if (strcmp(j->begun_cmd, "reconcile")) {
			refuse(u,
			       "environment '%s' was left half-built by pid %d; run 'apomon down' "
			       "first",
			       p->env, (int)j->begun_by);
			return;
		}
		if (u->opts->dry_run) {
			/* a dry run changes nothing: it says the undo would
			 * come first; the applied state it diffs against is
			 * the one from before that reconcile (written last) */
			res->would_undo_pid = (int)j->begun_by;
		} else if (apo_reconcile_undo(j, j->begun_at, u->opts->report) ||
			   (r = apo_journal_complete(j)) < 0) {
			refuse(u,
			       "environment '%s': the interrupted reconcile of pid %d could not be "
			       "undone; 'apomon down' removes everything",
			       p->env, (int)j->begun_by);
			return;
		} else
			res->undid_pid = (int)j->begun_by;
	}
	/* a rollback killed while it loaded the previous config */
	_cleanup_free_ char *prev = previous_dir(p->env);
	if (!u->opts->dry_run)
		apo_rmtree(prev);
	/* not after an undo: what that reconcile drained is not in the diff
	 * (undrain()) */
	if (!res->undid_pid && !res->would_undo_pid && unchanged(p)) {
		res->verdict = u->opts->dry_run ? APO_REC_DRY_RUN : APO_REC_NOTHING;
		return;
	}
	r = apo_applied_read(p->env, &c.applied);
	if (r < 0 || !c.applied) {
		refuse(u,
		       "environment '%s' is up but has no applied state (%s); 'apomon down' then "
		       "'up' rebuilds it",
		       p->env, r < 0 ? strerror(-r) : "made by an older apomon");
		return;
	}
	/* the snapshot read once: with its config texts it is the largest
	 * file a no-op `up` reads */
	diff_of(p, c.applied, &c.d);
	if (u->opts->dry_run || (!c.d.n && !res->undid_pid)) {
		res->verdict = u->opts->dry_run ? APO_REC_DRY_RUN : APO_REC_NOTHING;
		goto out;
	}
	c.undrain_all = res->undid_pid != 0;

	u->progress = apo_progress_new("up", true, false);
	prepare(&c);

	if ((r = apo_nl_open(&u->host_nl)) < 0) {
		refuse(u, "netlink: %s", strerror(-r));
		goto out;
	}
	if ((r = apo_journal_begin(j, "reconcile")) < 0) {
		refuse(u, "journal %s: %s", j->dir, strerror(-r));
		goto out;
	}
	size_t from = j->begun_at;
	r = apply(&c);
	apo_up_close_nsfds(u);
	apo_reconcile_arp_close(u);
	if (r < 0) {
		res->verdict = APO_REC_FAILED;
		if (!u->error)
			u->error = apo_xstrdup(strerror(-r));
		if (apo_reconcile_undo(j, from, u->opts->report) || apo_journal_complete(j) < 0)
			res->left_behind = true;
		else
			rollback(&c, res);
		goto out;
	}
	if ((r = apo_journal_complete(j)) < 0) {
		res->verdict = APO_REC_FAILED;
		refuse(u, "journal %s: %s", j->dir, strerror(-r));
		res->left_behind = true;
		goto out;
	}
	res->verdict = APO_REC_DONE;
	res->ms = apo_progress_elapsed_ms(u->progress);
out:
	res->diff = c.d;
	memset(&c.d, 0, sizeof(c.d));
	rec_clear(&c);
}
