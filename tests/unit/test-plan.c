/* SPDX-License-Identifier: MIT */
/*
 * The plan: the three-cluster fixture compared field by field with its
 * hand-checked expected JSON, purity, short names (length, determinism,
 * collisions), special cases (disabled gateway, a cluster with no enabled
 * station, a cycle that reaches the plan) and `apomon graph`'s DOT and
 * its rendering by Graphviz.
 */
#include "config.h"

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config/conf.h"
#include "plan/graph.h"
#include "plan/plan-int.h"
#include "plugin/registry.h"
#include "base/fmt.h"
#include "base/util.h"
#include "validate/validate.h"

#define FIXTURE APO_SRCDIR "/tests/fixtures/three-clusters"

/* Fixture types: compiled in, real vtables, no hooks needed by the plan. */
#define FIXTURE_TYPE(NAME, DESCRIPTION, IMAGE, ROLE)                                               \
	{                                                                                          \
		APOMON_STATION_TYPE_HEADER, .name = NAME, .description = DESCRIPTION,              \
					    .version = "1", .image = IMAGE, .role = ROLE,          \
	}
static const struct apomon_station_type type_base =
    FIXTURE_TYPE("base", "test member", "base", APOMON_ROLE_MEMBER);
static const struct apomon_station_type type_lb =
    FIXTURE_TYPE("lb", "test gateway", "haproxy", APOMON_ROLE_GATEWAY);
static const struct apomon_station_type type_dns =
    FIXTURE_TYPE("dns", "test backbone", "dns", APOMON_ROLE_BACKBONE);
/* needs of its dependencies only address and name */
static const struct apomon_station_type type_lazy = {
    APOMON_STATION_TYPE_HEADER,
    .name = "lazy",
    .description = "test member that starts alongside its dependencies",
    .version = "1",
    .image = "base",
    .role = APOMON_ROLE_MEMBER,
    .depends_need = APOMON_NEEDS_ADDRESS,
};
/* the same, as a type built before depends_need existed: its size ends
 * before the field, so the core must not read it and waits for ready */
static const struct apomon_station_type *type_old(void)
{
	static struct apomon_station_type t;

	t = type_lazy;
	t.size = offsetof(struct apomon_station_type, depends_need);
	t.name = "old";
	t.description = "test member built against an older header";
	return &t;
}

struct loaded {
	struct apo_registry *reg;
	struct apo_model *model;
	struct apo_plan *plan;
	struct apo_diag diag;
	int conf_rc, validate_rc, plan_rc;
};

static void load_any(struct loaded *l, const char *confdir)
{
	memset(l, 0, sizeof(*l));
	apo_diag_init(&l->diag);
	l->reg = apo_registry_new();
	ck_assert_int_eq(apo_registry_add(l->reg, &type_base, "(test)", NULL, NULL), 0);
	ck_assert_int_eq(apo_registry_add(l->reg, &type_lb, "(test)", NULL, NULL), 0);
	ck_assert_int_eq(apo_registry_add(l->reg, &type_dns, "(test)", NULL, NULL), 0);
	ck_assert_int_eq(apo_registry_add(l->reg, &type_lazy, "(test)", NULL, NULL), 0);
	ck_assert_int_eq(apo_registry_add(l->reg, type_old(), "(test)", NULL, NULL), 0);
	l->conf_rc = apo_conf_load(confdir, NULL, &l->model, &l->diag);
	ck_assert_msg(l->conf_rc == 0 || l->conf_rc == -EINVAL, "%s: apo_conf_load: %s", confdir,
		      strerror(-l->conf_rc));
	l->validate_rc = apo_validate(l->model, l->reg, &l->diag);
	l->plan_rc = apo_plan_build(l->model, &l->plan, &l->diag);
}

/* Asserts that a loaded config was good. */
static void check_good(struct loaded *l)
{
	if (l->diag.n)
		apo_diag_print(&l->diag, stderr);
	ck_assert_int_eq(l->conf_rc, 0);
	ck_assert_int_eq(l->validate_rc, 0);
	ck_assert_int_eq(l->plan_rc, 0);
	ck_assert_ptr_nonnull(l->plan);
}

