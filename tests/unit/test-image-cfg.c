/* SPDX-License-Identifier: MIT */
/* image.cfg parsing, the definition search path and the layer digest. */
#include "base/fs.h"
#include "config.h"

#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/diag.h"
#include "image/image-cfg.h"
#include "image/image-digest.h"
#include "image/image-store.h"
#include "base/util.h"

static char tmp[] = "/tmp/apomon-test-image-cfg.XXXXXX";

static void put(const char *rel, const char *content)
{
	char *p = apo_xasprintf("%s/%s", tmp, rel);
	char *slash = strrchr(p, '/');
	*slash = '\0';
	char *cmd = apo_xasprintf("mkdir -p '%s'", p);
	ck_assert_int_eq(system(cmd), 0);
	*slash = '/';
	FILE *f = fopen(p, "we");
	ck_assert_ptr_nonnull(f);
	fputs(content, f);
	fclose(f);
	free(cmd);
	free(p);
}

static void setup(void)
{
	strcpy(tmp, "/tmp/apomon-test-image-cfg.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmp));
}

static void teardown(void)
{
	apo_rmtree(tmp);
}

static struct apo_image_def *load(const char *name, struct apo_diag *d, int *rc)
{
	struct apo_image_def *def = NULL;
	char *dir = apo_xasprintf("%s/%s", tmp, name);
	apo_diag_init(d);
	*rc = apo_image_def_load(name, dir, &def, d);
	free(dir);
	return def;
}

/* "FILE:LINE: PATH: message" of problem i, without the directory. */
static const char *problem(struct apo_diag *d, size_t i, char *buf, size_t len)
{
	char *s = apo_problem_format(&d->problems[i]);
	const char *base = strstr(s, "image.cfg");
	snprintf(buf, len, "%s", base ? base : s);
	free(s);
	return buf;
}

START_TEST(root_image)
{
	struct apo_diag d;
	int rc;

	put("base/image.cfg", "packages = [\"openssh-server\", \"curl\"];\n"
			      "seal = [\"/etc/ssh/sshd_config\"];\n"
			      "run = [\"useradd 3pg\"];\n");
	put("base/startup.sh", "#!/bin/sh\n");
	put("base/files/etc/motd", "hi\n");
	struct apo_image_def *def = load("base", &d, &rc);
	ck_assert_int_eq(rc, 0);
	ck_assert_uint_eq(d.n, 0);
	ck_assert_ptr_null(def->parent);
	ck_assert_uint_eq(def->n_packages, 2);
	ck_assert_str_eq(def->packages[1], "curl");
	ck_assert_uint_eq(def->n_seal, 1);
	ck_assert_uint_eq(def->n_run, 1);
	ck_assert_str_eq(def->suite, "bookworm");
	ck_assert_ptr_null(def->mirror);
	ck_assert(apo_str_has_suffix(def->files, "/base/files"));
	ck_assert(apo_str_has_suffix(def->startup, "/base/startup.sh"));
	apo_image_def_free(def);
	apo_diag_clear(&d);
}
END_TEST

START_TEST(child_image)
{
	struct apo_diag d;
	int rc;

	put("web/image.cfg", "parent = \"base\";\npackages = [\"nginx-light\"];\n");
	struct apo_image_def *def = load("web", &d, &rc);
	ck_assert_int_eq(rc, 0);
	ck_assert_str_eq(def->parent, "base");
	ck_assert_ptr_null(def->files);
	ck_assert_ptr_null(def->startup);
	ck_assert_ptr_null(def->suite);
	apo_image_def_free(def);
	apo_diag_clear(&d);
}
END_TEST

START_TEST(every_problem_with_its_line)
{
	struct apo_diag d;
	char buf[512];
	int rc;

	put("bad/image.cfg", "parent = \"bad\";\n"
			     "packages = [\"ok\", \"No Such\"];\n"
			     "seal = [\"relative/path\"];\n"
			     "files = \"nowhere\";\n"
			     "colour = \"blue\";\n"
			     "suite = \"trixie\";\n"
			     "run = \"not a list\";\n");
	struct apo_image_def *def = load("bad", &d, &rc);
	ck_assert_int_eq(rc, -EINVAL);
	ck_assert_ptr_null(def);
	FILE *null = fopen("/dev/null", "we");
	apo_diag_print(&d, null);
	fclose(null);
	ck_assert_uint_eq(d.n, 7);
	ck_assert_str_eq(problem(&d, 0, buf, sizeof(buf)),
			 "image.cfg:1: parent: names the image itself, expected its parent");
	ck_assert_str_eq(problem(&d, 1, buf, sizeof(buf)),
			 "image.cfg:2: packages[1]: 'No Such' is not a Debian package name, "
			 "expected e.g. \"openssh-server\"");
	ck_assert(
	    strstr(problem(&d, 2, buf, sizeof(buf)), "image.cfg:3: seal[0]: 'relative/path'"));
	ck_assert(strstr(problem(&d, 3, buf, sizeof(buf)), "image.cfg:4: files: "));
	ck_assert(strstr(problem(&d, 4, buf, sizeof(buf)), "image.cfg:5: colour: unknown setting"));
	ck_assert(
	    strstr(problem(&d, 5, buf, sizeof(buf)), "image.cfg:6: suite: only a root image"));
	ck_assert(strstr(problem(&d, 6, buf, sizeof(buf)), "image.cfg:7: run: is not a list"));
	apo_diag_clear(&d);
}
END_TEST

START_TEST(syntax_error_and_missing_startup)
{
	struct apo_diag d;
	char buf[512];
	int rc;

	put("syn/image.cfg", "parent = \"base\";\npackages = [;\n");
	ck_assert_ptr_null(load("syn", &d, &rc));
	ck_assert_int_eq(rc, -EINVAL);
	ck_assert_uint_eq(d.n, 1);
	ck_assert(strstr(problem(&d, 0, buf, sizeof(buf)), "image.cfg:2: syntax error"));
	apo_diag_clear(&d);

	put("root/image.cfg", "packages = [];\n");
	ck_assert_ptr_null(load("root", &d, &rc));
	ck_assert_uint_eq(d.n, 1);
	ck_assert(strstr(problem(&d, 0, buf, sizeof(buf)), "startup: a root image"));
	apo_diag_clear(&d);
	/* no startup.sh but on-demand services: its stations' init alone */
	put("idle/image.cfg", "packages = [];\n");
	put("idle/files/apomon/inetd.conf", "22 /usr/sbin/sshd -i\n");
	struct apo_image_def *idle = load("idle", &d, &rc);
	ck_assert_ptr_nonnull(idle);
	ck_assert_ptr_null(idle->startup);
	ck_assert_uint_eq(d.n, 0);
	apo_image_def_free(idle);
	apo_diag_clear(&d);

	ck_assert_ptr_null(load("Bad Name", &d, &rc));
	ck_assert_int_eq(rc, -EINVAL);
	apo_diag_clear(&d);
}
END_TEST

START_TEST(search_path)
{
	char *a = apo_xasprintf("%s/a", tmp), *b = apo_xasprintf("%s/b", tmp);
	char *dirs[] = {a};
	char *env = apo_xasprintf("%s:%s", b, "/nonexistent");

	put("a/one/image.cfg", "parent = \"x\";\n");
	put("b/one/image.cfg", "parent = \"x\";\n");
	put("b/two/image.cfg", "parent = \"x\";\n");
	setenv("APOMON_IMAGES_PATH", env, 1);
	char **s = apo_image_search_path(dirs, 1);
	ck_assert_str_eq(s[0], a);
	ck_assert_str_eq(s[1], b);
	ck_assert_str_eq(s[2], "/nonexistent");
	ck_assert_str_eq(s[3], APO_IMAGESDIR);
	ck_assert_ptr_null(s[4]);
	char *one = apo_image_def_find(s, "one"), *two = apo_image_def_find(s, "two");
	char *want_one = apo_xasprintf("%s/one", a), *want_two = apo_xasprintf("%s/two", b);
	ck_assert_str_eq(one, want_one);
	ck_assert_str_eq(two, want_two);
	ck_assert_ptr_null(apo_image_def_find(s, "three"));
	ck_assert_ptr_null(apo_image_def_find(s, "../a/one"));
	unsetenv("APOMON_IMAGES_PATH");
	free(one), free(two), free(want_one), free(want_two), free(env), free(a), free(b);
	apo_strv_free(s);
}
END_TEST

static void digest_of(const char *name, const char *parent, char *out)
{
	struct apo_diag d;
	int rc;
	struct apo_image_def *def = load(name, &d, &rc);
	ck_assert_int_eq(rc, 0);
	ck_assert_int_eq(apo_image_digest(def, parent, out), 0);
	ck_assert_uint_eq(strlen(out), APO_DIGEST_HEX);
	apo_image_def_free(def);
	apo_diag_clear(&d);
}

START_TEST(digest_follows_content)
{
	char d0[65], d1[65], d2[65], d3[65], d4[65], d5[65], d6[65];
	char *f = apo_xasprintf("%s/img/files/etc/x", tmp);
	char *cmd;

	put("img/image.cfg", "parent = \"base\";\n");
	put("img/files/etc/x", "one\n");
	put("img/startup.sh", "#!/bin/sh\n");
	digest_of("img", "aa", d0);
	digest_of("img", "aa", d1);
	ck_assert_str_eq(d0, d1); /* stable */
	digest_of("img", "bb", d2);
	ck_assert_str_ne(d0, d2); /* the parent's digest counts */
	put("img/files/etc/x", "two\n");
	digest_of("img", "aa", d3);
	ck_assert_str_ne(d0, d3); /* a file's content counts */
	chmod(f, 0600);
	digest_of("img", "aa", d4);
	ck_assert_str_ne(d3, d4); /* its mode too */
	cmd = apo_xasprintf("touch -d 2001-01-01 '%s'", f);
	ck_assert_int_eq(system(cmd), 0);
	digest_of("img", "aa", d5);
	ck_assert_str_eq(d4, d5); /* not its time */
	put("img/files/etc/y", "");
	digest_of("img", "aa", d6);
	ck_assert_str_ne(d5, d6); /* a new empty file counts */
	put("img/startup.sh", "#!/bin/sh\nexit 0\n");
	digest_of("img", "aa", d0);
	ck_assert_str_ne(d0, d6); /* startup.sh counts */
	free(cmd);
	free(f);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("image-cfg");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, root_image);
	tcase_add_test(tc, child_image);
	tcase_add_test(tc, every_problem_with_its_line);
	tcase_add_test(tc, syntax_error_and_missing_startup);
	tcase_add_test(tc, search_path);
	tcase_add_test(tc, digest_follows_content);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
