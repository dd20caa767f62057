/* SPDX-License-Identifier: MIT */
/*
 * The comparison of two snapshots and what runs (diff.h).  Pure: no file,
 * no kernel; the unit test feeds it fixtures.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "engine/diff.h"

static const char *const names[APO_CH_N_GROUPS][2] = {
    [APO_CH_SWITCH_ADD] = {"cluster added", "clusters_added"},
    [APO_CH_SWITCH_DEL] = {"cluster removed", "clusters_removed"},
    [APO_CH_STATION_ADD] = {"station added", "stations_added"},
    [APO_CH_STATION_DEL] = {"station removed", "stations_removed"},
    [APO_CH_ENABLE] = {"station enabled", "stations_enabled"},
    [APO_CH_DISABLE] = {"station disabled", "stations_disabled"},
    [APO_CH_RECREATE] = {"station re-created", "stations_recreated"},
    [APO_CH_RESTART] = {"station re-rendered (reloaded or restarted)", "stations_restarted"},
    [APO_CH_START] = {"station started", "stations_started"},
    [APO_CH_ADDRESS] = {"addresses/routes", "addresses"},
    [APO_CH_LINK] = {"link", "links"},
    [APO_CH_PUBLISH] = {"published port", "published_ports"},
    [APO_CH_DNS] = {"DNS record", "dns_records"},
    [APO_CH_HOSTNAME] = {"host name", "host_names"},
    [APO_CH_GUARD] = {"host guard", "guard"},
};

const char *apo_change_group_name(enum apo_change_group g)
{
	return g < APO_CH_N_GROUPS ? names[g][0] : "?";
}

const char *apo_change_group_key(enum apo_change_group g)
{
	return g < APO_CH_N_GROUPS ? names[g][1] : "?";
}

static void add(struct apo_diff *d, enum apo_change_group g, char sign, const char *object,
		char *detail /* taken */)
{
	struct apo_change c = {g, sign, apo_xstrdup(object), detail};
	APO_PUSH(d->v, d->n, d->cap, c);
}

static struct json_object *get(struct json_object *o, const char *key)
{
	struct json_object *v = NULL;
	if (o && json_object_is_type(o, json_type_object))
		json_object_object_get_ex(o, key, &v);
	return v;
}

/* An object to iterate over: o's member key, or an empty one. */
static struct json_object *members(struct json_object *o, const char *key)
{
	static struct json_object *none;
	struct json_object *v = get(o, key);
	if (v && json_object_is_type(v, json_type_object))
		return v;
	if (!none)
		none = json_object_new_object(); /* kept: read-only from then on */
	return none;
}

static const char *str(struct json_object *o, const char *key)
{
	struct json_object *v = get(o, key);
	return v && json_object_is_type(v, json_type_string) ? json_object_get_string(v) : "";
}

static bool same(struct json_object *a, struct json_object *b)
{
	if (!a || !b)
		return a == b;
	return json_object_equal(a, b);
}

static bool in_array(struct json_object *arr, const char *s)
{
	size_t n =
	    arr && json_object_is_type(arr, json_type_array) ? json_object_array_length(arr) : 0;
	for (size_t i = 0; i < n; i++)
		if (!strcmp(json_object_get_string(json_object_array_get_idx(arr, i)), s))
			return true;
	return false;
}

/* The strings of array arr as the keys of an object: a hash set (its
 * values borrow nothing; caller puts it). */
static struct json_object *set_of(struct json_object *arr)
{
	struct json_object *set = json_object_new_object();
	size_t n =
	    arr && json_object_is_type(arr, json_type_array) ? json_object_array_length(arr) : 0;
	for (size_t i = 0; i < n; i++)
		json_object_object_add(
		    set, json_object_get_string(json_object_array_get_idx(arr, i)), NULL);
	return set;
}

/* The strings of arrays a and b that only one of them has, as changes:
 * through hash sets, as 1000 stations have some 2000 DNS records. */
