/* SPDX-License-Identifier: MIT */
/* The postgres, tomcat and haproxy types as the core runs them, without a
 * running environment: validate against a config with every setting wrong
 * once, render the good fixture into temporary roots and read back what a
 * server would read (configs, the certificate against the CA). */
#include "config.h"

#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

#include "integrity/ca.h"
#include "cli/cli.h"
#include "config/conf.h"
#include "plugin/services.h"
#include "base/paths.h"
#include "plugin/registry.h"
#include "base/util.h"
#include "validate/validate.h"

static char tmp[] = "/tmp/apomon-test-webtypes.XXXXXX";
static char *plugin_dir[5];

static void setup(void)
{
	const char *b = getenv("top_builddir");
	ck_assert_ptr_nonnull(mkdtemp(tmp));
	setenv("APOMON_LIB_DIR", tmp, 1);
	plugin_dir[0] = apo_xasprintf("%s/plugins/postgres/.libs", b ? b : ".");
	plugin_dir[1] = apo_xasprintf("%s/plugins/tomcat/.libs", b ? b : ".");
	plugin_dir[2] = apo_xasprintf("%s/plugins/haproxy/.libs", b ? b : ".");
	plugin_dir[3] = apo_xasprintf("%s/plugins/base/.libs", b ? b : "."); /* the backbone */
	plugin_dir[4] = apo_xasprintf("%s/plugins/django/.libs", b ? b : ".");
	/* stand-ins for the WARs: the type copies them, Tomcat is not here */
	char *apps = apo_xasprintf("%s/webapps", tmp);
	ck_assert_int_eq(apo_mkdir_p(apps, 0755), 0);
	for (int i = 0; i < 2; i++) {
		char *p = apo_xasprintf("%s/%s", apps, i ? "hello.war" : "skel-0.1.0.war");
		FILE *f = fopen(p, "we");
		fputs(i ? "PK\3\4hello" : "PK\3\4skel", f);
		fclose(f);
		free(p);
	}
	setenv("APOMON_WEBAPPS_DIR", apps, 1);
	free(apps);
}

static void teardown(void)
{
	char *cmd = apo_xasprintf("rm -rf '%s'", tmp);
	ck_assert_int_eq(system(cmd), 0);
	free(cmd);
	for (int i = 0; i < 5; i++)
		free(plugin_dir[i]);
	strcpy(tmp, "/tmp/apomon-test-webtypes.XXXXXX");
}

static struct apo_registry *registry(void)
{
	struct apo_registry *r = apo_registry_new();
	apo_registry_load_all(r, plugin_dir, 5, NULL, 0);
	ck_assert_ptr_nonnull(apo_registry_find(r, "postgres"));
	ck_assert_ptr_nonnull(apo_registry_find(r, "tomcat"));
	ck_assert_ptr_nonnull(apo_registry_find(r, "haproxy"));
	return r;
}

static bool has_problem(const struct apo_diag *d, const char *path_end, const char *text)
{
	for (size_t i = 0; i < d->n; i++) {
		const struct apo_problem *p = &d->problems[i];
		if (p->path && apo_str_has_suffix(p->path, path_end) && strstr(p->message, text))
			return true;
	}
	return false;
}

