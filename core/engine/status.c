/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/if.h>
#include <linux/ip.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <netlink/route/link/inet.h>
#include <netlink/route/route.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "engine/journal.h"
#include "net/netlink.h"
#include "net/netns.h"
#include "runtime/station.h"
#include "base/fmt.h"
#include "base/paths.h"
#include "engine/reconcile.h"
#include "engine/status.h"
#include "engine/up.h"
#include "base/util.h"
#include "base/workers.h"

struct k_iface {
	char name[APO_IFNAMSIZ];
	int ifindex, master;
	bool up;
	int forwarding; /* -1: unknown */
	struct apo_plan_addr *addrs;
	size_t n_addrs, cap;
};

struct k_route {
	struct apo_plan_addr dst;
	struct in_addr via;
	char dev[APO_IFNAMSIZ];
	int ifindex;
};

/* What the kernel says about one namespace. */
struct k_ns {
	bool present;
	int err; /* reading failed */
	struct k_iface *ifs;
	size_t n_ifs, cap;
	struct k_route *routes;
	size_t n_routes, cap_r;
};

static struct k_iface *k_find(struct k_ns *k, const char *name)
{
	for (size_t i = 0; i < k->n_ifs; i++)
		if (!strcmp(k->ifs[i].name, name))
			return &k->ifs[i];
	return NULL;
}

static struct k_iface *k_by_index(struct k_ns *k, int ifindex)
{
	for (size_t i = 0; i < k->n_ifs; i++)
		if (k->ifs[i].ifindex == ifindex)
			return &k->ifs[i];
	return NULL;
}

static void in_of(struct nl_addr *a, struct in_addr *out)
{
	out->s_addr = 0;
	if (a && nl_addr_get_len(a) == 4)
		memcpy(out, nl_addr_get_binary_addr(a), 4);
}

/* Reads links, IPv4 addresses and main-table routes of the namespace the
 * calling thread is in. */
static int read_kernel(struct k_ns *k)
{
	struct apo_nl *nl;
	struct nl_cache *links = NULL, *addrs = NULL, *routes = NULL;
	struct nl_sock *sk;
	int r;

	if ((r = apo_nl_open(&nl)) < 0)
		return r;
	sk = apo_nl_sock(nl);
	if (rtnl_link_alloc_cache(sk, AF_UNSPEC, &links) < 0 ||
	    rtnl_addr_alloc_cache(sk, &addrs) < 0 ||
	    rtnl_route_alloc_cache(sk, AF_INET, 0, &routes) < 0) {
		r = -EIO;
		goto out;
	}
	for (struct nl_object *o = nl_cache_get_first(links); o; o = nl_cache_get_next(o)) {
		struct rtnl_link *l = (struct rtnl_link *)o;
		struct k_iface f = {.ifindex = rtnl_link_get_ifindex(l),
				    .master = rtnl_link_get_master(l),
				    .up = rtnl_link_get_flags(l) & IFF_UP,
				    .forwarding = -1};
		uint32_t v;
		snprintf(f.name, sizeof(f.name), "%s", rtnl_link_get_name(l));
		if (rtnl_link_inet_get_conf(l, IPV4_DEVCONF_FORWARDING, &v) == 0)
			f.forwarding = (int)v;
		APO_PUSH(k->ifs, k->n_ifs, k->cap, f);
	}
	for (struct nl_object *o = nl_cache_get_first(addrs); o; o = nl_cache_get_next(o)) {
		struct rtnl_addr *a = (struct rtnl_addr *)o;
		struct k_iface *f = k_by_index(k, rtnl_addr_get_ifindex(a));
		struct apo_plan_addr x = {.prefix = rtnl_addr_get_prefixlen(a)};
		if (rtnl_addr_get_family(a) != AF_INET || !f)
			continue;
		in_of(rtnl_addr_get_local(a), &x.addr);
		APO_PUSH(f->addrs, f->n_addrs, f->cap, x);
	}
	for (struct nl_object *o = nl_cache_get_first(routes); o; o = nl_cache_get_next(o)) {
		struct rtnl_route *rt = (struct rtnl_route *)o;
		struct k_route x = {0};
		if (rtnl_route_get_table(rt) != RT_TABLE_MAIN ||
		    rtnl_route_get_protocol(rt) == RTPROT_KERNEL ||
		    rtnl_route_get_type(rt) != RTN_UNICAST)
			continue;
		in_of(rtnl_route_get_dst(rt), &x.dst.addr);
		x.dst.prefix =
		    rtnl_route_get_dst(rt) ? nl_addr_get_prefixlen(rtnl_route_get_dst(rt)) : 0;
		if (rtnl_route_get_nnexthops(rt) > 0) {
			struct rtnl_nexthop *nh = rtnl_route_nexthop_n(rt, 0);
			in_of(rtnl_route_nh_get_gateway(nh), &x.via);
			x.ifindex = rtnl_route_nh_get_ifindex(nh);
			struct k_iface *f = k_by_index(k, x.ifindex);
			snprintf(x.dev, sizeof(x.dev), "%s", f ? f->name : "?");
		}
		APO_PUSH(k->routes, k->n_routes, k->cap_r, x);
	}
	r = 0;
out:
	nl_cache_free(links);
	nl_cache_free(addrs);
	nl_cache_free(routes);
	apo_nl_close(nl);
	return r;
}

