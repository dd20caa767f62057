/* SPDX-License-Identifier: MIT */
/* apomon graph [--svg FILE]: the topology as Graphviz DOT, or an SVG. */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "plan/graph.h"
#include "base/util.h"

int apo_cmd_graph(const struct apo_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"svg", required_argument, NULL, 's'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	const char *svg = NULL;
	struct apo_env env;
	char *dot = NULL;
	size_t len = 0;
	int c, rc;

	while ((c = getopt_long(argc, argv, "+s:h", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			svg = optarg;
			break;
		case 'h':
			printf(
			    "Usage: apomon graph [--svg FILE]\n"
			    "Prints the topology as Graphviz DOT, or renders it to FILE as SVG.\n");
			return APO_EXIT_OK;
		default:
			return APO_EXIT_USAGE;
		}
	}
	if (optind < argc) {
		apo_err("graph: unexpected argument '%s'", argv[optind]);
		return APO_EXIT_USAGE;
	}
	if ((rc = apo_env_open(cli, &env)))
		return rc;

	FILE *f = open_memstream(&dot, &len);
	if (!f) {
		apo_err("graph: %s", strerror(errno));
		apo_env_close(&env);
		return APO_EXIT_FAILURE;
	}
	apo_graph_dot(env.plan, f);
	fclose(f);
	apo_env_close(&env);

	rc = APO_EXIT_OK;
	if (!svg) {
		fwrite(dot, 1, len, stdout);
	} else {
		int r = apo_graph_svg(dot, len, svg);
		if (r == -ENOENT)
			apo_err("graph: graphviz is not installed (apt-get install graphviz)");
		else if (r == -EPROTO)
			apo_err("graph: dot failed to render %s", svg);
		else if (r < 0)
			apo_err("graph: cannot run dot: %s", strerror(-r));
		if (r < 0)
			rc = APO_EXIT_FAILURE;
	}
	free(dot);
	return rc;
}
