/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "config/conf.h"
#include "base/paths.h"
#include "base/util.h"
#include "image/image-cfg.h"
#include "runtime/runtime.h"
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

static void report_line(void *ctx, const char *msg)
{
	apo_err("%s", msg);
}

const struct apo_report apo_cli_report = {.line = report_line};

void apo_cli_print_json(struct json_object *o)
{
	puts(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
						   JSON_C_TO_STRING_NOSLASHESCAPE));
}

/* a name as one printable line, cut short: it may hold anything */
static void quote_name(const char *s, char *out, size_t size)
{
	size_t o = 0;

	for (size_t i = 0; s[i] && o + 8 < size; i++) {
		unsigned char ch = (unsigned char)s[i];
		if (ch >= 0x20 && ch < 0x7f && ch != '\\' && ch != '\'')
			out[o++] = (char)ch;
		else
			o += (size_t)snprintf(out + o, size - o, "\\x%02x", ch);
		if (i == 60 && s[i + 1]) {
			o += (size_t)snprintf(out + o, size - o, "...");
			break;
		}
	}
	out[o] = '\0';
}

static bool station_arg_ok(const char *s)
{
	const char *dot = strchr(s, '.');
	if (!dot)
		return apo_valid_station_name(s);
	/* a FQDN: its first label is the station's name */
	char label[64];
	size_t n = (size_t)(dot - s);
	if (n == 0 || n >= sizeof(label) || !apo_valid_dns_name(s))
		return false;
	memcpy(label, s, n);
	label[n] = '\0';
	return apo_valid_station_name(label);
}

int apo_cli_check_name(const char *cmd, const char *what, const char *name)
{
	char q[256];
	bool env = !strcmp(what, "environment");

	if (name && (env ? apo_valid_station_name(name) && !apo_env_name_reserved(name)
			 : station_arg_ok(name)))
		return 0;
	quote_name(name ? name : "", q, sizeof(q));
	if (env && name && apo_env_name_reserved(name))
		apo_err("%s: invalid environment name '%s': reserved for the image store", cmd, q);
	else
		apo_err("%s: invalid %s name '%s', expected lower-case letters, digits, '-' and "
			"'_', starting with a letter or digit, at most 63 bytes%s",
			cmd, what, q, env ? "" : " (or the station's FQDN)");
	return APO_EXIT_USAGE;
}

int apo_cli_parse_seconds(const char *cmd, const char *opt, const char *s, unsigned max,
			  unsigned *ms)
{
	unsigned long long whole = 0, frac = 0, scale = 1000;
	const char *p = s;

	/* strtod would take "abc" as 0, " 1", "1e3", "nan" and "-0" */
	if (!isdigit((unsigned char)*p))
		goto bad;
	for (; isdigit((unsigned char)*p) && whole <= max; p++)
		whole = whole * 10 + (unsigned)(*p - '0');
	if (*p == '.') {
		p++;
		if (!isdigit((unsigned char)*p))
			goto bad;
		for (; isdigit((unsigned char)*p); p++)
			if (scale > 1)
				frac += (scale /= 10) * (unsigned)(*p - '0');
	}
	if (*p || whole > max || (whole == max && frac))
		goto bad;
	*ms = (unsigned)(whole * 1000 + frac);
	return 0;
bad:;
	char q[256];
	quote_name(s, q, sizeof(q));
	apo_err("%s: %s '%s': expected a number of seconds from 0 to %u (e.g. 10 or 0.5)", cmd, opt,
		q, max);
	return APO_EXIT_USAGE;
}

int apo_cli_parse_uint(const char *cmd, const char *opt, const char *s, unsigned max, unsigned *out)
{
	unsigned long long v = 0;
	const char *p = s;

	for (; isdigit((unsigned char)*p) && v <= max; p++)
		v = v * 10 + (unsigned)(*p - '0');
	if (p == s || *p || v > max) {
		char q[256];
		quote_name(s, q, sizeof(q));
		apo_err("%s: %s '%s': expected a whole number from 0 to %u", cmd, opt, q, max);
		return APO_EXIT_USAGE;
	}
	*out = (unsigned)v;
	return 0;
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
	apo_cli_image_search(cli, env->model, env->registry);
	if (apo_validate(env->model, env->registry, &d) < 0 || rc < 0) {
		apo_validate_images(env->model, env->registry, &d, NULL);
		goto fail;
	}
	if (apo_validate_images(env->model, env->registry, &d, NULL) < 0)
		goto fail;
	if (apo_plan_build(env->model, &env->plan, &d) < 0)
		goto fail;
	if (apo_cli_check_name("config", "environment", env->model->env)) {
		apo_diag_clear(&d);
		apo_env_close(env);
		return APO_EXIT_USAGE;
	}
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

void apo_cli_image_search(const struct apo_cli *cli, const struct apo_model *m,
			  const struct apo_registry *r)
{
	size_t n_plugin = 0;
	char **plugin = r ? apo_plugin_images_dirs(r, &n_plugin) : NULL;

	apo_image_search_set(cli->image_dirs, cli->n_image_dirs, m ? m->images_path : NULL,
			     m ? m->n_images_path : 0, plugin, n_plugin);
	for (size_t i = 0; i < n_plugin; i++)
		free(plugin[i]);
	free(plugin);
}

void apo_env_close(struct apo_env *env)
{
	apo_plan_free(env->plan);
	apo_registry_free(env->registry);
	apo_model_free(env->model);
	memset(env, 0, sizeof(*env));
}

bool apo_cli_wants_help(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "-h") || !strcmp(a, "--help"))
			return true;
		if (!strcmp(a, "--") || a[0] != '-')
			return false;
	}
	return false;
}