static void set_diff(struct apo_diff *d, enum apo_change_group g, struct json_object *a,
		     struct json_object *b)
{
	size_t na = a && json_object_is_type(a, json_type_array) ? json_object_array_length(a) : 0;
	size_t nb = b && json_object_is_type(b, json_type_array) ? json_object_array_length(b) : 0;
	struct json_object *sa = set_of(a), *sb = set_of(b);

	for (size_t i = 0; i < na; i++) {
		const char *s = json_object_get_string(json_object_array_get_idx(a, i));
		if (!json_object_object_get_ex(sb, s, NULL))
			add(d, g, '-', s, NULL);
	}
	for (size_t i = 0; i < nb; i++) {
		const char *s = json_object_get_string(json_object_array_get_idx(b, i));
		if (!json_object_object_get_ex(sa, s, NULL))
			add(d, g, '+', s, NULL);
	}
	json_object_put(sa);
	json_object_put(sb);
}

static char *addrs_text(struct json_object *iface)
{
	struct json_object *a = get(iface, "addrs");
	char *t = apo_xstrdup("");
	size_t n = a ? json_object_array_length(a) : 0;
	for (size_t i = 0; i < n; i++) {
		char *x = apo_xasprintf("%s%s%s", t, i ? "," : "",
					json_object_get_string(json_object_array_get_idx(a, i)));
		free(t);
		t = x;
	}
	return t;
}

/* s + "; " + x (both taken; s may be NULL) */
static char *join(char *s, char *x)
{
	char *r = apo_xasprintf("%s%s%s", s ? s : "", s ? "; " : "", x);
	free(s);
	free(x);
	return r;
}

/* Links (added, removed, moved to another switch or peer) and addresses of
 * one station whose network stays: the in-place part. */
static void net_diff(struct apo_diff *d, const char *name, struct json_object *a,
		     struct json_object *b)
{
	struct json_object *fa = members(a, "ifaces"), *fb = members(b, "ifaces");
	char *addr = NULL;

	json_object_object_foreach(fa, ifname, ia)
	{
		struct json_object *ib = get(fb, ifname);
		if (!ib || strcmp(str(ia, "kind"), str(ib, "kind")) ||
		    strcmp(str(ia, "switch"), str(ib, "switch")) ||
		    strcmp(str(ia, "peer"), str(ib, "peer"))) {
			add(d, APO_CH_LINK, '-', name,
			    apo_xasprintf("%s (%s %s)", ifname, str(ia, "kind"),
					  str(ia, "switch")));
			if (ib)
				add(d, APO_CH_LINK, '+', name,
				    apo_xasprintf("%s (%s %s)", ifname, str(ib, "kind"),
						  str(ib, "switch")));
		} else if (!same(get(ia, "addrs"), get(ib, "addrs"))) {
			char *x = addrs_text(ia), *y = addrs_text(ib);
			addr = join(addr, apo_xasprintf("%s %s -> %s", ifname, x, y));
			free(x);
			free(y);
		}
	}
	json_object_object_foreach(fb, ifname2, ib2)
	{
		if (!get(fa, ifname2))
			add(d, APO_CH_LINK, '+', name,
			    apo_xasprintf("%s (%s %s)", ifname2, str(ib2, "kind"),
					  str(ib2, "switch")));
	}
	if (!same(get(a, "routes"), get(b, "routes")))
		addr = join(addr, apo_xstrdup("routes"));
	if (!same(get(a, "forwarding"), get(b, "forwarding")))
		addr = join(addr, apo_xstrdup("forwarding"));
	if (addr)
		add(d, APO_CH_ADDRESS, '~', name, addr);
}

