/* SPDX-License-Identifier: MIT */
/* Image references spelled as containers-transports(5) spells them. */
#include "config.h"

#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/image-ref.h"
#include "base/util.h"

static void ok(const char *s, struct apo_image_ref *r)
{
	char *err = NULL;
	int rc = apo_image_ref_parse(s, r, &err);
	ck_assert_msg(rc == 0, "%s: %s", s, err ? err : "?");
	ck_assert_ptr_null(err);
}

static char *bad(const char *s)
{
	struct apo_image_ref r;
	char *err = NULL;
	ck_assert_int_eq(apo_image_ref_parse(s, &r, &err), -EINVAL);
	ck_assert_ptr_nonnull(err);
	ck_assert_ptr_null(strchr(err, '\n'));
	ck_assert_ptr_null(r.path);
	ck_assert_ptr_null(r.registry);
	return err;
}

START_TEST(local_names_unchanged)
{
	struct apo_image_ref r;
	ok("base", &r);
	ck_assert_int_eq(r.kind, APO_REF_LOCAL);
	ck_assert_str_eq(r.name, "base");
	ck_assert(!apo_image_ref_is_foreign("tomcat-10"));
	apo_image_ref_clear(&r);
}
END_TEST

START_TEST(docker_refs)
{
	struct apo_image_ref r;
	ok("docker://127.0.0.1:5000/web/app:v1.2", &r);
	ck_assert_int_eq(r.kind, APO_REF_DOCKER);
	ck_assert_str_eq(r.registry, "127.0.0.1:5000");
	ck_assert_str_eq(r.repository, "web/app");
	ck_assert_str_eq(r.tag, "v1.2");
	ck_assert_ptr_null(r.digest);
	apo_image_ref_clear(&r);

	ok("docker://localhost/app", &r);
	ck_assert_str_eq(r.tag, "latest");
	apo_image_ref_clear(&r);

	ok("docker://reg.example.com/a_b/c--d@sha256:"
	   "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
	   &r);
	ck_assert_str_eq(r.registry, "reg.example.com");
	ck_assert_str_eq(r.repository, "a_b/c--d");
	ck_assert_ptr_null(r.tag);
	ck_assert_str_eq(r.digest,
			 "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");
	apo_image_ref_clear(&r);

	ok("docker://[::1]:5000/x:t", &r);
	ck_assert_str_eq(r.registry, "[::1]:5000");
	apo_image_ref_clear(&r);
}
END_TEST

START_TEST(docker_refs_bad)
{
	free(bad("docker://app:1"));
	char *e = bad("docker://library/app:1");
	ck_assert_ptr_nonnull(strstr(e, "registry"));
	free(e);
	free(bad("docker://reg.example.com/App:1"));
	free(bad("docker://reg.example.com/app:-x"));
	free(bad("docker://reg.example.com/app@sha256:1234"));
	free(bad("docker://reg.example.com:99999/app"));
	free(bad("docker://reg.example.com/"));
	free(bad("docker://reg.example.com/a//b"));
	free(bad("docker://"));
}
END_TEST

START_TEST(paths)
{
	struct apo_image_ref r;
	ok("oci:/srv/layout", &r);
	ck_assert_int_eq(r.kind, APO_REF_OCI);
	ck_assert_str_eq(r.path, "/srv/layout");
	ck_assert_ptr_null(r.tag);
	apo_image_ref_clear(&r);

	/* the path ends at the first ':' */
	ok("oci-archive:web.tar:v1:x", &r);
	ck_assert_int_eq(r.kind, APO_REF_OCI_ARCHIVE);
	ck_assert_str_eq(r.path, "web.tar");
	ck_assert_str_eq(r.tag, "v1:x");
	apo_image_ref_clear(&r);

	ok("docker-archive:/tmp/s.tar:reg.example.com/web:1", &r);
	ck_assert_int_eq(r.kind, APO_REF_DOCKER_ARCHIVE);
	ck_assert_str_eq(r.path, "/tmp/s.tar");
	ck_assert_str_eq(r.tag, "reg.example.com/web:1");
	apo_image_ref_clear(&r);

	ok("docker-archive:s.tar:@1", &r);
	ck_assert_str_eq(r.tag, "@1");
	apo_image_ref_clear(&r);

	ok("dockerfile:apps/web", &r);
	ck_assert_int_eq(r.kind, APO_REF_DOCKERFILE);
	ck_assert_str_eq(r.path, "apps/web");
	apo_image_ref_clear(&r);
}
END_TEST

START_TEST(paths_bad)
{
	char *e = bad("oci:");
	ck_assert_ptr_nonnull(strstr(e, "directory"));
	free(e);
	free(bad("oci-archive::v1"));
	free(bad("oci:dir:"));
	free(bad("oci:dir:a/b"));
	free(bad("docker-archive:f.tar:@x"));
	free(bad("dockerfile:a:b"));
	e = bad("podman:x");
	ck_assert_ptr_nonnull(strstr(e, "unknown transport 'podman:'"));
	free(e);
}
END_TEST

START_TEST(store_names)
{
	char *a = apo_image_ref_store_name("oci-archive:/tmp/Web.tar:v1");
	char *b = apo_image_ref_store_name("oci-archive:/tmp/x/Web.tar:v1");
	ck_assert_str_ne(a, b);
	ck_assert_int_eq(strncmp(a, "oci-web.tar-v1-", 15), 0);
	ck_assert_uint_le(strlen(a), 64);
	free(a);
	free(b);
	char long_ref[300];
	memset(long_ref, 'a', sizeof(long_ref));
	memcpy(long_ref, "oci:", 4);
	long_ref[sizeof(long_ref) - 1] = '\0';
	a = apo_image_ref_store_name(long_ref);
	ck_assert_uint_le(strlen(a), 64);
	free(a);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("image-ref");
	TCase *tc = tcase_create("parse");
	tcase_add_test(tc, local_names_unchanged);
	tcase_add_test(tc, docker_refs);
	tcase_add_test(tc, docker_refs_bad);
	tcase_add_test(tc, paths);
	tcase_add_test(tc, paths_bad);
	tcase_add_test(tc, store_names);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
