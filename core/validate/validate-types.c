/* SPDX-License-Identifier: MIT */
/* Station types: known, used in their role, settings of the declared
 * kinds, then each type's own validate hook. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "config/conf.h"
#include "plan/plan.h"
#include "plugin/services.h"
#include "base/util.h"
#include "validate/validate-internal.h"

static const char *kind_name(enum apomon_setting_kind k)
{
	switch (k) {
	case APOMON_SETTING_STRING:
		return "a string";
	case APOMON_SETTING_INT:
		return "an integer";
	case APOMON_SETTING_BOOL:
		return "a boolean (true or false)";
	case APOMON_SETTING_STRING_LIST:
		return "an array of strings [\"...\", ...]";
	case APOMON_SETTING_RETIRED:
		return "nothing: it is no longer accepted";
	}
	return "a value";
}

static bool kind_matches(const config_setting_t *s, enum apomon_setting_kind k)
{
	int t = config_setting_type(s);

	switch (k) {
	case APOMON_SETTING_STRING:
		return t == CONFIG_TYPE_STRING;
	case APOMON_SETTING_INT:
		return t == CONFIG_TYPE_INT || t == CONFIG_TYPE_INT64;
	case APOMON_SETTING_BOOL:
		return t == CONFIG_TYPE_BOOL;
	case APOMON_SETTING_STRING_LIST:
		if (t != CONFIG_TYPE_ARRAY && t != CONFIG_TYPE_LIST)
			return false;
		for (int i = 0; i < config_setting_length(s); i++)
			if (config_setting_type(config_setting_get_elem(s, i)) !=
			    CONFIG_TYPE_STRING)
				return false;
		return true;
	case APOMON_SETTING_RETIRED:
		return false;
	}
	return false;
}

static const char *kind_of(const config_setting_t *s)
{
	static const char *const arrays[] = {
	    [CONFIG_TYPE_INT] = "an array of integers",
	    [CONFIG_TYPE_INT64] = "an array of integers",
	    [CONFIG_TYPE_FLOAT] = "an array of floats",
	    [CONFIG_TYPE_BOOL] = "an array of booleans",
	};
	int t = config_setting_type(s);

	/* "is an array, expected an array of strings" would say nothing */
	if (t == CONFIG_TYPE_ARRAY && config_setting_length(s) > 0) {
		int et = config_setting_type(config_setting_get_elem(s, 0));
		if (et >= 0 && (size_t)et < APO_ARRAY_SIZE(arrays) && arrays[et])
			return arrays[et];
	}
	if (t == CONFIG_TYPE_LIST)
		return "a list holding other than strings";
	return apo_conf_kind(s);
}

/* ", x.so was refused: REASON" for a refused plugin file named NAME.so */
static char *refusal_note(const struct apo_registry *r, const char *name)
{
	_cleanup_free_ char *want = apo_xasprintf("%s.so", name);

	for (size_t i = 0; i < apo_registry_refusal_count(r); i++) {
		const struct apo_refusal *f = apo_registry_refusal_at(r, i);
		const char *base = strrchr(f->file, '/');
		base = base ? base + 1 : f->file;
		if (strcmp(base, want) == 0)
			return apo_xasprintf("; %s was refused: %s", want, f->reason);
	}
	return apo_xstrdup("");
}

static const struct apomon_setting *find_spec(const struct apomon_station_type *t, const char *name)
{
	for (const struct apomon_setting *q = t->settings; q && q->name; q++)
		if (strcmp(q->name, name) == 0)
			return q;
	return NULL;
}

/* True when some accepted setting is a member of group `prefix`
 * ("database" for database.host). */
static bool is_group(const struct apomon_station_type *t, const char *prefix)
{
	size_t l = strlen(prefix);

	for (const struct apomon_setting *q = t->settings; q && q->name; q++)
		if (q->kind != APOMON_SETTING_RETIRED && strncmp(q->name, prefix, l) == 0 &&
		    q->name[l] == '.')
			return true;
	return false;
}

