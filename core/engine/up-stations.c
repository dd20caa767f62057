/* SPDX-License-Identifier: MIT */
/*
 * The `stations` phase of `up` (after the network phases) and the undo of
 * its journal records.  Each station is journaled as
 *   intent station NAME ENV
 * before its first object exists; undoing the first such record stops
 * every station of the environment at once (apo_runtime_down), which is
 * much faster than one by one and makes the later records no-ops.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "integrity/ca.h"
#include "integrity/conf-integrity.h"
#include "engine/down.h"
#include "image/image-build.h"
#include "image/image-store.h"
#include "runtime/runtime.h"
#include "engine/up.h"
#include "base/util.h"

static const char *image_of(const struct apo_plan_station *ps)
{
	return ps->station->image ? ps->station->image : ps->station->type->image;
}

/* The distinct images of the plan, in plan order; *n of them. */
static const char **plan_images(const struct apo_plan *p, size_t *n)
{
	const char **v = apo_xcalloc(p->n_stations + 1, sizeof(*v));

	*n = 0;
	for (size_t i = 0; i < p->n_stations; i++) {
		const char *im = image_of(&p->stations[i]);
		size_t j;
		for (j = 0; j < *n && strcmp(v[j], im); j++)
			;
		if (j == *n)
			v[(*n)++] = im;
	}
	return v;
}

size_t apo_up_count_images(const struct apo_up *u)
{
	size_t n;
	free(plan_images(u->plan, &n));
	return n;
}

/* Builds what is missing or stale before any kernel object exists. */
int apo_up_images(struct apo_up *u)
{
	size_t n;
	_cleanup_free_ const char **v = plan_images(u->plan, &n);
	struct apo_image_opts o = {.build = true, .verbose = u->opts->verbose};
	int rc;

	o.progress = u->opts->quiet || u->opts->json ? NULL : stderr;
	for (size_t i = 0; i < n; i++) {
		if ((rc = apo_image_ensure(v[i], &o, NULL)) < 0)
			return apo_up_fail(u, rc, "image %s", v[i]);
		apo_progress_step(u->progress);
	}
	return 0;
}

typedef int (*journal_fn)(void *ctx, const char *const *stations, size_t n);

static int journal_stations(void *ctx, const char *const *stations, size_t n)
{
	struct apo_up *u = ctx;

	for (size_t i = 0; i < n; i++)
		apo_journal_intent(u->journal, "station", stations[i], u->plan->env);
	return apo_journal_sync(u->journal);
}

/* Layer lists by image, looked up once a run: 500 stations of one image
 * need one lookup, not 500. */
struct layer_cache {
	char *image;
	char **dirs;
	size_t n;
};
static struct layer_cache *cache;
static size_t n_cache, cap_cache;
static pthread_mutex_t cache_mutex = PTHREAD_MUTEX_INITIALIZER;

static int layers(void *ctx, const char *image, char ***dirs, size_t *n)
{
	/* `up` built what was missing before its phases ran */
	static const struct apo_image_opts o = {.build = false};
	struct layer_cache c;
	int rc = 0;
	(void)ctx;

	pthread_mutex_lock(&cache_mutex);
	for (size_t i = 0; i < n_cache; i++) {
		if (!strcmp(cache[i].image, image)) {
			*dirs = cache[i].dirs;
			*n = cache[i].n;
			goto out;
		}
	}
	if ((rc = apo_image_layers(image, &o, &c.dirs, &c.n)) < 0)
		goto out;
	c.image = apo_xstrdup(image);
	APO_PUSH(cache, n_cache, cap_cache, c);
	*dirs = c.dirs;
	*n = c.n;
out:
	pthread_mutex_unlock(&cache_mutex);
	return rc;
}

static void cache_clear(void)
{
	for (size_t i = 0; i < n_cache; i++) {
		free(cache[i].image);
		apo_image_layers_free(cache[i].dirs, cache[i].n);
	}
	free(cache);
	cache = NULL;
	n_cache = cap_cache = 0;
}

/* The manifests start() fetched: the gates before and after render of a
 * station check the same bytes, fetched once (kept until start() ends). */
static struct apo_fetch_cache *manifests;

/* The integrity gate between render and init: `up` hands its own state
 * as ctx, `start`/`restart` the plan. */
static int gate_up(void *ctx, const struct apo_plan_station *ps, const char *root, char **why)
{
	const struct apo_up *u = ctx;
	return apo_integrity_gate(u->plan->model, ps->station, root, manifests, why);
}

