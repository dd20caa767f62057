/* SPDX-License-Identifier: MIT */
/*
 * `apomon up STATION...` and `apomon down STATION...` (named.h): the named
 * stations of an environment that is up, and what depends on them, come
 * in or go out without a change to the files.  `down` stops them (their
 * namespace, links and data stay, so `up NAME` or a plain `up` brings
 * them back as they were); `up` starts those of them that do not run,
 * their dependencies first, journaled one station at a time inside a
 * `begin reconcile`, so that a failure or a kill is undone like a
 * reconcile's.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "base/util.h"
#include "engine/named.h"
#include "engine/reconcile.h"
#include "runtime/runtime.h"

/* Station j depends on station i (directly). */
static bool depends_on(const struct apo_plan *p, size_t j, size_t i)
{
	const struct apo_station *s = p->stations[j].station;

	for (size_t k = 0; k < s->n_depends; k++)
		if (!strcmp(s->depends[k], p->stations[i].station->name))
			return true;
	return false;
}

void apo_named_close(const struct apo_plan *p, bool *sel, bool dependencies)
{
	bool grew = true;

	/* a fixed point: small plans, and each pass is cheap */
	while (grew) {
		grew = false;
		for (size_t i = 0; i < p->n_stations; i++) {
			if (!sel[i])
				continue;
			for (size_t j = 0; j < p->n_stations; j++) {
				if (sel[j])
					continue;
				if (depends_on(p, j, i) || (dependencies && depends_on(p, i, j))) {
					sel[j] = true;
					grew = true;
				}
			}
		}
	}
}

static bool runs(const char *env, const char *name)
{
	struct apo_station_info in = {0};
	return apo_station_info(env, name, &in) == 0 &&
	       (in.state == APO_STATION_READY || in.state == APO_STATION_STARTING);
}

/* Its init lives, whatever state it reports (down stops what lives). */
static bool alive(const char *env, const char *name)
{
	struct apo_station_info in = {0};
	return apo_station_info(env, name, &in) == 0 && in.pid > 0;
}

/* The lock, and an environment that is up and whole. */
static int open_up(const struct apo_plan *p, const char *cmd, struct apo_journal **j,
		   struct apo_named_result *res)
{
	_cleanup_free_ char *busy = NULL;
	int r = apo_journal_open(p->env, cmd, j, &busy);

	if (r < 0) {
		res->error = busy ? apo_xstrdup(busy)
				  : apo_xasprintf("environment '%s': %s", p->env, strerror(-r));
		return r;
	}
	if (!apo_journal_exists(*j)) {
		apo_journal_remove(*j);
		res->error = apo_xasprintf("environment '%s' is not up: 'apomon up' brings all of "
					   "it up",
					   p->env);
		return -ENOENT;
	}
	if (!(*j)->complete) {
		res->error = apo_xasprintf("environment '%s' is half-built (pid %d ran %s): "
					   "'apomon up' finishes it, 'apomon down' removes it",
					   p->env, (int)(*j)->begun_by, (*j)->begun_cmd);
		return -EBUSY;
	}
	return 0;
}

static void note(struct apo_named_result *res, const char *name)
{
	APO_PUSH(res->changed, res->n_changed, res->cap_changed, apo_xstrdup(name));
}

int apo_down_named(const struct apo_plan *p, const bool *sel, struct apo_named_result *res)
{
	struct apo_journal *j = NULL;
	int r;

	memset(res, 0, sizeof(*res));
	if ((r = open_up(p, "down", &j, res)) < 0)
		goto out;
	/* dependents first: reverse level order */
	for (size_t l = p->n_levels; l-- > 0 && r >= 0;) {
		for (size_t k = 0; k < p->levels[l].n; k++) {
			size_t i = p->levels[l].stations[k];
			const char *name = p->stations[i].station->name;
			if (!sel[i] || !alive(p->env, name))
				continue;
			if ((r = apo_station_stop(p->env, name, APO_STATION_GRACE_MS)) < 0) {
				res->error = apo_xasprintf("%s: stop: %s", p->stations[i].netns,
							   strerror(-r));
				break;
			}
			note(res, p->stations[i].netns);
		}
	}
out:
	apo_journal_close(j);
	return r < 0 ? r : 0;
}

int apo_up_named(const struct apo_plan *p, const struct apo_up_opts *opts, const bool *sel,
		 struct apo_named_result *res)
{
	struct apo_up u = {.plan = p, .opts = opts};
	size_t *idx = apo_xcalloc(p->n_stations + 1, sizeof(*idx));
	int r;

	memset(res, 0, sizeof(*res));
	pthread_mutex_init(&u.mutex, NULL);
	if ((r = open_up(p, "up", &u.journal, res)) < 0)
		goto out;
	u.progress = apo_progress_new("up", true, false);
	if ((r = apo_journal_begin(u.journal, "reconcile")) < 0) {
		res->error = apo_xasprintf("journal %s: %s", u.journal->dir, strerror(-r));
		goto out;
	}
	size_t from = u.journal->begun_at;
	/* dependencies first: level order, a level's stations together */
	for (size_t l = 0; l < p->n_levels && r >= 0; l++) {
		size_t n = 0;
		for (size_t k = 0; k < p->levels[l].n; k++) {
			size_t i = p->levels[l].stations[k];
			if (sel[i] && !runs(p->env, p->stations[i].station->name))
				idx[n++] = i;
		}
		if (!n)
			continue;
		if ((r = apo_up_start_journaled(&u, idx, n)) >= 0)
			for (size_t k = 0; k < n; k++)
				note(res, p->stations[idx[k]].netns);
	}
	if (r < 0) {
		res->error = apo_xstrdup(u.error ? u.error : strerror(-r));
		/* the stations it started stop again; the others are as before */
		if (apo_reconcile_undo(u.journal, from, opts->report) ||
		    apo_journal_complete(u.journal) < 0)
			res->left_behind = true;
		goto out;
	}
	if ((r = apo_journal_complete(u.journal)) < 0)
		res->error = apo_xasprintf("journal %s: %s", u.journal->dir, strerror(-r));
out:
	apo_journal_close(u.journal);
	apo_progress_free(u.progress);
	free(u.error);
	free(idx);
	pthread_mutex_destroy(&u.mutex);
	return r < 0 ? r : 0;
}

void apo_named_result_clear(struct apo_named_result *res)
{
	for (size_t i = 0; i < res->n_changed; i++)
		free(res->changed[i]);
	free(res->changed);
	free(res->error);
	memset(res, 0, sizeof(*res));
}