/* Loads, validates and plans a config that must be good. */
static void load(struct loaded *l, const char *confdir)
{
	load_any(l, confdir);
	check_good(l);
}

static void unload(struct loaded *l)
{
	apo_plan_free(l->plan);
	apo_model_free(l->model);
	apo_registry_free(l->reg);
	apo_diag_clear(&l->diag);
}

/* ---- the recursive comparer ---- */

static const char *type_word(struct json_object *o)
{
	return json_type_to_name(json_object_get_type(o));
}

static char *show(struct json_object *o)
{
	return apo_xstrdup(o ? json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
								     JSON_C_TO_STRING_NOSLASHESCAPE)
			     : "null");
}

static char *differ(const char *path, struct json_object *exp, struct json_object *got)
{
	_cleanup_free_ char *e = show(exp), *g = show(got);
	return apo_xasprintf("%s: expected %s, got %s", path, e, g);
}

static char *join_key(const char *path, const char *key)
{
	return *path ? apo_xasprintf("%s.%s", path, key) : apo_xstrdup(key);
}

/* NULL when equal; else "PATH: what differs" for the first difference
 * (caller frees).  Keys must come in the expected order too. */
static char *json_diff(const char *path, struct json_object *exp, struct json_object *got)
{
	enum json_type te = json_object_get_type(exp), tg = json_object_get_type(got);

	if (te != tg) {
		/* an int where a double is expected would be a real difference too */
		_cleanup_free_ char *e = show(exp), *g = show(got);
		return apo_xasprintf("%s: expected %s %s, got %s %s", path, type_word(exp), e,
				     type_word(got), g);
	}
	switch (te) {
	case json_type_null:
		return NULL;
	case json_type_boolean:
		return json_object_get_boolean(exp) == json_object_get_boolean(got)
			   ? NULL
			   : differ(path, exp, got);
	case json_type_int:
		return json_object_get_int64(exp) == json_object_get_int64(got)
			   ? NULL
			   : differ(path, exp, got);
	case json_type_double:
		return json_object_get_double(exp) == json_object_get_double(got)
			   ? NULL
			   : differ(path, exp, got);
	case json_type_string:
		return strcmp(json_object_get_string(exp), json_object_get_string(got))
			   ? differ(path, exp, got)
			   : NULL;
	case json_type_array: {
		size_t ne = json_object_array_length(exp), ng = json_object_array_length(got);
		for (size_t i = 0; i < ne || i < ng; i++) {
			_cleanup_free_ char *p = apo_xasprintf("%s[%zu]", path, i);
			if (i >= ng) {
				_cleanup_free_ char *e = show(json_object_array_get_idx(exp, i));
				return apo_xasprintf("%s: missing, expected %s", p, e);
			}
			if (i >= ne) {
				_cleanup_free_ char *g = show(json_object_array_get_idx(got, i));
				return apo_xasprintf("%s: unexpected %s", p, g);
			}
			char *d = json_diff(p, json_object_array_get_idx(exp, i),
					    json_object_array_get_idx(got, i));
			if (d)
				return d;
		}
		return NULL;
	}
	case json_type_object: {
		json_object_object_foreach(exp, key, ev)
		{
			_cleanup_free_ char *p = join_key(path, key);
			struct json_object *gv;
			if (!json_object_object_get_ex(got, key, &gv)) {
				_cleanup_free_ char *e = show(ev);
				return apo_xasprintf("%s: missing, expected %s", p, e);
			}
			char *d = json_diff(p, ev, gv);
			if (d)
				return d;
		}
		json_object_object_foreach(got, gkey, gval)
		{
			if (!json_object_object_get_ex(exp, gkey, NULL)) {
				_cleanup_free_ char *p = join_key(path, gkey);
				_cleanup_free_ char *g = show(gval);
				return apo_xasprintf("%s: unexpected %s", p, g);
			}
		}
		/* same keys: now their order, which `plan --json` keeps stable */
		struct lh_entry *a = json_object_get_object(exp)->head;
		struct lh_entry *b = json_object_get_object(got)->head;
		for (; a && b; a = a->next, b = b->next) {
			if (strcmp(lh_entry_k(a), lh_entry_k(b)))
				return apo_xasprintf("%s: key order: expected '%s', got '%s'",
						     *path ? path : "(top)",
						     (const char *)lh_entry_k(a),
						     (const char *)lh_entry_k(b));
		}
		return NULL;
	}
	}
	return differ(path, exp, got);
}