/* "a, b, c": the names accepted at this level (group members once, as
 * "database = { host; port; }"). */
static char *accepted(const struct apomon_station_type *t, const char *prefix)
{
	char *list = apo_xstrdup("");
	size_t pl = prefix ? strlen(prefix) : 0;

	for (const struct apomon_setting *q = t->settings; q && q->name; q++) {
		if (q->kind == APOMON_SETTING_RETIRED)
			continue;
		const char *n = q->name;
		if (prefix) {
			if (strncmp(n, prefix, pl) || n[pl] != '.')
				continue;
			n += pl + 1;
		}
		const char *dot = strchr(n, '.');
		_cleanup_free_ char *item = NULL;
		if (dot) {
			/* a group: list it once, with its members */
			_cleanup_free_ char *g = apo_xstrndup(n, (size_t)(dot - n));
			_cleanup_free_ char *full =
			    prefix ? apo_xasprintf("%s.%s", prefix, g) : apo_xstrdup(g);
			_cleanup_free_ char *head = apo_xasprintf("%s = {", g);
			if (strstr(list, head))
				continue;
			_cleanup_free_ char *members = accepted(t, full);
			char *w;
			/* members are ", "-separated; a group lists them "; " */
			while ((w = strstr(members, ", ")))
				*w = ';';
			item = apo_xasprintf("%s = { %s; }", g, members);
		} else {
			item = apo_xstrdup(n);
		}
		char *more = apo_xasprintf("%s%s%s", list, *list ? ", " : "", item);
		free(list);
		list = more;
	}
	return list;
}

static bool check_group(struct vctx *v, const struct apo_station *s,
			const struct apomon_station_type *t, const config_setting_t *g,
			const char *prefix)
{
	bool ok = true;

	for (int i = 0; i < config_setting_length(g); i++) {
		const config_setting_t *e = config_setting_get_elem(g, i);
		_cleanup_free_ char *name =
		    prefix ? apo_xasprintf("%s.%s", prefix, config_setting_name(e))
			   : apo_xstrdup(config_setting_name(e));
		struct apo_loc loc = apo_model_loc(v->m, e);
		_cleanup_free_ char *p = apo_xasprintf("%s.settings.%s", s->path, name);
		const struct apomon_setting *spec = find_spec(t, name);

		if (config_setting_type(e) == CONFIG_TYPE_GROUP && is_group(t, name)) {
			ok = check_group(v, s, t, e, name) && ok;
			continue;
		}
		if (spec && spec->kind == APOMON_SETTING_RETIRED) {
			apo_diag_add(v->d, &loc, p, "'%s' is no longer accepted: %s", name,
				     spec->default_value ? spec->default_value
							 : "the type dropped it");
			ok = false;
			v->n_setting_problems++;
			continue;
		}
		if (!spec && is_group(t, name)) {
			_cleanup_free_ char *members = accepted(t, name);
			char *w;
			while ((w = strstr(members, ", ")))
				*w = ';';
			apo_diag_add(v->d, &loc, p, "is %s, expected a group { %s; }", kind_of(e),
				     members);
			ok = false;
			v->n_setting_problems++;
			continue;
		}
		if (!spec) {
			_cleanup_free_ char *list = accepted(t, prefix);
			const char *leaf = config_setting_name(e);
			if (*list)
				apo_diag_add(
				    v->d, &loc, p, "unknown setting '%s'; %s%s accepts: %s", leaf,
				    prefix ? prefix : "type ", prefix ? "" : t->name, list);
			else
				apo_diag_add(v->d, &loc, p,
					     "unknown setting '%s'; type %s accepts no settings",
					     leaf, t->name);
			ok = false;
			v->n_setting_problems++;
			continue;
		}
		if (!kind_matches(e, spec->kind)) {
			apo_diag_add(v->d, &loc, p, "is %s, expected %s", kind_of(e),
				     kind_name(spec->kind));
			ok = false;
			v->n_setting_problems++;
			continue;
		}
		if (spec->kind == APOMON_SETTING_INT && (spec->min || spec->max)) {
			long long val = config_setting_get_int64(e);
			if (val < spec->min || val > spec->max) {
				/* the kind is right: the type's hook may still run and
				 * report the station's other problems */
				apo_diag_add(v->d, &loc, p, "%lld out of range %lld..%lld", val,
					     spec->min, spec->max);
				v->n_setting_problems++;
			}
		}
	}
	return ok;
}