static int gate_plan(void *ctx, const struct apo_plan_station *ps, const char *root, char **why)
{
	const struct apo_plan *p = ctx;
	return apo_integrity_gate(p->model, ps->station, root, manifests, why);
}

/* The gate before render: a sealed file changed inside the station
 * (its writable layer) is refused before the render could overwrite it. */
static int gate_up_before(void *ctx, const struct apo_plan_station *ps, const char *root,
			  char **why)
{
	const struct apo_up *u = ctx;
	return apo_integrity_gate_before_render(u->plan->model, ps->station, u->plan->env, root,
						manifests, why);
}

static int gate_plan_before(void *ctx, const struct apo_plan_station *ps, const char *root,
			    char **why)
{
	const struct apo_plan *p = ctx;
	return apo_integrity_gate_before_render(p->model, ps->station, p->env, root, manifests,
						why);
}

static void on_ready(void *ctx, const char *station)
{
	struct apo_up *u = ctx;
	(void)station;
	apo_progress_step(u->progress);
}

/*
 * Starts the plan's stations (idx NULL: all of them, in dependency
 * order) or the n stations of idx (one level), with the CA ensured and
 * the services wired; the one place that does so for `up`, its
 * reconcile and `start`.  0, or negative errno with *err.
 */
static int start(const struct apo_plan *p, const struct apo_runtime_opts *o, const size_t *idx,
		 size_t n, char **err)
{
	struct apo_services_ctx hc;
	struct apo_diag d;
	char *why = NULL;
	int rc;

	/* the environment's CA exists before any type renders: types ask
	 * it for certificates, probes check https against it */
	_cleanup_free_ char *ca = NULL;
	if ((rc = apo_ca_ensure(p->env, &ca, &why)) < 0) {
		*err = apo_xasprintf("CA: %s", why ? why : strerror(-rc));
		free(why);
		return rc;
	}
	apo_diag_init(&d);
	apo_services_ctx_init(&hc, (struct apo_model *)p->model, &d);
	hc.plan = p;
	hc.ca_file = ca;
	apo_runtime_wire(&hc);
	manifests = apo_fetch_cache_new();
	rc = idx ? apo_runtime_start_level(p, &hc, o, idx, n, err)
		 : apo_runtime_start(p, &hc, o, err);
	apo_fetch_cache_free(manifests);
	manifests = NULL;
	apo_services_ctx_clear(&hc);
	apo_diag_clear(&d);
	cache_clear();
	return rc;
}

/* `up`'s start: its failure lands in u->error (unless one is there). */
static int up_start(struct apo_up *u, journal_fn journal, const size_t *idx, size_t n)
{
	struct apo_runtime_opts o = {
	    .ctx = u,
	    .layers = layers,
	    .integrity = gate_up,
	    .integrity_before_render = gate_up_before,
	    .journal = journal,
	    .on_ready = on_ready,
	    .interrupted = &apo_up_interrupted,
	};
	char *err = NULL;
	int rc = start(u->plan, &o, idx, n, &err);

	if (rc < 0) {
		pthread_mutex_lock(&u->mutex);
		if (!u->error)
			u->error = err ? err : apo_xasprintf("stations: %s", strerror(-rc));
		else
			free(err);
		pthread_mutex_unlock(&u->mutex);
	}
	return rc;
}

int apo_up_stations(struct apo_up *u)
{
	return up_start(u, journal_stations, NULL, 0);
}

int apo_up_start_some(const struct apo_plan *p, const size_t *idx, size_t n, char **err)
{
	struct apo_runtime_opts o = {
	    .ctx = (void *)p,
	    .layers = layers,
	    .integrity = gate_plan,
	    .integrity_before_render = gate_plan_before,
	    .progress = stderr,
	};
	return start(p, &o, idx, n, err);
}

/* `up` of a running environment: one station at a time is journaled as
 * `station1 NAME ENV`, whose undo stops that station alone. */
static int journal_station1(void *ctx, const char *const *stations, size_t n)
{
	struct apo_up *u = ctx;

	for (size_t i = 0; i < n; i++)
		apo_journal_intent(u->journal, "station1", stations[i], u->plan->env);
	return apo_journal_sync(u->journal);
}

int apo_up_start_journaled(struct apo_up *u, const size_t *idx, size_t n)
{
	return up_start(u, journal_station1, idx, n);
}

int apo_undo_station(const struct apo_jentry *e)
{
	if (!e->detail)
		return -EINVAL;
	return apo_runtime_down(e->detail, APO_STATION_GRACE_MS, false);
}
