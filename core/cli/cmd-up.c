/* SPDX-License-Identifier: MIT */
/* apomon up [--quiet] [--json] [--network-only] [--dry-run] [--images DIR]...
 * [STATION...]: builds the environment, applies the files to one that is
 * up, or brings the named stations in. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/paths.h"
#include "cli/cli.h"
#include "engine/summary.h"
#include "engine/named.h"
#include "engine/up.h"
#include "base/util.h"

static void print_json(const struct apo_plan *plan, const struct apo_up_result *res)
{
	static const char *const result[] = {
	    [APO_UP_ALREADY] = "already up",
	    [APO_UP_FAILED] = "failed",
	    [APO_UP_DONE] = "up",
	};
	struct json_object *o = json_object_new_object();
	json_object_object_add(o, "environment", json_object_new_string(plan->env));
	json_object_object_add(o, "result", json_object_new_string(result[res->outcome]));
	if (res->error)
		json_object_object_add(o, "error", json_object_new_string(res->error));
	if (res->progress) {
		json_object_object_add(
		    o, "ms", json_object_new_double(apo_progress_elapsed_ms(res->progress)));
		json_object_object_add(o, "phases", apo_progress_json(res->progress));
	}
	if (res->outcome == APO_UP_DONE)
		json_object_object_add(o, "stations", apo_summary_json(plan));
	apo_cli_print_json(o);
	json_object_put(o);
}

static void print_diff_json(const struct apo_plan *plan, const struct apo_up_result *res,
			    const char *result)
{
	struct json_object *o = apo_diff_json(&res->rec.diff);
	json_object_object_add(o, "environment", json_object_new_string(plan->env));
	json_object_object_add(o, "result", json_object_new_string(result));
	if (res->error)
		json_object_object_add(o, "error", json_object_new_string(res->error));
	if (res->rec.verdict == APO_REC_DONE)
		json_object_object_add(o, "ms", json_object_new_double(res->rec.ms));
	if (res->rec.would_undo_pid)
		json_object_object_add(o, "would_undo_pid",
				       json_object_new_int(res->rec.would_undo_pid));
	if (res->rec.verdict == APO_REC_FAILED) {
		/* whether what it changed was put back with the previous config */
		json_object_object_add(o, "restored", json_object_new_boolean(res->rec.restored));
		if (res->rec.not_restored)
			json_object_object_add(o, "not_restored",
					       json_object_new_string(res->rec.not_restored));
	}
	struct json_object *rl = json_object_new_array();
	for (size_t i = 0; i < res->rec.n_reloaded; i++)
		json_object_array_add(rl, json_object_new_string(res->rec.reloaded[i]));
	json_object_object_add(o, "reloaded", rl);
	apo_cli_print_json(o);
	json_object_put(o);
}

/* The verdict of `up` on an environment that was up; its exit status:
 * 0 done or nothing to do, 1 failed or (--dry-run) something would
 * change, as diff(1). */
static int report_reconcile(const struct apo_plan *plan, const struct apo_up_opts *o,
			    const struct apo_up_result *res)
{
	const struct apo_rec_result *rec = &res->rec;
	bool say = !o->quiet && !o->json;

	if (rec->undid_pid && say)
		apo_err("up: undid the interrupted reconcile of pid %d", rec->undid_pid);
	switch (rec->verdict) {
	case APO_REC_REFUSED:
		apo_err("up: %s", res->error ? res->error : "refused");
		return APO_EXIT_FAILURE;
	case APO_REC_DRY_RUN:
		if (o->json)
			print_diff_json(plan, res, "dry run");
		else {
			if (rec->would_undo_pid)
				printf("! undo the interrupted reconcile of pid %d, then reload "
				       "the stations that can reload\n",
				       rec->would_undo_pid);
			apo_diff_print(&rec->diff, stdout);
		}
		return rec->diff.n || rec->would_undo_pid ? APO_EXIT_FAILURE : APO_EXIT_OK;
	case APO_REC_NOTHING:
		if (o->json)
			print_diff_json(plan, res, "already up");
		else if (say)
			apo_err("environment '%s' is already up; nothing changed", plan->env);
		return APO_EXIT_OK;
	case APO_REC_FAILED:
		if (o->json)
			print_diff_json(plan, res, "failed");
		apo_err("up: %s", res->error ? res->error : "failed");
		if (rec->left_behind)
			apo_err("up: the rollback left objects behind; 'apomon -e %s down' removes "
				"everything",
				plan->env);
		else if (rec->not_restored)
			apo_err("up: rolled back what this up made, but could not put back what it "
				"changed: %s; 'apomon diff' lists the difference",
				rec->not_restored);
		else if (!o->quiet)
			apo_err("up: rolled back: the environment runs as before this up, with "
				"its previous config");
		return APO_EXIT_FAILURE;
	case APO_REC_DONE:
		break;
	}
	if (o->json) {
		print_diff_json(plan, res, "reconciled");
		return APO_EXIT_OK;
	}
	if (say) {
		apo_diff_print(&rec->diff, stderr);
		for (size_t i = 0; i < rec->n_reloaded; i++)
			apo_err("%s: reloaded in place", rec->reloaded[i]);
		apo_err("environment '%s' is up (%zu change(s) in %.0f ms)", plan->env, rec->diff.n,
			rec->ms);
	}
	return APO_EXIT_OK;
}

