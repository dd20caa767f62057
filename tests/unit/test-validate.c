/* SPDX-License-Identifier: MIT */
/* A valid three-cluster environment, field by field after validation; the
 * host services types see; the registry; the value parsers. */
#include "config.h"

#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "config/conf-internal.h"
#include "config/conf.h"
#include "fixture-types.h"
#include "plugin/services.h"
#include "config/model.h"
#include "plugin/registry.h"
#include "base/util.h"
#include "validate/validate.h"

#define THREE APO_SRCDIR "/tests/fixtures/good/three-clusters"

static struct apo_model *m;
static struct apo_registry *reg;
static struct apo_diag diag;

static void load(void)
{
	apo_diag_init(&diag);
	reg = fixture_registry();
	int rc = apo_conf_load(THREE, NULL, &m, &diag);
	if (rc == 0)
		rc = apo_validate(m, reg, &diag);
	apo_diag_print(&diag, stderr);
	ck_assert_int_eq(rc, 0);
	ck_assert_uint_eq(diag.n, 0);
}

static void unload(void)
{
	apo_model_free(m);
	apo_registry_free(reg);
	apo_diag_clear(&diag);
	m = NULL;
	reg = NULL;
}

static const char *txt(struct in_addr a)
{
	static char buf[INET_ADDRSTRLEN];
	return inet_ntop(AF_INET, &a, buf, sizeof(buf));
}

static struct apo_station *station(const char *name)
{
	struct apo_station *s = apo_model_station(m, name);
	ck_assert_msg(s != NULL, "no station %s", name);
	return s;
}

START_TEST(model_fields)
{
	ck_assert_str_eq(m->env, "three");
	ck_assert_uint_eq(m->n_plugin_path, 2);
	ck_assert_str_eq(m->plugin_path[0], "/opt/apomon/types");
	ck_assert_str_eq(m->plugin_path[1], "types");
	ck_assert_ptr_nonnull(m->integrity);
	ck_assert_str_eq(txt(m->host_network.addr), "10.254.0.0");
	ck_assert_uint_eq(m->host_network.prefix, 29);

	ck_assert_ptr_nonnull(m->backbone);
	ck_assert_str_eq(m->backbone->name, "core");
	ck_assert_str_eq(m->backbone->fqdn, "core.example.net");
	ck_assert_ptr_null(m->backbone->cluster);
	ck_assert_uint_eq(m->backbone->limits.memory_bytes, 256ull << 20);
	ck_assert_uint_eq(m->backbone->n_publish, 1);
	ck_assert_uint_eq(m->backbone->publish[0].proto, IPPROTO_UDP);
	ck_assert_uint_eq(m->backbone->publish[0].host_port, 5353);

	ck_assert_uint_eq(m->n_clusters, 3);
	struct apo_cluster *web = apo_model_cluster(m, "web");
	struct apo_cluster *data = apo_model_cluster(m, "data");
	struct apo_cluster *pub = apo_model_cluster(m, "public");
	ck_assert_ptr_eq(web->gateway, station("lb"));
	/* a disabled gateway leaves the router as the default route */
	ck_assert_str_eq(data->gateway_name, "gw");
	ck_assert_ptr_null(data->gateway);
	ck_assert_ptr_null(pub->gateway);
	ck_assert_str_eq(txt(web->router), "10.10.0.254");
	ck_assert_str_eq(txt(data->router), "10.20.0.1");
	ck_assert_str_eq(txt(pub->router), "203.0.113.14");
	ck_assert_str_eq(txt(pub->network.addr), "203.0.113.0");
	ck_assert_uint_eq(pub->network.prefix, 28);
	ck_assert_uint_eq(web->n_stations, 4);
	ck_assert_uint_eq(web->n_records, 3);
	ck_assert_str_eq(web->records[1].type, "MX");
	ck_assert_str_eq(web->records[1].value, "10 mail.web.example");
	ck_assert_str_eq(web->records[1].path, "clusters.web.records[1]");

	struct apo_station *www1 = station("www1");
	ck_assert_ptr_eq(www1->type, apo_registry_find(reg, "web"));
	ck_assert_uint_eq(www1->n_addrs, 2);
	ck_assert_str_eq(txt(www1->addrs[1].addr), "10.10.0.111");
	ck_assert_uint_eq(www1->addrs[1].prefix, 24);
	ck_assert_int_eq(www1->addrs[1].loc.line, 14);
	ck_assert_uint_eq(www1->limits.memory_bytes, 1ull << 30);
	ck_assert_uint_eq(www1->limits.cpu_millis, 1500);
	ck_assert_uint_eq(www1->limits.pids, 256);
	ck_assert_uint_eq(www1->n_seal, 1);
	ck_assert_str_eq(www1->seal[0], "/etc/web/web.conf");
	ck_assert_ptr_nonnull(www1->integrity);
	ck_assert_ptr_nonnull(www1->settings);
	ck_assert_int_eq(www1->depends_loc[0].line, 15);

	struct apo_station *www2 = station("www2");
	ck_assert_str_eq(www2->image, "web-debug");
	ck_assert_uint_eq(www2->limits.memory_bytes, 1048576);
	ck_assert_uint_eq(www2->limits.cpu_millis, 2000);
	ck_assert_uint_eq(www2->n_depends, 2);

	/* disabled, of a type that is not loaded: parsed, not resolved */
	struct apo_station *www3 = station("www3");
	ck_assert(!www3->enabled);
	ck_assert_ptr_null(www3->type);

	ck_assert_uint_eq(m->n_links, 1);
	ck_assert_ptr_eq(m->links[0]->sa, station("edge"));
	ck_assert_ptr_eq(m->links[0]->sb, station("db"));
	ck_assert_str_eq(txt(m->links[0]->addr_b.addr), "198.51.100.2");
	ck_assert_uint_eq(m->links[0]->addr_b.prefix, 30);
}
END_TEST

