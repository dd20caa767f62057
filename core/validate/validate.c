/* SPDX-License-Identifier: MIT */
/*
 * Semantic checks of a parsed model, every problem at once: names,
 * references (backbone, gateways, links), then networks, addresses and
 * ports (validate-net.c), dependencies (validate-deps.c) and the station
 * types (validate-types.c).
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "integrity/conf-integrity.h"
#include "base/paths.h"
#include "base/util.h"
#include "validate/validate-internal.h"
#include "validate/validate.h"

char *v_where(const struct apo_loc *loc)
{
	if (!loc->file)
		return apo_xstrdup("(no file)");
	if (loc->line <= 0)
		return apo_xstrdup(loc->file);
	return apo_xasprintf("%s:%d", loc->file, loc->line);
}

static int index_cmp(const void *a, const void *b)
{
	const struct v_named *x = a, *y = b;
	int c = strcmp(x->s->name, y->s->name);
	return c ? c : x->i < y->i ? -1 : x->i > y->i;
}

/* Stations by name, so that lookups stay cheap with thousands of them. */
static void v_index(struct vctx *v)
{
	struct apo_model *m = v->m;

	v->index = apo_xcalloc(m->n_stations, sizeof(*v->index));
	for (size_t i = 0; i < m->n_stations; i++)
		if (m->stations[i]->name)
			v->index[v->n_index++] = (struct v_named){m->stations[i], i};
	if (v->n_index)
		qsort(v->index, v->n_index, sizeof(*v->index), index_cmp);
}

