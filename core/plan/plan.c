/* SPDX-License-Identifier: MIT */
/*
 * The plan: stations, switches, interfaces and the host link of a
 * validated model.  Routes, DNS records and start levels are derived from
 * these in plan-routes.c, plan-dns.c and plan-order.c.  Pure: reads only
 * the model, touches no kernel object and no file.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "plan/plan-int.h"
#include "base/util.h"

/* The key of a short name: its parts joined by NUL bytes (no final NUL),
 * so that "a" + "bc" and "ab" + "c" never hash alike. */
static char *name_key(const char *const *parts, size_t n, size_t *len)
{
	size_t total = 0;
	for (size_t i = 0; i < n; i++)
		total += strlen(parts[i]) + 1;
	char *key = apo_xmalloc(total);
	*len = 0;
	for (size_t i = 0; i < n; i++) {
		size_t l = strlen(parts[i]);
		memcpy(key + *len, parts[i], l);
		*len += l;
		key[(*len)++] = '\0';
	}
	*len -= 1;
	return key;
}

static int short_name(struct apo_nameset *names, const char *prefix, const char *const *parts,
		      size_t n, char out[APO_IFNAMSIZ], struct apo_diag *d)
{
	size_t len;
	_cleanup_free_ char *key = name_key(parts, n, &len);
	int rc = apo_short_name(names, prefix, key, len, out);
	if (rc < 0)
		apo_diag_add(d, NULL, NULL, "cannot give %s (%s) a short interface name: %s",
			     parts[n - 1], prefix, strerror(-rc));
	return rc;
}

static bool cluster_has_enabled(const struct apo_cluster *c)
{
	for (size_t i = 0; i < c->n_stations; i++)
		if (c->stations[i]->enabled)
			return true;
	return false;
}

static ssize_t switch_of(const struct apo_plan *p, const struct apo_cluster *c)
{
	for (size_t i = 0; i < p->n_switches; i++)
		if (p->switches[i].cluster == c)
			return (ssize_t)i;
	return -1;
}

static struct apo_plan_addr plan_addr(struct in_addr a, uint8_t prefix)
{
	return (struct apo_plan_addr){.addr = a, .prefix = prefix};
}

/* The n-th address of a network (1 = first usable). */
static struct in_addr nth_addr(const struct apo_addr *net, uint32_t n)
{
	return (struct in_addr){.s_addr = htonl(ntohl(net->addr.s_addr) + n)};
}

static void add_switches(struct apo_plan *p, struct apo_nameset *names, struct apo_diag *d, int *rc)
{
	const struct apo_model *m = p->model;
	size_t cap = 0;

	for (size_t i = 0; i < m->n_clusters; i++) {
		const struct apo_cluster *c = m->clusters[i];
		if (!cluster_has_enabled(c))
			continue;
		struct apo_plan_switch sw = {
		    .cluster = c,
		    .network = plan_addr(c->network.addr, c->network.prefix),
		};
		const char *parts[] = {m->env, c->name};
		if (short_name(names, "apb", parts, 2, sw.name, d) < 0)
			*rc = -EINVAL;
		APO_PUSH(p->switches, p->n_switches, cap, sw);
	}
}

static enum apomon_role role_of(const struct apo_model *m, const struct apo_station *s)
{
	if (s == m->backbone)
		return APOMON_ROLE_BACKBONE;
	if (s->cluster && s->cluster->gateway == s)
		return APOMON_ROLE_GATEWAY;
	return APOMON_ROLE_MEMBER;
}

static size_t count_links(const struct apo_model *m, const char *name)
{
	size_t n = 0;
	for (size_t i = 0; i < m->n_links; i++)
		n += !strcmp(m->links[i]->a, name) + !strcmp(m->links[i]->b, name);
	return n;
}

/* eth0, eth1, ... p2p0, host0: the names inside a station */
static struct apo_plan_iface *new_iface(struct apo_plan_station *ps, enum apo_iface_kind kind,
					size_t idx)
{
	struct apo_plan_iface *f = &ps->ifaces[ps->n_ifaces++];
	static const char *const prefix[] = {
	    [APO_IFACE_SWITCH] = "eth", [APO_IFACE_P2P] = "p2p", [APO_IFACE_HOST] = "host"};

	f->kind = kind;
	snprintf(f->name, sizeof(f->name), "%.4s%u", prefix[kind], (unsigned)idx);
	return f;
}

static void add_switch_ifaces(struct apo_plan *p, struct apo_plan_station *ps,
			      struct apo_nameset *names, struct apo_diag *d, int *rc)
{
	const struct apo_station *s = ps->station;
	const char *env = p->model->env;

