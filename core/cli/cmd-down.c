/* SPDX-License-Identifier: MIT */
/*
 * apomon down [--quiet] [--json]: removes the environment.  Works from
 * the journal alone: a config that changed or broke since `up` does not
 * keep anything behind.
 */
#include "config.h"

#include <getopt.h>
#include <string.h>
#include <stdio.h>

#include "cli/cli.h"
#include "config/conf.h"
#include "engine/down.h"
#include "base/paths.h"
#include "runtime/runtime.h"
#include "base/util.h"

char *apo_cli_env_name(const struct apo_cli *cli)
{
	struct apo_model *m = NULL;
	struct apo_diag d;
	char *env;

	if (cli->env)
		return apo_xstrdup(cli->env);
	apo_diag_init(&d);
	apo_conf_load(cli->confdir, NULL, &m, &d);
	env = apo_xstrdup(m && m->env ? m->env : "example");
	apo_model_free(m);
	apo_diag_clear(&d);
	return env;
}

int apo_cmd_down(const struct apo_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{"quiet", no_argument, NULL, 'q'},
		{"json", no_argument, NULL, 'j'},
		{"purge", no_argument, NULL, 'P'},
		{NULL, 0, NULL, 0},
	};
	struct apo_down_opts o = {.verbose = cli->verbose};
	bool purge = false;
	int c;

	while ((c = getopt_long(argc, argv, "+q", opts, NULL)) != -1) {
		switch (c) {
		case 'q':
			o.quiet = true;
			break;
		case 'j':
			o.json = true;
			break;
		case 'P':
			purge = true;
			break;
		default:
			return APO_EXIT_USAGE;
		}
	}
	if (optind < argc) {
		apo_err("down: unexpected argument '%s'", argv[optind]);
		return APO_EXIT_USAGE;
	}
	_cleanup_free_ char *env = apo_cli_env_name(cli);
	int rc = apo_down(env, &o);
	/* the stations' writable layers, the environment's SSH key, the logs */
	int r;
	if (rc == APO_EXIT_OK && purge && (r = apo_runtime_down(env, 0, true)) < 0) {
		apo_err("down: --purge: %s/%s: %s", apo_lib_dir(), env, strerror(-r));
		rc = APO_EXIT_FAILURE;
	}
	return rc;
}