const struct v_named *v_lookup(const struct vctx *v, const char *name)
{
	size_t lo = 0, hi = v->n_index;

	/* the first of equal names: the one config order defines */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (strcmp(v->index[mid].s->name, name) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < v->n_index && strcmp(v->index[lo].s->name, name) == 0 ? &v->index[lo] : NULL;
}

static void v_backbone(struct vctx *v)
{
	struct apo_model *m = v->m;

	/* conf.c reports a missing or second backbone group */
	m->backbone = NULL;
	for (size_t i = 0; i < m->n_stations && !m->backbone; i++)
		if (m->stations[i]->is_backbone)
			m->backbone = m->stations[i];
}

static void v_names(struct vctx *v)
{
	struct apo_model *m = v->m;

	for (size_t i = 0; i < m->n_clusters; i++) {
		struct apo_cluster *c = m->clusters[i];
		for (size_t k = 0; c->name && k < i; k++) {
			const struct apo_cluster *f = m->clusters[k];
			if (!f->name || strcmp(f->name, c->name))
				continue;
			_cleanup_free_ char *w = v_where(&f->loc);
			_cleanup_free_ char *p = apo_xasprintf("%s.name", c->path);
			apo_diag_add(v->d, &c->loc, p,
				     "duplicate cluster name '%s', expected a name of its own; the "
				     "first is at %s",
				     c->name, w);
			break;
		}
	}
	/* a DNS name, and the name of its netns under /run/netns */
	for (size_t i = 0; i < m->n_stations; i++) {
		const struct apo_station *s = m->stations[i];
		if (s->fqdn && strlen(s->fqdn) > 253)
			apo_diag_add(v->d, &s->loc, s->path,
				     "the FQDN %s is %zu bytes long, expected at most 253: shorten "
				     "the name or the domain",
				     s->fqdn, strlen(s->fqdn));
	}
	/* apomon's own files and directories sit beside the stations' */
	for (size_t i = 0; i < m->n_stations; i++) {
		const struct apo_station *s = m->stations[i];
		const char *what = s->name ? apo_station_name_reserved(s->name) : NULL;
		if (!what)
			continue;
		_cleanup_free_ char *p = apo_xasprintf("%s.name", s->path);
		apo_diag_add(v->d, &s->loc, p,
			     "station name '%s' is reserved for %s, expected another name", s->name,
			     what);
	}
	/* The index holds equal names next to each other, in config order.
	 * Unique names also make unique FQDNs: a name has no dot, so it is
	 * the FQDN's first label (records that shadow an FQDN are below). */
	for (size_t i = 1; i < v->n_index; i++) {
		const struct apo_station *f = v->index[i - 1].s, *s = v->index[i].s;
		if (strcmp(f->name, s->name))
			continue;
		size_t first = i - 1;
		while (first > 0 && strcmp(v->index[first - 1].s->name, s->name) == 0)
			first--;
		f = v->index[first].s;
		_cleanup_free_ char *w = v_where(&f->loc);
		_cleanup_free_ char *p = apo_xasprintf("%s.name", s->path);
		apo_diag_add(v->d, &s->loc, p,
			     "duplicate station name '%s', expected a name unique in the "
			     "environment; the first is at %s",
			     s->name, w);
	}
	/* an A or CNAME record must not shadow a station's own A record */
	for (size_t i = 0; i < m->n_clusters; i++) {
		const struct apo_cluster *c = m->clusters[i];
		for (size_t k = 0; k < c->n_records; k++) {
			const struct apo_record_conf *rec = &c->records[k];
			if (strcmp(rec->type, "A") && strcmp(rec->type, "CNAME"))
				continue;
			/* as the plan reads it: a name without a dot is relative
			 * to the cluster's domain; "name." is absolute */
			size_t len = strlen(rec->name);
			if (len && rec->name[len - 1] == '.')
				len--;
			_cleanup_free_ char *full =
			    strchr(rec->name, '.') || !c->domain
				? apo_xstrndup(rec->name, len)
				: apo_xasprintf("%s.%s", rec->name, c->domain);
			for (size_t j = 0; j < m->n_stations; j++) {
				const struct apo_station *s = m->stations[j];
				if (!s->enabled || !s->fqdn || strcasecmp(s->fqdn, full))
					continue;
				_cleanup_free_ char *p = apo_xasprintf("%s.name", rec->path);
				apo_diag_add(v->d, &rec->loc, p,
					     "'%s' is the FQDN of station %s (%s), expected a name "
					     "of its own",
					     rec->name, s->name, s->fqdn);
			}
		}
	}
}

static void v_gateways(struct vctx *v)
{
	struct apo_model *m = v->m;

	for (size_t i = 0; i < m->n_clusters; i++) {
		struct apo_cluster *c = m->clusters[i];
		const struct apo_station *found = NULL;

		c->gateway = NULL;
		if (!c->gateway_name)
			continue;
		for (size_t k = 0; k < c->n_stations && !found; k++)
			if (c->stations[k]->name &&
			    strcmp(c->stations[k]->name, c->gateway_name) == 0)
				found = c->stations[k];
		_cleanup_free_ char *p = apo_xasprintf("%s.gateway", c->path);
		if (found) {
			/* a disabled gateway leaves the router as the default route */
			if (found->enabled)
				c->gateway = (struct apo_station *)found;
			continue;
		}
		const struct v_named *on = v_lookup(v, c->gateway_name);
		const struct apo_station *other = on ? on->s : NULL;
		if (other && other->cluster) {
			apo_diag_add(v->d, &c->gateway_loc, p,
				     "'%s' is a station of cluster %s, expected a station of "
				     "cluster %s",
				     c->gateway_name, other->cluster->name,
				     c->name ? c->name : "?");
		} else if (other) {
			apo_diag_add(v->d, &c->gateway_loc, p,
				     "'%s' is the backbone, expected a station of cluster %s",
				     c->gateway_name, c->name ? c->name : "?");
		} else {
			size_t len = 1;
			for (size_t k = 0; k < c->n_stations; k++)
				len += c->stations[k]->name ? strlen(c->stations[k]->name) + 2 : 0;
			char *names = apo_xmalloc(len), *q = names;
			*q = '\0';
			for (size_t k = 0; k < c->n_stations; k++)
				if (c->stations[k]->name)
					q = stpcpy(stpcpy(q, q == names ? "" : ", "),
						   c->stations[k]->name);
			apo_diag_add(
			    v->d, &c->gateway_loc, p,
			    "no station '%s' in cluster %s, expected one of its stations%s%s",
			    c->gateway_name, c->name ? c->name : "?", *names ? ": " : "", names);
			free(names);
		}
	}
}

static struct apo_station *link_end(struct vctx *v, const struct apo_link *l, const char *name,
				    const char *which)
{
	const struct v_named *n = v_lookup(v, name);
	struct apo_station *s = n ? n->s : NULL;
	_cleanup_free_ char *p = apo_xasprintf("%s.%s", l->path, which);

	if (!s) {
		apo_diag_add(v->d, &l->loc, p,
			     "no station '%s', expected the name of a station of the environment",
			     name);
		return NULL;
	}
	if (!s->enabled) {
		_cleanup_free_ char *w = v_where(&s->loc);
		apo_diag_add(v->d, &l->loc, p,
			     "station '%s' is disabled (%s), expected an enabled station", name, w);
		return NULL;
	}
	return s;
}

static void v_links(struct vctx *v)
{
	struct apo_model *m = v->m;

	for (size_t i = 0; i < m->n_links; i++) {
		struct apo_link *l = m->links[i];
		l->sa = link_end(v, l, l->a, "a");
		l->sb = link_end(v, l, l->b, "b");
	}
}

int apo_validate(struct apo_model *m, const struct apo_registry *r, struct apo_diag *d)
{
	struct vctx v = {.m = m, .r = r, .d = d};
	size_t before = d->n;

	v_index(&v);
	v_backbone(&v);
	v_names(&v);
	v_gateways(&v);
	v_networks(&v);
	v_addresses(&v);
	v_publish(&v);
	v_links(&v);
	v_depends(&v);
	v_types(&v);
	/* the hooks see resolved gateways and types, and only stations whose
	 * settings have the declared kinds */
	v_type_hooks(&v);
	/* the integrity groups: settings, kinds, ranges */
	apo_integrity_validate(m, d);
	free(v.settings_ok);
	free(v.index);
	return d->n > before ? -EINVAL : 0;
}
