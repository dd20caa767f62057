/* SPDX-License-Identifier: MIT */
/* apomon status [--quiet] [--json]: the kernel compared with the plan. */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "engine/status.h"

int apo_cmd_status(const struct apo_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"quiet", no_argument, NULL, 'q'},
	    {"json", no_argument, NULL, 'j'},
	    {NULL, 0, NULL, 0},
	};
	enum { APO_STATUS_TEXT, APO_STATUS_JSON, APO_STATUS_QUIET } out = APO_STATUS_TEXT;
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
	struct apo_status *st = NULL;
	int r = apo_status_read(env.plan, &st);
	if (r < 0) {
		apo_err("status: %s", strerror(-r));
		rc = APO_EXIT_FAILURE;
	} else {
		if (out == APO_STATUS_JSON)
			apo_cli_print_json(apo_status_json(st));
		else if (out == APO_STATUS_TEXT)
			apo_status_print(st, stdout);
		rc = apo_status_n_drift(st) ? APO_EXIT_FAILURE : APO_EXIT_OK;
	}
	apo_status_free(st);
	apo_env_close(&env);
	return rc;
}
