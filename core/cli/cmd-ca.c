/* SPDX-License-Identifier: MIT */
/*
 * apomon ca: the environment's CA certificate (made if missing) on stdout,
 * PEM, so that `apomon ca > ca.pem` is the certificate; how to trust it
 * from curl, the system store and a browser on stderr.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "integrity/ca.h"
#include "cli/cli.h"
#include "base/util.h"

static int copy_to_stdout(const char *path)
{
	FILE *f = fopen(path, "re");
	char buf[4096];
	size_t n;
	int rc = 0;

	if (!f)
		return -errno;
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		if (fwrite(buf, 1, n, stdout) != n) {
			rc = -EIO;
			break;
		}
	if (!rc && ferror(f))
		rc = -EIO;
	fclose(f);
	if (fflush(stdout) != 0 && !rc)
		rc = -errno;
	return rc;
}

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
			puts("Usage: apomon ca [--path]\n\n"
			     "Writes the environment's CA certificate (made at the first `up`) to\n"
			     "stdout as PEM (apomon ca > ca.pem) and how to trust it to stderr;\n"
			     "--path: only its path, on stdout.");
			return APO_EXIT_OK;
		default:
			return APO_EXIT_USAGE;
		}
	}
	/* the path needs only the environment's name: no types loaded, and
	 * a config that does not validate still has its CA */
	if (path_only) {
		_cleanup_free_ char *env = apo_cli_env_name(cli);
		if (!env)
			return APO_EXIT_USAGE;
		if ((r = apo_ca_ensure(env, &crt, &err)) < 0) {
			apo_err("ca: environment '%s': %s", env, err ? err : strerror(-r));
			return APO_EXIT_FAILURE;
		}
		puts(crt);
		return APO_EXIT_OK;
	}
	if ((r = apo_env_open(cli, &e)))
		return r;
	r = apo_ca_ensure(e.plan->env, &crt, &err);
	if (r < 0) {
		apo_err("ca: environment '%s': %s", e.plan->env, err ? err : strerror(-r));
		apo_env_close(&e);
		return APO_EXIT_FAILURE;
	}
	r = copy_to_stdout(crt);
	if (r < 0) {
		apo_err("ca: %s: %s", crt, strerror(-r));
		apo_env_close(&e);
		return APO_EXIT_FAILURE;
	}
	fprintf(stderr,
		"apomon: CA certificate of environment '%s': %s\n"
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
	apo_env_close(&e);
	return APO_EXIT_OK;
}
