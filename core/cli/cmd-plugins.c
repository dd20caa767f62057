/* SPDX-License-Identifier: MIT */
/*
 * apomon plugins [--json]: the station types that load and why others were
 * refused.  It must work when the config is broken (that is when one asks),
 * so it only borrows the config's plugin_path when the config parses.
 */
#include "config.h"

#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "config/conf.h"
#include "image/image-find.h"
#include "plugin/loader.h"
#include "base/util.h"

static const char *proto_name(enum apomon_proto proto)
{
	return proto == APOMON_PROTO_UDP ? "udp" : "tcp";
}

static const char *kind_name(enum apomon_setting_kind kind)
{
	switch (kind) {
	case APOMON_SETTING_STRING:
		return "string";
	case APOMON_SETTING_INT:
		return "int";
	case APOMON_SETTING_BOOL:
		return "bool";
	case APOMON_SETTING_STRING_LIST:
		return "string list";
	case APOMON_SETTING_RETIRED:
		return "retired";
	}
	return "?";
}

static int cmp_by_name(const void *a, const void *b)
{
	const struct apo_plugin *x = *(const struct apo_plugin *const *)a;
	const struct apo_plugin *y = *(const struct apo_plugin *const *)b;
	return strcmp(x->type->name, y->type->name);
}

static void print_table(const struct apo_registry *r, const struct apo_search_path *sp)
{
	size_t n = apo_registry_count(r), nf = apo_registry_refusal_count(r);
	const struct apo_plugin **sorted = apo_xcalloc(n ? n : 1, sizeof(*sorted));
	char **ports = apo_xcalloc(n ? n : 1, sizeof(*ports));
	int w_name = 4, w_role = 4, w_image = 5, w_ports = 5, w_version = 7, w_file = 4;

	for (size_t i = 0; i < n; i++)
		sorted[i] = apo_registry_at(r, i);
	qsort(sorted, n, sizeof(*sorted), cmp_by_name);
	for (size_t i = 0; i < n; i++) {
		const struct apomon_station_type *t = sorted[i]->type;
		ports[i] = apo_type_ports_text(t, "-");
#define WIDEN(w, s) ((w) = (int)strlen(s) > (w) ? (int)strlen(s) : (w))
		WIDEN(w_name, t->name);
		WIDEN(w_role, apo_role_name(t->role));
		WIDEN(w_image, t->image ? t->image : "-");
		WIDEN(w_ports, ports[i]);
		WIDEN(w_version, t->version ? t->version : "-");
		WIDEN(w_file, sorted[i]->file);
#undef WIDEN
	}
	if (n) {
		printf("%-*s  %-*s  %-*s  %-*s  %-*s  %-*s  %s\n", w_name, "NAME", w_role, "ROLE",
		       w_image, "IMAGE", w_ports, "PORTS", w_version, "VERSION", w_file, "FILE",
		       "DESCRIPTION");
		for (size_t i = 0; i < n; i++) {
			const struct apomon_station_type *t = sorted[i]->type;
			printf("%-*s  %-*s  %-*s  %-*s  %-*s  %-*s  %s\n", w_name, t->name, w_role,
			       apo_role_name(t->role), w_image, t->image ? t->image : "-", w_ports,
			       ports[i], w_version, t->version ? t->version : "-", w_file,
			       sorted[i]->file, t->description);
		}
	} else {
		printf("no station types loaded\n");
	}
	if (nf) {
		printf("\nrefused:\n");
		for (size_t i = 0; i < nf; i++) {
			const struct apo_refusal *f = apo_registry_refusal_at(r, i);
			printf("  %s: %s\n", f->file, f->reason);
		}
		/* refusals are news, not failures: the types that loaded work */
		printf("\n%zu %s refused; %s (exit status 0)\n", nf,
		       nf == 1 ? "plugin was" : "plugins were",
		       n ? "the types above load all the same" : "no type loaded");
	}
	printf("%ssearched:", nf ? "" : "\n");
	for (size_t i = 0; i < sp->n; i++)
		printf(" %s", sp->dirs[i]);
	printf("\n");
	for (size_t i = 0; i < n; i++)
		free(ports[i]);
	free(ports);
	free(sorted);
}

static struct json_object *jstr(const char *s)
{
	return s ? json_object_new_string(s) : NULL;
}

static struct json_object *type_json(const struct apo_plugin *p)
{
	const struct apomon_station_type *t = p->type;
	struct json_object *o = json_object_new_object(), *a;

