/* SPDX-License-Identifier: MIT */
/*
 * The dns, ftp, mail and django types, loaded from this tree's build,
 * against a real config: validate refuses bad settings with the file,
 * the line and the setting; render writes the expected config into a
 * temporary root, byte for byte the same on a second render (so that it
 * can be sealed), with no clear-text password where none belongs.
 */
#include "base/fs.h"
#include "config.h"

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config/conf.h"
#include "plugin/services.h"
#include "base/paths.h"
#include "plan/plan.h"
#include "plugin/registry.h"
#include "runtime/station.h"
#include "base/util.h"
#include "validate/validate.h"

struct env {
	struct apo_registry *reg;
	struct apo_model *model;
	struct apo_plan *plan;
	struct apo_diag diag;
	struct apo_host_ctx hc;
	char tmp[64];
};

static void load(struct env *e, const char *fixture)
{
	static const char *const types[] = {"base", "dns", "ftp", "mail", "django"};
	_cleanup_free_ char *dir =
	    apo_xasprintf("%s/tests/fixtures/rest-unit/%s", APO_SRCDIR, fixture);

	memset(e, 0, sizeof(*e));
	apo_diag_init(&e->diag);
	e->reg = apo_registry_new();
	for (size_t i = 0; i < APO_ARRAY_SIZE(types); i++) {
		_cleanup_free_ char *p =
		    apo_xasprintf("%s/plugins/%s/.libs", APO_BUILDDIR, types[i]);
		apo_registry_load_dir(e->reg, p);
		ck_assert_msg(apo_registry_find(e->reg, types[i]), "type %s did not load from %s",
			      types[i], p);
	}
	ck_assert_int_eq(apo_conf_load(dir, NULL, &e->model, &e->diag), 0);
	snprintf(e->tmp, sizeof(e->tmp), "/tmp/apomon-test-rest.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(e->tmp));
}

static void unload(struct env *e)
{
	apo_host_ctx_clear(&e->hc);
	apo_plan_free(e->plan);
	apo_model_free(e->model);
	apo_registry_free(e->reg);
	apo_diag_clear(&e->diag);
	apo_rmtree(e->tmp);
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "re");
	char *buf = NULL;
	size_t len = 0;

	ck_assert_msg(f != NULL, "%s: %s", path, strerror(errno));
	FILE *m = open_memstream(&buf, &len);
	int c;
	while ((c = fgetc(f)) != EOF)
		fputc(c, m);
	fclose(f);
	fclose(m);
	return buf;
}

/* Renders every station of the plan into TMP/NAME/ (twice when again). */
static void render_all(struct env *e, const char *suffix)
{
	for (size_t i = 0; i < e->plan->n_stations; i++) {
		const struct apo_station *s = e->plan->stations[i].station;
		struct apomon_station *h = apo_host_handle(&e->hc, s);
		free(h->root);
		h->root = apo_xasprintf("%s/%s%s", e->tmp, s->name, suffix);
		ck_assert_int_eq(apo_mkdir_p(h->root, 0755), 0);
		if (s->type->render)
			ck_assert_msg(s->type->render(&apo_host, h) == 0, "%s: render", s->name);
	}
}

static char *file_of(struct env *e, const char *station, const char *path)
{
	_cleanup_free_ char *p = apo_xasprintf("%s/%s%s", e->tmp, station, path);
	return slurp(p);
}

#define HAS(text, needle) ck_assert_msg(strstr(text, needle), "missing: %s\nin:\n%s", needle, text)