/* What a failed up's rollback left: the logs, to read why, and the data
 * an earlier up made, as it was. */
static void rolled_back(const char *env, bool fresh)
{
	_cleanup_free_ char *logs = apo_env_log_dir(env);
	_cleanup_free_ char *lib = apo_env_lib_dir(env);
	bool has_logs = access(logs, F_OK) == 0;

	if (fresh)
		apo_err("up: rolled back: nothing of environment '%s' is left%s%s", env,
			has_logs ? " but its logs, in " : "", has_logs ? logs : "");
	else
		apo_err("up: rolled back: environment '%s' is down, its data as before (%s)%s%s",
			env, lib, has_logs ? "; its logs in " : "", has_logs ? logs : "");
}

/* The verdict: what went wrong was reported while it happened. */
static void report(const struct apo_plan *plan, const struct apo_up_opts *o,
		   const struct apo_up_result *res)
{
	if (res->outcome == APO_UP_REFUSED || res->outcome == APO_UP_RECONCILED)
		return;
	if (o->json)
		print_json(plan, res);
	switch (res->outcome) {
	case APO_UP_ALREADY:
		if (!o->json && !o->quiet)
			apo_err("environment '%s' is already up", plan->env);
		return;
	case APO_UP_FAILED:
		if (res->left_behind)
			apo_err("up: the rollback left objects behind; 'apomon -e %s down' retries",
				plan->env);
		else if (!o->quiet && !o->json)
			rolled_back(plan->env, res->fresh);
		return;
	default:
		break;
	}
	if (!o->json && !o->quiet) {
		apo_summary_print(plan, stdout);
		apo_err("environment '%s' is up (%zu stations in %.0f ms)", plan->env,
			plan->n_stations, apo_progress_elapsed_ms(res->progress));
	}
	if (o->verbose)
		apo_progress_print_times(res->progress, stderr);
}

bool *apo_cli_select_stations(const char *cmd, const struct apo_plan *plan, char **names, size_t n,
			      bool dependencies)
{
	bool *sel = apo_xcalloc(plan->n_stations + 1, sizeof(bool));

	for (size_t i = 0; i < n; i++) {
		ssize_t k = apo_cli_check_name(cmd, "station", names[i])
				? -1
				: apo_cli_find_station(cmd, plan, names[i]);
		if (k < 0) {
			free(sel);
			return NULL;
		}
		sel[k] = true;
	}
	apo_named_close(plan, sel, dependencies);
	return sel;
}