static void k_free(struct k_ns *k)
{
	for (size_t i = 0; i < k->n_ifs; i++)
		free(k->ifs[i].addrs);
	free(k->ifs);
	free(k->routes);
}

struct status {
	const struct apo_plan *plan;
	struct k_ns *ns; /* per station */
	struct k_ns host;
	char **drift;
	size_t n_drift, cap;
	struct json_object *json;
	/* `up --network-only` starts no station: then a station that does
	 * not run is what was asked for, not drift */
	bool stations;
};

static void drift(struct status *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void drift(struct status *s, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *m = apo_xvasprintf(fmt, ap);
	va_end(ap);
	APO_PUSH(s->drift, s->n_drift, s->cap, m);
}

static int read_item(void *ctx, size_t i, void *state)
{
	struct status *s = ctx;
	struct k_ns *k = &s->ns[i];
	int fd = apo_netns_open(s->plan->stations[i].netns);

	if (fd < 0)
		return 0; /* absent: drift, not an error */
	k->present = true;
	k->err = apo_netns_enter_here(fd);
	close(fd);
	if (!k->err)
		k->err = read_kernel(k);
	return 0;
}

static const char *fmt_addr(char *b, const struct apo_plan_addr *a)
{
	return apo_fmt_prefix(b, a->addr, a->prefix);
}

static const char *fmt_dst(char *b, const struct apo_plan_addr *a)
{
	return a->prefix ? fmt_addr(b, a) : "default";
}

static bool has_addr(const struct k_iface *f, const struct apo_plan_addr *a)
{
	for (size_t i = 0; i < f->n_addrs; i++)
		if (f->addrs[i].addr.s_addr == a->addr.s_addr && f->addrs[i].prefix == a->prefix)
			return true;
	return false;
}

static bool planned_addr(const struct apo_plan_addr *v, size_t n, const struct apo_plan_addr *a)
{
	for (size_t i = 0; i < n; i++)
		if (v[i].addr.s_addr == a->addr.s_addr && v[i].prefix == a->prefix)
			return true;
	return false;
}

static bool same_route(const struct k_route *k, const struct apo_plan_route *p)
{
	return k->dst.addr.s_addr == p->dst.addr.s_addr && k->dst.prefix == p->dst.prefix &&
	       k->via.s_addr == p->via.s_addr && !strcmp(k->dev, p->dev);
}

static struct json_object *jstr(const char *s)
{
	return json_object_new_string(s);
}

static struct json_object *route_json(const struct k_route *r)
{
	char d[20], v[INET_ADDRSTRLEN];
	struct json_object *o = json_object_new_object();
	json_object_object_add(o, "dst", jstr(apo_fmt_prefix(d, r->dst.addr, r->dst.prefix)));
	apo_fmt_ip(v, r->via);
	json_object_object_add(o, "via", jstr(v));
	json_object_object_add(o, "dev", jstr(r->dev));
	return o;
}

static void routes_compare(struct status *s, const char *who, struct k_ns *k,
			   const struct apo_plan_route *planned, size_t n, int only_ifindex)
{
	char d[20], v[INET_ADDRSTRLEN];
	for (size_t i = 0; i < n; i++) {
		size_t m;
		for (m = 0; m < k->n_routes; m++)
			if (same_route(&k->routes[m], &planned[i]))
				break;
		if (m == k->n_routes) {
			apo_fmt_ip(v, planned[i].via);
			drift(s, "%s: missing route %s via %s dev %s", who,
			      fmt_dst(d, &planned[i].dst), v, planned[i].dev);
		}
	}
	for (size_t m = 0; m < k->n_routes; m++) {
		size_t i;
		if (only_ifindex && k->routes[m].ifindex != only_ifindex)
			continue;
		for (i = 0; i < n; i++)
			if (same_route(&k->routes[m], &planned[i]))
				break;
		if (i == n) {
			apo_fmt_ip(v, k->routes[m].via);
			drift(s, "%s: unexpected route %s via %s dev %s", who,
			      fmt_dst(d, &k->routes[m].dst), v, k->routes[m].dev);
		}
	}
}

/* The station's runtime state (starting, ready, failed, stopped), its
 * init's PID and uptime; a station not running is drift. */
static void station_runtime(struct status *s, const struct apo_plan_station *p,
			    struct json_object *o)
{
	struct apo_station_info in;

	apo_station_info(s->plan->env, p->station->name, &in);
	json_object_object_add(o, "state", jstr(apo_station_state_name(in.state)));
	if (in.pid) {
		json_object_object_add(o, "pid", json_object_new_int64(in.pid));
		json_object_object_add(o, "uptime_s", json_object_new_double(in.uptime_s));
		json_object_object_add(o, "isolation", jstr(in.host_root ? "host-root" : "userns"));
	}
	if ((in.state == APO_STATION_FAILED || in.state == APO_STATION_STOPPED) &&
	    in.exit_code >= 0)
		json_object_object_add(o, "exit_code", json_object_new_int(in.exit_code));
	if (!s->stations)
		return;
	if (in.state == APO_STATION_FAILED) {
		_cleanup_free_ char *how = apo_station_end_text(&in);
		drift(s, "%s: failed (%s)", p->netns, how);
	} else if (in.state != APO_STATION_READY && in.state != APO_STATION_STARTING)
		drift(s, "%s: %s", p->netns, apo_station_state_name(in.state));
}

static void station_compare(struct status *s, size_t idx, struct json_object *arr)
{
	const struct apo_plan_station *p = &s->plan->stations[idx];
	struct k_ns *k = &s->ns[idx];
	const char *who = p->netns;
	struct json_object *o = json_object_new_object(), *ifs = json_object_new_array(),
			   *rts = json_object_new_array();
	char b[20];

	json_object_object_add(o, "station", jstr(p->station->name));
	json_object_object_add(o, "netns", jstr(p->netns));
	json_object_object_add(o, "present", json_object_new_boolean(k->present));
	json_object_array_add(arr, o);
	station_runtime(s, p, o);
	if (!k->present) {
		drift(s, "%s: missing namespace %s/%s", who, apo_netns_dir(), p->netns);
		json_object_put(ifs);
		json_object_put(rts);
		return;
	}
	if (k->err) {
		drift(s, "%s: cannot read it: %s", who, strerror(-k->err));
		json_object_put(ifs);
		json_object_put(rts);
		return;
	}
	for (size_t i = 0; i < k->n_ifs; i++) {
		struct k_iface *f = &k->ifs[i];
		struct json_object *x = json_object_new_object(), *a = json_object_new_array();
		json_object_object_add(x, "name", jstr(f->name));
		json_object_object_add(x, "up", json_object_new_boolean(f->up));
		if (f->forwarding >= 0)
			json_object_object_add(x, "forwarding",
					       json_object_new_boolean(f->forwarding));
		for (size_t m = 0; m < f->n_addrs; m++)
			json_object_array_add(a, jstr(fmt_addr(b, &f->addrs[m])));
		json_object_object_add(x, "addresses", a);
		json_object_array_add(ifs, x);
	}
	for (size_t i = 0; i < k->n_routes; i++)
		json_object_array_add(rts, route_json(&k->routes[i]));
	json_object_object_add(o, "interfaces", ifs);
	json_object_object_add(o, "routes", rts);

	/* loopback, then each planned link */
	struct k_iface *lo = k_find(k, "lo");
	if (!lo || !lo->up)
		drift(s, "%s: lo is down", who);
	for (size_t i = 0; i < p->n_ifaces; i++) {
		const struct apo_plan_iface *pf = &p->ifaces[i];
		struct k_iface *f = k_find(k, pf->name);
		if (!f) {
			drift(s, "%s: missing link %s", who, pf->name);
			continue;
		}
		if (!f->up)
			drift(s, "%s: %s is down", who, pf->name);
		if (f->forwarding >= 0 && f->forwarding != (int)p->forwarding)
			drift(s, "%s: %s: forwarding is %s, planned %s", who, pf->name,
			      f->forwarding ? "on" : "off", p->forwarding ? "on" : "off");
		for (size_t m = 0; m < pf->n_addrs; m++)
			if (!has_addr(f, &pf->addrs[m]))
				drift(s, "%s: %s: missing address %s", who, pf->name,
				      fmt_addr(b, &pf->addrs[m]));
		for (size_t m = 0; m < f->n_addrs; m++)
			if (!planned_addr(pf->addrs, pf->n_addrs, &f->addrs[m]))
				drift(s, "%s: %s: unexpected address %s", who, pf->name,
				      fmt_addr(b, &f->addrs[m]));
	}
	for (size_t i = 0; i < k->n_ifs; i++) {
		struct k_iface *f = &k->ifs[i];
		size_t m;
		if (!strcmp(f->name, "lo")) {
			for (size_t a = 0; a < f->n_addrs; a++)
				if ((ntohl(f->addrs[a].addr.s_addr) >> 24) != 127)
					drift(s, "%s: lo: unexpected address %s", who,
					      fmt_addr(b, &f->addrs[a]));
			continue;
		}
		for (m = 0; m < p->n_ifaces; m++)
			if (!strcmp(p->ifaces[m].name, f->name))
				break;
		if (m == p->n_ifaces)
			drift(s, "%s: unexpected link %s", who, f->name);
	}
	routes_compare(s, who, k, p->routes, p->n_routes, 0);
}

static void host_compare(struct status *s, struct json_object *top)
{
	const struct apo_plan *p = s->plan;
	struct k_ns *k = &s->host;
	struct json_object *sws = json_object_new_array(), *h = json_object_new_object();
	char b[20];

	for (size_t i = 0; i < p->n_switches; i++) {
		const struct apo_plan_switch *sw = &p->switches[i];
		struct k_iface *f = k_find(k, sw->name);
		struct json_object *o = json_object_new_object();
		size_t ports = 0;
		json_object_object_add(o, "name", jstr(sw->name));
		json_object_object_add(o, "cluster", jstr(sw->cluster->name));
		json_object_object_add(o, "present", json_object_new_boolean(f != NULL));
		json_object_array_add(sws, o);
		if (!f) {
			drift(s, "switch %s (cluster %s): missing", sw->name, sw->cluster->name);
			continue;
		}
		if (!f->up)
			drift(s, "switch %s (cluster %s): down", sw->name, sw->cluster->name);
		for (size_t st = 0; st < p->n_stations; st++) {
			const struct apo_plan_station *ps = &p->stations[st];
			for (size_t m = 0; m < ps->n_ifaces; m++) {
				const struct apo_plan_iface *pf = &ps->ifaces[m];
				if (pf->kind != APO_IFACE_SWITCH || pf->sw != i)
					continue;
				struct k_iface *port = k_find(k, pf->peer_name);
				if (!port)
					drift(s, "switch %s: missing port %s (%s %s)", sw->name,
					      pf->peer_name, ps->netns, pf->name);
				else if (port->master != f->ifindex)
					drift(s, "switch %s: %s (%s %s) is not its port", sw->name,
					      pf->peer_name, ps->netns, pf->name);
				else
					ports++;
			}
		}
		json_object_object_add(o, "ports", json_object_new_int64(ports));
	}
	json_object_object_add(top, "switches", sws);

	struct k_iface *hl = k_find(k, p->host.iface);
	json_object_object_add(h, "iface", jstr(p->host.iface));
	json_object_object_add(h, "present", json_object_new_boolean(hl != NULL));
	json_object_object_add(top, "host", h);
	if (!hl) {
		drift(s, "host: missing link %s", p->host.iface);
		return;
	}
	if (!hl->up)
		drift(s, "host: %s is down", p->host.iface);
	if (!has_addr(hl, &p->host.addr))
		drift(s, "host: %s: missing address %s", p->host.iface, fmt_addr(b, &p->host.addr));
	for (size_t m = 0; m < hl->n_addrs; m++)
		if (!planned_addr(&p->host.addr, 1, &hl->addrs[m]))
			drift(s, "host: %s: unexpected address %s", p->host.iface,
			      fmt_addr(b, &hl->addrs[m]));
	struct json_object *rts = json_object_new_array();
	for (size_t i = 0; i < k->n_routes; i++)
		if (k->routes[i].ifindex == hl->ifindex)
			json_object_array_add(rts, route_json(&k->routes[i]));
	json_object_object_add(h, "routes", rts);
	/* only routes through our link are ours to judge */
	routes_compare(s, "host", k, p->host.routes, p->host.n_routes, hl->ifindex);
}

/* "up", "half-built" or "down", from the journal (read without the lock:
 * a status during an `up` shows what is there so far); *stations: the
 * journal records stations (not an `up --network-only`). */
static const char *journal_state(const char *env, bool *stations)
{
	_cleanup_free_ char *dir = apo_env_run_dir(env);
	_cleanup_free_ char *path = apo_xasprintf("%s/journal", dir);
	const char *state = "down";
	char line[512];
	FILE *f = fopen(path, "re");

	if (!f)
		return state;
	state = "half-built";
	*stations = false;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, "intent station ", 15))
			*stations = true;
		else if (!strcmp(line, "complete\n"))
			state = "up";
		else if (!strncmp(line, "begin ", 6))
			state = "half-built";
	fclose(f);
	return state;
}

