/* SPDX-License-Identifier: MIT */
/* apomon up [--quiet] [--json] [--network-only]: builds the environment. */
#include "config.h"

#include <getopt.h>
#include <stdio.h>

#include "cli/cli.h"
#include "engine/up.h"

int apo_cmd_up(const struct apo_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"quiet", no_argument, NULL, 'q'},
	    {"json", no_argument, NULL, 'j'},
	    {"network-only", no_argument, NULL, 'n'},
	    {"dry-run", no_argument, NULL, 'd'},
	    {NULL, 0, NULL, 0},
	};
	struct apo_up_opts o = {.verbose = cli->verbose};
	struct apo_env env;
	int c, rc;

	while ((c = getopt_long(argc, argv, "+q", opts, NULL)) != -1) {
		switch (c) {
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
	if ((rc = apo_env_open(cli, &env)))
		return rc;
	rc = apo_up(env.plan, &o);
	apo_env_close(&env);
	return rc;
}