	json_object_object_add(o, "name", jstr(t->name));
	json_object_object_add(o, "description", jstr(t->description));
	json_object_object_add(o, "version", jstr(t->version));
	json_object_object_add(o, "image", jstr(t->image));
	json_object_object_add(o, "role", jstr(apo_role_name(t->role)));
	a = json_object_new_array();
	for (const struct apomon_port *port = t->ports; port && port->name; port++) {
		struct json_object *j = json_object_new_object();
		json_object_object_add(j, "name", jstr(port->name));
		json_object_object_add(j, "proto", jstr(proto_name(port->proto)));
		json_object_object_add(j, "port", json_object_new_int(port->port));
		json_object_array_add(a, j);
	}
	json_object_object_add(o, "ports", a);
	a = json_object_new_array();
	for (const char *const *s = t->sealed; s && *s; s++)
		json_object_array_add(a, jstr(*s));
	json_object_object_add(o, "sealed", a);
	a = json_object_new_array();
	for (const struct apomon_setting *s = t->settings; s && s->name; s++) {
		struct json_object *j = json_object_new_object();
		json_object_object_add(j, "name", jstr(s->name));
		json_object_object_add(j, "kind", jstr(kind_name(s->kind)));
		json_object_object_add(j, "default", jstr(s->default_value));
		json_object_object_add(j, "description", jstr(s->description));
		if (s->kind == APOMON_SETTING_INT && (s->min || s->max)) {
			json_object_object_add(j, "min", json_object_new_int64(s->min));
			json_object_object_add(j, "max", json_object_new_int64(s->max));
		}
		json_object_array_add(a, j);
	}
	json_object_object_add(o, "settings", a);
	json_object_object_add(
	    o, "ready_timeout_ms",
	    json_object_new_int64(t->ready_timeout_ms ? t->ready_timeout_ms : 60000));
	json_object_object_add(o, "deploy", json_object_new_boolean(t->deploy != NULL));
	json_object_object_add(o, "file", jstr(p->file));
	return o;
}

static void print_json(const struct apo_registry *r, const struct apo_search_path *sp)
{
	struct json_object *root = json_object_new_object(), *a;
	size_t n = apo_registry_count(r);
	const struct apo_plugin **sorted = apo_xcalloc(n ? n : 1, sizeof(*sorted));

	for (size_t i = 0; i < n; i++)
		sorted[i] = apo_registry_at(r, i);
	qsort(sorted, n, sizeof(*sorted), cmp_by_name);
	a = json_object_new_array();
	for (size_t i = 0; i < n; i++)
		json_object_array_add(a, type_json(sorted[i]));
	json_object_object_add(root, "types", a);
	a = json_object_new_array();
	for (size_t i = 0; i < apo_registry_refusal_count(r); i++) {
		const struct apo_refusal *f = apo_registry_refusal_at(r, i);
		struct json_object *j = json_object_new_object();
		json_object_object_add(j, "file", jstr(f->file));
		json_object_object_add(j, "reason", jstr(f->reason));
		json_object_array_add(a, j);
	}
	json_object_object_add(root, "refused", a);
	a = json_object_new_array();
	for (size_t i = 0; i < sp->n; i++)
		json_object_array_add(a, jstr(sp->dirs[i]));
	json_object_object_add(root, "search_path", a);
	puts(json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY |
						      JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(root);
	free(sorted);
}

/* A type whose default image is nowhere cannot run a station: one line
 * each, naming the plugin and where the image was looked for. */
static bool images_missing(const struct apo_registry *r)
{
	bool missing = false;

	for (size_t i = 0; i < apo_registry_count(r); i++) {
		const struct apo_plugin *p = apo_registry_at(r, i);
		_cleanup_free_ char *dir = NULL;
		if (!p->type->image || apo_image_locate(p->type->image, &dir) != -ENOENT)
			continue;
		_cleanup_free_ char *where = apo_image_missing_text(p->type->image);
		apo_err("%s: type %s: image '%s' not found (%s)", p->file, p->type->name,
			p->type->image, where);
		missing = true;
	}
	return missing;
}

int apo_cmd_plugins(const struct apo_cli *cli, int argc, char **argv)
{
	struct apo_search_path sp;
	struct apo_registry *r;
	struct apo_model *m = NULL;
	struct apo_diag d;
	char **conf_dirs = NULL;
	size_t n_conf = 0;
	bool json;
	int rc;

	if ((rc = apo_cli_parse_json_flag(argc, argv, &json)))
		return rc;

	/* -EINVAL: some settings were wrong, but the file parsed and its
	 * plugin_path is as good as the config's author meant it */
	apo_diag_init(&d);
	rc = apo_conf_load(cli->confdir, cli->env, &m, &d);
	if (m && (rc == 0 || rc == -EINVAL)) {
		conf_dirs = m->plugin_path;
		n_conf = m->n_plugin_path;
	}
	apo_diag_clear(&d);

	apo_search_path_build(&sp, cli->plugin_dirs, cli->n_plugin_dirs, conf_dirs, n_conf);
	r = apo_registry_new();
	for (size_t i = 0; i < sp.n; i++)
		apo_registry_load_dir(r, sp.dirs[i]);
	if (json)
		print_json(r, &sp);
	else
		print_table(r, &sp);
	apo_cli_image_search(cli, m && (rc == 0 || rc == -EINVAL) ? m : NULL, r);
	rc = images_missing(r) ? APO_EXIT_USAGE : APO_EXIT_OK;

	apo_registry_free(r);
	apo_search_path_clear(&sp);
	apo_model_free(m);
	return rc;
}
