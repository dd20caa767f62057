/* SPDX-License-Identifier: MIT */
/* apomon validate: every problem of the config at once, exit 2 if any. */
#include "config.h"

#include <stdio.h>

#include "cli/cli.h"
#include "validate/validate.h"

int apo_cmd_validate(const struct apo_cli *cli, int argc, char **argv)
{
	struct apo_env env;
	bool json;
	int rc;

	if ((rc = apo_cli_parse_json_flag(argc, argv, &json)))
		return rc;
	if ((rc = apo_env_open(cli, &env)))
		return rc;
	struct apo_diag w;
	apo_diag_init(&w);
	apo_validate_warnings(env.model, &w);
	struct apo_diag unused;
	apo_diag_init(&unused);
	/* apo_env_open checked the images; this pass is for the vendor rule */
	apo_validate_images(env.model, env.registry, &unused, &w);
	apo_diag_clear(&unused);
	apo_diag_print(&w, stderr);
	apo_diag_clear(&w);
	size_t nc = env.model->n_clusters, ns = env.plan->n_stations;
	printf("%s: environment '%s' is valid: %zu cluster%s, %zu station%s enabled\n",
	       env.model->confdir, env.model->env, nc, nc == 1 ? "" : "s", ns, ns == 1 ? "" : "s");
	apo_env_close(&env);
	return APO_EXIT_OK;
}
