/* SPDX-License-Identifier: MIT */
/*
 * The comparison of `apomon diff` and of `up` on a running environment
 * (core/engine/diff.c), a pure function: fixtures of an applied snapshot
 * and of what runs (tests/fixtures/diff/), changed the way an operator
 * changes conf.d, and the exact changes expected in their groups.
 */
#include "config.h"

#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "engine/diff.h"

#define FIX APO_SRCDIR "/tests/fixtures/diff/"

static struct json_object *applied, *wanted, *obs;
static struct apo_diff d;

static void setup(void)
{
	applied = json_object_from_file(FIX "applied.json");
	wanted = json_object_from_file(FIX "applied.json");
	obs = json_object_from_file(FIX "observed.json");
	ck_assert_ptr_nonnull(applied);
	ck_assert_ptr_nonnull(obs);
	memset(&d, 0, sizeof(d));
}

static void teardown(void)
{
	apo_diff_clear(&d);
	json_object_put(applied);
	json_object_put(wanted);
	json_object_put(obs);
}

/* the object at a dotted path ("stations.www2.ifaces.eth0") */
static struct json_object *at(struct json_object *o, const char *path)
{
	char buf[256], *save = NULL;
	snprintf(buf, sizeof(buf), "%s", path);
	for (char *k = strtok_r(buf, ".", &save); k; k = strtok_r(NULL, ".", &save)) {
		struct json_object *v = NULL;
		ck_assert_msg(json_object_object_get_ex(o, k, &v), "no %s in %s", k, path);
		o = v;
	}
	return o;
}

static void set(struct json_object *o, const char *path, const char *key, struct json_object *v)
{
	json_object_object_add(at(o, path), key, v);
}

static struct json_object *strs(const char *a)
{
	struct json_object *x = json_object_new_array();
	json_object_array_add(x, json_object_new_string(a));
	return x;
}

static void run(void)
{
	apo_diff_compute(applied, wanted, obs, &d);
}

static void expect(enum apo_change_group g, const char *object)
{
	ck_assert_msg(apo_diff_has(&d, g, object), "expected %s: %s", apo_change_group_name(g),
		      object);
}

START_TEST(nothing_changed_nothing_to_do)
{
	run();
	ck_assert_uint_eq(d.n, 0);
}
END_TEST

START_TEST(a_dead_station_is_started_alone)
{
	set(obs, "stations.www1", "running", json_object_new_boolean(0));
	run();
	ck_assert_uint_eq(d.n, 1);
	expect(APO_CH_START, "www1");
}
END_TEST

START_TEST(a_lost_namespace_recreates)
{
	set(obs, "stations.psql", "netns", json_object_new_boolean(0));
	run();
	ck_assert_uint_eq(d.n, 1);
	expect(APO_CH_RECREATE, "psql");
}
END_TEST

START_TEST(an_address_moves_in_place_and_dependents_follow)
{
	/* www2 10.1.0.12 -> 10.1.0.13: its address in place, it and the
	 * load balancer re-rendered, DNS, its published port; www1 untouched */
	set(wanted, "stations.www2.ifaces.eth0", "addrs", strs("10.1.0.13/24"));
	set(wanted, "stations.lb.deps", "www2", json_object_new_string("10.1.0.13"));
	json_object_object_add(wanted, "records", json_object_new_array());
	json_object_array_add(at(wanted, "records"),
			      json_object_new_string("A www1.example.com. 10.1.0.11"));
	json_object_array_add(at(wanted, "records"),
			      json_object_new_string("A www2.example.com. 10.1.0.13"));
	run();
	expect(APO_CH_ADDRESS, "www2");
	expect(APO_CH_RESTART, "www2");
	expect(APO_CH_RESTART, "lb");
	expect(APO_CH_DNS, "A www2.example.com. 10.1.0.13");
	expect(APO_CH_DNS, "A www2.example.com. 10.1.0.12");
	for (size_t i = 0; i < d.n; i++)
		ck_assert_str_ne(d.v[i].object, "www1");
	ck_assert_uint_eq(d.n, 5);
}
END_TEST