static struct json_object *expected_plan(void)
{
	struct json_object *o = json_object_from_file(FIXTURE "/expected-plan.json");
	ck_assert_msg(o, "cannot read %s: %s", FIXTURE "/expected-plan.json",
		      json_util_get_last_err());
	return o;
}

START_TEST(fixture_plan_matches_expected)
{
	struct loaded l;
	load(&l, FIXTURE);
	struct json_object *exp = expected_plan();
	struct json_object *got = apo_plan_to_json(l.plan);
	_cleanup_free_ char *d = json_diff("", exp, got);
	ck_assert_msg(!d, "%s", d);
	json_object_put(exp);
	json_object_put(got);
	unload(&l);
}
END_TEST

/* The comparer must be able to fail, and say where. */
START_TEST(comparer_names_the_first_difference)
{
	struct loaded l;
	load(&l, FIXTURE);
	struct json_object *exp = expected_plan();
	struct json_object *got = apo_plan_to_json(l.plan);
	struct json_object *st =
	    json_object_array_get_idx(json_object_object_get(got, "stations"), 3);
	struct json_object *route =
	    json_object_array_get_idx(json_object_object_get(st, "routes"), 0);
	json_object_object_add(route, "via", json_object_new_string("10.1.0.254"));
	_cleanup_free_ char *d = json_diff("", exp, got);
	ck_assert_ptr_nonnull(d);
	ck_assert_str_eq(d, "stations[3].routes[0].via: expected \"10.1.0.2\", got \"10.1.0.254\"");

	json_object_array_del_idx(json_object_object_get(got, "levels"), 4, 1);
	json_object_object_add(route, "via", json_object_new_string("10.1.0.2"));
	_cleanup_free_ char *d2 = json_diff("", exp, got);
	ck_assert_str_eq(d2, "levels[4]: missing, expected [\"worker\"]");

	json_object_put(exp);
	json_object_put(got);
	unload(&l);
}
END_TEST

START_TEST(plan_is_pure)
{
	struct loaded a, b;
	load(&a, FIXTURE);
	load(&b, FIXTURE);
	struct apo_plan *again;
	ck_assert_int_eq(apo_plan_build(a.model, &again, &a.diag), 0);

	struct json_object *ja = apo_plan_to_json(a.plan), *jb = apo_plan_to_json(b.plan),
			   *jc = apo_plan_to_json(again);
	ck_assert_str_eq(json_object_to_json_string(ja), json_object_to_json_string(jb));
	ck_assert_str_eq(json_object_to_json_string(ja), json_object_to_json_string(jc));
	json_object_put(ja);
	json_object_put(jb);
	json_object_put(jc);
	apo_plan_free(again);
	unload(&a);
	unload(&b);
}
END_TEST

static void check_name(const char *name)
{
	ck_assert_msg(strlen(name) > 0 && strlen(name) <= 15, "bad interface name '%s'", name);
}