START_TEST(validate_reports_each_setting)
{
	struct apo_model *m = NULL;
	struct apo_diag d;
	struct apo_registry *r = registry();

	apo_diag_init(&d);
	ck_assert_int_eq(apo_conf_load(APO_SRCDIR "/tests/fixtures/web-bad", NULL, &m, &d), 0);
	ck_assert_int_eq(apo_validate(m, r, &d), -EINVAL);
	ck_assert(has_problem(&d, "lb.settings.backend_type", "no 'nginx' station"));
	ck_assert(has_problem(&d, "lb.settings.health_path", "starting with /"));
	ck_assert(has_problem(&d, "psql.settings.database", "Bad-Name"));
	ck_assert(has_problem(&d, "psql.settings.password", "without quotes"));
	ck_assert(has_problem(&d, "extra_sql.[0]", "/nonexistent/x.sql"));
	/* the core checks the declared bounds; the type's hook still runs */
	ck_assert(has_problem(&d, "www1.settings.database.port", "70000 out of range 1..65535"));
	ck_assert(has_problem(&d, "www1.settings.database.user", "'a<b' has other characters"));
	ck_assert(has_problem(&d, "www1.settings.database.host", "is empty"));
	ck_assert(has_problem(&d, "apps.[0]", "NAME.war"));
	/* the JVM's options land in a file a shell sources */
	ck_assert(has_problem(&d, "www1.settings.jvm_options", "character '$' not allowed"));
	/* old names say the new one */
	ck_assert(has_problem(&d, "www2.settings.db_host", "renamed to database.host"));
	ck_assert(has_problem(&d, "www2.settings.db_port", "renamed to database.port"));
	ck_assert(
	    has_problem(&d, "www3.settings.database",
			"is a string, expected a group { host; port; name; user; password; }"));
	ck_assert(
	    has_problem(&d, "lb2.settings.backend_port", "the http port their type declares"));
	/* every problem names its file and line */
	for (size_t i = 0; i < d.n; i++)
		ck_assert(d.problems[i].loc.file && d.problems[i].loc.line > 0);
	apo_diag_clear(&d);
	apo_model_free(m);
	apo_registry_free(r);
}
END_TEST

static char *slurp(const char *root, const char *path)
{
	char *full = apo_xasprintf("%s%s", root, path);
	FILE *f = fopen(full, "re");
	char *buf = apo_xcalloc(1 << 20, 1);
	ck_assert_msg(f != NULL, "%s missing", full);
	fread(buf, 1, (1 << 20) - 1, f);
	fclose(f);
	free(full);
	return buf;
}

/* Renders station NAME of the plan into a root of its own. */
static char *render(struct apo_services_ctx *hc, const struct apo_plan *p, const char *name)
{
	ssize_t k = apo_plan_find(p, name);
	ck_assert_int_ge(k, 0);
	const struct apo_station *s = p->stations[k].station;
	struct apomon_station *h = apo_services_handle(hc, s);
	char *root = apo_xasprintf("%s/root-%s", tmp, name);
	ck_assert_int_eq(apo_mkdir_p(root, 0755), 0);
	free(h->root);
	h->root = apo_xstrdup(root);
	ck_assert_int_eq(s->type->render(&apo_services, h), 0);
	return root;
}

static int verify_pem(const char *ca_path, const char *pem, const char *host)
{
	FILE *f = fopen(ca_path, "re");
	X509 *ca = PEM_read_X509(f, NULL, NULL, NULL);
	fclose(f);
	BIO *b = BIO_new_mem_buf(pem, -1);
	X509 *leaf = PEM_read_bio_X509(b, NULL, NULL, NULL);
	BIO_free(b);
	X509_STORE *store = X509_STORE_new();
	X509_STORE_CTX *ctx = X509_STORE_CTX_new();
	X509_STORE_add_cert(store, ca);
	X509_STORE_CTX_init(ctx, store, leaf, NULL);
	struct in_addr a;
	if (inet_pton(AF_INET, host, &a) == 1)
		X509_VERIFY_PARAM_set1_ip_asc(X509_STORE_CTX_get0_param(ctx), host);
	else
		X509_VERIFY_PARAM_set1_host(X509_STORE_CTX_get0_param(ctx), host, 0);
	int ok = X509_verify_cert(ctx);
	X509_STORE_CTX_free(ctx);
	X509_STORE_free(store);
	X509_free(ca);
	X509_free(leaf);
	return ok;
}

/* A fixture loaded, validated without a problem, planned, with its CA and
 * the host services ready for render. */
struct wenv {
	struct apo_model *m;
	struct apo_plan *p;
	struct apo_diag d;
	struct apo_services_ctx hc;
	struct apo_registry *r;
	char *ca;
};