int apo_cli_named_verdict(const char *cmd, const struct apo_env *env, bool json, bool quiet,
			  const struct apo_named_result *res, int r)
{
	const char *verb = strcmp(cmd, "up") ? "stopped" : "started";

	if (json) {
		struct json_object *o = json_object_new_object(), *a = json_object_new_array();
		json_object_object_add(o, "environment", json_object_new_string(env->plan->env));
		json_object_object_add(o, "result",
				       json_object_new_string(r < 0 ? "failed" : verb));
		for (size_t i = 0; i < res->n_changed; i++)
			json_object_array_add(a, json_object_new_string(res->changed[i]));
		json_object_object_add(o, verb, a);
		if (res->error)
			json_object_object_add(o, "error", json_object_new_string(res->error));
		apo_cli_print_json(o);
		json_object_put(o);
	}
	if (r < 0) {
		apo_err("%s: %s", cmd, res->error ? res->error : strerror(-r));
		if (res->left_behind)
			apo_err("%s: the undo left stations behind; 'apomon -e %s down' removes "
				"everything",
				cmd, env->plan->env);
		return APO_EXIT_FAILURE;
	}
	if (!json && !quiet) {
		for (size_t i = 0; i < res->n_changed; i++)
			apo_err("%s: %s", res->changed[i], verb);
		if (!res->n_changed)
			apo_err("%s: nothing to do: the stations named %s already", cmd,
				strcmp(cmd, "up") ? "do not run" : "run");
	}
	return APO_EXIT_OK;
}

/* `up STATION...`: those and what depends on them (and what they depend
 * on) that do not run start; nothing else changes. */
static int up_named(const struct apo_env *env, const struct apo_up_opts *o, char **names, size_t n)
{
	struct apo_named_result res;
	_cleanup_free_ bool *sel = apo_cli_select_stations("up", env->plan, names, n, true);
	int r;

	if (!sel)
		return APO_EXIT_USAGE;
	if (o->dry_run || o->network_only) {
		apo_err("up: --dry-run and --network-only act on the whole environment, not on "
			"named stations");
		return APO_EXIT_USAGE;
	}
	r = apo_up_named(env->plan, o, sel, &res);
	r = apo_cli_named_verdict("up", env, o->json, o->quiet, &res, r);
	apo_named_result_clear(&res);
	return r;
}

/* The config of the last successful up, for a failed reconcile's way
 * back (struct apo_up_opts.previous): the same pipeline as the files'. */
static int load_previous(void *ctx, const char *dir, const char *confdir,
			 const struct apo_plan **plan, void **handle)
{
	struct apo_cli run = *(const struct apo_cli *)ctx;
	struct apo_env *env = apo_xcalloc(1, sizeof(*env));

	run.confdir = dir;
	if (apo_env_open(&run, env)) {
		free(env);
		return -EINVAL;
	}
	/* the paths it names (a manifest, a key) are relative to the files'
	 * own directory */
	if (confdir && *confdir) {
		free(env->model->confdir);
		env->model->confdir = apo_xstrdup(confdir);
	}
	*plan = env->plan;
	*handle = env;
	return 0;
}

static void free_previous(void *ctx, void *handle)
{
	(void)ctx;
	apo_env_close(handle);
	free(handle);
}

int apo_cmd_up(const struct apo_cli *cli, int argc, char **argv)
{
	struct apo_up_opts o = {.verbose = cli->verbose, .report = &apo_cli_report};
	struct apo_cli run = *cli;
	_cleanup_free_ const char **dirs = NULL;
	char **names;
	size_t n_names;
	const struct apo_cli_flag flags[] = {
	    {"quiet", 'q', &o.quiet},	{"json", 0, &o.json}, {"network-only", 0, &o.network_only},
	    {"dry-run", 0, &o.dry_run}, {NULL, 0, NULL},
	};
	const struct apo_cli_arg args[] = {
	    {"images", 0, &dirs, &run.n_image_dirs},
	    {NULL, 0, NULL, NULL},
	};
	struct apo_env env;
	int rc;

	if ((rc = apo_cli_parse_options(argc, argv, flags, args, &names, &n_names)))
		return rc;
	run.image_dirs = (char **)dirs;
	o.previous = load_previous;
	o.previous_free = free_previous;
	o.previous_ctx = &run;
	if ((rc = apo_env_open(&run, &env)))
		return rc;
	if (n_names) {
		rc = up_named(&env, &o, names, n_names);
		apo_env_close(&env);
		return rc;
	}
	struct apo_up_result res;
	rc = apo_up(env.plan, &o, &res) < 0 ? APO_EXIT_FAILURE : APO_EXIT_OK;
	if (res.outcome == APO_UP_RECONCILED)
		rc = report_reconcile(env.plan, &o, &res);
	else
		report(env.plan, &o, &res);
	apo_up_result_clear(&res);
	apo_env_close(&env);
	return rc;
}
