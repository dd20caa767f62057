/* SPDX-License-Identifier: MIT */
/*
 * apomon ssh STATION [SSH ARGS...]: ssh to 3pg@ the station's first
 * address with the environment's key (/var/lib/apomon/ENV/ssh/), which
 * `up` installs in every station whose image has the user 3pg.  The
 * station's host key is checked strictly against the environment's
 * known_hosts (runtime/ssh-keys.h): a changed key is refused.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "base/fmt.h"
#include "base/paths.h"
#include "runtime/runtime.h"
#include "runtime/ssh-keys.h"
#include "base/util.h"

int apo_cmd_ssh(const struct apo_cli *cli, int argc, char **argv)
{
	struct apo_env e;
	_cleanup_free_ char *priv = NULL, *pub = NULL;
	char addr[INET_ADDRSTRLEN];
	int r;

	if (argc < 2) {
		apo_err("ssh: usage: apomon ssh STATION [COMMAND...]");
		return APO_EXIT_USAGE;
	}
	if (apo_cli_check_name("ssh", "station", argv[1]))
		return APO_EXIT_USAGE;
	if ((r = apo_env_open(cli, &e)))
		return r;
	_cleanup_free_ char *name = apo_runtime_station_name(e.plan->env, argv[1]);
	ssize_t k = apo_plan_find(e.plan, name);
	if (k < 0 || !e.plan->stations[k].station->n_addrs) {
		apo_err("ssh: %s: no such station with an address in environment '%s'", argv[1],
			e.plan->env);
		apo_env_close(&e);
		return APO_EXIT_USAGE;
	}
	/* never a packet towards a station that is not up: its address may
	 * well be routed elsewhere by the host */
	struct apo_station_info in;
	if (apo_station_info(e.plan->env, name, &in) < 0 ||
	    (in.state != APO_STATION_STARTING && in.state != APO_STATION_READY)) {
		apo_err("ssh: %s: not running in environment '%s'", argv[1], e.plan->env);
		apo_env_close(&e);
		return APO_EXIT_FAILURE;
	}
	apo_fmt_ip(addr, e.plan->stations[k].station->addrs[0].addr);
	if ((r = apo_runtime_ssh_key(e.plan->env, &priv, &pub)) < 0) {
		apo_err("ssh: key of environment '%s': %s", e.plan->env, strerror(-r));
		apo_env_close(&e);
		return APO_EXIT_FAILURE;
	}
	_cleanup_free_ char *kh = apo_ssh_known_hosts_path(e.plan->env);
	_cleanup_free_ char *known = apo_xasprintf("UserKnownHostsFile=%s", kh);
	_cleanup_free_ char *dest = apo_xasprintf("3pg@%s", addr);
	apo_env_close(&e);

	/* apomon made every station's host key and pinned it: no prompt, no
	 * trust on first use, and nothing learnt into the user's files */
	const char *base[] = {"ssh",
			      "-i",
			      priv,
			      "-o",
			      "IdentitiesOnly=yes",
			      "-o",
			      "StrictHostKeyChecking=yes",
			      "-o",
			      known,
			      "-o",
			      "GlobalKnownHostsFile=/dev/null",
			      "-o",
			      "LogLevel=ERROR",
			      dest};
	size_t nb = APO_ARRAY_SIZE(base);
	char **args = apo_xcalloc(nb + (size_t)argc, sizeof(*args));
	for (size_t i = 0; i < nb; i++)
		args[i] = (char *)base[i];
	for (int i = 2; i < argc; i++)
		args[nb + (size_t)i - 2] = argv[i];
	execvp("ssh", args);
	apo_err("ssh: %s", strerror(errno));
	free(args);
	return APO_EXIT_FAILURE;
}
