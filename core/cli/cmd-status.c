/* SPDX-License-Identifier: MIT */
/* apomon status [--quiet] [--json]: the kernel compared with the plan. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "engine/status.h"

int apo_cmd_status(const struct apo_cli *cli, int argc, char **argv)
{
	bool quiet = false, json = false;
	const struct apo_cli_flag flags[] = {
	    {"quiet", 'q', &quiet},
	    {"json", 0, &json},
	    {NULL, 0, NULL},
	};
	struct apo_env env;
	int rc;

	if ((rc = apo_cli_parse_flags(argc, argv, flags)))
		return rc;
	if ((rc = apo_env_open(cli, &env)))
		return rc;
	struct apo_status *st = NULL;
	int r = apo_status_read(env.plan, &st);
	if (r < 0) {
		apo_err("status: %s", strerror(-r));
		rc = APO_EXIT_FAILURE;
	} else {
		if (json)
			apo_cli_print_json(apo_status_json(st));
		else if (!quiet)
			apo_status_print(st, stdout);
		rc = apo_status_n_drift(st) ? APO_EXIT_FAILURE : APO_EXIT_OK;
	}
	apo_status_free(st);
	apo_env_close(&env);
	return rc;
}
