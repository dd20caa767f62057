/* SPDX-License-Identifier: MIT */
/*
 * The snapshot of a plan (diff.h): what `up` applied, stored with the
 * environment's state, and what the files want now.  Pure.
 */
#include "config.h"

#include <arpa/inet.h>
#include <libconfig.h>
#include <openssl/evp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/sha256.h"
#include "base/fmt.h"
#include "base/util.h"
#include "engine/diff.h"
#include "net/publish.h"

static void add_str(struct json_object *o, const char *k, const char *v)
{
	json_object_object_add(o, k, json_object_new_string(v ? v : ""));
}

static char *prefix_str(struct in_addr a, unsigned prefix)
{
	char b[APO_PREFIX_STRLEN];
	return apo_xstrdup(apo_fmt_prefix(b, a, prefix));
}

static char *route_str(const struct apo_plan_route *r)
{
	char d[APO_PREFIX_STRLEN], v[INET_ADDRSTRLEN];
	return apo_xasprintf("%s via %s dev %s", apo_fmt_prefix(d, r->dst.addr, r->dst.prefix),
			     apo_fmt_ip(v, r->via), r->dev);
}

/* A text that grows; one a snapshot, reused for every station: an
 * open_memstream a station was most of the cost of 1000 stations. */
struct text {
	char *p;
	size_t n, cap;
};

