/* SPDX-License-Identifier: MIT */
/*
 * apomon stop|start|restart [-t SECONDS] [--images DIR]... STATION...: one station at a
 * time, in an environment that is up.  stop keeps its root and data;
 * start renders its config again and runs its startup checks.
 */
#include "config.h"

#include <ctype.h>

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "engine/journal.h"
#include "runtime/runtime.h"
#include "engine/up.h"
#include "base/util.h"

enum verb { STOP = 1, START = 2, RESTART = STOP | START };

static int run(const struct apo_cli *cli, int argc, char **argv, enum verb verb)
{
	static const struct option opts[] = {
	    {"time", required_argument, NULL, 't'},
	    {"images", required_argument, NULL, 'i'},
	    {NULL, 0, NULL, 0},
	};
	/* --images: start finds each definition where `up` found it, so that
	 * it asks for the layer `up` built */
	struct apo_cli with = *cli;
	_cleanup_free_ char **dirs = NULL;
	size_t cap = 0;
	unsigned grace_ms = APO_STATION_GRACE_MS;
	struct apo_journal *j = NULL;
	_cleanup_free_ char *busy = NULL;
	_cleanup_free_ size_t *idx = NULL;
	struct apo_env e = {0};
	bool opened = false;
	size_t n = 0;
	int c, r, rc = APO_EXIT_FAILURE;

	while ((c = getopt_long(argc, argv, "+t:", opts, NULL)) != -1) {
		if (c == 'i' && verb != STOP) {
			APO_PUSH(dirs, with.n_image_dirs, cap, optarg);
			continue;
		}
		if (c != 't')
			return APO_EXIT_USAGE;
		if (apo_cli_parse_seconds(argv[0], "-t", optarg, 3600, &grace_ms))
			return APO_EXIT_USAGE;
		/* an explicit -t 0 kills at once; the runtime's 0 means "the
		 * type's deadline" */
		if (grace_ms == APO_STATION_GRACE_MS)
			grace_ms = 1;
	}
	with.image_dirs = dirs;
	if (optind >= argc) {
		apo_err("%s: usage: apomon %s [-t SECONDS]%s STATION...", argv[0], argv[0],
			verb == STOP ? "" : " [--images DIR]...");
		return APO_EXIT_USAGE;
	}
	for (int i = optind; i < argc; i++)
		if (apo_cli_check_name(argv[0], "station", argv[i]))
			return APO_EXIT_USAGE;
	if ((r = apo_env_open(&with, &e)))
		return r;
	opened = true;
	idx = apo_xcalloc((size_t)argc, sizeof(*idx));
	for (int i = optind; i < argc; i++) {
		ssize_t k = apo_cli_find_station(argv[0], e.plan, argv[i]);
		if (k < 0) {
			rc = APO_EXIT_USAGE;
			goto out;
		}
		idx[n++] = (size_t)k;
	}
	/* the environment's lock: no `up` or `down` meanwhile */
	if ((r = apo_journal_open(e.plan->env, argv[0], &j, &busy)) < 0) {
		apo_err("%s: %s", argv[0], busy ? busy : strerror(-r));
		goto out;
	}
	if (!apo_journal_exists(j) || !j->complete) {
		/* the state directory was made only to take the lock */
		if (!apo_journal_exists(j))
			apo_journal_remove(j);
		apo_err("%s: environment '%s' is not up", argv[0], e.plan->env);
		goto out;
	}
	if (verb & STOP) {
		for (size_t i = 0; i < n; i++) {
			const struct apo_station *s = e.plan->stations[idx[i]].station;
			if ((r = apo_station_stop(e.plan->env, s->name, grace_ms)) < 0) {
				apo_err("%s: stop: %s", s->fqdn, strerror(-r));
				goto out;
			}
			fprintf(stderr, "%s: stopped\n", s->fqdn);
		}
	}
	if (verb & START) {
		_cleanup_free_ char *err = NULL;
		for (size_t i = 0; i < n; i++) {
			const struct apo_station *s = e.plan->stations[idx[i]].station;
			struct apo_station_info in;
			apo_station_info(e.plan->env, s->name, &in);
			if (in.state == APO_STATION_STARTING || in.state == APO_STATION_READY) {
				apo_err("%s: start: already running (pid %d)", s->fqdn,
					(int)in.pid);
				goto out;
			}
		}
		if ((r = apo_up_start_some(e.plan, idx, n, &err)) < 0) {
			apo_err("%s", err ? err : strerror(-r));
			/* a station that did not come up is stopped again */
			for (size_t i = 0; i < n; i++)
				apo_station_stop(e.plan->env,
						 e.plan->stations[idx[i]].station->name, grace_ms);
			goto out;
		}
	}
	rc = APO_EXIT_OK;
out:
	apo_journal_close(j);
	if (opened)
		apo_env_close(&e);
	return rc;
}

int apo_cmd_stop(const struct apo_cli *cli, int argc, char **argv)
{
	return run(cli, argc, argv, STOP);
}

int apo_cmd_start(const struct apo_cli *cli, int argc, char **argv)
{
	return run(cli, argc, argv, START);
}

int apo_cmd_restart(const struct apo_cli *cli, int argc, char **argv)
{
	return run(cli, argc, argv, RESTART);
}
