/* SPDX-License-Identifier: MIT */
/* apomon status [--quiet] [--json]: the kernel compared with the plan. */
#include "config.h"

#include <getopt.h>

#include "cli/cli.h"
#include "engine/status.h"

int apo_cmd_status(const struct apo_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"quiet", no_argument, NULL, 'q'},
	    {"json", no_argument, NULL, 'j'},
	    {NULL, 0, NULL, 0},
	};
	enum apo_status_output out = APO_STATUS_TEXT;
	struct apo_env env;
	int c, rc;

	while ((c = getopt_long(argc, argv, "+q", opts, NULL)) != -1) {
		switch (c) {
		case 'q':
			out = APO_STATUS_QUIET;
			break;
		case 'j':
			out = APO_STATUS_JSON;
			break;
		default:
			return APO_EXIT_USAGE;
		}
	}
	if (optind < argc) {
		apo_err("status: unexpected argument '%s'", argv[optind]);
		return APO_EXIT_USAGE;
	}
	if ((rc = apo_env_open(cli, &env)))
		return rc;
	rc = apo_status(env.plan, out);
	apo_env_close(&env);
	return rc;
}