static void wenv_open(struct wenv *e, const char *fixture)
{
	memset(e, 0, sizeof(*e));
	e->r = registry();
	apo_diag_init(&e->d);
	ck_assert_int_eq(apo_conf_load(fixture, NULL, &e->m, &e->d), 0);
	if (apo_validate(e->m, e->r, &e->d) != 0)
		apo_diag_print(&e->d, stderr);
	ck_assert_uint_eq(e->d.n, 0);
	ck_assert_int_eq(apo_plan_build(e->m, &e->p, &e->d), 0);
	ck_assert_int_eq(apo_ca_ensure(e->p->env, &e->ca, NULL), 0);
	apo_services_ctx_init(&e->hc, e->m, &e->d);
	e->hc.plan = e->p;
	e->hc.ca_file = e->ca;
}

static void wenv_close(struct wenv *e)
{
	apo_services_ctx_clear(&e->hc);
	apo_plan_free(e->p);
	apo_diag_clear(&e->d);
	apo_model_free(e->m);
	apo_registry_free(e->r);
	free(e->ca);
}

START_TEST(render_the_web_tier)
{
	struct wenv e;

	wenv_open(&e, APO_SRCDIR "/tests/fixtures/web");
	struct apo_plan *p = e.p;
	char *ca = e.ca;

	char *lb = render(&e.hc, p, "lb");
	char *cfg = slurp(lb, "/etc/haproxy/haproxy.cfg");
	ck_assert_ptr_nonnull(strstr(cfg, "option httpchk GET /hello/\n"));
	ck_assert_ptr_nonnull(strstr(cfg, "server www1 10.66.0.11:8080 check\n"));
	ck_assert_ptr_nonnull(strstr(cfg, "server www2 10.66.0.12:8080 check\n"));
	ck_assert_ptr_nonnull(strstr(cfg, "balance roundrobin"));
	ck_assert_ptr_nonnull(strstr(cfg, "bind :443 ssl crt /etc/haproxy/certs/web.pem"));
	ck_assert_ptr_nonnull(strstr(cfg, "redirect scheme https"));
	ck_assert_ptr_nonnull(strstr(cfg, "X-Served-By %[srv_name]"));
	char *pem = slurp(lb, "/etc/haproxy/certs/web.pem");
	ck_assert_ptr_nonnull(strstr(pem, "PRIVATE KEY"));
	ck_assert_int_eq(verify_pem(ca, pem, "www.webtest.example.com"), 1);
	ck_assert_int_eq(verify_pem(ca, pem, "webtest.example.com"), 1);
	ck_assert_int_eq(verify_pem(ca, pem, "lb.webtest.example.com"), 1);
	ck_assert_int_eq(verify_pem(ca, pem, "www.example.org"), 0);
	/* a published 443 as `up` prints it */
	ck_assert_int_eq(verify_pem(ca, pem, "127.0.0.1"), 1);
	ck_assert_int_eq(verify_pem(ca, pem, "127.0.0.2"), 0);

	char *pg = render(&e.hc, p, "psql");
	char *pgconf = slurp(pg, "/etc/postgresql/apomon/postgresql.conf");
	ck_assert_ptr_nonnull(strstr(pgconf, "listen_addresses = '10.66.0.5'\n"));
	char *setup = slurp(pg, "/etc/postgresql/apomon/setup.d/00-apomon.sql");
	ck_assert_ptr_nonnull(strstr(setup, "CREATE ROLE skel LOGIN PASSWORD 'skel';"));
	ck_assert_ptr_nonnull(strstr(setup, "REFERENCES companies(id)"));
	/* the startup check's password: a root-only file, never argv */
	char *pgpass = slurp(pg, "/root/.pgpass");
	ck_assert_str_eq(pgpass, "*:*:*:skel:skel\n");
	char *pgpass_path = apo_xasprintf("%s/root/.pgpass", pg);
	struct stat pst;
	ck_assert_int_eq(stat(pgpass_path, &pst), 0);
	ck_assert_uint_eq(pst.st_mode & 0777, 0600);
	free(pgpass_path);
	free(pgpass);

	char *www = render(&e.hc, p, "www1");
	char *ctx = slurp(www, "/etc/tomcat10/context.xml");
	ck_assert_ptr_nonnull(strstr(ctx, "jdbc:postgresql://10.66.0.5:5432/skel"));
	ck_assert_ptr_nonnull(strstr(ctx, "name=\"apomon.station\" value=\"www1\""));
	char *server = slurp(www, "/etc/tomcat10/server.xml");
	ck_assert_ptr_nonnull(strstr(server, "port=\"8080\""));
	ck_assert_ptr_nonnull(strstr(server, "autoDeploy=\"true\""));
	/* "/" redirects to the first of the default apps */
	ck_assert_ptr_nonnull(strstr(server, "valves.rewrite.RewriteValve"));
	char *rw = slurp(www, "/etc/tomcat10/Catalina/localhost/rewrite.config");
	ck_assert_ptr_nonnull(strstr(rw, "\nRewriteRule ^/$ /hello/ [R=302,L]\n"));
	free(rw);
	char *war = slurp(www, "/var/lib/tomcat10/webapps/skel-0.1.0.war");
	ck_assert_str_eq(war, "PK\3\4skel");
	/* the JVM's options, for Debian's tomcat-start.sh */
	char *jopts = slurp(www, "/etc/default/tomcat10");
	ck_assert_ptr_nonnull(strstr(jopts, "JAVA_OPTS=\"-Djava.awt.headless=true "));
	/* the default: C1 alone and the serial collector, with the archive */
	ck_assert_ptr_nonnull(strstr(jopts, " -XX:TieredStopAtLevel=1 "));
	ck_assert_ptr_nonnull(
	    strstr(jopts, " -XX:SharedArchiveFile=/usr/share/tomcat10/apomon-cds.jsa\"\n"));
	free(jopts);
	/* a station's own jvm_options replace the default */
	char *www2 = render(&e.hc, p, "www2");
	jopts = slurp(www2, "/etc/default/tomcat10");
	ck_assert_ptr_nonnull(strstr(jopts,
				     "JAVA_OPTS=\"-Djava.awt.headless=true -XX:+UseSerialGC "
				     "-XX:ReservedCodeCacheSize=48m -XX:SharedArchiveFile="));
	ck_assert_ptr_null(strstr(jopts, "TieredStopAtLevel"));
	free(jopts);
	free(www2);
	/* rendered again (a restart, data kept): the same WAR stays the same
	 * file, so Tomcat does not expand it again; a changed one is
	 * replaced (written anew: another inode) */
	char *wpath = apo_xasprintf("%s/var/lib/tomcat10/webapps/skel-0.1.0.war", www);
	struct stat w1, w2, w3;
	ck_assert_int_eq(stat(wpath, &w1), 0);
	free(render(&e.hc, p, "www1"));
	ck_assert_int_eq(stat(wpath, &w2), 0);
	ck_assert_uint_eq(w1.st_ino, w2.st_ino);
	FILE *wf = fopen(wpath, "we");
	ck_assert_ptr_nonnull(wf);
	fputs("PK\3\4old", wf);
	fclose(wf);
	free(render(&e.hc, p, "www1"));
	ck_assert_int_eq(stat(wpath, &w3), 0);
	ck_assert_uint_ne(w1.st_ino, w3.st_ino);
	free(war);
	war = slurp(www, "/var/lib/tomcat10/webapps/skel-0.1.0.war");
	ck_assert_str_eq(war, "PK\3\4skel");
	free(wpath);

	/* deploy: a WAR under its own name; anything else refused */
	ssize_t k = apo_plan_find(p, "www1");
	struct apomon_station *h = apo_services_handle(&e.hc, p->stations[k].station);
	char *art = apo_xasprintf("%s/webapps/hello.war", tmp);
	ck_assert_int_eq(p->stations[k].station->type->deploy(&apo_services, h, art), 0);
	ck_assert_int_eq(p->stations[k].station->type->deploy(&apo_services, h, "/etc/hostname"),
			 -EINVAL);

	free(art), free(war), free(server), free(ctx), free(www), free(setup), free(pgconf);
	free(pg), free(pem), free(cfg), free(lb);
	wenv_close(&e);
}
END_TEST

