/* SPDX-License-Identifier: MIT */
/*
 * `apomon up STATION...` / `apomon down STATION...`: the named stations
 * of an environment that is up, and what depends on them, brought in or
 * out without a change to the files (named.c).
 */
#ifndef APO_NAMED_H
#define APO_NAMED_H

#include <stdbool.h>

#include "engine/up.h"

struct apo_named_result {
	char **changed; /* the stations started or stopped, in that order */
	size_t n_changed, cap_changed;
	char *error;	  /* why it failed or was refused */
	bool left_behind; /* up: the undo of a failure failed too */
};
void apo_named_result_clear(struct apo_named_result *res);

/* sel[i] (per plan station) grows by every station that depends on a
 * selected one, transitively; with dependencies also by what they
 * depend on. */
void apo_named_close(const struct apo_plan *p, bool *sel, bool dependencies);

/* Stops the selected stations that run, dependents first.  0, or
 * negative errno with res->error. */
int apo_down_named(const struct apo_plan *p, const bool *sel, struct apo_named_result *res);

/* Starts the selected stations that do not run, dependencies first; a
 * failure stops again what it started.  0, or negative errno with
 * res->error. */
int apo_up_named(const struct apo_plan *p, const struct apo_up_opts *opts, const bool *sel,
		 struct apo_named_result *res);

#endif