int apo_cli_command_usage(const struct apo_command *c)
{
	printf("Usage: apomon %s%s%s\n\n%s\n", c->name, *c->args ? " " : "", c->args, c->summary);
	return APO_EXIT_OK;
}

int apo_cli_parse_options(int argc, char **argv, const struct apo_cli_flag *flags,
			  const struct apo_cli_arg *args, char ***operands, size_t *n_operands)
{
	struct option opts[16] = {{0}};
	char shorts[3 * APO_ARRAY_SIZE(opts)] = "+";
	size_t caps[APO_ARRAY_SIZE(opts)] = {0};
	size_t nf = 0, na = 0, ns = 1;
	int c;

	for (; flags[nf].name; nf++) {
		if (nf + 1 == APO_ARRAY_SIZE(opts))
			abort(); /* a command with that many options wants its own parser */
		opts[nf] = (struct option){flags[nf].name, no_argument, NULL, 256 + (int)nf};
		if (flags[nf].short_name)
			shorts[ns++] = flags[nf].short_name;
	}
	for (; args && args[na].name; na++) {
		size_t o = nf + na;
		if (o + 1 == APO_ARRAY_SIZE(opts))
			abort();
		opts[o] = (struct option){args[na].name, required_argument, NULL, 256 + (int)o};
		if (args[na].short_name) {
			shorts[ns++] = args[na].short_name;
			shorts[ns++] = ':';
		}
		caps[na] = *args[na].n;
	}
	while ((c = getopt_long(argc, argv, shorts, opts, NULL)) != -1) {
		size_t i = 0;
		if (c >= 256 && (size_t)c < 256 + nf + na)
			i = (size_t)c - 256;
		else {
			while (i < nf && flags[i].short_name != c)
				i++;
			if (i == nf)
				while (i < nf + na && args[i - nf].short_name != c)
					i++;
			if (i == nf + na || !c)
				return APO_EXIT_USAGE;
		}
		if (i < nf) {
			*flags[i].value = true;
		} else {
			const struct apo_cli_arg *a = &args[i - nf];
			APO_PUSH(*a->values, *a->n, caps[i - nf], (const char *)optarg);
		}
	}
	if (operands) {
		*operands = argv + optind;
		*n_operands = (size_t)(argc - optind);
	} else if (optind < argc) {
		apo_err("%s: unexpected argument '%s'", argv[0], argv[optind]);
		return APO_EXIT_USAGE;
	}
	return 0;
}

int apo_cli_parse_flags(int argc, char **argv, const struct apo_cli_flag *flags)
{
	return apo_cli_parse_options(argc, argv, flags, NULL, NULL, NULL);
}

int apo_cli_parse_json_flag(int argc, char **argv, bool *json)
{
	const struct apo_cli_flag flags[] = {{"json", 0, json}, {NULL, 0, NULL}};

	*json = false;
	return apo_cli_parse_flags(argc, argv, flags);
}

ssize_t apo_cli_find_station(const char *cmd, const struct apo_plan *plan, const char *arg)
{
	_cleanup_free_ char *name = apo_runtime_station_name(plan->env, arg);
	ssize_t k = apo_plan_find(plan, name);

	if (k < 0)
		apo_err("%s: %s: no such station in environment '%s'", cmd, arg, plan->env);
	return k;
}

char *apo_cli_env_name(const struct apo_cli *cli)
{
	struct apo_model *m = NULL;
	struct apo_diag d;
	char *env;

	if (cli->env)
		return apo_cli_check_name("-e", "environment", cli->env) ? NULL
									 : apo_xstrdup(cli->env);
	apo_diag_init(&d);
	apo_conf_load(cli->confdir, NULL, &m, &d);
	env = apo_xstrdup(m && m->env ? m->env : "example");
	apo_model_free(m);
	apo_diag_clear(&d);
	if (apo_cli_check_name("config", "environment", env)) {
		free(env);
		return NULL;
	}
	return env;
}

int apo_cli_need_root(const char *cmd)
{
	if (geteuid() == 0)
		return 0;
	apo_err("%s: must run as root (it acts on namespaces, mounts and root's state in "
		"/run/apomon and /var/lib/apomon); try: sudo apomon %s ...",
		cmd, cmd);
	return APO_EXIT_USAGE;
}