START_TEST(names_are_short_and_deterministic)
{
	struct loaded a, b;
	load(&a, FIXTURE);
	load(&b, FIXTURE);
	const struct apo_plan *p = a.plan, *q = b.plan;

	ck_assert_uint_eq(p->n_switches, q->n_switches);
	for (size_t i = 0; i < p->n_switches; i++) {
		check_name(p->switches[i].name);
		ck_assert_str_eq(p->switches[i].name, q->switches[i].name);
	}
	check_name(p->host.iface);
	ck_assert_str_eq(p->host.iface, q->host.iface);
	for (size_t i = 0; i < p->n_stations; i++) {
		for (size_t j = 0; j < p->stations[i].n_ifaces; j++) {
			const struct apo_plan_iface *f = &p->stations[i].ifaces[j];
			check_name(f->name);
			check_name(f->peer_name);
			ck_assert_str_eq(f->peer_name, q->stations[i].ifaces[j].peer_name);
		}
		for (size_t j = 0; j < p->stations[i].n_routes; j++)
			check_name(p->stations[i].routes[j].dev);
	}
	/* the scheme itself: prefix + FNV-1a of "ENV\0CLUSTER", as a golden
	 * string (computed once outside apomon, with Python), never with the
	 * code's own hash: a changed scheme renames every bridge of a running
	 * environment and must show here */
	ck_assert_str_eq(p->switches[0].name, "apb1c244d0f");
	unload(&a);
	unload(&b);
}
END_TEST

/* the hash is FNV-1a 32: the published test vectors of its authors */
START_TEST(fnv1a_matches_the_published_vectors)
{
	ck_assert_uint_eq(apo_fnv1a("", 0, APO_FNV_SEED), 0x811c9dc5u);
	ck_assert_uint_eq(apo_fnv1a("a", 1, APO_FNV_SEED), 0xe40c292cu);
	ck_assert_uint_eq(apo_fnv1a("foobar", 6, APO_FNV_SEED), 0xbf9cf968u);
}
END_TEST

START_TEST(nameset_rehashes_the_later_name)
{
	struct apo_nameset s;
	char a[APO_IFNAMSIZ], b[APO_IFNAMSIZ], c[APO_IFNAMSIZ];

	apo_nameset_init(&s);
	ck_assert_int_eq(apo_short_name(&s, "apv", "key", 3, a), 0);
	ck_assert_int_eq(apo_short_name(&s, "apv", "key", 3, b), 0);
	ck_assert_int_eq(apo_short_name(&s, "apv", "key", 3, c), 0);
	/* golden names (FNV-1a with the seed 2166136261, then +1, +2,
	 * computed outside apomon), never the code's own hash */
	ck_assert_str_eq(a, "apv6815c86c");
	ck_assert_str_eq(b, "apvffb49edd");
	ck_assert_str_eq(c, "apv8ad213be");
	/* another prefix is another name even with the same hash */
	ck_assert_int_eq(apo_short_name(&s, "apb", "key", 3, c), 0);
	ck_assert_str_eq(c, "apb6815c86c");
	/* many names: the set grows and keeps every one */
	for (int i = 0; i < 5000; i++) {
		char key[32], n1[APO_IFNAMSIZ];
		int len = snprintf(key, sizeof(key), "k%d", i);
		ck_assert_int_eq(apo_short_name(&s, "aph", key, (size_t)len, n1), 0);
		ck_assert_uint_eq(strlen(n1), 11);
		ck_assert_uint_eq(strspn(n1 + 3, "0123456789abcdef"), 8);
		if (i == 0)
			ck_assert_str_eq(n1, "aph973d7f2e");
		if (i == 1)
			ck_assert_str_eq(n1, "aph983d80c1");
		if (i == 4999)
			ck_assert_str_eq(n1, "aph35d8fbfb");
	}
	ck_assert_uint_eq(s.n, 5004);
	apo_nameset_clear(&s);
	apo_nameset_clear(NULL);
}
END_TEST

/* ---- configs written by the tests ---- */

struct tmpconf {
	char dir[64];
	size_t n_files;
};

static void write_file(const char *dir, const char *name, const char *text)
{
	_cleanup_free_ char *path = apo_xasprintf("%s/%s", dir, name);
	FILE *f = fopen(path, "we");
	ck_assert_msg(f, "%s: %s", path, strerror(errno));
	fputs(text, f);
	ck_assert_int_eq(fclose(f), 0);
}

/* A config directory: apomon.conf and one conf.d file per cluster text
 * (libconfig allows one `cluster` group a file); NULL ends the list. */
