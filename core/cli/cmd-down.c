/* SPDX-License-Identifier: MIT */
/*
 * apomon down [--quiet] [--json] [--purge] [STATION...]: removes the
 * environment, or stops the named stations.  Works from
 * the journal alone: a config that changed or broke since `up` does not
 * keep anything behind.
 */
#include "config.h"

#include <string.h>
#include <stdio.h>

#include "cli/cli.h"
#include "config/conf.h"
#include "engine/down.h"
#include "engine/named.h"
#include "base/paths.h"
#include "runtime/runtime.h"
#include "base/util.h"

/* The verdict: each object that stayed was reported while it happened. */
static void report(const char *env, const struct apo_down_opts *o,
		   const struct apo_down_result *res)
{
	if (res->outcome == APO_DOWN_NOTHING) {
		if (o->json)
			printf(
			    "{\n  \"environment\": \"%s\",\n  \"result\": \"nothing to do\"\n}\n",
			    env);
		else if (!o->quiet)
			apo_err("environment '%s' is not up: nothing to do", env);
	}
	if (res->outcome != APO_DOWN_DONE)
		return;
	if (o->json) {
		struct json_object *x = json_object_new_object();
		json_object_object_add(x, "environment", json_object_new_string(env));
		json_object_object_add(x, "result",
				       json_object_new_string(res->failures ? "failed" : "down"));
		json_object_object_add(x, "records", json_object_new_int64(res->records));
		json_object_object_add(x, "failures", json_object_new_int(res->failures));
		json_object_object_add(
		    x, "ms", json_object_new_double(apo_progress_elapsed_ms(res->progress)));
		json_object_object_add(x, "phases", apo_progress_json(res->progress));
		apo_cli_print_json(x);
		json_object_put(x);
	} else if (!o->quiet && !res->failures) {
		apo_err("environment '%s' is down (%.0f ms)", env,
			apo_progress_elapsed_ms(res->progress));
	}
	if (o->verbose)
		apo_progress_print_times(res->progress, stderr);
	if (res->failures)
		apo_err("down: %d object(s) could not be removed; the journal is kept: run down "
			"again",
			res->failures);
}

/* `down STATION...`: those and what depends on them stop; their
 * namespaces, links and data stay (`up STATION...` or `up` brings them
 * back).  Needs the files for the dependencies. */
static int down_named(const struct apo_cli *cli, const struct apo_down_opts *o, char **names,
		      size_t n)
{
	struct apo_named_result res;
	struct apo_env env;
	int r;

	if (o->purge) {
		apo_err("down: --purge removes the whole environment, not named stations");
		return APO_EXIT_USAGE;
	}
	if ((r = apo_env_open(cli, &env)))
		return r;
	bool *sel = apo_cli_select_stations("down", env.plan, names, n, false);
	if (!sel) {
		apo_env_close(&env);
		return APO_EXIT_USAGE;
	}
	r = apo_down_named(env.plan, sel, &res);
	r = apo_cli_named_verdict("down", &env, o->json, o->quiet, &res, r);
	apo_named_result_clear(&res);
	free(sel);
	apo_env_close(&env);
	return r;
}

int apo_cmd_down(const struct apo_cli *cli, int argc, char **argv)
{
	struct apo_down_opts o = {.verbose = cli->verbose, .report = &apo_cli_report};
	const struct apo_cli_flag flags[] = {
	    {"quiet", 'q', &o.quiet},
	    {"json", 0, &o.json},
	    {"purge", 0, &o.purge},
	    {NULL, 0, NULL},
	};
	int r;

	char **names;
	size_t n_names;

	if ((r = apo_cli_parse_options(argc, argv, flags, NULL, &names, &n_names)))
		return r;
	if (n_names)
		return down_named(cli, &o, names, n_names);
	_cleanup_free_ char *env = apo_cli_env_name(cli);
	if (!env)
		return APO_EXIT_USAGE;
	struct apo_down_result res;
	int rc = apo_down(env, &o, &res) < 0 ? APO_EXIT_FAILURE : APO_EXIT_OK;
	report(env, &o, &res);
	apo_down_result_clear(&res);
	return rc;
}