static void tprintf(struct text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void tprintf(struct text *t, const char *fmt, ...)
{
	va_list ap;
	int k;

	for (;;) {
		va_start(ap, fmt);
		k = vsnprintf(t->p ? t->p + t->n : NULL, t->cap - t->n, fmt, ap);
		va_end(ap);
		if (k < 0)
			abort();
		if ((size_t)k < t->cap - t->n)
			break;
		t->cap = (t->cap + (size_t)k + 1) * 2;
		t->p = apo_xreallocarray(t->p, t->cap, 1);
	}
	t->n += (size_t)k;
}

/* A libconfig setting as text, names sorted by the config's own order:
 * the digest changes when a value does, not when a comment does. */
static void ser(struct text *f, const config_setting_t *s)
{
	const char *name = config_setting_name(s);
	if (name)
		tprintf(f, "%s=", name);
	switch (config_setting_type(s)) {
	case CONFIG_TYPE_INT:
		tprintf(f, "i%d;", config_setting_get_int(s));
		break;
	case CONFIG_TYPE_INT64:
		tprintf(f, "l%lld;", (long long)config_setting_get_int64(s));
		break;
	case CONFIG_TYPE_FLOAT:
		tprintf(f, "f%.17g;", config_setting_get_float(s));
		break;
	case CONFIG_TYPE_BOOL:
		tprintf(f, "b%d;", config_setting_get_bool(s));
		break;
	case CONFIG_TYPE_STRING: {
		const char *v = config_setting_get_string(s);
		tprintf(f, "s%zu:%s;", strlen(v), v);
		break;
	}
	default: /* group, array, list */
		tprintf(f, "{");
		for (int i = 0; i < config_setting_length(s); i++)
			ser(f, config_setting_get_elem(s, (unsigned)i));
		tprintf(f, "};");
	}
}

/* The digest of what a station's render depends on besides addresses
 * (the same text as ever: the digests of a running environment hold). */
static char *config_digest(struct text *f, const struct apo_station *s)
{
	char hex[APO_SHA256_HEX + 1];
	unsigned char d[APO_SHA256_LEN];

	f->n = 0;
	tprintf(f, "settings:");
	if (s->settings)
		ser(f, s->settings);
	tprintf(f, "\nintegrity:");
	if (s->integrity)
		ser(f, s->integrity);
	tprintf(f, "\nseal:");
	for (size_t i = 0; i < s->n_seal; i++)
		tprintf(f, "%s;", s->seal[i]);
	tprintf(f, "\nlimits:%llu,%u,%u,%llu\n", s->limits.memory_bytes, s->limits.cpu_millis,
		s->limits.pids, s->limits.log_bytes);
	EVP_Digest(f->p, f->n, d, NULL, EVP_sha256(), NULL);
	apo_digest_hex(d, hex);
	return apo_xstrdup(hex);
}

static const struct apo_plan_addr *first_addr(const struct apo_plan_station *ps)
{
	for (size_t i = 0; i < ps->n_ifaces; i++)
		if (ps->ifaces[i].n_addrs)
			return &ps->ifaces[i].addrs[0];
	return NULL;
}

static void add_dep(struct json_object *deps, const struct apo_plan *p, const char *name)
{
	ssize_t k = apo_plan_find(p, name);
	char b[INET_ADDRSTRLEN] = "";
	if (k >= 0 && first_addr(&p->stations[k]))
		apo_fmt_ip(b, first_addr(&p->stations[k])->addr);
	add_str(deps, name, k < 0 ? "absent" : b);
}

/*
 * The addresses a station's render reads from other stations: its
 * `depends`, and for a gateway its cluster's members (a load balancer's
 * backends).  The backbone's DNS follows the records instead (in place).
 */
static struct json_object *deps_json(const struct apo_plan *p, const struct apo_plan_station *ps)
{
	struct json_object *deps = json_object_new_object();
	const struct apo_station *s = ps->station;

	for (size_t i = 0; i < s->n_depends; i++)
		add_dep(deps, p, s->depends[i]);
	if (ps->role == APOMON_ROLE_GATEWAY && s->cluster)
		for (size_t i = 0; i < s->cluster->n_stations; i++)
			if (s->cluster->stations[i] != s)
				add_dep(deps, p, s->cluster->stations[i]->name);
	return deps;
}

static struct json_object *station_json(const struct apo_plan *p, const struct apo_plan_station *ps,
					struct text *t)
{
	const struct apo_station *s = ps->station;
	struct json_object *o = json_object_new_object();
	struct json_object *ifs = json_object_new_object();
	struct json_object *routes = json_object_new_array();

	add_str(o, "fqdn", s->fqdn);
	add_str(o, "type", s->type_name);
	add_str(o, "image", s->image ? s->image : s->type ? s->type->image : "");
	add_str(o, "role", apo_role_name(ps->role));
	add_str(o, "cluster", s->cluster ? s->cluster->name : "");
	json_object_object_add(o, "level", json_object_new_int((int)ps->level));
	json_object_object_add(o, "forwarding", json_object_new_boolean(ps->forwarding));
	char *cd = config_digest(t, s);
	add_str(o, "config", cd);
	free(cd);
	json_object_object_add(o, "deps", deps_json(p, ps));
	for (size_t i = 0; i < ps->n_ifaces; i++) {
		const struct apo_plan_iface *f = &ps->ifaces[i];
		struct json_object *fo = json_object_new_object();
		struct json_object *addrs = json_object_new_array();
		add_str(fo, "kind", apo_iface_kind_name(f->kind));
		add_str(fo, "peer", f->peer_name);
		if (f->kind == APO_IFACE_SWITCH)
			add_str(fo, "switch", p->switches[f->sw].cluster->name);
		else if (f->kind == APO_IFACE_P2P)
			add_str(fo, "switch", p->stations[f->peer_station].station->name);
		for (size_t k = 0; k < f->n_addrs; k++) {
			char *a = prefix_str(f->addrs[k].addr, f->addrs[k].prefix);
			json_object_array_add(addrs, json_object_new_string(a));
			free(a);
		}
		json_object_object_add(fo, "addrs", addrs);
		json_object_object_add(ifs, f->name, fo);
	}
	json_object_object_add(o, "ifaces", ifs);
	for (size_t i = 0; i < ps->n_routes; i++) {
		char *r = route_str(&ps->routes[i]);
		json_object_array_add(routes, json_object_new_string(r));
		free(r);
	}
	json_object_object_add(o, "routes", routes);
	return o;
}

static char *text_digest(const char *text)
{
	unsigned char d[APO_SHA256_LEN];
	char hex[APO_SHA256_HEX + 1];
	EVP_Digest(text ? text : "", text ? strlen(text) : 0, d, NULL, EVP_sha256(), NULL);
	apo_digest_hex(d, hex);
	return apo_xstrdup(hex);
}

struct json_object *apo_snapshot_of_plan(const struct apo_plan *p)
{
	struct json_object *o = json_object_new_object();
	struct json_object *sws = json_object_new_object();
	struct json_object *sts = json_object_new_object();
	struct json_object *dis = json_object_new_array();
	struct json_object *pub = json_object_new_array();
	struct json_object *recs = json_object_new_array();
	struct json_object *host = json_object_new_object();
	struct json_object *hr = json_object_new_array();
	char b[INET_ADDRSTRLEN];

	json_object_object_add(o, "version", json_object_new_int(1));
	add_str(o, "environment", p->env);
	for (size_t i = 0; i < p->n_switches; i++) {
		struct json_object *sw = json_object_new_object();
		char *n = prefix_str(p->switches[i].network.addr, p->switches[i].network.prefix);
		add_str(sw, "bridge", p->switches[i].name);
		add_str(sw, "network", n);
		free(n);
		json_object_object_add(sws, p->switches[i].cluster->name, sw);
	}
	json_object_object_add(o, "switches", sws);
	struct text t = {0};
	for (size_t i = 0; i < p->n_stations; i++)
		json_object_object_add(sts, p->stations[i].station->name,
				       station_json(p, &p->stations[i], &t));
	free(t.p);
	json_object_object_add(o, "stations", sts);
	for (size_t i = 0; i < p->model->n_stations; i++)
		if (!p->model->stations[i]->enabled)
			json_object_array_add(dis,
					      json_object_new_string(p->model->stations[i]->name));
	json_object_object_add(o, "disabled", dis);
	add_str(host, "iface", p->host.iface);
	char *ha = prefix_str(p->host.addr.addr, p->host.addr.prefix);
	add_str(host, "addr", ha);
	free(ha);
	for (size_t i = 0; i < p->host.n_routes; i++) {
		char *r = route_str(&p->host.routes[i]);
		json_object_array_add(hr, json_object_new_string(r));
		free(r);
	}
	json_object_object_add(host, "routes", hr);
	json_object_object_add(o, "host", host);
	for (size_t i = 0; i < p->n_publish; i++) {
		const struct apo_plan_publish *x = &p->publish[i];
		char *l = apo_xasprintf(
		    "%s %u%s%u %s %s:%u", x->proto == IPPROTO_UDP ? "udp" : "tcp", x->host_port,
		    x->count > 1 ? "+" : "", x->count > 1 ? x->count - 1u : 0u,
		    p->stations[x->station].station->name, apo_fmt_ip(b, x->addr), x->port);
		/* "tcp 81 www1 10.1.0.11:8080"; a range "tcp 30000+9 ..." */
		if (x->count <= 1) {
			free(l);
			l = apo_xasprintf("%s %u %s %s:%u", x->proto == IPPROTO_UDP ? "udp" : "tcp",
					  x->host_port, p->stations[x->station].station->name,
					  apo_fmt_ip(b, x->addr), x->port);
		}
		json_object_array_add(pub, json_object_new_string(l));
		free(l);
	}
	json_object_object_add(o, "publish", pub);
	for (size_t i = 0; i < p->n_records; i++) {
		char *l = apo_xasprintf("%s %s %s", apo_record_type_name(p->records[i].type),
					p->records[i].name, p->records[i].value);
		json_object_array_add(recs, json_object_new_string(l));
		free(l);
	}
	json_object_object_add(o, "records", recs);
	/* the guard's ruleset names every network and address: its digest
	 * says when it must be loaded again */
	char *g = apo_guard_ruleset(p);
	char *gd = text_digest(g);
	add_str(o, "guard", gd);
	free(g);
	free(gd);
	return o;
}

char *apo_snapshot_digest(struct json_object *snap, bool network_only)
{
	const char *text = json_object_to_json_string_ext(snap, JSON_C_TO_STRING_PLAIN);
	_cleanup_free_ char *all =
	    apo_xasprintf("%s%s", text, network_only ? "\nnetwork-only" : "");
	return text_digest(all);
}
