/* SPDX-License-Identifier: MIT */
/* The integrity settings: defaults, per-station overrides, problems with
 * FILE:LINE: PATH:, and the sealed paths of type, image and station. */
#include "config.h"

#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "integrity/conf-integrity.h"
#include "base/util.h"

static char dir[] = "/tmp/apomon-int-conf-XXXXXX";
static char file[256];
static config_t cfg;
static struct apo_model model;
static struct apo_station st;

static void load(const char *text)
{
	FILE *f;
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(file, sizeof(file), "%s/apomon.conf", dir);
	f = fopen(file, "we");
	fputs(text, f);
	fclose(f);
	config_init(&cfg);
	ck_assert_msg(config_read_file(&cfg, file), "%s", config_error_text(&cfg));
	memset(&model, 0, sizeof(model));
	memset(&st, 0, sizeof(st));
	model.env = "example";
	model.confdir = dir;
	model.integrity = config_lookup(&cfg, "integrity");
	st.name = "www1";
	st.fqdn = "www1.example.com";
	st.path = "clusters.example.stations.www1";
	st.integrity = config_lookup(&cfg, "station.integrity");
}

static void unload(void)
{
	char cmd[300];
	config_destroy(&cfg);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	ck_assert_int_eq(system(cmd), 0);
	strcpy(dir, "/tmp/apomon-int-conf-XXXXXX");
}

START_TEST(defaults)
{
	struct apo_integrity_conf c;
	struct apo_diag d;
	load("environment = \"example\";\n");
	setenv("APOMON_LIB_DIR", "/var/lib/apomon", 1);
	apo_diag_init(&d);
	ck_assert_int_eq(apo_integrity_conf_station(&model, &st, &c, &d), 0);
	ck_assert_str_eq(c.o.manifest, "/var/lib/apomon/example/manifests/www1.manifest");
	ck_assert_ptr_null(c.o.public_key);
	ck_assert_int_eq(c.o.fetch.retries, -1);
	ck_assert(c.o.optional); /* nothing configured: a station never sealed may start */
	apo_integrity_conf_clear(&c);
	apo_diag_clear(&d);
	unload();
}
END_TEST

START_TEST(overrides)
{
	struct apo_integrity_conf c;
	struct apo_diag d;
	load("integrity = { manifest = \"https://h/{env}/{station}.manifest\";\n"
	     "  public_key = \"keys/k.pub\"; timeout = 30; retries = 1;\n"
	     "  s3 = { region = \"eu-west-1\"; access_key_id = \"AK\"; }; };\n"
	     "station = { integrity = { timeout = 5; ca_file = \"/etc/ca.pem\";\n"
	     "  s3 = { access_key_id = \"AK2\"; }; }; };\n");
	apo_diag_init(&d);
	ck_assert_int_eq(apo_integrity_conf_station(&model, &st, &c, &d), 0);
	ck_assert_str_eq(c.o.manifest, "https://h/example/www1.manifest");
	char *pub = apo_xasprintf("%s/keys/k.pub", dir);
	ck_assert_str_eq(c.o.public_key, pub);
	free(pub);
	ck_assert_str_eq(c.o.fetch.ca_file, "/etc/ca.pem");
	ck_assert_int_eq(c.o.fetch.timeout, 5);
	ck_assert_int_eq(c.o.fetch.retries, 1);
	ck_assert_str_eq(c.o.fetch.s3.region, "eu-west-1");
	ck_assert_str_eq(c.o.fetch.s3.access_key_id, "AK2");
	ck_assert(!c.o.optional); /* a manifest is configured: it must exist */
	apo_integrity_conf_clear(&c);
	apo_diag_clear(&d);
	unload();
}
END_TEST

START_TEST(problems)
{
	struct apo_integrity_conf c;
	struct apo_diag d;
	load("integrity = {\n"
	     "  manifest = 3;\n"
	     "  retries = 99;\n"
	     "  required = \"yes\";\n"
	     "  colour = \"red\";\n"
	     "  s3 = { bucket = \"b\"; };\n"
	     "};\n"
	     "station = { integrity = { timeout = \"long\"; }; };\n");
	apo_diag_init(&d);
	ck_assert_int_eq(apo_integrity_conf_station(&model, &st, &c, &d), -EINVAL);
	ck_assert_uint_eq(d.n, 6);
	char *all = apo_xstrdup("");
	for (size_t i = 0; i < d.n; i++) {
		char *line = apo_problem_format(&d.problems[i]);
		char *t = apo_xasprintf("%s%s\n", all, line);
		free(all);
		free(line);
		all = t;
	}
	char *expect[] = {
	    apo_xasprintf("%s:2: integrity.manifest: expected a non-empty string", file),
	    apo_xasprintf("%s:3: integrity.retries: expected an integer from 0 to 10", file),
	    apo_xasprintf("%s:4: integrity.required: expected true or false", file),
	    apo_xasprintf("%s:5: integrity.colour: unknown setting, expected one of manifest,",
			  file),
	    apo_xasprintf("%s:6: integrity.s3.bucket: unknown setting, expected one of region,",
			  file),
	    apo_xasprintf("%s:8: clusters.example.stations.www1.integrity.timeout: expected an "
			  "integer from 1 to 86400",
			  file),
	};
	for (size_t i = 0; i < APO_ARRAY_SIZE(expect); i++) {
		ck_assert_msg(strstr(all, expect[i]), "missing '%s' in:\n%s", expect[i], all);
		free(expect[i]);
	}
	free(all);
	apo_integrity_conf_clear(&c);
	apo_diag_clear(&d);
	unload();
}
END_TEST