START_TEST(the_backbone_gets_a_new_leg_without_restart)
{
	set(wanted, "stations.bb.ifaces.eth0", "addrs", strs("10.1.0.253/24"));
	run();
	expect(APO_CH_ADDRESS, "bb");
	ck_assert(!apo_diff_has(&d, APO_CH_RESTART, "bb"));
}
END_TEST

START_TEST(enable_and_disable)
{
	struct json_object *dj = NULL;
	json_object_deep_copy(at(applied, "stations.www1"), &dj, NULL);
	set(wanted, "stations", "django", dj);
	json_object_object_add(wanted, "disabled", strs("www2"));
	json_object_object_del(at(wanted, "stations"), "www2");
	set(wanted, "stations.lb.deps", "www2", json_object_new_string("absent"));
	run();
	expect(APO_CH_ENABLE, "django");
	expect(APO_CH_DISABLE, "www2");
	/* the load balancer's backend went: it follows */
	expect(APO_CH_RESTART, "lb");
	ck_assert(!apo_diff_has(&d, APO_CH_STATION_DEL, NULL));
	ck_assert(!apo_diff_has(&d, APO_CH_STATION_ADD, NULL));
}
END_TEST

START_TEST(settings_restart_type_recreates)
{
	set(wanted, "stations.www1", "config", json_object_new_string("other"));
	set(wanted, "stations.psql", "image", json_object_new_string("postgres2"));
	run();
	expect(APO_CH_RESTART, "www1");
	expect(APO_CH_RECREATE, "psql");
	ck_assert_uint_eq(d.n, 2);
	ck_assert_str_eq(d.v[0].object, "psql"); /* recreate sorts first */
}
END_TEST

START_TEST(a_published_port_changes)
{
	json_object_object_add(wanted, "publish", strs("tcp 81 www1 10.1.0.11:8080"));
	json_object_array_add(at(wanted, "publish"),
			      json_object_new_string("tcp 83 www2 10.1.0.12:8080"));
	run();
	ck_assert_uint_eq(d.n, 2);
	expect(APO_CH_PUBLISH, "tcp 82 www2 10.1.0.12:8080");
	expect(APO_CH_PUBLISH, "tcp 83 www2 10.1.0.12:8080");
}
END_TEST

START_TEST(a_new_cluster_and_a_lost_bridge)
{
	struct json_object *sw = json_object_new_object();
	json_object_object_add(sw, "bridge", json_object_new_string("apb00000003"));
	json_object_object_add(sw, "network", json_object_new_string("10.3.0.0/24"));
	set(wanted, "switches", "third", sw);
	set(obs, "switches", "apb00000001", json_object_new_boolean(0));
	run();
	expect(APO_CH_SWITCH_ADD, "third");
	expect(APO_CH_SWITCH_ADD, "example"); /* its bridge is gone */
}
END_TEST

START_TEST(nothing_applied_everything_added)
{
	apo_diff_compute(NULL, wanted, NULL, &d);
	expect(APO_CH_SWITCH_ADD, "example");
	expect(APO_CH_STATION_ADD, "www1");
	expect(APO_CH_STATION_ADD, "bb");
	struct json_object *j = apo_diff_json(&d);
	ck_assert_int_eq(json_object_get_int(at(j, "changes")), (int)d.n);
	ck_assert_int_eq(json_object_array_length(at(j, "stations_added")), 5);
	json_object_put(j);
}
END_TEST

START_TEST(a_host_name_change_recreates)
{
	set(wanted, "stations.www1", "fqdn", json_object_new_string("web1.example.com"));
	run();
	expect(APO_CH_HOSTNAME, "www1");
	expect(APO_CH_RECREATE, "www1");
}
END_TEST

/* The config a failed reconcile goes back to: kept and given back byte
 * for byte, apomon.conf, conf.d/\*.conf and the @include targets the
 * loader read below the directory, and a name that would leave the
 * directory is refused. */