struct apo_status {
	struct status s;
	const char *state; /* journal_state() */
	struct json_object *top;
	char **stale;	      /* per plan station: why its running config is not the
			       * files' (NULL: current) */
	struct apo_diff gone; /* running stations the files removed or disabled */
};

/* Which changes make a running station stale: `up` would re-create,
 * re-render, re-address or re-link it. */
static bool stale_group(enum apo_change_group g)
{
	return g == APO_CH_RECREATE || g == APO_CH_RESTART || g == APO_CH_ADDRESS ||
	       g == APO_CH_LINK || g == APO_CH_STATION_ADD || g == APO_CH_ENABLE;
}

/* The diff `up` would apply, per station (reconcile.h); an environment
 * without applied state (older apomon) has no verdict. */
static void read_stale(struct apo_status *st)
{
	const struct apo_plan *plan = st->s.plan;
	struct apo_diff d;
	char *err = NULL;

	st->stale = apo_xcalloc(plan->n_stations + 1, sizeof(char *));
	if (apo_reconcile_diff(plan, &d, &err) < 0) {
		free(err);
		return;
	}
	for (size_t k = 0; k < d.n; k++) {
		const struct apo_change *ch = &d.v[k];
		ssize_t i = apo_plan_find(plan, ch->object);
		if ((ch->group == APO_CH_STATION_DEL || ch->group == APO_CH_DISABLE) && i < 0) {
			struct apo_change c = *ch;
			c.object = apo_xstrdup(ch->object);
			c.detail = ch->detail ? apo_xstrdup(ch->detail) : NULL;
			APO_PUSH(st->gone.v, st->gone.n, st->gone.cap, c);
			continue;
		}
		if (i < 0 || !stale_group(ch->group))
			continue;
		const char *what = ch->group == APO_CH_STATION_ADD ? "added"
				   : ch->group == APO_CH_ENABLE	   ? "enabled"
				   : ch->group == APO_CH_RECREATE  ? "re-create"
				   : ch->group == APO_CH_LINK	   ? "links"
				   : ch->group == APO_CH_ADDRESS   ? "addresses"
								   : NULL;
		char *why = what ? apo_xasprintf("%s%s%s", what, ch->detail ? ": " : "",
						 ch->detail ? ch->detail : "")
				 : apo_xstrdup(ch->detail ? ch->detail : "settings");
		if (st->stale[i]) {
			char *j = apo_xasprintf("%s; %s", st->stale[i], why);
			free(st->stale[i]);
			free(why);
			why = j;
		}
		st->stale[i] = why;
	}
	apo_diff_clear(&d);
}

