/* SPDX-License-Identifier: MIT */
/*
 * apomon seal [STATION...] [-o FILE] [--sign KEY] [--root DIR]
 *             [--path PATH]... [--paths-from FILE]
 *
 * Writes each station's manifest where its config says (or to -o, for one
 * station), signing it with --sign.  With --path/--paths-from the paths are
 * given directly and no config is read: `apomon seal --root DIR --path
 * /etc/x -o M` seals any tree.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "config/conf.h"
#include "integrity/conf-integrity.h"
#include "integrity/integrity.h"
#include "base/fs.h"
#include "base/paths.h"
#include "integrity/signature.h"
#include "base/util.h"

struct seal_args {
	const char *out;  /* -o: file, "-" for stdout */
	const char *key;  /* --sign */
	const char *root; /* --root */
	char **paths;
	size_t n_paths, cap_paths;
	const char *paths_from;
	unsigned threads; /* -j; 0: one a CPU */
};

/* Writes data to path atomically (temp file + rename): a reader never
 * sees half a manifest. */
static int write_atomic(const char *path, const char *data, size_t len, char **why)
{
	_cleanup_free_ char *dir = apo_xstrdup(path);
	char *slash = strrchr(dir, '/');
	int rc;

	if (!strcmp(path, "-")) {
		if (fwrite(data, 1, len, stdout) != len || fflush(stdout)) {
			*why = apo_xasprintf("stdout: %s", strerror(errno));
			return -EIO;
		}
		return 0;
	}
	if (slash && slash != dir) {
		*slash = '\0';
		(void)apo_mkdir_p(dir, 0755);
	}
	if ((rc = apo_write_file_atomic(path, data, len, 0644, true)) < 0)
		*why = apo_xasprintf("%s: %s", path, strerror(-rc));
	return rc;
}

/* Seals paths in root and writes the manifest (and its signature). */
static int seal_one(const struct seal_args *a, const char *env, const char *fqdn, const char *root,
		    char *const *paths, size_t n, const char *out)
{
	struct apo_manifest *m = NULL;
	char *text = NULL, *why = NULL, *sig = NULL;
	size_t len = 0;
	int rc;

	rc = apo_integrity_seal(root, paths, n, a->threads, &m, &why);
	if (rc < 0) {
		apo_err("%s: seal: %s", fqdn, why);
		goto out;
	}
	FILE *f = open_memstream(&text, &len);
	if (!f) {
		rc = -errno;
		apo_err("%s: seal: %s", fqdn, strerror(errno));
		goto out;
	}
	apo_manifest_write(m, f, env, fqdn);
	fclose(f);
	if (a->key) {
		rc = apo_sig_sign(a->key, text, len, &sig, &why);
		if (rc < 0) {
			apo_err("%s: seal: %s", fqdn, why);
			goto out;
		}
	}
	rc = write_atomic(out, text, len, &why);
	if (rc == 0 && sig) {
		if (!strcmp(out, "-")) {
			apo_err("%s: seal: --sign needs -o FILE (the signature goes to FILE.sig)",
				fqdn);
			rc = -EINVAL;
			goto out;
		}
		_cleanup_free_ char *sigpath = apo_xasprintf("%s.sig", out);
		rc = write_atomic(sigpath, sig, strlen(sig), &why);
	}
	if (rc < 0) {
		apo_err("%s: seal: %s", fqdn, why);
		goto out;
	}
	if (strcmp(out, "-"))
		fprintf(stderr, "%s: sealed %zu paths into %s%s\n", fqdn, m->n, out,
			sig ? " (signed)" : "");
out:
	apo_manifest_free(m);
	free(text);
	free(why);
	free(sig);
	return rc;
}

static int read_paths(const char *file, struct seal_args *a)
{
	FILE *f = strcmp(file, "-") ? fopen(file, "re") : stdin;
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;

	if (!f) {
		apo_err("%s: %s", file, strerror(errno));
		return -errno;
	}
	while ((n = getline(&line, &cap, f)) > 0) {
		if (line[n - 1] == '\n')
			line[--n] = '\0';
		if (n == 0 || line[0] == '#')
			continue;
		APO_PUSH(a->paths, a->n_paths, a->cap_paths, apo_xstrdup(line));
	}
	free(line);
	if (f != stdin)
		fclose(f);
	return 0;
}