/* The balancer takes its backends' port from their type's declaration
 * and the check path from its setting: django's 8000, not tomcat's 8080;
 * django renders the same declared port and the database group. */
START_TEST(balance_django_on_its_declared_port)
{
	struct wenv e;

	wenv_open(&e, APO_SRCDIR "/tests/fixtures/web-django");
	struct apo_services_ctx *hc = &e.hc;
	struct apo_plan *p = e.p;

	char *lb = render(hc, p, "lb");
	char *cfg = slurp(lb, "/etc/haproxy/haproxy.cfg");
	ck_assert_ptr_nonnull(strstr(cfg, "option httpchk GET /api/companies\n"));
	ck_assert_ptr_nonnull(strstr(cfg, "server app1 10.68.0.31:8000 check\n"));
	ck_assert_ptr_nonnull(strstr(cfg, "server app2 10.68.0.32:8000 check\n"));
	ck_assert_ptr_null(strstr(cfg, "8080"));

	char *a1 = render(hc, p, "app1"), *a2 = render(hc, p, "app2");
	char *j1 = slurp(a1, "/etc/apomon/django.json"), *j2 = slurp(a2, "/etc/apomon/django.json");
	ck_assert_ptr_nonnull(strstr(j1, "\"port\": 8000,"));
	/* omitted host: the cluster's postgres station, as tomcat does */
	ck_assert_ptr_nonnull(strstr(j1, "\"host\": \"10.68.0.5\""));
	ck_assert_ptr_nonnull(strstr(j2, "\"host\": \"psql.webdjango.example.com\""));

	free(j1), free(j2), free(a1), free(a2), free(cfg), free(lb);
	wenv_close(&e);
}
END_TEST

