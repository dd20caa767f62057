/* SPDX-License-Identifier: MIT */
/*
 * apomon ca: the environment's CA certificate (made if missing) and how to
 * trust it from curl, the system store and a browser.
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "integrity/ca.h"
#include "cli/cli.h"
#include "base/util.h"

int apo_cmd_ca(const struct apo_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"path", no_argument, NULL, 'p'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	_cleanup_free_ char *crt = NULL, *err = NULL;
	struct apo_env e;
	bool path_only = false;
	int c, r;

	optind = 0;
	while ((c = getopt_long(argc, argv, "+ph", opts, NULL)) != -1) {
		switch (c) {
		case 'p':
			path_only = true;
			break;
		case 'h':
			puts(
			    "Usage: apomon ca [--path]\n\n"
			    "Prints the environment's CA certificate (made at the first `up`) and\n"
			    "how to trust it; --path: only its path.");
			return APO_EXIT_OK;
		default:
			return APO_EXIT_USAGE;
		}
	}
	if ((r = apo_env_open(cli, &e)))
		return r;
	r = apo_ca_ensure(e.plan->env, &crt, &err);
	if (r < 0) {
		apo_err("ca: environment '%s': %s", e.plan->env, err ? err : strerror(-r));
		apo_env_close(&e);
		return APO_EXIT_FAILURE;
	}
	if (path_only) {
		puts(crt);
	} else {
		printf("CA certificate of environment '%s': %s\n\n"
		       "Trust it\n"
		       "  curl:    curl --cacert %s https://www.%s/\n"
		       "  system:  cp %s /usr/local/share/ca-certificates/apomon-%s.crt && "
		       "update-ca-certificates\n"
		       "  browser: import %s as an authority (Firefox: Settings > Privacy & "
		       "Security > Certificates > View Certificates > Authorities > Import;\n"
		       "           Chromium: Settings > Privacy and security > Security > Manage "
		       "certificates > Authorities > Import)\n",
		       e.plan->env, crt, crt,
		       e.model->clusters && e.model->n_clusters ? e.model->clusters[0]->domain
								: "example.com",
		       crt, e.plan->env, crt);
	}
	apo_env_close(&e);
	return APO_EXIT_OK;
}
