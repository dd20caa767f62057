/* SPDX-License-Identifier: MIT */
/*
 * apomon verify [STATION...] [--root DIR] [-j THREADS]
 * apomon verify -m MANIFEST --root DIR [--public-key PEM] [--ca-file PEM]
 *               [--timeout S] [--retries N] [-j THREADS] [NAME]
 *
 * Runs the start-time integrity check without starting anything: every
 * selected station in parallel, one line a bad file.  With -m and --root
 * it checks any tree against a manifest without reading the config.
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "config/conf.h"
#include "integrity/conf-integrity.h"
#include "integrity/integrity.h"
#include "base/util.h"

static int report(struct apo_integrity_station *st, size_t n)
{
	int bad = 0;
	for (size_t i = 0; i < n; i++) {
		if (st[i].error) {
			fprintf(stderr, "%s: integrity: %s\n", st[i].fqdn, st[i].error);
			bad = 1;
			continue;
		}
		for (size_t k = 0; k < st[i].n_bad; k++) {
			const struct apo_integrity_bad *b = &st[i].bad[k];
			fprintf(stderr, "%s: integrity: %s: %s (expected %s, found %s)\n",
				st[i].fqdn, b->path, b->what, b->expected, b->actual);
			bad = 1;
		}
		if (st[i].unsealed)
			printf("%s: not sealed (no %s)\n", st[i].fqdn, st[i].o->manifest);
		else if (!st[i].n_bad)
			printf("%s: %zu files ok\n", st[i].fqdn, st[i].n_checked);
	}
	return bad ? APO_EXIT_FAILURE : APO_EXIT_OK;
}

int apo_cmd_verify(const struct apo_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"root", required_argument, NULL, 'r'},
	    {"manifest", required_argument, NULL, 'm'},
	    {"public-key", required_argument, NULL, 'k'},
	    {"ca-file", required_argument, NULL, 'C'},
	    {"threads", required_argument, NULL, 'j'},
	    {"timeout", required_argument, NULL, 'T'},
	    {"retries", required_argument, NULL, 'R'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	const char *root = NULL, *manifest = NULL, *pub = NULL, *ca = NULL;
	unsigned threads = 0;
	long timeout = 0;
	unsigned u;
	int retries = -1;
	struct apo_env env = {0};
	int c, rc;

	while ((c = getopt_long(argc, argv, "m:j:h", opts, NULL)) != -1) {
		switch (c) {
		case 'r':
			root = optarg;
			break;
		case 'm':
			manifest = optarg;
			break;
		case 'k':
			pub = optarg;
			break;
		case 'C':
			ca = optarg;
			break;
		case 'j':
			if (apo_cli_parse_uint("verify", "-j", optarg, 256, &threads))
				return APO_EXIT_USAGE;
			break;
		case 'T':
			if (apo_cli_parse_uint("verify", "--timeout", optarg, 86400, &u))
				return APO_EXIT_USAGE;
			timeout = u;
			break;
		case 'R':
			if (apo_cli_parse_uint("verify", "--retries", optarg, 100, &u))
				return APO_EXIT_USAGE;
			retries = (int)u;
			break;
		case 'h':
			printf("Usage: apomon verify [STATION...] [--root DIR] [-j THREADS]\n"
			       "       apomon verify -m MANIFEST --root DIR [--public-key PEM] "
			       "[--ca-file PEM]\n"
			       "                     [--timeout S] [--retries N] [-j THREADS] "
			       "[NAME]\n");
			return APO_EXIT_OK;
		default:
			return APO_EXIT_USAGE;
		}
	}
	if (manifest) {
		/* a tree against a manifest, no config */
		if (!root) {
			apo_err("verify: -m MANIFEST needs --root DIR");
			return APO_EXIT_USAGE;
		}
		struct apo_integrity_opts o = {
		    .env = cli->env ? cli->env : "example",
		    .manifest = manifest,
		    .public_key = pub,
		    .fetch = {.ca_file = ca, .retries = retries, .timeout = timeout},
		    .log_file = "",
		};
		struct apo_integrity_station st = {
		    .o = &o, .fqdn = optind < argc ? argv[optind] : root, .root = root};
		apo_integrity_check_many(&st, 1, threads);
		rc = report(&st, 1);
		apo_integrity_station_clear(&st);
		return rc;
	}

	/* stations' roots and manifests are root's (an unreadable manifest
	 * would read as "not sealed") */
	if (!root && (rc = apo_cli_need_root("verify")))
		return rc;
	rc = apo_env_open(cli, &env);
	if (rc != APO_EXIT_OK)
		return rc;
	struct apo_integrity_station *st = NULL;
	struct apo_integrity_conf *conf = NULL;
	char **roots = NULL;
	size_t n = 0, cap = 0;
	struct apo_diag d;

	apo_diag_init(&d);
	for (size_t i = 0; i < env.model->n_stations; i++) {
		struct apo_station *s = env.model->stations[i];
		int wanted = optind >= argc && s->enabled;
		for (int k = optind; k < argc; k++)
			wanted |= !strcmp(argv[k], s->name) || !strcmp(argv[k], s->fqdn);
		if (!wanted)
			continue;
		struct apo_integrity_station one = {.fqdn = s->fqdn};
		APO_PUSH(st, n, cap, one);
		conf = apo_xreallocarray(conf, cap, sizeof(*conf));
		roots = apo_xreallocarray(roots, cap, sizeof(*roots));
		apo_integrity_conf_station(env.model, s, &conf[n - 1], &d);
		roots[n - 1] =
		    root ? apo_xstrdup(root) : apo_integrity_station_root(env.model->env, s->name);
	}
	for (int k = optind; k < argc; k++) {
		if (!apo_model_station(env.model, argv[k])) {
			int found = 0;
			for (size_t i = 0; i < n; i++)
				found |= !strcmp(st[i].fqdn, argv[k]);
			if (!found) {
				apo_err("verify: no station '%s' in environment %s", argv[k],
					env.model->env);
				rc = APO_EXIT_USAGE;
			}
		}
	}
	if (d.n) {
		apo_diag_print(&d, stderr);
		rc = APO_EXIT_USAGE;
	}
	if (rc == APO_EXIT_OK) {
		for (size_t i = 0; i < n; i++) {
			st[i].o = &conf[i].o;
			st[i].root = roots[i];
		}
		apo_integrity_check_many(st, n, threads);
		rc = report(st, n);
	}
	for (size_t i = 0; i < n; i++) {
		apo_integrity_station_clear(&st[i]);
		apo_integrity_conf_clear(&conf[i]);
		free(roots[i]);
	}
	free(st);
	free(conf);
	free(roots);
	apo_diag_clear(&d);
	apo_env_close(&env);
	return rc;
}
