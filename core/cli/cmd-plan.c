/* SPDX-License-Identifier: MIT */
/* apomon plan [--json]: what `up` would create; touches nothing. */
#include "config.h"

#include <stdio.h>

#include "cli/cli.h"

int apo_cmd_plan(const struct apo_cli *cli, int argc, char **argv)
{
	struct apo_env env;
	bool json;
	int rc;

	if ((rc = apo_cli_parse_json_flag(argc, argv, &json)))
		return rc;
	if ((rc = apo_env_open(cli, &env)))
		return rc;
	if (json) {
		struct json_object *o = apo_plan_to_json(env.plan);
		apo_cli_print_json(o);
		json_object_put(o);
	} else {
		apo_plan_print(env.plan, stdout);
	}
	apo_env_close(&env);
	return APO_EXIT_OK;
}
