/* SPDX-License-Identifier: MIT */
/*
 * DNS records the backbone serves: an A and a PTR record for every
 * address of every station (the backbone's: its router addresses, the
 * ones stations use to reach it), then each cluster's own `records`.
 * Names are absolute, with the trailing dot, as in a zone file.
 */
#include "config.h"

#include <arpa/inet.h>
#include <string.h>
#include <strings.h>

#include "plan/plan-int.h"
#include "base/fmt.h"
#include "base/util.h"

struct records {
	struct apo_plan *p;
	size_t cap;
};

static void add(struct records *r, enum apo_record_type type, char *name, char *value)
{
	struct apo_plan_record rec = {.type = type, .name = name, .value = value};
	APO_PUSH(r->p->records, r->p->n_records, r->cap, rec);
}

/* "11.0.1.10.in-addr.arpa." */
static char *ptr_name(struct in_addr a)
{
	const unsigned char *b = (const unsigned char *)&a.s_addr;
	return apo_xasprintf("%u.%u.%u.%u.in-addr.arpa.", b[3], b[2], b[1], b[0]);
}

/*
 * A name as written in a cluster's `records`: "name." is absolute; a name
 * without a dot is relative to the cluster's domain
 * ("www" -> www.example.com.); any other name is taken as a full name
 * ("www.example.com" -> www.example.com.).
 */
static char *absolute(const char *name, const char *domain)
{
	size_t len = strlen(name);

	if (len && name[len - 1] == '.')
		return apo_xstrdup(name);
	if (!strchr(name, '.'))
		return apo_xasprintf("%s.%s.", name, domain);
	return apo_xasprintf("%s.", name);
}

/* "10 mail" -> "10 mail.example.com." */
static char *mx_value(const char *value, const char *domain)
{
	const char *sp = value + strcspn(value, " \t");
	if (!*sp)
		return absolute(value, domain);
	const char *host = sp + strspn(sp, " \t");
	_cleanup_free_ char *abs = absolute(host, domain);
	return apo_xasprintf("%.*s %s", (int)(sp - value), value, abs);
}

static void config_records(struct records *r, const struct apo_cluster *c)
{
	for (size_t i = 0; i < c->n_records; i++) {
		const struct apo_record_conf *rc = &c->records[i];
		char *name = absolute(rc->name, c->domain);
		if (!strcasecmp(rc->type, "CNAME"))
			add(r, APO_RECORD_CNAME, name, absolute(rc->value, c->domain));
		else if (!strcasecmp(rc->type, "MX"))
			add(r, APO_RECORD_MX, name, mx_value(rc->value, c->domain));
		else if (!strcasecmp(rc->type, "TXT"))
			add(r, APO_RECORD_TXT, name, apo_xstrdup(rc->value));
		else /* A: validation accepts no other type */
			add(r, APO_RECORD_A, name, apo_xstrdup(rc->value));
	}
}

void apo_plan_records(struct apo_plan *p)
{
	struct records r = {.p = p};
	char ip[INET_ADDRSTRLEN];

	for (size_t i = 0; i < p->n_stations; i++) {
		const struct apo_plan_station *ps = &p->stations[i];
		const char *fqdn = ps->station->fqdn;
		/* the addresses it is known by: its switch legs; not p2p ends
		 * (private to two stations) nor the host link */
		for (int pass = 0; pass < 2; pass++) {
			for (size_t j = 0; j < ps->n_ifaces; j++) {
				const struct apo_plan_iface *f = &ps->ifaces[j];
				if (f->kind != APO_IFACE_SWITCH)
					continue;
				for (size_t k = 0; k < f->n_addrs; k++) {
					struct in_addr a = f->addrs[k].addr;
					if (pass == 0)
						add(&r, APO_RECORD_A, apo_xasprintf("%s.", fqdn),
						    apo_xstrdup(apo_fmt_ip(ip, a)));
					else
						add(&r, APO_RECORD_PTR, ptr_name(a),
						    apo_xasprintf("%s.", fqdn));
				}
			}
		}
	}
	for (size_t k = 0; k < p->n_switches; k++)
		config_records(&r, p->switches[k].cluster);
}
