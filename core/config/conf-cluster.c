/* SPDX-License-Identifier: MIT */
/* The `backbone` and `cluster` groups, and a cluster's `records`. */
#include "config.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "config/conf-internal.h"
#include "base/fmt.h"
#include "base/util.h"

static const char *const cluster_names[] = {"name",    "domain",   "network", "router",
					    "gateway", "stations", "records", NULL};
static const char *const record_names[] = {"name", "type", "value", NULL};

static void add_station(struct apo_model *m, struct apo_station *st)
{
	m->stations = apo_xreallocarray(m->stations, m->n_stations + 1, sizeof(*m->stations));
	m->stations[m->n_stations++] = st;
}

/*
 * A network "A.B.C.D/P" with min <= P <= max and host bits zero.  Returns
 * 0 with *out filled, or -EINVAL after reporting.
 */
static int parse_network(struct conf_ctx *c, const config_setting_t *s, const char *path, int min,
			 int max, struct apo_addr *out)
{
	const char *v = config_setting_get_string(s);
	struct in_addr a;
	int prefix;

	if (apo_parse_cidr(v, &a, &prefix) < 0) {
		conf_report(c, s, path,
			    "invalid network '%s', expected \"A.B.C.D/P\" with P from %d to %d", v,
			    min, max);
		return -EINVAL;
	}
	if (prefix < 0) {
		conf_report(c, s, path,
			    "'%s' has no prefix, expected \"A.B.C.D/P\" with P from %d to %d", v,
			    min, max);
		return -EINVAL;
	}
	if (prefix < min || prefix > max) {
		conf_report(c, s, path, "prefix /%d is out of range, expected %d to %d", prefix,
			    min, max);
		return -EINVAL;
	}
	uint32_t mask = apo_prefix_mask(prefix);
	if (ntohl(a.s_addr) & ~mask) {
		struct in_addr net = {.s_addr = htonl(ntohl(a.s_addr) & mask)};
		char buf[INET_ADDRSTRLEN];
		conf_report(c, s, path, "'%s' has host bits set, expected %s/%d", v,
			    apo_fmt_ip(buf, net), prefix);
		return -EINVAL;
	}
	struct in_addr last = {.s_addr = htonl(ntohl(a.s_addr) | ~mask)};
	const char *why = apo_addr_special(a);
	if (!why)
		why = apo_addr_special(last);
	if (why) {
		conf_report(c, s, path, "'%s' includes %s, expected a network of host addresses", v,
			    why);
		return -EINVAL;
	}
	out->addr = a;
	out->prefix = prefix;
	out->loc = apo_model_loc(c->m, s);
	return 0;
}

void conf_parse_backbone(struct conf_ctx *c, config_setting_t *g)
{
	struct apo_model *m = c->m;
	bool second = c->have_backbone;

	if (second) {
		conf_report(c, g, "backbone",
			    "a second backbone group, expected only one; the first is at %s:%d",
			    c->backbone_loc.file ? c->backbone_loc.file : "?",
			    c->backbone_loc.line);
	} else {
		c->have_backbone = true;
		c->backbone_loc = apo_model_loc(m, g);
	}

	struct apo_station *st = conf_parse_station(c, g, NULL, "backbone", true);
	const char *domain = conf_member_string(c, g, "backbone", "domain", true);
	if (domain && !apo_valid_dns_name(domain))
		conf_report(c, config_setting_get_member(g, "domain"), "backbone.domain",
			    "invalid domain '%s', expected a DNS name such as example.com", domain);
	else if (domain && st->name)
		/* one spelling, as for clusters: without the root's dot */
		st->fqdn = apo_xasprintf(
		    "%s.%.*s", st->name,
		    (int)(strlen(domain) - (domain[strlen(domain) - 1] == '.')), domain);
	if (config_setting_get_member(g, "enabled") && !st->enabled)
		conf_report(c, config_setting_get_member(g, "enabled"), "backbone.enabled",
			    "the backbone cannot be disabled, expected true or no `enabled`");

	const config_setting_t *hn = config_setting_get_member(g, "host_network");
	if (!second && hn) {
		if (config_setting_type(hn) != CONFIG_TYPE_STRING)
			conf_report(c, hn, "backbone.host_network",
				    "is %s, expected a string \"A.B.C.D/P\"", apo_conf_kind(hn));
		else
			parse_network(c, hn, "backbone.host_network", 1, 30, &m->host_network);
	} else if (!second) {
		m->host_network.loc = st->loc;
	}

	if (second) {
		apo_model_station_free(st);
		return;
	}
	add_station(m, st);
}

