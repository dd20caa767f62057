/* SPDX-License-Identifier: MIT */
/* apomon status [--json]: the kernel compared with the plan. */
#include "config.h"

#include "cli.h"
#include "status.h"

int apo_cmd_status(const struct apo_cli *cli, int argc, char **argv)
{
	struct apo_env env;
	bool json;
	int rc;

	if ((rc = apo_cli_parse_json_flag(argc, argv, &json)))
		return rc;
	if ((rc = apo_env_open(cli, &env)))
		return rc;
	rc = apo_status(env.plan, json);
	apo_env_close(&env);
	return rc;
}
