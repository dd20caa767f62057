/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "config/conf.h"
#include "base/util.h"
#include "validate/validate.h"

void apo_err(const char *fmt, ...)
{
	va_list ap;
	fputs("apomon: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int apo_env_open(const struct apo_cli *cli, struct apo_env *env)
{
	struct apo_diag d;
	int rc;

	memset(env, 0, sizeof(*env));
	apo_diag_init(&d);
	rc = apo_conf_load(cli->confdir, cli->env, &env->model, &d);
	if (rc < 0 && rc != -EINVAL)
		goto fail;

	env->registry = apo_registry_new();
	apo_registry_load_all(env->registry, cli->plugin_dirs, cli->n_plugin_dirs,
			      env->model->plugin_path, env->model->n_plugin_path);
	if (cli->verbose) {
		for (size_t i = 0; i < apo_registry_refusal_count(env->registry); i++) {
			const struct apo_refusal *f = apo_registry_refusal_at(env->registry, i);
			apo_err("warning: %s: %s", f->file, f->reason);
		}
	}
	if (apo_validate(env->model, env->registry, &d) < 0 || rc < 0)
		goto fail;
	if (apo_plan_build(env->model, &env->plan, &d) < 0)
		goto fail;
	apo_diag_clear(&d);
	return APO_EXIT_OK;

fail:
	apo_diag_print(&d, stderr);
	if (d.n > 1)
		apo_err("%zu problems; nothing was changed", d.n);
	apo_diag_clear(&d);
	apo_env_close(env);
	return APO_EXIT_USAGE;
}

void apo_env_close(struct apo_env *env)
{
	apo_plan_free(env->plan);
	apo_registry_free(env->registry);
	apo_model_free(env->model);
	memset(env, 0, sizeof(*env));
}

int apo_cli_parse_json_flag(int argc, char **argv, bool *json)
{
	static const struct option opts[] = {
		{"json", no_argument, NULL, 'j'},
		{NULL, 0, NULL, 0},
	};
	int c;

	*json = false;
	while ((c = getopt_long(argc, argv, "+", opts, NULL)) != -1) {
		if (c != 'j')
			return APO_EXIT_USAGE;
		*json = true;
	}
	if (optind < argc) {
		apo_err("%s: unexpected argument '%s'", argv[0], argv[optind]);
		return APO_EXIT_USAGE;
	}
	return 0;
}
