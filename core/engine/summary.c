/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <arpa/inet.h>
#include <stdarg.h>
#include <netinet/in.h>
#include <string.h>

#include "engine/summary.h"
#include "base/fmt.h"
#include "base/util.h"

static const char *cluster_of(const struct apo_plan_station *s)
{
	return s->station->cluster ? s->station->cluster->name : "(backbone)";
}

/* "10.1.0.11/24 10.1.0.12/24" (caller frees) */
static char *addresses(const struct apo_plan_station *s)
{
	char *out = apo_xstrdup("");
	for (size_t i = 0; i < s->n_ifaces; i++) {
		for (size_t k = 0; k < s->ifaces[i].n_addrs; k++) {
			const struct apo_plan_addr *pa = &s->ifaces[i].addrs[k];
			char a[APO_PREFIX_STRLEN];
			char *n = apo_xasprintf("%s%s%s", out, *out ? " " : "",
						apo_fmt_prefix(a, pa->addr, pa->prefix));
			free(out);
			out = n;
		}
	}
	return out;
}

static char *append(char *out, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static char *append(char *out, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	_cleanup_free_ char *more = apo_xvasprintf(fmt, ap);
	va_end(ap);
	char *n = apo_xasprintf("%s%s%s", out, *out ? " " : "", more);
	free(out);
	return n;
}

/* "81/tcp->8080 30000-30009/tcp->30000-30009": runs of consecutive host
 * ports to consecutive station ports are shown as one range */
static char *ports(const struct apo_plan *p, size_t station)
{
	char *out = apo_xstrdup("");
	for (size_t i = 0; i < p->n_publish; i++) {
		const struct apo_plan_publish *u = &p->publish[i];
		size_t k = i;
		if (u->station != station)
			continue;
		/* the last port of entry k: a range entry's own, then any
		 * entries that continue it */
		unsigned n = u->count ? u->count : 1;
		unsigned hlast = u->host_port + n - 1, plast = u->port + n - 1;
		while (k + 1 < p->n_publish && p->publish[k + 1].station == station &&
		       p->publish[k + 1].proto == u->proto &&
		       p->publish[k + 1].host_port == hlast + 1 &&
		       p->publish[k + 1].port == plast + 1) {
			k++;
			hlast += p->publish[k].count ? p->publish[k].count : 1;
			plast += p->publish[k].count ? p->publish[k].count : 1;
		}
		const char *proto = u->proto == IPPROTO_UDP ? "udp" : "tcp";
		if (hlast == u->host_port)
			out = append(out, "%u/%s->%u", u->host_port, proto, u->port);
		else
			out = append(out, "%u-%u/%s->%u-%u", u->host_port, hlast, proto, u->port,
				     plast);
		i = k;
	}
	return out;
}

/* URLs that work from the host for the published ports whose type names
 * them http, https or ftp */
static char *urls(const struct apo_plan *p, size_t station)
{
	static const struct {
		const char *name;
		uint16_t default_port;
	} schemes[] = {{"http", 80}, {"https", 443}, {"ftp", 21}};
	const struct apomon_station_type *t = p->stations[station].station->type;
	char *out = apo_xstrdup("");

	for (size_t i = 0; t && t->ports && i < p->n_publish; i++) {
		const struct apo_plan_publish *u = &p->publish[i];
		if (u->station != station || u->proto != IPPROTO_TCP)
			continue;
		for (const struct apomon_port *tp = t->ports; tp->name; tp++) {
			unsigned n = u->count ? u->count : 1;
			if (tp->port < u->port || tp->port >= u->port + n)
				continue;
			unsigned host_port = u->host_port + (tp->port - u->port);
			for (size_t k = 0; k < APO_ARRAY_SIZE(schemes); k++) {
				if (strcmp(tp->name, schemes[k].name))
					continue;
				if (host_port == schemes[k].default_port)
					out = append(out, "%s://127.0.0.1/", tp->name);
				else
					out =
					    append(out, "%s://127.0.0.1:%u/", tp->name, host_port);
			}
		}
	}
	return out;
}

void apo_summary_print(const struct apo_plan *p, FILE *out)
{
	int w1 = (int)strlen("STATION"), w2 = (int)strlen("CLUSTER"), w3 = (int)strlen("ADDRESSES"),
	    w4 = (int)strlen("PUBLISHED");

	for (size_t i = 0; i < p->n_stations; i++) {
		_cleanup_free_ char *a = addresses(&p->stations[i]);
		_cleanup_free_ char *u = ports(p, i);
		int l = (int)strlen(p->stations[i].station->fqdn);
		w1 = l > w1 ? l : w1;
		l = (int)strlen(cluster_of(&p->stations[i]));
		w2 = l > w2 ? l : w2;
		l = (int)strlen(a);
		w3 = l > w3 ? l : w3;
		l = (int)strlen(u);
		w4 = l > w4 ? l : w4;
	}
	fprintf(out, "%-*s  %-*s  %-*s  %-*s  %s\n", w1, "STATION", w2, "CLUSTER", w3, "ADDRESSES",
		w4, "PUBLISHED", "URLS");
	for (size_t i = 0; i < p->n_stations; i++) {
		_cleanup_free_ char *a = addresses(&p->stations[i]);
		_cleanup_free_ char *u = ports(p, i);
		_cleanup_free_ char *l = urls(p, i);
		fprintf(out, "%-*s  %-*s  %-*s  %-*s  %s\n", w1, p->stations[i].station->fqdn, w2,
			cluster_of(&p->stations[i]), w3, a, w4, *u ? u : "-", *l ? l : "-");
	}
	if (p->model && p->model->isolation == APO_ISOLATION_HOST_ROOT)
		for (size_t i = 0; i < p->n_stations; i++)
			fprintf(out,
				"warning: %s: isolation \"host-root\": root in this station is "
				"root on the host\n",
				p->stations[i].station->fqdn);
}

struct json_object *apo_summary_json(const struct apo_plan *p)
{
	struct json_object *arr = json_object_new_array();
	for (size_t i = 0; i < p->n_stations; i++) {
		const struct apo_plan_station *s = &p->stations[i];
		struct json_object *o = json_object_new_object(), *a = json_object_new_array(),
				   *u = json_object_new_array();
		json_object_object_add(o, "station", json_object_new_string(s->station->name));
		json_object_object_add(o, "fqdn", json_object_new_string(s->station->fqdn));
		json_object_object_add(
		    o, "cluster",
		    s->station->cluster ? json_object_new_string(s->station->cluster->name) : NULL);
		for (size_t k = 0; k < s->n_ifaces; k++) {
			for (size_t m = 0; m < s->ifaces[k].n_addrs; m++) {
				const struct apo_plan_addr *pa = &s->ifaces[k].addrs[m];
				char b[APO_PREFIX_STRLEN];
				json_object_array_add(a, json_object_new_string(apo_fmt_prefix(
							     b, pa->addr, pa->prefix)));
			}
		}
		json_object_object_add(o, "addresses", a);
		for (size_t k = 0; k < p->n_publish; k++) {
			if (p->publish[k].station != i)
				continue;
			struct json_object *x = json_object_new_object();
			json_object_object_add(x, "host_port",
					       json_object_new_int(p->publish[k].host_port));
			json_object_object_add(
			    x, "proto",
			    json_object_new_string(p->publish[k].proto == IPPROTO_UDP ? "udp"
										      : "tcp"));
			json_object_object_add(x, "port", json_object_new_int(p->publish[k].port));
			json_object_array_add(u, x);
		}
		json_object_object_add(o, "publish", u);
		json_object_object_add(
		    o, "isolation",
		    json_object_new_string(
			p->model && p->model->isolation == APO_ISOLATION_HOST_ROOT ? "host-root"
										   : "userns"));
		json_object_array_add(arr, o);
	}
	return arr;
}