	if (ps->role == APOMON_ROLE_BACKBONE) {
		/* one leg in every switch, at its cluster's router address */
		for (size_t k = 0; k < p->n_switches; k++) {
			const struct apo_cluster *c = p->switches[k].cluster;
			struct apo_plan_iface *f = new_iface(ps, APO_IFACE_SWITCH, k);
			f->sw = k;
			f->addrs = apo_xcalloc(1, sizeof(*f->addrs));
			f->addrs[0] = plan_addr(c->router, c->network.prefix);
			f->n_addrs = 1;
			const char *parts[] = {env, s->name, f->name};
			if (short_name(names, "apv", parts, 3, f->peer_name, d) < 0)
				*rc = -EINVAL;
		}
		struct apo_plan_iface *f = new_iface(ps, APO_IFACE_HOST, 0);
		f->addrs = apo_xcalloc(1, sizeof(*f->addrs));
		f->addrs[0] = plan_addr(p->host.backbone_addr, p->model->host_network.prefix);
		f->n_addrs = 1;
		memcpy(f->peer_name, p->host.iface, sizeof(f->peer_name));
		return;
	}

	struct apo_plan_iface *f = new_iface(ps, APO_IFACE_SWITCH, 0);
	ssize_t k = switch_of(p, s->cluster);
	if (k < 0) {
		/* cannot happen for an enabled station of a validated model */
		apo_diag_add(d, &s->loc, s->path, "station has no cluster switch");
		*rc = -EINVAL;
		k = 0;
	}
	f->sw = (size_t)k;
	f->addrs = apo_xcalloc(s->n_addrs, sizeof(*f->addrs));
	for (size_t i = 0; i < s->n_addrs; i++) {
		uint8_t prefix =
		    s->addrs[i].prefix ? s->addrs[i].prefix : s->cluster->network.prefix;
		f->addrs[i] = plan_addr(s->addrs[i].addr, prefix);
	}
	f->n_addrs = s->n_addrs;
	const char *parts[] = {env, s->name, f->name};
	if (short_name(names, "apv", parts, 3, f->peer_name, d) < 0)
		*rc = -EINVAL;
}

static size_t count_kind(const struct apo_plan_station *ps, enum apo_iface_kind kind)
{
	size_t n = 0;
	for (size_t i = 0; i < ps->n_ifaces; i++)
		n += ps->ifaces[i].kind == kind;
	return n;
}

static void add_links(struct apo_plan *p, struct apo_diag *d, int *rc)
{
	const struct apo_model *m = p->model;

	for (size_t i = 0; i < m->n_links; i++) {
		const struct apo_link *l = m->links[i];
		ssize_t a = apo_plan_find(p, l->a), b = apo_plan_find(p, l->b);
		if (a < 0 || b < 0) {
			apo_diag_add(d, &l->loc, l->path, "link end '%s' is not an enabled station",
				     a < 0 ? l->a : l->b);
			*rc = -EINVAL;
			continue;
		}
		struct apo_plan_station *sa = &p->stations[a], *sb = &p->stations[b];
		struct apo_plan_iface *fa =
		    new_iface(sa, APO_IFACE_P2P, count_kind(sa, APO_IFACE_P2P));
		struct apo_plan_iface *fb =
		    new_iface(sb, APO_IFACE_P2P, count_kind(sb, APO_IFACE_P2P));
		fa->peer_station = (size_t)b;
		fb->peer_station = (size_t)a;
		memcpy(fa->peer_name, fb->name, sizeof(fa->peer_name));
		memcpy(fb->peer_name, fa->name, sizeof(fb->peer_name));
		fa->addrs = apo_xcalloc(1, sizeof(*fa->addrs));
		fa->addrs[0] = plan_addr(l->addr_a.addr, l->addr_a.prefix);
		fa->n_addrs = 1;
		fb->addrs = apo_xcalloc(1, sizeof(*fb->addrs));
		fb->addrs[0] = plan_addr(l->addr_b.addr, l->addr_b.prefix);
		fb->n_addrs = 1;
	}
}

static void add_publish(struct apo_plan *p)
{
	size_t cap = 0;

	for (size_t i = 0; i < p->n_stations; i++) {
		const struct apo_station *s = p->stations[i].station;
		const struct apo_plan_addr *a = apo_plan_first_addr(&p->stations[i]);
		for (size_t j = 0; j < s->n_publish; j++) {
			struct apo_plan_publish pub = {
			    .host_port = s->publish[j].host_port,
			    .proto = s->publish[j].proto,
			    .station = i,
			    .addr = a ? a->addr : (struct in_addr){0},
			    .port = s->publish[j].port,
			    .count = s->publish[j].count ? s->publish[j].count : 1,
			};
			APO_PUSH(p->publish, p->n_publish, cap, pub);
		}
	}
}