struct counter {
	size_t n;
	const char *stop_at;
	char names[256];
};

static int count_cb(const struct apomon_station *st, void *ctx)
{
	struct counter *c = ctx;
	const char *name = apo_host.name(st);

	c->n++;
	strcat(c->names, name);
	strcat(c->names, " ");
	return c->stop_at && strcmp(name, c->stop_at) == 0 ? 42 : 0;
}

START_TEST(host_services)
{
	const struct apomon_host *h = &apo_host;
	struct apo_diag d;
	struct apo_host_ctx ctx;

	apo_diag_init(&d);
	apo_host_ctx_init(&ctx, m, &d);
	const struct apomon_station *www1 = apo_host_handle(&ctx, station("www1"));
	const struct apomon_station *www2 = apo_host_handle(&ctx, station("www2"));
	const struct apomon_station *lb = apo_host_handle(&ctx, station("lb"));
	const struct apomon_station *core = apo_host_handle(&ctx, m->backbone);

	ck_assert_uint_eq(h->abi_version, APOMON_ABI_VERSION);
	ck_assert(APOMON_HOST_HAS(h, probe_http));
	ck_assert_str_eq(h->env_name(www1), "three");
	ck_assert_str_eq(h->name(www1), "www1");
	ck_assert_str_eq(h->fqdn(www1), "www1.web.example");
	ck_assert_str_eq(h->domain(www1), "web.example");
	ck_assert_str_eq(h->cluster(www1), "web");
	ck_assert_str_eq(h->type(www1), "web");
	ck_assert_int_eq(h->role(www1), APOMON_ROLE_MEMBER);
	ck_assert_int_eq(h->role(lb), APOMON_ROLE_GATEWAY);
	ck_assert_int_eq(h->role(core), APOMON_ROLE_BACKBONE);
	ck_assert_int_eq(h->role(apo_host_handle(&ctx, station("gw"))), APOMON_ROLE_MEMBER);
	ck_assert_uint_eq(h->address_count(www1), 2);
	ck_assert_str_eq(h->address(www1, 0), "10.10.0.11");
	ck_assert_str_eq(h->address(www1, 1), "10.10.0.111");
	ck_assert_ptr_null(h->address(www1, 2));
	ck_assert_str_eq(h->router(www1), "10.10.0.254");

	/* the backbone: its end of the host link, then its leg in each cluster */
	ck_assert_str_eq(h->domain(core), "example.net");
	ck_assert_ptr_null(h->cluster(core));
	ck_assert_uint_eq(h->address_count(core), 4);
	ck_assert_str_eq(h->address(core, 0), "10.254.0.2");
	ck_assert_str_eq(h->address(core, 1), "10.10.0.254");
	ck_assert_str_eq(h->address(core, 2), "10.20.0.1");
	ck_assert_str_eq(h->address(core, 3), "203.0.113.14");

	/* settings: the value, else the declared default; undeclared: NULL/0 */
	ck_assert_int_eq(h->setting_int(www1, "port"), 8081);
	ck_assert_int_eq(h->setting_int(www2, "port"), 8080);
	ck_assert_str_eq(h->setting_string(www1, "docroot"), "/srv/www1");
	ck_assert_str_eq(h->setting_string(www2, "docroot"), "/var/www");
	ck_assert(h->setting_bool(www1, "tls"));
	ck_assert(!h->setting_bool(www2, "tls"));
	ck_assert_uint_eq(h->setting_list_count(www1, "aliases"), 2);
	ck_assert_str_eq(h->setting_list_item(www1, "aliases", 1), "first");
	ck_assert_ptr_null(h->setting_list_item(www1, "aliases", 2));
	ck_assert_uint_eq(h->setting_list_count(www2, "aliases"), 0);
	ck_assert_ptr_null(h->setting_string(www1, "nosuch"));
	ck_assert_int_eq(h->setting_int(www1, "nosuch"), 0);
	ck_assert_ptr_null(h->setting_string(core, "port"));

	struct counter c = {0};
	ck_assert_int_eq(h->each_station(www1, APOMON_SCOPE_CLUSTER, count_cb, &c), 0);
	ck_assert_str_eq(c.names, "lb www1 www2 ");
	memset(&c, 0, sizeof(c));
	ck_assert_int_eq(h->each_station(www1, APOMON_SCOPE_ENVIRONMENT, count_cb, &c), 0);
	ck_assert_str_eq(c.names, "core lb www1 www2 db edge ");
	memset(&c, 0, sizeof(c));
	c.stop_at = "www1";
	ck_assert_int_eq(h->each_station(core, APOMON_SCOPE_ENVIRONMENT, count_cb, &c), 42);
	ck_assert_uint_eq(c.n, 3);

	/* report: the setting's FILE:LINE and path */
	h->report(www1, "port", "port %d is taken, expected another", 8081);
	h->report(www2, NULL, "something about the station");
	ck_assert_uint_eq(d.n, 2);
	char *s = apo_problem_format(&d.problems[0]);
	ck_assert_str_eq(s,
			 THREE "/conf.d/10-web.conf:16: clusters.web.stations.www1.settings.port: "
			       "port 8081 is taken, expected another");
	free(s);
	s = apo_problem_format(&d.problems[1]);
	ck_assert_str_eq(s, THREE "/conf.d/10-web.conf:20: clusters.web.stations.www2: something "
				  "about the station");
	free(s);

	/* no running station yet */
	ck_assert_ptr_null(h->root(www1));
	ck_assert_int_eq(h->write_file(www1, "/x", "x", 1, 0644), -ENOTCONN);
	char *out = (char *)"unchanged";
	const char *argv[] = {"true", NULL};
	ck_assert_int_eq(h->run(www1, argv, &out), -ENOTCONN);
	ck_assert_ptr_null(out);
	/* probes need only the station's network namespace, which is absent */
	ck_assert_int_eq(h->probe_tcp(www1, NULL, 80, 100), -ENOENT);
	long status = -1;
	ck_assert_int_eq(h->probe_http(www1, "http://www1.web.example/", 100, &status), -ENOENT);

	apo_host_ctx_clear(&ctx);
	apo_host_ctx_clear(NULL);
	apo_diag_clear(&d);
}
END_TEST