/* "config": "current" or "stale", and why; a stale station is drift. */
static void stale_mark(struct apo_status *st, size_t i, struct json_object *o)
{
	const char *why = st->stale ? st->stale[i] : NULL;

	if (!o)
		return;
	json_object_object_add(o, "config", jstr(why ? "stale" : "current"));
	if (!why)
		return;
	json_object_object_add(o, "stale", jstr(why));
	drift(&st->s, "%s: stale (%s): 'apomon up' applies the files",
	      st->s.plan->stations[i].netns, why);
}

int apo_status_read(const struct apo_plan *plan, struct apo_status **out)
{
	struct apo_status *st = apo_xcalloc(1, sizeof(*st));
	struct status *s = &st->s;
	struct json_object *sts = json_object_new_array();
	int r;

	s->plan = plan;
	st->state = journal_state(plan->env, &s->stations);
	st->top = json_object_new_object();
	s->ns = apo_xcalloc(plan->n_stations, sizeof(*s->ns));
	struct apo_work w = {.n = plan->n_stations, .ctx = s, .item = read_item};
	if (plan->n_stations)
		apo_workers_run(0, &w);
	r = read_kernel(&s->host);
	if (r < 0)
		drift(s, "host: cannot read it: %s", strerror(-r));

	json_object_object_add(st->top, "environment", jstr(plan->env));
	json_object_object_add(st->top, "state", jstr(st->state));
	if (!strcmp(st->state, "down")) {
		drift(s, "environment '%s' is not up", plan->env);
	} else {
		if (!strcmp(st->state, "half-built"))
			drift(s,
			      "environment '%s' is half-built (an up was interrupted): run "
			      "'apomon down'",
			      plan->env);
		host_compare(s, st->top);
		if (!strcmp(st->state, "up"))
			read_stale(st);
		for (size_t i = 0; i < plan->n_stations; i++) {
			station_compare(s, i, sts);
			stale_mark(st, i, json_object_array_get_idx(sts, i));
		}
		for (size_t k = 0; k < st->gone.n; k++)
			drift(s, "%s: stale: %s in the files; 'apomon up' removes it",
			      st->gone.v[k].object,
			      st->gone.v[k].group == APO_CH_DISABLE ? "disabled" : "removed");
	}
	json_object_object_add(st->top, "stations", sts);
	struct json_object *d = json_object_new_array();
	for (size_t i = 0; i < s->n_drift; i++)
		json_object_array_add(d, jstr(s->drift[i]));
	json_object_object_add(st->top, "drift", d);
	*out = st;
	return 0;
}