static void parse_record(struct conf_ctx *c, struct apo_cluster *cl, config_setting_t *g, size_t i)
{
	struct apo_record_conf rec = {.loc = apo_model_loc(c->m, g)};
	_cleanup_free_ char *rp = apo_xasprintf("%s.records", cl->path);
	rec.path = conf_path_index(rp, i);

	if (!conf_want_group(c, g, rec.path)) {
		free(rec.path);
		return;
	}
	conf_check_names(c, g, rec.path, record_names);
	const char *name = conf_member_string(c, g, rec.path, "name", true);
	const char *type = conf_member_string(c, g, rec.path, "type", true);
	const char *value = conf_member_string(c, g, rec.path, "value", true);
	bool ok = name && type && value;
	_cleanup_free_ char *np = conf_path(rec.path, "name");
	_cleanup_free_ char *vp = conf_path(rec.path, "value");
	_cleanup_free_ char *tp = conf_path(rec.path, "type");
	const config_setting_t *vs = config_setting_get_member(g, "value");

	if (name && !apo_valid_dns_name(name)) {
		conf_report(c, config_setting_get_member(g, "name"), np,
			    "invalid DNS name '%s', expected a name such as www.example.com", name);
		ok = false;
	}
	if (type && strcmp(type, "A") && strcmp(type, "CNAME") && strcmp(type, "MX") &&
	    strcmp(type, "TXT")) {
		conf_report(c, config_setting_get_member(g, "type"), tp,
			    "unknown record type '%s', expected A, CNAME, MX or TXT", type);
		ok = false;
		type = NULL;
	}
	if (type && value) {
		struct in_addr a;
		const char *why = NULL;
		if (strcmp(type, "A") == 0 && apo_parse_ipv4(value, &a) < 0) {
			conf_report(c, vs, vp, "invalid address '%s', expected \"A.B.C.D\"", value);
			ok = false;
		} else if (strcmp(type, "A") == 0 && (why = apo_addr_special(a))) {
			conf_report(c, vs, vp, "'%s' is %s, expected a host address", value, why);
			ok = false;
		} else if (strcmp(type, "CNAME") == 0 && !apo_valid_dns_name(value)) {
			conf_report(c, vs, vp,
				    "invalid DNS name '%s', expected a name such as lb.example.com",
				    value);
			ok = false;
		} else if (strcmp(type, "MX") == 0) {
			char *end;
			long pref = strtol(value, &end, 10);
			/* strictly: strtol would take blanks and a sign first */
			if (!isdigit((unsigned char)value[0]) || end == value || *end != ' ' ||
			    pref < 0 || pref > 65535 || !apo_valid_dns_name(end + 1)) {
				conf_report(
				    c, vs, vp,
				    "invalid MX value '%s', expected \"PREFERENCE NAME\" such "
				    "as \"10 mail.example.com\"",
				    value);
				ok = false;
			}
		}
	}
	if (!ok) {
		free(rec.path);
		return;
	}
	rec.name = apo_xstrdup(name);
	rec.type = apo_xstrdup(type);
	rec.value = apo_xstrdup(value);
	cl->records[cl->n_records++] = rec;
}

