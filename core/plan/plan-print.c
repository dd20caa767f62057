/* SPDX-License-Identifier: MIT */
/* The plan as text for people (`apomon plan`). */
#include "config.h"

#include <netinet/in.h>

#include "plan/plan-int.h"
#include "base/fmt.h"
#include "base/util.h"

static void print_route(FILE *out, const char *indent, const struct apo_plan_route *r)
{
	char dst[APO_PREFIX_STRLEN], via[INET_ADDRSTRLEN];

	if (!r->dst.prefix && !r->dst.addr.s_addr)
		fprintf(out, "%sroute default", indent);
	else
		fprintf(out, "%sroute %s", indent, apo_fmt_prefix(dst, r->dst.addr, r->dst.prefix));
	if (r->via.s_addr)
		fprintf(out, " via %s", apo_fmt_ip(via, r->via));
	fprintf(out, " dev %s\n", r->dev);
}

static void print_iface(FILE *out, const struct apo_plan *p, const struct apo_plan_iface *f)
{
	char buf[APO_PREFIX_STRLEN];

	fprintf(out, "    %-6s ", f->name);
	switch (f->kind) {
	case APO_IFACE_SWITCH:
		fprintf(out, "switch %s, host end %s", p->switches[f->sw].name, f->peer_name);
		break;
	case APO_IFACE_HOST:
		fprintf(out, "host link, host end %s", f->peer_name);
		break;
	case APO_IFACE_P2P:
		fprintf(out, "p2p to %s %s", p->stations[f->peer_station].station->name,
			f->peer_name);
		break;
	}
	for (size_t i = 0; i < f->n_addrs; i++)
		fprintf(out, "%s%s", i ? ", " : ": ",
			apo_fmt_prefix(buf, f->addrs[i].addr, f->addrs[i].prefix));
	fputc('\n', out);
}

static void print_station(FILE *out, const struct apo_plan *p, const struct apo_plan_station *ps)
{
	const struct apo_station *s = ps->station;

	fprintf(out, "  %s (%s, type %s", s->fqdn, apo_role_name(ps->role), s->type_name);
	if (s->cluster)
		fprintf(out, ", cluster %s", s->cluster->name);
	fprintf(out, ", level %u%s)\n", ps->level, ps->forwarding ? ", forwards" : "");
	if (s->n_depends) {
		fprintf(out, "    after ");
		for (size_t i = 0; i < s->n_depends; i++)
			fprintf(out, "%s%s", i ? ", " : "", s->depends[i]);
		fputc('\n', out);
	}
	for (size_t i = 0; i < ps->n_ifaces; i++)
		print_iface(out, p, &ps->ifaces[i]);
	for (size_t i = 0; i < ps->n_routes; i++)
		print_route(out, "    ", &ps->routes[i]);
}

void apo_plan_print(const struct apo_plan *p, FILE *out)
{
	char a[APO_PREFIX_STRLEN], b[INET_ADDRSTRLEN];

	fprintf(out, "environment %s\n\nswitches\n", p->env);
	for (size_t i = 0; i < p->n_switches; i++) {
		const struct apo_plan_switch *sw = &p->switches[i];
		fprintf(out, "  %s  cluster %s (%s) %s, router %s\n", sw->name, sw->cluster->name,
			sw->cluster->domain,
			apo_fmt_prefix(a, sw->network.addr, sw->network.prefix),
			apo_fmt_ip(b, sw->cluster->router));
	}

	fprintf(out, "\nstations\n");
	for (size_t i = 0; i < p->n_stations; i++)
		print_station(out, p, &p->stations[i]);

	fprintf(out, "\nhost\n  %s: %s, backbone %s\n", p->host.iface,
		apo_fmt_prefix(a, p->host.addr.addr, p->host.addr.prefix),
		apo_fmt_ip(b, p->host.backbone_addr));
	for (size_t i = 0; i < p->host.n_routes; i++)
		print_route(out, "  ", &p->host.routes[i]);

	fprintf(out, "\ndns records\n");
	for (size_t i = 0; i < p->n_records; i++)
		fprintf(out, "  %-40s %-5s %s\n", p->records[i].name,
			apo_record_type_name(p->records[i].type), p->records[i].value);

	fprintf(out, "\npublished ports\n");
	if (!p->n_publish)
		fprintf(out, "  (none)\n");
	for (size_t i = 0; i < p->n_publish; i++) {
		const struct apo_plan_publish *pub = &p->publish[i];
		if (pub->count > 1)
			fprintf(out, "  host %s/%u-%u -> %s %s:%u-%u\n",
				pub->proto == IPPROTO_UDP ? "udp" : "tcp", pub->host_port,
				pub->host_port + pub->count - 1,
				p->stations[pub->station].station->name, apo_fmt_ip(a, pub->addr),
				pub->port, pub->port + pub->count - 1);
		else
			fprintf(out, "  host %s/%u -> %s %s:%u\n",
				pub->proto == IPPROTO_UDP ? "udp" : "tcp", pub->host_port,
				p->stations[pub->station].station->name, apo_fmt_ip(a, pub->addr),
				pub->port);
	}

	fprintf(out, "\nstart levels\n");
	for (size_t l = 0; l < p->n_levels; l++) {
		fprintf(out, "  %zu:", l);
		for (size_t i = 0; i < p->levels[l].n; i++)
			fprintf(out, " %s", p->stations[p->levels[l].stations[i]].station->name);
		fputc('\n', out);
	}
}
