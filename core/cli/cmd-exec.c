/* SPDX-License-Identifier: MIT */
/* apomon exec [-T] STATION -- CMD...: runs CMD inside a running station
 * (all its namespaces, its root); a pseudo-terminal when interactive. */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "runtime/runtime.h"
#include "base/util.h"

int apo_cmd_exec(const struct apo_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"no-tty", no_argument, NULL, 'T'},
	    {NULL, 0, NULL, 0},
	};
	bool tty = isatty(0) && isatty(1);
	int c, rc;

	while ((c = getopt_long(argc, argv, "+T", opts, NULL)) != -1) {
		if (c != 'T')
			return APO_EXIT_USAGE;
		tty = false;
	}
	if (argc - optind < 2) {
		apo_err("exec: usage: apomon exec [-T] STATION -- COMMAND [ARGS...]");
		return APO_EXIT_USAGE;
	}
	const char *arg = argv[optind++];
	if (apo_cli_check_name("exec", "station", arg))
		return APO_EXIT_USAGE;
	if (!strcmp(argv[optind], "--"))
		optind++;
	if (optind >= argc) {
		apo_err("exec: no command given");
		return APO_EXIT_USAGE;
	}
	_cleanup_free_ char *env = apo_cli_env_name(cli);
	if (!env)
		return APO_EXIT_USAGE;
	_cleanup_free_ char *name = apo_runtime_station_name(env, arg);
	fflush(stdout);
	rc = apo_station_exec(env, name, (const char *const *)argv + optind, tty, NULL);
	if (rc == -ESRCH) {
		apo_err("%s: exec: not running in environment '%s'", arg, env);
		return APO_EXIT_FAILURE;
	}
	if (rc < 0) {
		apo_err("%s: exec: %s", arg, strerror(-rc));
		return APO_EXIT_FAILURE;
	}
	return rc; /* the command's own status */
}