void conf_parse_cluster(struct conf_ctx *c, config_setting_t *g)
{
	struct apo_model *m = c->m;
	struct apo_cluster *cl = apo_xcalloc(1, sizeof(*cl));

	cl->loc = apo_model_loc(m, g);
	m->clusters = apo_xreallocarray(m->clusters, m->n_clusters + 1, sizeof(*m->clusters));
	m->clusters[m->n_clusters++] = cl;

	const config_setting_t *ns = config_setting_get_member(g, "name");
	const char *name = ns && config_setting_type(ns) == CONFIG_TYPE_STRING
			       ? config_setting_get_string(ns)
			       : NULL;
	if (name && apo_valid_cluster_name(name))
		cl->path = apo_xasprintf("clusters.%s", name);
	else
		cl->path = apo_xasprintf("clusters[%zu]", m->n_clusters - 1);

	conf_check_names(c, g, cl->path, cluster_names);
	name = conf_member_string(c, g, cl->path, "name", true);
	if (name) {
		cl->name = apo_xstrdup(name);
		if (!apo_valid_cluster_name(name)) {
			_cleanup_free_ char *np = conf_path(cl->path, "name");
			conf_report(c, ns, np,
				    "invalid cluster name '%s', expected lower-case letters, "
				    "digits, '-' and '_', starting with a letter, at most 63 bytes",
				    name);
		}
	}
	const char *domain = conf_member_string(c, g, cl->path, "domain", true);
	if (domain) {
		if (apo_valid_dns_name(domain)) {
			size_t len = strlen(domain);
			/* one spelling: FQDNs are compared as strings */
			cl->domain = apo_xstrndup(domain, domain[len - 1] == '.' ? len - 1 : len);
		} else {
			_cleanup_free_ char *dp = conf_path(cl->path, "domain");
			conf_report(c, config_setting_get_member(g, "domain"), dp,
				    "invalid domain '%s', expected a DNS name such as example.com",
				    domain);
		}
	}
	_cleanup_free_ char *netp = conf_path(cl->path, "network");
	const char *net = conf_member_string(c, g, cl->path, "network", true);
	bool net_ok = net && parse_network(c, config_setting_get_member(g, "network"), netp, 8, 30,
					   &cl->network) == 0;
	if (!net_ok)
		cl->network.prefix = 0;

	const config_setting_t *rs = config_setting_get_member(g, "router");
	const char *router = conf_member_string(c, g, cl->path, "router", false);
	if (router) {
		_cleanup_free_ char *rp = conf_path(cl->path, "router");
		int prefix;
		cl->router_loc = apo_model_loc(m, rs);
		const char *why = NULL;
		if (apo_parse_cidr(router, &cl->router, &prefix) < 0)
			conf_report(c, rs, rp, "invalid address '%s', expected \"A.B.C.D\"",
				    router);
		else if ((why = apo_addr_special(cl->router)))
			conf_report(c, rs, rp, "'%s' is %s, expected a host address", router, why);
		else if (prefix >= 0 && net_ok && prefix != cl->network.prefix)
			conf_report(c, rs, rp,
				    "prefix /%d differs from the cluster's network /%d, expected "
				    "/%d or no prefix",
				    prefix, cl->network.prefix, cl->network.prefix);
	} else if (net_ok) {
		uint32_t bcast =
		    ntohl(cl->network.addr.s_addr) | ~apo_prefix_mask(cl->network.prefix);
		cl->router.s_addr = htonl(bcast - 1);
		/* router_loc stays empty: the router was not written */
	}

	const char *gw = conf_member_string(c, g, cl->path, "gateway", false);
	if (gw) {
		cl->gateway_name = apo_xstrdup(gw);
		cl->gateway_loc = apo_model_loc(m, config_setting_get_member(g, "gateway"));
	}

	config_setting_t *sl = config_setting_get_member(g, "stations");
	_cleanup_free_ char *slp = conf_path(cl->path, "stations");
	if (sl && conf_want_list(c, sl, slp)) {
		int len = config_setting_length(sl);
		cl->stations = apo_xcalloc(len, sizeof(*cl->stations));
		for (int i = 0; i < len; i++) {
			config_setting_t *e = config_setting_get_elem(sl, i);
			_cleanup_free_ char *hint = conf_path_index(slp, i);
			if (!conf_want_group(c, e, hint))
				continue;
			struct apo_station *st = conf_parse_station(c, e, cl, hint, false);
			cl->stations[cl->n_stations++] = st;
			add_station(m, st);
		}
	}

	config_setting_t *rl = config_setting_get_member(g, "records");
	_cleanup_free_ char *rlp = conf_path(cl->path, "records");
	if (rl && conf_want_list(c, rl, rlp)) {
		int len = config_setting_length(rl);
		cl->records = apo_xcalloc(len, sizeof(*cl->records));
		for (int i = 0; i < len; i++)
			parse_record(c, cl, config_setting_get_elem(rl, i), i);
	}
}