START_TEST(renders)
{
	struct env e;

	load(&e, "good");
	ck_assert_int_eq(apo_validate(e.model, e.reg, &e.diag), 0);
	ck_assert_int_eq(apo_plan_build(e.model, &e.plan, &e.diag), 0);
	apo_host_ctx_init(&e.hc, e.model, &e.diag);
	e.hc.plan = e.plan;
	render_all(&e, "");
	render_all(&e, ".again");

	static const char *const files[][2] = {
	    {"backbone", "/etc/apomon/dnsmasq.conf"}, {"ftp", "/etc/vsftpd.conf"},
	    {"ftp", "/etc/apomon/ftp-users"},	      {"mail", "/etc/postfix/main.cf"},
	    {"mail", "/etc/dovecot/dovecot.conf"},    {"mail", "/etc/apomon/mail-users"},
	    {"django", "/etc/apomon/django.json"},
	};
	for (size_t i = 0; i < APO_ARRAY_SIZE(files); i++) {
		_cleanup_free_ char *a = file_of(&e, files[i][0], files[i][1]);
		_cleanup_free_ char *again = apo_xasprintf("%s.again", files[i][0]);
		_cleanup_free_ char *b = file_of(&e, again, files[i][1]);
		ck_assert_msg(strcmp(a, b) == 0, "%s: %s differs between two renders", files[i][0],
			      files[i][1]);
	}

	_cleanup_free_ char *dns = file_of(&e, "backbone", "/etc/apomon/dnsmasq.conf");
	HAS(dns, "\nno-resolv\n");
	HAS(dns, "\nlocal=/example.org/\n");
	HAS(dns, "\nlisten-address=10.253.79.2\n");
	HAS(dns, "\nlisten-address=10.79.0.254\n");
	HAS(dns, "\nlocal-ttl=30\n");
	HAS(dns, "\nhost-record=ftp.example.org,10.79.0.21\n");
	HAS(dns, "\nhost-record=backbone.example.org,10.79.0.254\n");
	/* an extra A record must not claim the station's PTR */
	HAS(dns, "\naddress=/www.example.org/10.79.0.11\n");
	HAS(dns, "\nmx-host=example.org,mail.example.org,10\n");
	ck_assert_ptr_null(strstr(dns, "\nserver="));

	_cleanup_free_ char *ftp = file_of(&e, "ftp", "/etc/vsftpd.conf");
	HAS(ftp, "\nanonymous_enable=NO\n");
	/* from the published range */
	HAS(ftp, "\npasv_min_port=30200\npasv_max_port=30204\n");
	_cleanup_free_ char *fu = file_of(&e, "ftp", "/etc/apomon/ftp-users");
	ck_assert_msg(strncmp(fu, "3pg:$6$", 7) == 0, "ftp-users: %s", fu);
	ck_assert_ptr_null(strstr(fu, "pw one"));

	_cleanup_free_ char *cf = file_of(&e, "mail", "/etc/postfix/main.cf");
	HAS(cf, "\nmydomain = example.org\n");
	HAS(cf, "\nsmtpd_relay_restrictions = reject_unauth_destination\n");
	HAS(cf, " 10.79.0.11/32");
	HAS(cf, " 10.253.79.2/32");
	HAS(cf, " 203.0.113.0/24\n");
	_cleanup_free_ char *mu = file_of(&e, "mail", "/etc/apomon/mail-users");
	ck_assert_msg(strncmp(mu, "3pg:{SHA512-CRYPT}$6$", 21) == 0, "mail-users: %s", mu);
	ck_assert_ptr_null(strstr(mu, "pw two"));

	_cleanup_free_ char *dj = file_of(&e, "django", "/etc/apomon/django.json");
	HAS(dj, "\"host\": \"10.79.0.5\"");
	HAS(dj, "\"password\": \"s\\\"k\\\\el\"");
	HAS(dj, "\"dir.example.org\"");
	HAS(dj, "\"www.example.org\"");
	unload(&e);
}
END_TEST

START_TEST(refuses)
{
	struct env e;
	static const char *const expected[] = {
	    /* bounds the core checks from the types' declarations */
	    "apomon.conf:4: backbone.settings.ttl: -1 out of range 0..86400",
	    "clusters.example.stations.django.settings.workers: 0 out of range 1..32",
	    "clusters.example.stations.ftp3.settings.pasv_min_port: 80 out of range 1024..65535",
	    "10-example.conf:7: clusters.example.stations.ftp.settings.pasv_max_port: 30000 is out "
	    "of range",
	    "clusters.example.stations.ftp.settings.password: missing",
	    "clusters.example.stations.mail.settings.mynetworks: '10.0.0.0/33' is not a network",
	    "clusters.example.stations.django.settings.database.name: is empty",
	    "clusters.example.stations.django.settings.database.host: omitted, and cluster "
	    "'example' has no postgres station",
	    "stations.old.settings.database_host: 'database_host' is no longer accepted: renamed "
	    "to database.host",
	    "stations.old.settings.port: 'port' is no longer accepted: django listens on its "
	    "declared port 8000",
	    "stations.old.settings.user: 'user' is no longer accepted: renamed to database.user",
	    "stations.ftp2.settings.pasv_min_port: passive range 30001-30004 differs from the "
	    "published range 30000-30004",
	    "clusters.example.stations.ftp2: passive range 30000-30004 is published onto other "
	    "host ports",
	};

	load(&e, "bad");
	ck_assert_int_eq(apo_validate(e.model, e.reg, &e.diag), -EINVAL);
	for (size_t k = 0; k < APO_ARRAY_SIZE(expected); k++) {
		bool found = false;
		for (size_t i = 0; i < e.diag.n && !found; i++) {
			_cleanup_free_ char *m = apo_problem_format(&e.diag.problems[i]);
			found = strstr(m, expected[k]) != NULL;
		}
		if (!found)
			apo_diag_print(&e.diag, stderr);
		ck_assert_msg(found, "no problem says: %s", expected[k]);
	}
	unload(&e);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("rest-types");
	TCase *tc = tcase_create("types");

	tcase_add_test(tc, renders);
	tcase_add_test(tc, refuses);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