/* Why a station that stays must be re-rendered and restarted; NULL: no. */
static char *restart_reason(struct json_object *a, struct json_object *b)
{
	char *why = NULL;
	struct json_object *da = members(a, "deps"), *db = members(b, "deps");

	if (strcmp(str(a, "config"), str(b, "config")))
		why = join(why, apo_xstrdup("settings"));
	json_object_object_foreach(db, dep, v)
	{
		const char *was = get(da, dep) ? json_object_get_string(get(da, dep)) : "absent";
		if (strcmp(was, json_object_get_string(v)))
			why = join(why, apo_xasprintf("dependency %s %s -> %s", dep, was,
						      json_object_get_string(v)));
	}
	json_object_object_foreach(da, dep2, v2)
	{
		if (!get(db, dep2))
			why = join(why, apo_xasprintf("dependency %s %s -> absent", dep2,
						      json_object_get_string(v2)));
	}
	/* a type renders its own addresses (listen lines, certificates);
	 * the backbone's DNS binds new legs by itself (bind-dynamic) */
	if (strcmp(str(b, "role"), "backbone")) {
		struct json_object *fa = members(a, "ifaces"), *fb = members(b, "ifaces");
		bool own = false;
		json_object_object_foreach(fb, n, ib)
		{
			if (!same(get(get(fa, n), "addrs"), get(ib, "addrs")))
				own = true;
		}
		json_object_object_foreach(fa, n2, ia2)
		{
			(void)ia2;
			if (!get(fb, n2))
				own = true;
		}
		if (own)
			why = join(why, apo_xstrdup("its addresses"));
	}
	return why;
}

static bool observed(struct json_object *obs, const char *station, const char *what)
{
	struct json_object *s = get(get(obs, "stations"), station);
	struct json_object *v = get(s, what);
	if (!obs)
		return true;
	return v && json_object_get_boolean(v);
}

static int cmp_change(const void *x, const void *y)
{
	const struct apo_change *a = x, *b = y;
	if (a->group != b->group)
		return a->group < b->group ? -1 : 1;
	/* stable within a group: by insertion order, kept in sign for
	 * nothing else; qsort is not stable, so compare the objects */
	int c = strcmp(a->object, b->object);
	if (c)
		return c;
	if (a->sign != b->sign)
		return a->sign == '-' ? -1 : 1;
	return strcmp(a->detail ? a->detail : "", b->detail ? b->detail : "");
}

void apo_diff_compute(struct json_object *applied, struct json_object *wanted,
		      struct json_object *obs, struct apo_diff *d)
{
	struct json_object *sa = members(applied, "stations"), *sb = members(wanted, "stations");
	struct json_object *wa = members(applied, "switches"), *wb = members(wanted, "switches");

	/* `up --network-only` started no station: none is missing */
	struct json_object *no = get(applied, "network_only");
	bool network_only = no && json_object_get_boolean(no);

	memset(d, 0, sizeof(*d));
	/* clusters: a switch whose bridge or network changed is re-made */
	json_object_object_foreach(wa, cl, swa)
	{
		struct json_object *swb = get(wb, cl);
		if (!swb || strcmp(str(swa, "bridge"), str(swb, "bridge")) ||
		    strcmp(str(swa, "network"), str(swb, "network")))
			add(d, APO_CH_SWITCH_DEL, '-', cl,
			    apo_xasprintf("%s %s", str(swa, "bridge"), str(swa, "network")));
	}
	json_object_object_foreach(wb, cl2, swb2)
	{
		struct json_object *swa2 = get(wa, cl2);
		struct json_object *present = get(get(obs, "switches"), str(swb2, "bridge"));
		bool gone = obs && swa2 && !(present && json_object_get_boolean(present));
		if (!swa2 || gone || strcmp(str(swa2, "bridge"), str(swb2, "bridge")) ||
		    strcmp(str(swa2, "network"), str(swb2, "network")))
			add(d, APO_CH_SWITCH_ADD, '+', cl2,
			    apo_xasprintf("%s %s%s", str(swb2, "bridge"), str(swb2, "network"),
					  gone ? ", its bridge is gone" : ""));
	}