int apo_plan_build(const struct apo_model *m, struct apo_plan **out, struct apo_diag *d)
{
	struct apo_plan *p = apo_xcalloc(1, sizeof(*p));
	struct apo_nameset names;
	int rc = 0;

	*out = NULL;
	apo_nameset_init(&names);
	p->model = m;
	p->env = m->env;
	if (!m->backbone) {
		apo_diag_add(d, NULL, "backbone",
			     "no backbone: add a `backbone` group to apomon.conf");
		rc = -EINVAL;
		goto out;
	}

	add_switches(p, &names, d, &rc);

	const char *env_parts[] = {m->env};
	if (short_name(&names, "aph", env_parts, 1, p->host.iface, d) < 0)
		rc = -EINVAL;
	p->host.addr = plan_addr(nth_addr(&m->host_network, 1), m->host_network.prefix);
	p->host.backbone_addr = nth_addr(&m->host_network, 2);

	for (size_t i = 0; i < m->n_stations; i++)
		p->n_stations += m->stations[i]->enabled;
	p->stations = apo_xcalloc(p->n_stations, sizeof(*p->stations));
	for (size_t i = 0, k = 0; i < m->n_stations; i++) {
		const struct apo_station *s = m->stations[i];
		if (!s->enabled)
			continue;
		struct apo_plan_station *ps = &p->stations[k];
		ps->station = s;
		ps->netns = apo_xstrdup(s->fqdn);
		ps->role = role_of(m, s);
		ps->forwarding = ps->role != APOMON_ROLE_MEMBER;
		size_t n = count_links(m, s->name) +
			   (ps->role == APOMON_ROLE_BACKBONE ? p->n_switches + 1 : 1);
		ps->ifaces = apo_xcalloc(n, sizeof(*ps->ifaces));
		if (ps->role == APOMON_ROLE_BACKBONE)
			p->backbone = k;
		k++;
	}
	for (size_t i = 0; i < p->n_stations; i++)
		add_switch_ifaces(p, &p->stations[i], &names, d, &rc);
	add_links(p, d, &rc);
	add_publish(p);
	if (apo_plan_routes(p, d) < 0)
		rc = -EINVAL;
	apo_plan_records(p);
	if (apo_plan_levels(p, d) < 0)
		rc = -EINVAL;
out:
	apo_nameset_clear(&names);
	if (rc < 0) {
		apo_plan_free(p);
		return rc;
	}
	*out = p;
	return 0;
}

void apo_plan_free(struct apo_plan *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->n_stations; i++) {
		struct apo_plan_station *s = &p->stations[i];
		for (size_t j = 0; j < s->n_ifaces; j++)
			free(s->ifaces[j].addrs);
		free(s->ifaces);
		free(s->routes);
		free(s->netns);
	}
	free(p->stations);
	free(p->switches);
	free(p->host.routes);
	for (size_t i = 0; i < p->n_records; i++) {
		free(p->records[i].name);
		free(p->records[i].value);
	}
	free(p->records);
	free(p->publish);
	for (size_t i = 0; i < p->n_levels; i++)
		free(p->levels[i].stations);
	free(p->levels);
	free(p);
}

ssize_t apo_plan_find(const struct apo_plan *p, const char *name)
{
	if (!p || !name)
		return -1;
	for (size_t i = 0; i < p->n_stations; i++)
		if (!strcmp(p->stations[i].station->name, name))
			return (ssize_t)i;
	return -1;
}

const struct apo_plan_addr *apo_plan_first_addr(const struct apo_plan_station *s)
{
	for (size_t i = 0; i < s->n_ifaces; i++)
		if (s->ifaces[i].n_addrs)
			return &s->ifaces[i].addrs[0];
	return NULL;
}

const char *apo_record_type_name(enum apo_record_type t)
{
	static const char *const names[] = {
	    [APO_RECORD_A] = "A",   [APO_RECORD_PTR] = "PTR", [APO_RECORD_CNAME] = "CNAME",
	    [APO_RECORD_MX] = "MX", [APO_RECORD_TXT] = "TXT",
	};
	if ((unsigned)t >= APO_ARRAY_SIZE(names))
		return NULL;
	return names[t];
}

const char *apo_role_name(enum apomon_role r)
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