START_TEST(validate_twice_is_stable)
{
	struct apo_diag d;

	apo_diag_init(&d);
	ck_assert_int_eq(apo_validate(m, reg, &d), 0);
	ck_assert_uint_eq(d.n, 0);
	ck_assert_ptr_eq(apo_model_cluster(m, "web")->gateway, station("lb"));
	apo_diag_clear(&d);
}
END_TEST

START_TEST(minimal)
{
	struct apo_model *mm;
	struct apo_diag d;
	struct apo_registry *r = fixture_registry();

	apo_diag_init(&d);
	ck_assert_int_eq(apo_conf_load(APO_SRCDIR "/tests/fixtures/good/minimal", NULL, &mm, &d),
			 0);
	ck_assert_int_eq(apo_validate(mm, r, &d), 0);
	ck_assert_uint_eq(d.n, 0);
	ck_assert_str_eq(mm->env, "example");
	ck_assert_uint_eq(mm->n_stations, 1);
	ck_assert_ptr_eq(mm->backbone, mm->stations[0]);
	/* one spelling of a domain: without the root's dot */
	ck_assert_str_eq(mm->backbone->fqdn, "ns.example.org");
	ck_assert_ptr_eq(mm->backbone->type, apo_registry_find(r, "dns"));
	ck_assert_str_eq(txt(mm->host_network.addr), "10.254.254.0");
	ck_assert_uint_eq(mm->host_network.prefix, 30);
	ck_assert_uint_eq(mm->n_clusters, 0);
	ck_assert_ptr_null(mm->integrity);
	apo_model_free(mm);
	apo_registry_free(r);
	apo_diag_clear(&d);
}
END_TEST