START_TEST(the_applied_config_round_trips)
{
	char src[] = "/tmp/apo-test-cfg.XXXXXX", dst[] = "/tmp/apo-test-cfg2.XXXXXX";
	char path[256], buf[64] = "";
	FILE *f;

	ck_assert_ptr_nonnull(mkdtemp(src));
	ck_assert_ptr_nonnull(mkdtemp(dst));
	snprintf(path, sizeof(path), "%s/conf.d", src);
	ck_assert_int_eq(mkdir(path, 0700), 0);
	snprintf(path, sizeof(path), "%s/apomon.conf", src);
	f = fopen(path, "w");
	fputs("environment = \"x\";\n", f);
	fclose(f);
	snprintf(path, sizeof(path), "%s/conf.d/10-a.conf", src);
	f = fopen(path, "w");
	fputs("# a\n", f);
	fclose(f);
	snprintf(path, sizeof(path), "%s/conf.d/README", src);
	f = fopen(path, "w");
	fclose(f);

	/* an @include target outside conf.d/, as the loader names it, and
	 * one that climbs out of the directory: kept, and not kept */
	snprintf(path, sizeof(path), "%s/shared", src);
	ck_assert_int_eq(mkdir(path, 0700), 0);
	snprintf(path, sizeof(path), "%s/shared/lan.inc", src);
	f = fopen(path, "w");
	fputs("# lan\n", f);
	fclose(f);
	char inc[256], out[256], conf[256];
	snprintf(inc, sizeof(inc), "%s/./shared//lan.inc", src);
	snprintf(out, sizeof(out), "%s/../outside.inc", src);
	snprintf(conf, sizeof(conf), "%s/conf.d/10-a.conf", src);
	const char *read[] = {conf, inc, out, src};

	struct json_object *cfg = apo_applied_config_of(src, read, 4), *files = NULL;
	ck_assert_ptr_nonnull(cfg);
	ck_assert(json_object_object_get_ex(cfg, "files", &files));
	ck_assert_int_eq(json_object_object_length(files), 3);
	ck_assert(json_object_object_get_ex(files, "shared/lan.inc", NULL));
	ck_assert_int_eq(apo_applied_config_unpack(cfg, dst), 0);
	snprintf(path, sizeof(path), "%s/shared/lan.inc", dst);
	f = fopen(path, "r");
	ck_assert_ptr_nonnull(f);
	ck_assert_ptr_nonnull(fgets(buf, sizeof(buf), f));
	fclose(f);
	ck_assert_str_eq(buf, "# lan\n");
	snprintf(path, sizeof(path), "%s/conf.d/10-a.conf", dst);
	f = fopen(path, "r");
	ck_assert_ptr_nonnull(f);
	ck_assert_ptr_nonnull(fgets(buf, sizeof(buf), f));
	fclose(f);
	ck_assert_str_eq(buf, "# a\n");

	json_object_object_add(files, "conf.d/../../escape", json_object_new_string("x"));
	ck_assert_int_eq(apo_applied_config_unpack(cfg, dst), -EBADMSG);
	json_object_put(cfg);
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf %s %s", src, dst);
	ck_assert_int_eq(system(cmd), 0);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("diff");
	TCase *t = tcase_create("compare");
	tcase_add_checked_fixture(t, setup, teardown);
	tcase_add_test(t, nothing_changed_nothing_to_do);
	tcase_add_test(t, a_dead_station_is_started_alone);
	tcase_add_test(t, a_lost_namespace_recreates);
	tcase_add_test(t, an_address_moves_in_place_and_dependents_follow);
	tcase_add_test(t, the_backbone_gets_a_new_leg_without_restart);
	tcase_add_test(t, enable_and_disable);
	tcase_add_test(t, settings_restart_type_recreates);
	tcase_add_test(t, a_published_port_changes);
	tcase_add_test(t, a_new_cluster_and_a_lost_bridge);
	tcase_add_test(t, nothing_applied_everything_added);
	tcase_add_test(t, a_host_name_change_recreates);
	tcase_add_test(t, the_applied_config_round_trips);
	suite_add_tcase(s, t);
	SRunner *r = srunner_create(s);
	srunner_run_all(r, CK_NORMAL);
	int failed = srunner_ntests_failed(r);
	srunner_free(r);
	return failed ? 1 : 0;
}