	json_object_object_foreach(sa, name, old)
	{
		if (get(sb, name))
			continue;
		bool disabled = in_array(get(wanted, "disabled"), name);
		add(d, disabled ? APO_CH_DISABLE : APO_CH_STATION_DEL, '-', name,
		    apo_xasprintf("%s, %s", str(old, "fqdn"), str(old, "type")));
	}
	json_object_object_foreach(sb, name2, b)
	{
		struct json_object *a = get(sa, name2);
		if (!a) {
			bool enabled = in_array(get(applied, "disabled"), name2);
			add(d, enabled ? APO_CH_ENABLE : APO_CH_STATION_ADD, '+', name2,
			    apo_xasprintf("%s, %s", str(b, "fqdn"), str(b, "type")));
			continue;
		}
		if (strcmp(str(a, "fqdn"), str(b, "fqdn"))) {
			/* the namespace is named after it: a new one */
			add(d, APO_CH_HOSTNAME, '~', name2,
			    apo_xasprintf("%s -> %s", str(a, "fqdn"), str(b, "fqdn")));
			add(d, APO_CH_RECREATE, '~', name2, apo_xstrdup("host name"));
			continue;
		}
		if (strcmp(str(a, "type"), str(b, "type")) ||
		    strcmp(str(a, "image"), str(b, "image"))) {
			add(d, APO_CH_RECREATE, '~', name2,
			    apo_xasprintf("%s (%s) -> %s (%s)", str(a, "type"), str(a, "image"),
					  str(b, "type"), str(b, "image")));
			continue;
		}
		if (!observed(obs, name2, "netns")) {
			add(d, APO_CH_RECREATE, '~', name2, apo_xstrdup("its namespace is gone"));
			continue;
		}
		net_diff(d, name2, a, b);
		char *why = restart_reason(a, b);
		if (why)
			add(d, APO_CH_RESTART, '~', name2, why);
		else if (!network_only && !observed(obs, name2, "running"))
			add(d, APO_CH_START, '!', name2, apo_xstrdup("not running"));
	}
	if (!same(get(get(applied, "host"), "routes"), get(get(wanted, "host"), "routes")) ||
	    strcmp(str(get(applied, "host"), "addr"), str(get(wanted, "host"), "addr")))
		add(d, APO_CH_ADDRESS, '~', "host", apo_xstrdup("the host's routes"));
	set_diff(d, APO_CH_PUBLISH, get(applied, "publish"), get(wanted, "publish"));
	set_diff(d, APO_CH_DNS, get(applied, "records"), get(wanted, "records"));
	if (strcmp(str(applied, "guard"), str(wanted, "guard")))
		add(d, APO_CH_GUARD, '~', "guard", apo_xstrdup("networks or addresses"));
	if (d->n)
		qsort(d->v, d->n, sizeof(*d->v), cmp_change);
}

void apo_diff_clear(struct apo_diff *d)
{
	for (size_t i = 0; i < d->n; i++) {
		free(d->v[i].object);
		free(d->v[i].detail);
	}
	free(d->v);
	memset(d, 0, sizeof(*d));
}

bool apo_diff_has(const struct apo_diff *d, enum apo_change_group g, const char *object)
{
	for (size_t i = 0; i < d->n; i++)
		if (d->v[i].group == g && (!object || !strcmp(d->v[i].object, object)))
			return true;
	return false;
}

void apo_diff_print(const struct apo_diff *d, FILE *out)
{
	for (size_t i = 0; i < d->n; i++) {
		const struct apo_change *c = &d->v[i];
		fprintf(out, "%c %s: %s%s%s%s\n", c->sign, apo_change_group_name(c->group),
			c->object, c->detail ? " (" : "", c->detail ? c->detail : "",
			c->detail ? ")" : "");
	}
}

struct json_object *apo_diff_json(const struct apo_diff *d)
{
	struct json_object *o = json_object_new_object();
	struct json_object *groups[APO_CH_N_GROUPS] = {0};

	json_object_object_add(o, "changes", json_object_new_int((int)d->n));
	for (size_t i = 0; i < d->n; i++) {
		const struct apo_change *c = &d->v[i];
		struct json_object *x = json_object_new_object();
		char sign[2] = {c->sign, '\0'};
		if (!groups[c->group]) {
			groups[c->group] = json_object_new_array();
			json_object_object_add(o, apo_change_group_key(c->group), groups[c->group]);
		}
		json_object_object_add(x, "change", json_object_new_string(sign));
		json_object_object_add(x, "object", json_object_new_string(c->object));
		if (c->detail)
			json_object_object_add(x, "detail", json_object_new_string(c->detail));
		json_object_array_add(groups[c->group], x);
	}
	return o;
}
