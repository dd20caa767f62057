/* SPDX-License-Identifier: MIT */
/* Reading configs: the repository's own, good fixtures field by field, and
 * the corpus of malformed ones under tests/fixtures/bad/. */
#include "config.h"

#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "model.h"
#include "util.h"

static const char *addr_str(struct in_addr a)
{
	static char buf[INET_ADDRSTRLEN];
	return inet_ntop(AF_INET, &a, buf, sizeof(buf));
}

START_TEST(repo_config_parses)
{
	struct apo_model *m;
	struct apo_diag d;

	apo_diag_init(&d);
	int rc = apo_conf_load(APO_SRCDIR, NULL, &m, &d);
	if (d.n)
		apo_diag_print(&d, stderr);
	ck_assert_int_eq(rc, 0);
	ck_assert_uint_eq(d.n, 0);
	ck_assert_str_eq(m->env, "example");
	ck_assert_uint_eq(m->n_clusters, 2);
	ck_assert_str_eq(m->clusters[0]->name, "example");
	ck_assert_str_eq(m->clusters[0]->domain, "example.com");
	ck_assert_str_eq(addr_str(m->clusters[0]->network.addr), "10.1.0.0");
	ck_assert_uint_eq(m->clusters[0]->network.prefix, 24);
	ck_assert_str_eq(addr_str(m->clusters[0]->router), "10.1.0.254");
	ck_assert_str_eq(m->clusters[0]->gateway_name, "lb");
	ck_assert_str_eq(m->clusters[1]->name, "service");
	/* default router: the last usable address */
	ck_assert_str_eq(addr_str(m->clusters[1]->router), "10.2.0.254");
	ck_assert_ptr_null(m->clusters[1]->gateway_name);
	/* the backbone first, then the stations in file order */
	ck_assert_uint_eq(m->n_stations, 9);
	ck_assert(m->stations[0]->is_backbone);
	ck_assert_str_eq(m->stations[0]->fqdn, "backbone.example.com");
	ck_assert_str_eq(addr_str(m->host_network.addr), "10.254.254.0");
	ck_assert_uint_eq(m->host_network.prefix, 30);

	struct apo_station *www1 = apo_model_station(m, "www1");
	ck_assert_ptr_nonnull(www1);
	ck_assert_str_eq(www1->fqdn, "www1.example.com");
	ck_assert_str_eq(www1->type_name, "tomcat");
	ck_assert(!www1->enabled);
	ck_assert_uint_eq(www1->n_addrs, 1);
	ck_assert_str_eq(addr_str(www1->addrs[0].addr), "10.1.0.11");
	ck_assert_uint_eq(www1->addrs[0].prefix, 24);
	ck_assert_uint_eq(www1->n_publish, 1);
	ck_assert_uint_eq(www1->publish[0].host_port, 81);
	ck_assert_uint_eq(www1->publish[0].port, 8080);
	ck_assert_uint_eq(www1->publish[0].proto, IPPROTO_TCP);
	ck_assert_uint_eq(www1->n_depends, 1);
	ck_assert_str_eq(www1->depends[0], "psql");
	ck_assert_str_eq(www1->path, "clusters.example.stations.www1");
	ck_assert_ptr_eq(www1->cluster, m->clusters[0]);
	ck_assert(apo_str_has_suffix(www1->loc.file, "conf.d/10-example.conf"));

	struct apo_station *se = apo_model_station(m, "service_endpoint");
	ck_assert(se->enabled);
	ck_assert_str_eq(se->fqdn, "service_endpoint.service.com");
	apo_model_free(m);
	apo_diag_clear(&d);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("config");
	TCase *tc = tcase_create("load");

	tcase_add_test(tc, repo_config_parses);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