static const char *const sealed[] = {"/etc/app/app.conf", NULL};
static const struct apomon_station_type type = {
    APOMON_STATION_TYPE_HEADER,
    .name = "app",
    .image = "appimg",
    .sealed = sealed,
};

START_TEST(sealed_paths)
{
	char p[300], **paths = NULL, *why = NULL;
	size_t n = 0;
	load("environment = \"example\";\n");
	snprintf(p, sizeof(p), "%s/appimg", dir);
	mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/appimg/image.cfg", dir);
	FILE *f = fopen(p, "we");
	fputs("seal = [ \"/etc/img.conf\", \"/usr/share/app/x\" ];\n", f);
	fclose(f);
	snprintf(p, sizeof(p), "%s/appimg/startup.sh", dir);
	f = fopen(p, "we");
	fputs("#!/bin/sh\n", f);
	fclose(f);
	snprintf(p, sizeof(p), "%s/appimg/image.cfg", dir);
	/* the images part's definitions search path; no built image here */
	setenv("APOMON_IMAGES_PATH", dir, 1);
	char *lib = apo_xasprintf("%s/lib", dir);
	setenv("APOMON_LIB_DIR", lib, 1);
	free(lib);
	char *own[] = {"/etc/own.conf"};
	st.type = &type;
	st.seal = own;
	st.n_seal = 1;
	ck_assert_int_eq(apo_station_sealed_paths(&st, &paths, &n, &why), 0);
	ck_assert_uint_eq(n, 4);
	ck_assert_str_eq(paths[0], "/etc/app/app.conf");
	ck_assert_str_eq(paths[1], "/etc/img.conf");
	ck_assert_str_eq(paths[2], "/usr/share/app/x");
	ck_assert_str_eq(paths[3], "/etc/own.conf");
	for (size_t i = 0; i < n; i++)
		free(paths[i]);
	free(paths);

	/* a bad image.cfg names its file and line */
	f = fopen(p, "we");
	fputs("\nseal = [ \"relative\" ];\n", f);
	fclose(f);
	ck_assert_int_eq(apo_station_sealed_paths(&st, &paths, &n, &why), -EINVAL);
	ck_assert_msg(strstr(why, "image appimg: cannot read its sealed paths"), "%s", why);
	free(why);
	for (size_t i = 0; i < n; i++)
		free(paths[i]);
	free(paths);
	unsetenv("APOMON_IMAGES_PATH");
	unsetenv("APOMON_LIB_DIR");
	unload();
}
END_TEST

START_TEST(gate)
{
	char *why = NULL, *root, *mf, *path;
	FILE *f;
	load("integrity = { manifest = \"m/{station}.manifest\"; };\n");
	root = apo_xasprintf("%s/root", dir);
	mkdir(root, 0755);
	mf = apo_xasprintf("%s/m", dir);
	mkdir(mf, 0755);
	free(mf);
	path = apo_xasprintf("%s/m/www1.manifest", dir);
	f = fopen(path, "we");
	fputs("# apomon-manifest 1\n"
	      "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855  /etc/x\n",
	      f);
	fclose(f);
	char *logdir = apo_xasprintf("%s/log", dir);
	setenv("APOMON_LOG_DIR", logdir, 1);
	/* the runtime adds "FQDN: integrity: " itself */
	ck_assert_int_eq(apo_integrity_gate(&model, &st, root, NULL, &why), -EBADMSG);
	ck_assert_str_eq(why, "/etc/x: missing");
	free(why);
	ck_assert_int_eq(apo_integrity_check_station(&model, &st, root, &why), -EBADMSG);
	ck_assert_str_eq(why, "www1.example.com: integrity: /etc/x: missing");
	free(why);
	/* an empty file now matches the empty digest */
	char *x = apo_xasprintf("%s/etc", root);
	mkdir(x, 0755);
	free(x);
	x = apo_xasprintf("%s/etc/x", root);
	fclose(fopen(x, "we"));
	free(x);
	ck_assert_int_eq(apo_integrity_gate(&model, &st, root, NULL, &why), 0);
	ck_assert_ptr_null(why);
	unsetenv("APOMON_LOG_DIR");
	free(logdir);
	free(path);
	free(root);
	unload();
}
END_TEST

int main(void)
{
	Suite *s = suite_create("conf-integrity");
	TCase *tc = tcase_create("settings");
	tcase_add_test(tc, defaults);
	tcase_add_test(tc, overrides);
	tcase_add_test(tc, problems);
	tcase_add_test(tc, sealed_paths);
	tcase_add_test(tc, gate);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