int apo_cmd_seal(const struct apo_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"output", required_argument, NULL, 'o'},
	    {"sign", required_argument, NULL, 's'},
	    {"root", required_argument, NULL, 'r'},
	    {"path", required_argument, NULL, 'P'},
	    {"paths-from", required_argument, NULL, 'F'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	struct seal_args a = {0};
	struct apo_env env = {0};
	int c, rc = APO_EXIT_OK;

	while ((c = getopt_long(argc, argv, "o:j:h", opts, NULL)) != -1) {
		switch (c) {
		case 'o':
			a.out = optarg;
			break;
		case 's':
			a.key = optarg;
			break;
		case 'r':
			a.root = optarg;
			break;
		case 'P':
			APO_PUSH(a.paths, a.n_paths, a.cap_paths, apo_xstrdup(optarg));
			break;
		case 'F':
			a.paths_from = optarg;
			break;
		case 'j':
			if (apo_cli_parse_uint("seal", "-j", optarg, 256, &a.threads))
				return APO_EXIT_USAGE;
			break;
		case 'h':
			printf(
			    "Usage: apomon seal [STATION...] [-o FILE] [--sign KEY] [--root DIR]\n"
			    "                   [--path PATH]... [--paths-from FILE] [-j "
			    "THREADS]\n");
			return APO_EXIT_OK;
		default:
			return APO_EXIT_USAGE;
		}
	}
	if (a.paths_from && read_paths(a.paths_from, &a) < 0) {
		rc = APO_EXIT_FAILURE;
		goto out;
	}
	if (a.n_paths || a.paths_from) {
		/* explicit paths: no config at all */
		if (!a.root || !a.out) {
			apo_err("seal: --path/--paths-from need --root DIR and -o FILE");
			rc = APO_EXIT_USAGE;
			goto out;
		}
		const char *name = optind < argc ? argv[optind] : NULL;
		if (seal_one(&a, cli->env, name ? name : "-", a.root, a.paths, a.n_paths, a.out) <
		    0)
			rc = APO_EXIT_FAILURE;
		goto out;
	}

	/* stations' own roots are under /run/apomon, root's */
	if (!a.root && (rc = apo_cli_need_root("seal")))
		goto out;
	rc = apo_env_open(cli, &env);
	if (rc != APO_EXIT_OK)
		goto out;
	struct apo_station **list = NULL;
	size_t nl = 0, cl = 0;
	if (optind < argc) {
		for (int i = optind; i < argc; i++) {
			struct apo_station *st = apo_model_station(env.model, argv[i]);
			if (!st) {
				apo_err("seal: no station '%s' in environment %s", argv[i],
					env.model->env);
				rc = APO_EXIT_USAGE;
				free(list);
				goto out;
			}
			APO_PUSH(list, nl, cl, st);
		}
	} else {
		for (size_t i = 0; i < env.model->n_stations; i++)
			if (env.model->stations[i]->enabled)
				APO_PUSH(list, nl, cl, env.model->stations[i]);
	}
	if (a.out && nl != 1) {
		apo_err("seal: -o FILE needs exactly one station (%zu selected)", nl);
		rc = APO_EXIT_USAGE;
		free(list);
		goto out;
	}
	for (size_t i = 0; i < nl; i++) {
		struct apo_station *st = list[i];
		struct apo_integrity_conf ic;
		struct apo_diag d;
		char **paths = NULL, *why = NULL;
		size_t np = 0;

		apo_diag_init(&d);
		if (apo_integrity_conf_station(env.model, st, &ic, &d) < 0) {
			apo_diag_print(&d, stderr);
			rc = APO_EXIT_USAGE;
		} else if (apo_station_sealed_paths(st, &paths, &np, &why) < 0) {
			apo_err("%s: seal: %s", st->fqdn, why);
			rc = APO_EXIT_USAGE;
		} else {
			const char *out = a.out ? a.out : ic.o.manifest;
			_cleanup_free_ char *root =
			    a.root ? apo_xstrdup(a.root)
				   : apo_integrity_station_root(env.model->env, st->name);
			if (!a.out && apo_fetch_is_remote(out)) {
				apo_err(
				    "%s: seal: the manifest is %s: seal with -o FILE and upload it",
				    st->fqdn, out);
				rc = APO_EXIT_USAGE;
			} else if (seal_one(&a, env.model->env, st->fqdn, root, paths, np, out) <
				   0) {
				rc = APO_EXIT_FAILURE;
			}
		}
		for (size_t k = 0; k < np; k++)
			free(paths[k]);
		free(paths);
		free(why);
		apo_integrity_conf_clear(&ic);
		apo_diag_clear(&d);
	}
	free(list);
out:
	apo_env_close(&env);
	for (size_t i = 0; i < a.n_paths; i++)
		free(a.paths[i]);
	free(a.paths);
	return rc;
}