static bool check_settings(struct vctx *v, const struct apo_station *s,
			   const struct apomon_station_type *t)
{
	return !s->settings || check_group(v, s, t, s->settings, NULL);
}

void v_types(struct vctx *v)
{
	struct apo_model *m = v->m;
	_cleanup_free_ char *names = apo_registry_names(v->r);

	v->settings_ok = apo_xcalloc(m->n_stations, sizeof(*v->settings_ok));
	for (size_t i = 0; i < m->n_stations; i++) {
		struct apo_station *s = m->stations[i];

		s->type = s->type_name ? apo_registry_find(v->r, s->type_name) : NULL;
		/* disabled stations may name types that have not landed yet */
		if (!s->enabled || !s->type_name)
			continue;
		_cleanup_free_ char *p = apo_xasprintf("%s.type", s->path);
		if (!s->type) {
			_cleanup_free_ char *note = refusal_note(v->r, s->type_name);
			if (*names)
				apo_diag_add(v->d, &s->loc, p,
					     "unknown station type '%s'; loaded types: %s%s",
					     s->type_name, names, note);
			else
				apo_diag_add(v->d, &s->loc, p,
					     "unknown station type '%s'; no types are loaded%s",
					     s->type_name, note);
			continue;
		}
		if (s->type->role == APOMON_ROLE_BACKBONE && !s->is_backbone)
			apo_diag_add(
			    v->d, &s->loc, p,
			    "type %s has role backbone, expected a member or gateway type: "
			    "only the backbone may be of type %s",
			    s->type_name, s->type_name);
		v->settings_ok[i] = check_settings(v, s, s->type);
	}
	for (size_t i = 0; i < m->n_clusters; i++) {
		const struct apo_cluster *c = m->clusters[i];
		const struct apo_station *g = c->gateway;
		if (!g || !g->type || g->type->role == APOMON_ROLE_GATEWAY)
			continue;
		_cleanup_free_ char *p = apo_xasprintf("%s.gateway", c->path);
		apo_diag_add(v->d, &c->gateway_loc, p,
			     "station %s is of type %s (role %s), expected a station whose type "
			     "has role gateway",
			     g->name, g->type_name, apo_role_name(g->type->role));
	}
}

void v_type_hooks(struct vctx *v)
{
	struct apo_model *m = v->m;
	struct apo_services_ctx ctx;

	/* A hook may rely on every station of the model: a string type that
	 * is loaded, parsed addresses, resolved gateways and links.  So the
	 * hooks run only on a model the core found nothing wrong with, but
	 * the settings of a station's own type, which keep only that
	 * station's hook out (the getters return defaults for them). */
	if (v->d->n != v->n_setting_problems)
		return;
	for (size_t i = 0; i < m->n_stations; i++) {
		const struct apo_station *s = m->stations[i];
		if (s->enabled && (!s->type_name || !s->type))
			return; /* v_types reported it; stay safe if it did not */
	}
	apo_services_ctx_init(&ctx, m, v->d);
	for (size_t i = 0; i < m->n_stations; i++) {
		const struct apo_station *s = m->stations[i];
		if (!s->enabled || !v->settings_ok[i] || !s->type->validate)
			continue;
		size_t before = v->d->n;
		int rc = s->type->validate(&apo_services, &ctx.handles[i]);
		if (rc < 0 && v->d->n == before)
			apo_diag_add(v->d, &s->loc, s->path, "type %s rejected the station: %s",
				     s->type_name, strerror(-rc));
	}
	apo_services_ctx_clear(&ctx);
}
