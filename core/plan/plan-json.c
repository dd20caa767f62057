/* SPDX-License-Identifier: MIT */
/*
 * The plan as JSON (`apomon plan --json`, docs/plan-json.md).  Keys are
 * added in a fixed order (json-c keeps insertion order), addresses are
 * "A.B.C.D/P" strings, stations are referred to by name.
 */
#include "config.h"

#include <netinet/in.h>

#include "plan/plan-int.h"
#include "base/fmt.h"
#include "base/util.h"

const char *apo_iface_kind_name(enum apo_iface_kind k)
{
	switch (k) {
	case APO_IFACE_P2P:
		return "p2p";
	case APO_IFACE_HOST:
		return "host";
	default:
		return "switch";
	}
}

static void add_str(struct json_object *o, const char *key, const char *value)
{
	json_object_object_add(o, key, value ? json_object_new_string(value) : NULL);
}

static struct json_object *addr_json(const struct apo_plan_addr *a)
{
	char buf[APO_PREFIX_STRLEN];
	return json_object_new_string(apo_fmt_prefix(buf, a->addr, a->prefix));
}

static struct json_object *ip_json(struct in_addr a)
{
	char buf[INET_ADDRSTRLEN];
	return json_object_new_string(apo_fmt_ip(buf, a));
}

static struct json_object *route_json(const struct apo_plan_route *r)
{
	struct json_object *o = json_object_new_object();
	json_object_object_add(o, "dst", addr_json(&r->dst));
	/* on-link routes have no gateway */
	json_object_object_add(o, "via", r->via.s_addr ? ip_json(r->via) : NULL);
	add_str(o, "dev", r->dev);
	return o;
}

static struct json_object *routes_json(const struct apo_plan_route *r, size_t n)
{
	struct json_object *a = json_object_new_array();
	for (size_t i = 0; i < n; i++)
		json_object_array_add(a, route_json(&r[i]));
	return a;
}

static struct json_object *iface_json(const struct apo_plan *p, const struct apo_plan_iface *f)
{
	struct json_object *o = json_object_new_object();
	add_str(o, "name", f->name);
	add_str(o, "kind", apo_iface_kind_name(f->kind));
	switch (f->kind) {
	case APO_IFACE_SWITCH:
		add_str(o, "switch", p->switches[f->sw].name);
		add_str(o, "host_end", f->peer_name);
		break;
	case APO_IFACE_HOST:
		add_str(o, "host_end", f->peer_name);
		break;
	case APO_IFACE_P2P:
		add_str(o, "peer_station", p->stations[f->peer_station].station->name);
		add_str(o, "peer_iface", f->peer_name);
		break;
	}
	struct json_object *addrs = json_object_new_array();
	for (size_t i = 0; i < f->n_addrs; i++)
		json_object_array_add(addrs, addr_json(&f->addrs[i]));
	json_object_object_add(o, "addresses", addrs);
	return o;
}

static struct json_object *station_json(const struct apo_plan *p, const struct apo_plan_station *ps)
{
	const struct apo_station *s = ps->station;
	struct json_object *o = json_object_new_object();
	const char *image = s->image ? s->image : s->type ? s->type->image : NULL;

	add_str(o, "name", s->name);
	add_str(o, "fqdn", s->fqdn);
	add_str(o, "cluster", s->cluster ? s->cluster->name : NULL);
	add_str(o, "type", s->type_name);
	add_str(o, "image", image);
	add_str(o, "role", apo_role_name(ps->role));
	add_str(o, "netns", ps->netns);
	json_object_object_add(o, "forwarding", json_object_new_boolean(ps->forwarding));
	json_object_object_add(o, "level", json_object_new_int((int)ps->level));
	struct json_object *deps = json_object_new_array();
	for (size_t i = 0; i < s->n_depends; i++)
		json_object_array_add(deps, json_object_new_string(s->depends[i]));
	json_object_object_add(o, "depends", deps);
	struct json_object *ifaces = json_object_new_array();
	for (size_t i = 0; i < ps->n_ifaces; i++)
		json_object_array_add(ifaces, iface_json(p, &ps->ifaces[i]));
	json_object_object_add(o, "ifaces", ifaces);
	json_object_object_add(o, "routes", routes_json(ps->routes, ps->n_routes));
	return o;
}

static struct json_object *switch_json(const struct apo_plan_switch *sw)
{
	struct json_object *o = json_object_new_object();
	add_str(o, "name", sw->name);
	add_str(o, "cluster", sw->cluster->name);
	add_str(o, "domain", sw->cluster->domain);
	json_object_object_add(o, "network", addr_json(&sw->network));
	json_object_object_add(o, "router", ip_json(sw->cluster->router));
	return o;
}

static struct json_object *host_json(const struct apo_plan *p)
{
	struct json_object *o = json_object_new_object();
	add_str(o, "iface", p->host.iface);
	json_object_object_add(o, "address", addr_json(&p->host.addr));
	json_object_object_add(o, "backbone", ip_json(p->host.backbone_addr));
	json_object_object_add(o, "routes", routes_json(p->host.routes, p->host.n_routes));
	return o;
}

static struct json_object *publish_json(const struct apo_plan *p,
					const struct apo_plan_publish *pub)
{
	struct json_object *o = json_object_new_object();
	json_object_object_add(o, "host_port", json_object_new_int(pub->host_port));
	add_str(o, "proto", pub->proto == IPPROTO_UDP ? "udp" : "tcp");
	add_str(o, "station", p->stations[pub->station].station->name);
	json_object_object_add(o, "address", ip_json(pub->addr));
	json_object_object_add(o, "port", json_object_new_int(pub->port));
	json_object_object_add(o, "count", json_object_new_int(pub->count));
	return o;
}

struct json_object *apo_plan_to_json(const struct apo_plan *p)
{
	struct json_object *o = json_object_new_object();
	struct json_object *a;

	add_str(o, "environment", p->env);
	a = json_object_new_array();
	for (size_t i = 0; i < p->n_switches; i++)
		json_object_array_add(a, switch_json(&p->switches[i]));
	json_object_object_add(o, "switches", a);
	a = json_object_new_array();
	for (size_t i = 0; i < p->n_stations; i++)
		json_object_array_add(a, station_json(p, &p->stations[i]));
	json_object_object_add(o, "stations", a);
	json_object_object_add(o, "host", host_json(p));
	a = json_object_new_array();
	for (size_t i = 0; i < p->n_records; i++) {
		struct json_object *r = json_object_new_object();
		add_str(r, "type", apo_record_type_name(p->records[i].type));
		add_str(r, "name", p->records[i].name);
		add_str(r, "value", p->records[i].value);
		json_object_array_add(a, r);
	}
	json_object_object_add(o, "records", a);
	a = json_object_new_array();
	for (size_t i = 0; i < p->n_publish; i++)
		json_object_array_add(a, publish_json(p, &p->publish[i]));
	json_object_object_add(o, "publish", a);
	a = json_object_new_array();
	for (size_t l = 0; l < p->n_levels; l++) {
		struct json_object *lv = json_object_new_array();
		for (size_t i = 0; i < p->levels[l].n; i++)
			json_object_array_add(
			    lv, json_object_new_string(
				    p->stations[p->levels[l].stations[i]].station->name));
		json_object_array_add(a, lv);
	}
	json_object_object_add(o, "levels", a);
	return o;
}