static const struct apomon_station_type other_web = {
    APOMON_STATION_TYPE_HEADER,
    .name = "web",
};

START_TEST(registry)
{
	struct apo_registry *r = fixture_registry();

	ck_assert_uint_eq(apo_registry_count(r), 4);
	ck_assert_str_eq(apo_registry_at(r, 0)->type->name, "web");
	ck_assert_str_eq(apo_registry_at(r, 0)->file, "(test)");
	ck_assert_ptr_null(apo_registry_at(r, 4));
	ck_assert_ptr_null(apo_registry_find(r, "nosuch"));
	ck_assert_int_eq(apo_registry_add(r, &other_web, "/x/web.so", NULL, NULL), -EEXIST);
	ck_assert_uint_eq(apo_registry_count(r), 4);
	ck_assert_uint_eq(apo_registry_refusal_count(r), 2);
	const struct apo_refusal *f = apo_registry_refusal_at(r, 1);
	ck_assert_str_eq(f->file, "/x/web.so");
	ck_assert_str_eq(f->reason, "duplicate type name 'web': already loaded from (test)");
	ck_assert_ptr_null(apo_registry_refusal_at(r, 2));
	apo_registry_refuse(r, "/x/y.so", "two\nlines %d", 2);
	ck_assert_str_eq(apo_registry_refusal_at(r, 2)->reason, "two lines 2");
	char *names = apo_registry_names(r);
	ck_assert_str_eq(names, "base, dns, lb, web");
	free(names);
	apo_registry_free(r);
	apo_registry_free(NULL);

	r = apo_registry_new();
	names = apo_registry_names(r);
	ck_assert_str_eq(names, "");
	free(names);
	apo_registry_free(r);
}
END_TEST

static int closed;
static void close_handle(void *h)
{
	closed += *(int *)h;
}

START_TEST(registry_closes_handles)
{
	struct apo_registry *r = apo_registry_new();
	int one = 1;

	closed = 0;
	ck_assert_int_eq(apo_registry_add(r, &other_web, "/x/web.so", &one, close_handle), 0);
	apo_registry_free(r);
	ck_assert_int_eq(closed, 1);
}
END_TEST

