/* SPDX-License-Identifier: MIT */
/* Station types: known, used in their role, settings of the declared
 * kinds, then each type's own validate hook. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "plugin/services.h"
#include "base/util.h"
#include "validate/validate-internal.h"

static const char *role_name(enum apomon_role r)
{
	switch (r) {
	case APOMON_ROLE_MEMBER:
		return "member";
	case APOMON_ROLE_GATEWAY:
		return "gateway";
	case APOMON_ROLE_BACKBONE:
		return "backbone";
	}
	return "unknown";
}

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
	switch (t) {
	case CONFIG_TYPE_INT:
	case CONFIG_TYPE_INT64:
		return "an integer";
	case CONFIG_TYPE_FLOAT:
		return "a float";
	case CONFIG_TYPE_STRING:
		return "a string";
	case CONFIG_TYPE_BOOL:
		return "a boolean";
	case CONFIG_TYPE_ARRAY:
		return "an array";
	case CONFIG_TYPE_GROUP:
		return "a group";
	}
	return "nothing";
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

static bool check_settings(struct vctx *v, const struct apo_station *s,
			   const struct apomon_station_type *t)
{
	bool ok = true;

	if (!s->settings)
		return true;
	for (int i = 0; i < config_setting_length(s->settings); i++) {
		const config_setting_t *e = config_setting_get_elem(s->settings, i);
		const char *name = config_setting_name(e);
		const struct apomon_setting *spec = NULL;
		struct apo_loc loc = apo_model_loc(v->m, e);
		_cleanup_free_ char *p = apo_xasprintf("%s.settings.%s", s->path, name);

		for (const struct apomon_setting *q = t->settings; q && q->name && !spec; q++)
			if (strcmp(q->name, name) == 0)
				spec = q;
		if (!spec) {
			size_t len = 1;
			for (const struct apomon_setting *q = t->settings; q && q->name; q++)
				len += strlen(q->name) + 2;
			char *list = apo_xmalloc(len), *w = list;
			*w = '\0';
			for (const struct apomon_setting *q = t->settings; q && q->name; q++)
				w = stpcpy(stpcpy(w, w == list ? "" : ", "), q->name);
			if (*list)
				apo_diag_add(v->d, &loc, p,
					     "unknown setting '%s'; type %s accepts: %s", name,
					     t->name, list);
			else
				apo_diag_add(v->d, &loc, p,
					     "unknown setting '%s'; type %s accepts no settings",
					     name, t->name);
			free(list);
			ok = false;
			v->n_setting_problems++;
			continue;
		}
		if (!kind_matches(e, spec->kind)) {
			apo_diag_add(v->d, &loc, p, "is %s, expected %s", kind_of(e),
				     kind_name(spec->kind));
			ok = false;
			v->n_setting_problems++;
		}
	}
	return ok;
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
			     g->name, g->type_name, role_name(g->type->role));
	}
}

void v_type_hooks(struct vctx *v)
{
	struct apo_model *m = v->m;
	struct apo_host_ctx ctx;

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
	apo_host_ctx_init(&ctx, m, v->d);
	for (size_t i = 0; i < m->n_stations; i++) {
		const struct apo_station *s = m->stations[i];
		if (!s->enabled || !v->settings_ok[i] || !s->type->validate)
			continue;
		size_t before = v->d->n;
		int rc = s->type->validate(&apo_host, &ctx.handles[i]);
		if (rc < 0 && v->d->n == before)
			apo_diag_add(v->d, &s->loc, s->path, "type %s rejected the station: %s",
				     s->type_name, strerror(-rc));
	}
	apo_host_ctx_clear(&ctx);
}