static void tmpconf_make(struct tmpconf *t, const char *main_conf, ...)
{
	va_list ap;

	snprintf(t->dir, sizeof(t->dir), "/tmp/apomon-test-plan.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(t->dir));
	write_file(t->dir, "apomon.conf", main_conf);
	_cleanup_free_ char *d = apo_xasprintf("%s/conf.d", t->dir);
	ck_assert_int_eq(mkdir(d, 0755), 0);
	va_start(ap, main_conf);
	t->n_files = 0;
	for (const char *text; (text = va_arg(ap, const char *));) {
		char name[32];
		snprintf(name, sizeof(name), "%02zu.conf", t->n_files++);
		write_file(d, name, text);
	}
	va_end(ap);
}

static void tmpconf_remove(struct tmpconf *t)
{
	for (size_t i = 0; i < t->n_files; i++) {
		_cleanup_free_ char *f = apo_xasprintf("%s/conf.d/%02zu.conf", t->dir, i);
		unlink(f);
	}
	_cleanup_free_ char *b = apo_xasprintf("%s/conf.d", t->dir);
	_cleanup_free_ char *c = apo_xasprintf("%s/apomon.conf", t->dir);
	rmdir(b);
	unlink(c);
	rmdir(t->dir);
}

/* Loads the temporary config, then removes it: parsed, its files are not
 * needed any more. */
static void load_tmp(struct loaded *l, struct tmpconf *t)
{
	load_any(l, t->dir);
	tmpconf_remove(t);
}

static const char *const backbone_conf =
    "environment = \"collide\";\n"
    "backbone = { name = \"bb\"; domain = \"example.org\"; type = \"dns\"; };\n";

/* Two station names whose "apv" names collide: found by search, checked
 * here so that the test cannot silently stop testing a collision. */
START_TEST(colliding_station_names_rehash_in_the_plan)
{
	static const char *key1 = "collide\0s1149599\0eth0", *key2 = "collide\0s1312382\0eth0";
	ck_assert_uint_eq(apo_fnv1a(key1, 21, APO_FNV_SEED), apo_fnv1a(key2, 21, APO_FNV_SEED));

	struct tmpconf t;
	tmpconf_make(
	    &t, backbone_conf,
	    "cluster = { name = \"c\"; domain = \"c.example.org\"; network = \"10.9.0.0/24\";\n"
	    "  stations = (\n"
	    "    { name = \"s1149599\"; type = \"base\"; addresses = [\"10.9.0.10\"]; },\n"
	    "    { name = \"s1312382\"; type = \"base\"; addresses = [\"10.9.0.11\"]; }\n"
	    "  ); };\n",
	    NULL);
	struct loaded l;
	load_tmp(&l, &t);
	check_good(&l);
	const struct apo_plan *p = l.plan;
	/* golden: the first keeps its name, the later one is rehashed */
	ck_assert_str_eq(p->stations[apo_plan_find(p, "s1149599")].ifaces[0].peer_name,
			 "apv7fc02fc7");
	ck_assert_str_eq(p->stations[apo_plan_find(p, "s1312382")].ifaces[0].peer_name,
			 "apvb7bfdf96");
	unload(&l);
}
END_TEST

/* A disabled gateway: members go to the router; a cluster without an
 * enabled station gets no switch and no backbone leg. */
START_TEST(disabled_gateway_and_empty_cluster)
{
	struct tmpconf t;
	tmpconf_make(
	    &t, backbone_conf,
	    "cluster = { name = \"c\"; domain = \"c.example.org\"; network = \"10.9.0.0/24\";\n"
	    "  gateway = \"gw\";\n"
	    "  stations = (\n"
	    "    { name = \"gw\"; type = \"lb\"; addresses = [\"10.9.0.2\"]; enabled = false; },\n"
	    "    { name = \"m\"; type = \"base\"; addresses = [\"10.9.0.10\"]; }\n"
	    "  ); };\n",
	    "cluster = { name = \"off\"; domain = \"off.example.org\"; network = \"10.8.0.0/24\";\n"
	    "  stations = ( { name = \"o\"; type = \"base\"; addresses = [\"10.8.0.10\"];\n"
	    "                 enabled = false; } ); };\n",
	    NULL);
	struct loaded l;
	load_tmp(&l, &t);
	check_good(&l);
	const struct apo_plan *p = l.plan;
	ck_assert_uint_eq(p->n_switches, 1);
	ck_assert_str_eq(p->switches[0].cluster->name, "c");
	ck_assert_uint_eq(p->n_stations, 2);
	ssize_t m = apo_plan_find(p, "m");
	ck_assert_int_ge(m, 0);
	ck_assert_int_eq(apo_plan_find(p, "gw"), -1);
	ck_assert_int_eq(p->stations[m].role, APOMON_ROLE_MEMBER);
	ck_assert_uint_eq(p->stations[m].n_routes, 1);
	char buf[APO_PREFIX_STRLEN];
	ck_assert_str_eq(apo_fmt_ip(buf, p->stations[m].routes[0].via), "10.9.0.254");
	/* the backbone: one leg (eth0) and the host link, no default route */
	const struct apo_plan_station *bb = &p->stations[p->backbone];
	ck_assert_uint_eq(bb->n_ifaces, 2);
	ck_assert_str_eq(bb->ifaces[1].name, "host0");
	ck_assert_uint_eq(bb->n_routes, 0);
	ck_assert_uint_eq(p->host.n_routes, 1);
	/* default host network 10.254.254.0/30: host .1, backbone .2 */
	ck_assert_str_eq(apo_fmt_prefix(buf, p->host.addr.addr, p->host.addr.prefix),
			 "10.254.254.1/30");
	ck_assert_str_eq(apo_fmt_ip(buf, p->host.backbone_addr), "10.254.254.2");
	/* the longest spelling fits APO_PREFIX_STRLEN exactly */
	ck_assert_str_eq(apo_fmt_prefix(buf, (struct in_addr){.s_addr = 0xffffffff}, 32),
			 "255.255.255.255/32");
	ck_assert_uint_eq(strlen(buf) + 1, sizeof(buf));
	ck_assert_uint_eq(p->n_levels, 2);
	unload(&l);
}
END_TEST

/* Validation rejects the cycle; a plan built anyway must end, not loop. */
START_TEST(cycle_reaching_the_plan_is_refused)
{
	struct tmpconf t;
	tmpconf_make(
	    &t, backbone_conf,
	    "cluster = { name = \"c\"; domain = \"c.example.org\"; network = \"10.9.0.0/24\";\n"
	    "  stations = (\n"
	    "    { name = \"a\"; type = \"base\"; addresses = [\"10.9.0.10\"]; depends = [\"b\"]; "
	    "},\n"
	    "    { name = \"b\"; type = \"base\"; addresses = [\"10.9.0.11\"]; depends = [\"a\"]; "
	    "}\n"
	    "  ); };\n",
	    NULL);
	struct loaded l;
	load_tmp(&l, &t);
	ck_assert_int_eq(l.validate_rc, -EINVAL);
	ck_assert_int_eq(l.plan_rc, -EINVAL);
	ck_assert_ptr_null(l.plan);
	bool said = false;
	for (size_t i = 0; i < l.diag.n; i++)
		said |= strstr(l.diag.problems[i].message, "dependency cycle through") != NULL;
	ck_assert_msg(said, "the plan did not report the cycle");
	unload(&l);
}
END_TEST

/* A lazy dependent (APOMON_NEEDS_ADDRESS) starts on its dependency's
 * level, together with it; a strict one (the default, and a type built
 * before the field) one level above; and a strict dependent of a lazy
 * station still waits for it to be ready. */
START_TEST(lazy_dependents_start_with_their_dependency)
{
	struct tmpconf t;
	tmpconf_make(
	    &t, backbone_conf,
	    "cluster = { name = \"c\"; domain = \"c.example.org\"; network = \"10.9.0.0/24\";\n"
	    "  stations = (\n"
	    "    { name = \"db\"; type = \"base\"; addresses = [\"10.9.0.10\"]; },\n"
	    "    { name = \"app\"; type = \"lazy\"; addresses = [\"10.9.0.11\"]; depends = "
	    "[\"db\"]; },\n"
	    "    { name = \"old\"; type = \"old\"; addresses = [\"10.9.0.12\"]; depends = "
	    "[\"db\"]; },\n"
	    "    { name = \"strict\"; type = \"base\"; addresses = [\"10.9.0.13\"]; depends = "
	    "[\"db\"]; },\n"
	    "    { name = \"front\"; type = \"base\"; addresses = [\"10.9.0.14\"]; depends = "
	    "[\"app\"]; },\n"
	    "    { name = \"lone\"; type = \"lazy\"; addresses = [\"10.9.0.15\"]; }\n"
	    "  ); };\n",
	    NULL);
	struct loaded l;
	load_tmp(&l, &t);
	check_good(&l);
	const struct apo_plan *p = l.plan;
#define LEVEL(n) p->stations[apo_plan_find(p, n)].level
	ck_assert_uint_eq(LEVEL("db"), 1);
	ck_assert_uint_eq(LEVEL("app"), 1);
	ck_assert_uint_eq(LEVEL("old"), 2);
	ck_assert_uint_eq(LEVEL("strict"), 2);
	ck_assert_uint_eq(LEVEL("front"), 2);
	/* never with the backbone, which everything needs */
	ck_assert_uint_eq(LEVEL("lone"), 1);
#undef LEVEL
	ck_assert_uint_eq(p->n_levels, 3);
	unload(&l);
}
END_TEST

/* ---- graph ---- */

static char *dot_of(const struct apo_plan *p, size_t *len)
{
	char *dot = NULL;
	FILE *f = open_memstream(&dot, len);
	ck_assert_ptr_nonnull(f);
	apo_graph_dot(p, f);
	ck_assert_int_eq(fclose(f), 0);
	return dot;
}

static void has(const char *dot, const char *line)
{
	ck_assert_msg(strstr(dot, line), "DOT lacks: %s\n%s", line, dot);
}

START_TEST(graph_dot_has_the_topology)
{
	struct loaded l;
	load(&l, FIXTURE);
	size_t len;
	_cleanup_free_ char *dot = dot_of(l.plan, &len);

	ck_assert(!strncmp(dot, "graph \"apomon three\" {\n", 23));
	has(dot,
	    "\tsubgraph \"cluster_alpha\" {\n\t\tlabel=\"alpha.example.com\\n10.1.0.0/24\";\n");
	has(dot,
	    "\tsubgraph \"cluster_gamma\" {\n\t\tlabel=\"gamma.example.net\\n198.51.100.0/25\";\n");
	has(dot, "\t\t\"apb1c244d0f\" [shape=ellipse, label=\"apb1c244d0f\\nswitch\"];\n");
	has(dot, "\t\t\"app1.alpha.example.com\" [shape=box, "
		 "label=\"app1\\n10.1.0.11/24\\n10.1.0.12/24\"];\n");
	has(dot, "\t\t\"lb.alpha.example.com\" [shape=hexagon, label=\"lb\\n10.1.0.2/24\"];\n");
	has(dot, "\t\"app1.alpha.example.com\" -- \"apb1c244d0f\";\n");
	/* the backbone is outside every cluster, with a leg to each switch */
	has(dot, "\t\"ns.example.net\" [shape=doubleoctagon, label=\"ns\\n10.200.0.10/29\"];\n");
	has(dot, "\t\"ns.example.net\" -- \"apb1c244d0f\" [label=\"10.1.0.254\"];\n");
	has(dot, "\t\"ns.example.net\" -- \"apb3a7cc50b\" [label=\"203.0.113.254\"];\n");
	has(dot, "\t\"ns.example.net\" -- \"apbb7c863de\" [label=\"198.51.100.1\"];\n");
	has(dot, "\t\"ns.example.net\" -- \"host\" [label=\"aph888603c3\"];\n");
	has(dot, "\t\"host\" [shape=house, label=\"host\\naph888603c3\\n10.200.0.9/29\"];\n");
	/* p2p links dashed, each once */
	has(dot, "\t\"db.alpha.example.com\" -- \"cache.beta.example.org\" [style=dashed, "
		 "label=\"p2p0 198.51.100.201/30\\np2p0 198.51.100.202/30\"];\n");
	has(dot, "\t\"db.alpha.example.com\" -- \"mx.gamma.example.net\" [style=dashed, "
		 "label=\"p2p1 198.51.100.205/30\\np2p0 198.51.100.206/30\"];\n");
	ck_assert_ptr_null(strstr(dot, "\"cache.beta.example.org\" -- \"db.alpha.example.com\""));
	/* the backbone node is not inside a cluster box */
	const char *box = strstr(dot, "subgraph");
	ck_assert(strstr(dot, "\"ns.example.net\" [shape") < box);
	/* 8 stations + 3 switches + host: 12 nodes; 7 switch legs + 3 backbone
	 * legs + host link + 2 p2p = 13 edges */
	size_t edges = 0;
	for (const char *s = dot; (s = strstr(s, " -- ")); s++)
		edges++;
	ck_assert_uint_eq(edges, 13);
	unload(&l);
}
END_TEST

static bool have_dot(void)
{
	const char *path = getenv("PATH");
	_cleanup_free_ char *copy = apo_xstrdup(path ? path : "/usr/bin:/bin");
	for (char *save, *d = strtok_r(copy, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
		_cleanup_free_ char *f = apo_xasprintf("%s/dot", d);
		if (!access(f, X_OK))
			return true;
	}
	return false;
}

START_TEST(graph_renders_svg)
{
	if (!have_dot()) {
		fprintf(stderr,
			"test-plan: graphviz `dot` is not installed: svg rendering not tested\n");
		return;
	}
	struct loaded l;
	load(&l, FIXTURE);
	size_t len;
	_cleanup_free_ char *dot = dot_of(l.plan, &len);
	char dir[] = "/tmp/apomon-test-graph.XXXXXX";
	ck_assert_ptr_nonnull(mkdtemp(dir));
	_cleanup_free_ char *svg = apo_xasprintf("%s/plan.svg", dir);
	int rc = apo_graph_svg(dot, len, svg);
	char buf[1 << 16] = "";
	FILE *f = fopen(svg, "re");
	if (f) {
		buf[fread(buf, 1, sizeof(buf) - 1, f)] = '\0';
		fclose(f);
	}
	/* broken DOT: dot fails (it says why on stderr), and so does apo_graph_svg */
	int rc_broken = apo_graph_svg("graph {", 7, svg);
	unlink(svg);
	rmdir(dir);

	ck_assert_int_eq(rc, 0);
	ck_assert_ptr_nonnull(strstr(buf, "<svg"));
	ck_assert_ptr_nonnull(strstr(buf, "worker"));
	ck_assert_ptr_nonnull(strstr(buf, "alpha.example.com"));
	ck_assert_int_eq(rc_broken, -EPROTO);
	unload(&l);
}
END_TEST

START_TEST(free_and_find_accept_null)
{
	apo_plan_free(NULL);
	ck_assert_int_eq(apo_plan_find(NULL, "x"), -1);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("plan");
	TCase *tc = tcase_create("plan");
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, fixture_plan_matches_expected);
	tcase_add_test(tc, comparer_names_the_first_difference);
	tcase_add_test(tc, plan_is_pure);
	tcase_add_test(tc, names_are_short_and_deterministic);
	tcase_add_test(tc, fnv1a_matches_the_published_vectors);
	tcase_add_test(tc, nameset_rehashes_the_later_name);
	tcase_add_test(tc, colliding_station_names_rehash_in_the_plan);
	tcase_add_test(tc, disabled_gateway_and_empty_cluster);
	tcase_add_test(tc, cycle_reaching_the_plan_is_refused);
	tcase_add_test(tc, lazy_dependents_start_with_their_dependency);
	tcase_add_test(tc, graph_dot_has_the_topology);
	tcase_add_test(tc, graph_renders_svg);
	tcase_add_test(tc, free_and_find_accept_null);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
