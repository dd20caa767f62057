/* SPDX-License-Identifier: MIT */
/*
 * apomon hosts [--apply|--remove]: the host-file lines of the environment's
 * public names; --apply writes them into /etc/hosts as a marked block
 * (journaled, so that `down` removes it), --remove takes the block out.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "net/hostsfile.h"
#include "engine/journal.h"
#include "base/util.h"

static void hosts_err(const char *path, const char *env, int r)
{
	size_t line;

	if (r == -EBADMSG && (line = apo_hosts_unterminated_line(path, env)))
		apo_err("hosts: %s:%zu: '# BEGIN apomon %s' without its '# END apomon %s' line "
			"after it: refused, nothing was changed; remove the block by hand",
			path, line, env, env);
	else
		apo_err("hosts: %s: %s", path, strerror(-r));
}

int apo_cmd_hosts(const struct apo_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"apply", no_argument, NULL, 'a'},
	    {"remove", no_argument, NULL, 'r'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	struct apo_journal *j = NULL;
	_cleanup_free_ char *busy = NULL, *lines = NULL;
	struct apo_env e;
	int c, r, mode = 0, rc = APO_EXIT_OK;

	optind = 0;
	while ((c = getopt_long(argc, argv, "+arh", opts, NULL)) != -1) {
		switch (c) {
		case 'a':
		case 'r':
			/* the last one winning would remove what was asked for */
			if (mode && mode != c) {
				apo_err("hosts: --apply and --remove exclude each other");
				return APO_EXIT_USAGE;
			}
			mode = c;
			break;
		case 'h':
			puts("Usage: apomon hosts [--apply|--remove]\n\n"
			     "Prints the /etc/hosts lines of the environment's public names.\n"
			     "--apply writes them into /etc/hosts as a marked block (an "
			     "environment\n"
			     "that is up only; `down` removes it), --remove takes the block out.");
			return APO_EXIT_OK;
		default:
			return APO_EXIT_USAGE;
		}
	}
	if (optind < argc) {
		apo_err("hosts: unexpected argument '%s'", argv[optind]);
		return APO_EXIT_USAGE;
	}
	if (mode && (r = apo_cli_need_root("hosts")))
		return r;
	if ((r = apo_env_open(cli, &e)))
		return r;
	lines = apo_hosts_lines(e.plan);
	const char *path = apo_hosts_path();
	if (!mode) {
		fputs(lines, stdout);
		goto out;
	}
	if (mode == 'r') {
		if ((r = apo_hosts_update(path, e.plan->env, NULL)) < 0) {
			hosts_err(path, e.plan->env, r);
			rc = APO_EXIT_FAILURE;
		}
		goto out;
	}
	r = apo_journal_open(e.plan->env, "hosts", &j, &busy);
	if (r < 0) {
		apo_err("hosts: %s", busy ? busy : strerror(-r));
		rc = APO_EXIT_FAILURE;
		goto out;
	}
	if (!apo_journal_exists(j) || !j->complete) {
		/* the state directory was made only to take the lock */
		if (!apo_journal_exists(j))
			apo_journal_remove(j);
		apo_err("hosts: environment '%s' is not up, expected `apomon up` first",
			e.plan->env);
		rc = APO_EXIT_FAILURE;
		goto out;
	}
	/* journaled first: `down` removes the block even if we die here */
	apo_journal_intent(j, "hosts", path, e.plan->env);
	if ((r = apo_journal_sync(j)) < 0 || (r = apo_hosts_update(path, e.plan->env, lines)) < 0) {
		hosts_err(path, e.plan->env, r);
		rc = APO_EXIT_FAILURE;
		goto out;
	}
	apo_journal_done(j, "hosts", path);
	apo_journal_sync(j);
	fprintf(stderr, "apomon: %s: wrote the block of environment '%s'\n", path, e.plan->env);
out:
	apo_journal_close(j);
	apo_env_close(&e);
	return rc;
}