struct json_object *apo_status_json(const struct apo_status *st)
{
	return st->top;
}

size_t apo_status_n_drift(const struct apo_status *st)
{
	return st->s.n_drift;
}

void apo_status_print(const struct apo_status *st, FILE *out)
{
	const struct apo_plan *plan = st->s.plan;

	fprintf(out, "environment %s: %s\n", plan->env, st->state);
	if (strcmp(st->state, "down")) {
		for (size_t i = 0; i < plan->n_stations; i++) {
			const struct apo_plan_station *p = &plan->stations[i];
			struct k_ns *k = &st->s.ns[i];
			struct apo_station_info in;
			char up[32] = "";
			apo_station_info(plan->env, p->station->name, &in);
			if (in.pid)
				snprintf(up, sizeof(up), "pid %d up %.0fs", (int)in.pid,
					 in.uptime_s);
			fprintf(out, "  %-30s %-8s %-20s %s%s", p->netns,
				apo_station_state_name(in.state), up,
				st->stale && st->stale[i] ? "stale " : "",
				k->present ? "" : "(no namespace)");
			for (size_t f = 0; f < k->n_ifs; f++) {
				if (!strcmp(k->ifs[f].name, "lo"))
					continue;
				fprintf(out, " %s%s", k->ifs[f].name, k->ifs[f].up ? "" : "(down)");
				for (size_t a = 0; a < k->ifs[f].n_addrs; a++) {
					char b[20];
					fprintf(out, " %s", fmt_addr(b, &k->ifs[f].addrs[a]));
				}
			}
			fputc('\n', out);
			if (in.pid && in.host_root)
				fprintf(out,
					"  warning: %s: isolation \"host-root\": root in this "
					"station is root on the host\n",
					p->netns);
		}
	}
	for (size_t i = 0; i < st->s.n_drift; i++)
		fprintf(out, "drift: %s\n", st->s.drift[i]);
	if (!st->s.n_drift)
		fprintf(out, "everything matches the plan\n");
}

void apo_status_free(struct apo_status *st)
{
	if (!st)
		return;
	json_object_put(st->top);
	for (size_t i = 0; i < st->s.plan->n_stations; i++)
		k_free(&st->s.ns[i]);
	k_free(&st->s.host);
	free(st->s.ns);
	for (size_t i = 0; st->stale && i < st->s.plan->n_stations; i++)
		free(st->stale[i]);
	free(st->stale);
	apo_diff_clear(&st->gone);
	for (size_t i = 0; i < st->s.n_drift; i++)
		free(st->s.drift[i]);
	free(st->s.drift);
	free(st);
}