START_TEST(value_parsers)
{
	struct in_addr a;
	int p;
	unsigned long long sz;

	ck_assert_int_eq(apo_parse_cidr("10.1.0.0/24", &a, &p), 0);
	ck_assert_int_eq(p, 24);
	ck_assert_int_eq(apo_parse_cidr("10.1.0.1", &a, &p), 0);
	ck_assert_int_eq(p, -1);
	ck_assert_int_eq(apo_parse_cidr("10.1.0.0/33", &a, &p), -EINVAL);
	ck_assert_int_eq(apo_parse_cidr("10.1.0.0/", &a, &p), -EINVAL);
	ck_assert_int_eq(apo_parse_cidr("10.1.0.0/024", &a, &p), -EINVAL);
	ck_assert_int_eq(apo_parse_cidr("10.1.0/24", &a, &p), -EINVAL);
	ck_assert_int_eq(apo_parse_cidr("10.1.0.0/2x", &a, &p), -EINVAL);
	ck_assert_int_eq(apo_parse_cidr(" 10.1.0.0", &a, &p), -EINVAL);
	ck_assert_uint_eq(apo_prefix_mask(0), 0);
	ck_assert_uint_eq(apo_prefix_mask(24), 0xffffff00u);
	ck_assert_uint_eq(apo_prefix_mask(32), 0xffffffffu);

	ck_assert(apo_valid_dns_name("example.com"));
	ck_assert(apo_valid_dns_name("example.com."));
	ck_assert(apo_valid_dns_name("_dmarc.example.com"));
	ck_assert(!apo_valid_dns_name("example..com"));
	ck_assert(!apo_valid_dns_name("-a.example.com"));
	ck_assert(!apo_valid_dns_name("a-.example.com"));
	ck_assert(!apo_valid_dns_name(""));
	ck_assert(!apo_valid_dns_name("."));
	char label[80];
	memset(label, 'a', 64);
	label[64] = '\0';
	ck_assert(!apo_valid_dns_name(label));
	label[63] = '\0';
	ck_assert(apo_valid_dns_name(label));

	ck_assert(apo_valid_station_name("www1"));
	ck_assert(apo_valid_station_name("1www"));
	ck_assert(apo_valid_station_name("service_endpoint"));
	ck_assert(!apo_valid_station_name("-www"));
	ck_assert(!apo_valid_station_name("www.1"));
	ck_assert(!apo_valid_station_name("Www"));
	ck_assert(!apo_valid_station_name(""));
	ck_assert(!apo_valid_cluster_name("1abc"));
	ck_assert(apo_valid_cluster_name("abc-1"));

	ck_assert_int_eq(apo_parse_size("512M", &sz), 0);
	ck_assert_uint_eq(sz, 512ull << 20);
	ck_assert_int_eq(apo_parse_size("2G", &sz), 0);
	ck_assert_uint_eq(sz, 2ull << 30);
	ck_assert_int_eq(apo_parse_size("4096", &sz), 0);
	ck_assert_uint_eq(sz, 4096);
	ck_assert_int_eq(apo_parse_size("1k", &sz), 0);
	ck_assert_uint_eq(sz, 1024);
	ck_assert_int_eq(apo_parse_size("1MB", &sz), -EINVAL);
	ck_assert_int_eq(apo_parse_size("-1", &sz), -EINVAL);
	ck_assert_int_eq(apo_parse_size("M", &sz), -EINVAL);
	ck_assert_int_eq(apo_parse_size("99999999999T", &sz), -EINVAL);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("validate");
	TCase *tc = tcase_create("three-clusters");

	tcase_add_checked_fixture(tc, load, unload);
	tcase_add_test(tc, model_fields);
	tcase_add_test(tc, host_services);
	tcase_add_test(tc, validate_twice_is_stable);
	suite_add_tcase(s, tc);
	TCase *units = tcase_create("units");
	tcase_add_test(units, minimal);
	tcase_add_test(units, registry);
	tcase_add_test(units, registry_closes_handles);
	tcase_add_test(units, value_parsers);
	suite_add_tcase(s, units);

	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
