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
#include <crypt.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config/conf.h"
#include "plugin/services-secret.h"
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
	struct apo_services_ctx hc;
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
	/* the secrets types keep (password salts) land here, not in /var/lib */
	_cleanup_free_ char *lib = apo_xasprintf("%s/lib", e->tmp);
	setenv("APOMON_LIB_DIR", lib, 1);
}

static void unload(struct env *e)
{
	apo_services_ctx_clear(&e->hc);
	apo_plan_free(e->plan);
	apo_model_free(e->model);
	apo_registry_free(e->reg);
	apo_diag_clear(&e->diag);
	apo_rmtree(e->tmp);
	unsetenv("APOMON_LIB_DIR");
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
		struct apomon_station *h = apo_services_handle(&e->hc, s);
		free(h->root);
		h->root = apo_xasprintf("%s/%s%s", e->tmp, s->name, suffix);
		ck_assert_int_eq(apo_mkdir_p(h->root, 0755), 0);
		if (s->type->render)
			ck_assert_msg(s->type->render(&apo_services, h) == 0, "%s: render",
				      s->name);
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
	apo_services_ctx_init(&e.hc, e.model, &e.diag);
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
	/* the stations' A and PTR records: a hosts file dnsmasq re-reads on
	 * SIGHUP (`up` on a running environment) */
	HAS(dns, "\naddn-hosts=/etc/apomon/dnsmasq.hosts\n");
	_cleanup_free_ char *dh = file_of(&e, "backbone", "/etc/apomon/dnsmasq.hosts");
	HAS(dh, "\n10.79.0.21 ftp.example.org\n");
	HAS(dh, "\n10.79.0.254 backbone.example.org\n");
	ck_assert_ptr_null(strstr(dns, "host-record="));
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

/* The salt of "3pg:$6$SALT$..." (after prefix), as its own string. */
static char *salt_of(const char *line, const char *prefix)
{
	ck_assert_msg(strncmp(line, prefix, strlen(prefix)) == 0, "not %s...: %s", prefix, line);
	const char *s = line + strlen(prefix);
	const char *end = strchr(s, '$');
	ck_assert_ptr_nonnull(end);
	return apo_xstrndup(s, (size_t)(end - s));
}

/* The hash field of a "3pg:HASH..." line, checked against the password. */
static void assert_hash_of(const char *line, const char *prefix, const char *password)
{
	_cleanup_free_ char *hash = apo_xstrdup(line + strlen(prefix) - 3);
	hash[strcspn(hash, ":\n")] = '\0';
	struct crypt_data cd = {0};
	const char *again = crypt_r(password, hash, &cd);
	ck_assert_msg(again && strcmp(again, hash) == 0, "%s does not verify '%s'", hash, password);
}

/*
 * Salts are random and kept: two stations with one password get different
 * hashes, a second render the same file, a purge (the kept secret gone)
 * another salt.  A salt derived from the config (the FNV-1a of the FQDN
 * and the password it once was) fails the first and the last check.
 */
START_TEST(salts)
{
	struct env e;

	load(&e, "salt");
	ck_assert_int_eq(apo_validate(e.model, e.reg, &e.diag), 0);
	ck_assert_int_eq(apo_plan_build(e.model, &e.plan, &e.diag), 0);
	apo_services_ctx_init(&e.hc, e.model, &e.diag);

	/* before the plan (validate): nothing is kept, nothing written */
	unsigned char b[16];
	ck_assert_int_eq(
	    apo_services.secret(apo_services_handle(&e.hc, e.model->clusters[0]->stations[0]),
				"password-salt", b, sizeof(b)),
	    -ENOTCONN);
	_cleanup_free_ char *lib = apo_xasprintf("%s/lib", e.tmp);
	ck_assert_int_eq(access(lib, F_OK), -1);

	e.hc.plan = e.plan;
	render_all(&e, "");
	_cleanup_free_ char *f1 = file_of(&e, "ftp", "/etc/apomon/ftp-users");
	_cleanup_free_ char *f2 = file_of(&e, "ftp2", "/etc/apomon/ftp-users");
	_cleanup_free_ char *m = file_of(&e, "mail", "/etc/apomon/mail-users");
	_cleanup_free_ char *s1 = salt_of(f1, "3pg:$6$");
	_cleanup_free_ char *s2 = salt_of(f2, "3pg:$6$");
	_cleanup_free_ char *s3 = salt_of(m, "3pg:{SHA512-CRYPT}$6$");
	ck_assert_uint_eq(strlen(s1), 16);
	ck_assert_msg(
	    strspn(s1, "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz") == 16,
	    "salt %s", s1);
	ck_assert_msg(strcmp(s1, s2) && strcmp(s1, s3) && strcmp(s2, s3),
		      "one password, one salt: %s %s %s", s1, s2, s3);
	ck_assert_msg(strcmp(f1, f2) != 0, "ftp and ftp2 have the same hash: %s", f1);
	assert_hash_of(f1, "3pg:$6$", "same");
	assert_hash_of(m, "3pg:{SHA512-CRYPT}$6$", "same");

	/* kept: 0600 in a 0700 directory outside the station's root */
	_cleanup_free_ char *dir = apo_xasprintf("%s/restsalt/ftp/secrets", lib);
	_cleanup_free_ char *kept = apo_xasprintf("%s/password-salt", dir);
	struct stat sb;
	ck_assert_int_eq(stat(dir, &sb), 0);
	ck_assert_uint_eq(sb.st_mode & 07777, 0700);
	ck_assert_int_eq(stat(kept, &sb), 0);
	ck_assert_uint_eq(sb.st_mode & 07777, 0600);

	/* every start renders the same file (it is sealed) */
	render_all(&e, ".again");
	_cleanup_free_ char *again = file_of(&e, "ftp.again", "/etc/apomon/ftp-users");
	ck_assert_str_eq(f1, again);

	/* purged: a new salt for the same config */
	_cleanup_free_ char *sdir = apo_xasprintf("%s/restsalt/ftp", lib);
	ck_assert_int_eq(apo_rmtree(sdir), 0);
	render_all(&e, ".purged");
	_cleanup_free_ char *after = file_of(&e, "ftp.purged", "/etc/apomon/ftp-users");
	_cleanup_free_ char *s4 = salt_of(after, "3pg:$6$");
	ck_assert_msg(strcmp(s1, s4) != 0, "the salt survived a purge: %s", s4);
	unload(&e);
}
END_TEST

/* The store itself: names and lengths it refuses, a length it keeps. */
START_TEST(secret_store)
{
	char tmp[] = "/tmp/apomon-test-secret.XXXXXX";
	unsigned char a[32], b[32], c[16];

	ck_assert_ptr_nonnull(mkdtemp(tmp));
	setenv("APOMON_LIB_DIR", tmp, 1);
	ck_assert_int_eq(apo_secret_get("env", "st", "../x", a, sizeof(a)), -EINVAL);
	ck_assert_int_eq(apo_secret_get("env", "st", ".x", a, sizeof(a)), -EINVAL);
	ck_assert_int_eq(apo_secret_get("env", "st", "", a, sizeof(a)), -EINVAL);
	ck_assert_int_eq(apo_secret_get("..", "st", "x", a, sizeof(a)), -EINVAL);
	ck_assert_int_eq(apo_secret_get("env", "a/b", "x", a, sizeof(a)), -EINVAL);
	ck_assert_int_eq(apo_secret_get("env", "st", "x", a, 0), -EINVAL);
	ck_assert_int_eq(apo_secret_get("env", "st", "x", a, APO_SECRET_MAX + 1), -EINVAL);
	ck_assert_int_eq(apo_secret_get("env", "st", "x", a, sizeof(a)), 0);
	ck_assert_int_eq(apo_secret_get("env", "st", "x", b, sizeof(b)), 0);
	ck_assert_mem_eq(a, b, sizeof(a));
	ck_assert_int_eq(apo_secret_get("env", "st", "x", c, sizeof(c)), -EMSGSIZE);
	ck_assert_int_eq(apo_secret_get("env", "st2", "x", b, sizeof(b)), 0);
	ck_assert_msg(memcmp(a, b, sizeof(a)) != 0, "two stations, one secret");
	/* only the kept file, no temporary one, is left */
	_cleanup_free_ char *d = apo_xasprintf("%s/env/st/secrets", tmp);
	_cleanup_free_ char *cmd = apo_xasprintf("test \"$(ls -A %s)\" = x", d);
	ck_assert_int_eq(system(cmd), 0);
	unsetenv("APOMON_LIB_DIR");
	apo_rmtree(tmp);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("rest-types");
	TCase *tc = tcase_create("types");

	tcase_add_test(tc, renders);
	tcase_add_test(tc, refuses);
	tcase_add_test(tc, salts);
	tcase_add_test(tc, secret_store);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