/* The rule of "/" by the station's apps: the first application's root,
 * none when ROOT.war serves "/" or the name cannot be written in a rule
 * (Tomcat refuses to start on a line it cannot parse). */
START_TEST(redirect_root_to_the_first_application)
{
	struct wenv e;

	for (int i = 0; i < 3; i++) {
		static const char *const wars[] = {"ROOT.war", "my app.war", "shop#admin.war"};
		char *w = apo_xasprintf("%s/webapps/%s", tmp, wars[i]);
		FILE *f = fopen(w, "we");
		ck_assert_ptr_nonnull(f);
		fputs("PK\3\4", f);
		fclose(f);
		free(w);
	}
	wenv_open(&e, APO_SRCDIR "/tests/fixtures/web-root");
	static const struct {
		const char *station, *rule;
	} want[] = {
	    {"skel", "RewriteRule ^/$ /skel-0.1.0/ [R=302,L]\n"},
	    {"own", NULL},
	    {"odd", NULL},
	    {"nested", "RewriteRule ^/$ /shop/admin/ [R=302,L]\n"},
	};
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		char *root = render(&e.hc, e.p, want[i].station);
		char *rw = slurp(root, "/etc/tomcat10/Catalina/localhost/rewrite.config");
		if (want[i].rule)
			ck_assert_pstr_eq(strstr(rw, "RewriteRule"), want[i].rule);
		else
			ck_assert_ptr_null(strstr(rw, "RewriteRule"));
		/* nothing but comments and the one rule: every line parses */
		for (char *l = rw, *nl; *l; l = nl + 1) {
			ck_assert(*l == '#' || !strncmp(l, "RewriteRule ", 12));
			ck_assert_ptr_nonnull(nl = strchr(l, '\n'));
		}
		free(rw);
		free(root);
	}
	wenv_close(&e);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("webtypes");
	TCase *tc = tcase_create("webtypes");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, validate_reports_each_setting);
	tcase_add_test(tc, render_the_web_tier);
	tcase_add_test(tc, balance_django_on_its_declared_port);
	tcase_add_test(tc, redirect_root_to_the_first_application);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
