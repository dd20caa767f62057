/* SPDX-License-Identifier: MIT */
/* apomon up [--quiet] [--json] [--network-only] [--images DIR]...: builds
 * the environment. */
#include "config.h"

#include <getopt.h>
#include <stdio.h>

#include "cli/cli.h"
#include "engine/summary.h"
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
			apo_err("up: rolled back: nothing of environment '%s' is left", plan->env);
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

int apo_cmd_up(const struct apo_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"quiet", no_argument, NULL, 'q'},
	    {"json", no_argument, NULL, 'j'},
	    {"network-only", no_argument, NULL, 'n'},
	    {"images", required_argument, NULL, 'i'},
	    {"dry-run", no_argument, NULL, 'd'},
	    {NULL, 0, NULL, 0},
	};
	struct apo_up_opts o = {.verbose = cli->verbose, .report = &apo_cli_report};
	struct apo_cli run = *cli;
	_cleanup_free_ char **dirs = NULL;
	size_t cap = 0;
	struct apo_env env;
	int c, rc;

	while ((c = getopt_long(argc, argv, "+q", opts, NULL)) != -1) {
		switch (c) {
		case 'i':
			APO_PUSH(dirs, run.n_image_dirs, cap, optarg);
			break;
		case 'q':
			o.quiet = true;
			break;
		case 'j':
			o.json = true;
			break;
		case 'n':
			o.network_only = true;
			break;
		case 'd':
			o.dry_run = true;
			break;
		default:
			return APO_EXIT_USAGE;
		}
	}
	if (optind < argc) {
		apo_err("up: unexpected argument '%s'", argv[optind]);
		return APO_EXIT_USAGE;
	}
	run.image_dirs = dirs;
	if ((rc = apo_env_open(&run, &env)))
		return rc;
	struct apo_up_result res;
	rc = apo_up(env.plan, &o, &res) < 0 ? APO_EXIT_FAILURE : APO_EXIT_OK;
	if (res.outcome == APO_UP_RECONCILED)
		rc = res.exit_code;
	report(env.plan, &o, &res);
	apo_up_result_clear(&res);
	apo_env_close(&env);
	return rc;
}
