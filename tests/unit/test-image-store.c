/* SPDX-License-Identifier: MIT */
/*
 * The store in a private APOMON_LIB_DIR: layers of a committed image,
 * the lowerdir order, sealed paths along the chain, list, rm.  As root it
 * also checks that a commit keeps overlayfs whiteouts and opaque markers.
 */
#include "base/fs.h"
#include "config.h"

#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "image/image-store.h"
#include "base/paths.h"
#include "base/util.h"

static char tmp[] = "/tmp/apomon-test-image-store.XXXXXX";
static char *lib, *defs;
static const char *P = "1111111111111111111111111111111111111111111111111111111111111111";

static void put(const char *path, const char *content)
{
	FILE *f = fopen(path, "we");
	ck_assert_ptr_nonnull(f);
	fputs(content, f);
	fclose(f);
}

/* A built root image "p" as the build leaves it. */
static void make_parent(void)
{
	char *seal[] = {"/etc/a", "/etc/b"};
	struct apo_image_meta m = {.name = "p",
				   .digest = (char *)P,
				   .origin = "build",
				   .created = 1,
				   .seal = seal,
				   .n_seal = 2};
	char *root = apo_image_layer_dir("p", P);
	char *json = apo_xasprintf("%s/images/p/%s/image.json", lib, P);
	char *etc = apo_xasprintf("%s/etc", root);

	ck_assert_int_eq(apo_mkdir_p(etc, 0755), 0);
	ck_assert_int_eq(apo_image_meta_save(json, &m), 0);
	ck_assert_int_eq(apo_image_set_current("p", P), 0);
	free(root);
	free(json);
	free(etc);
}

static void setup(void)
{
	strcpy(tmp, "/tmp/apomon-test-image-store.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmp));
	lib = apo_xasprintf("%s/lib", tmp);
	defs = apo_xasprintf("%s/defs", tmp);
	ck_assert_int_eq(mkdir(lib, 0755), 0);
	ck_assert_int_eq(mkdir(defs, 0755), 0);
	setenv("APOMON_LIB_DIR", lib, 1);
	setenv("APOMON_IMAGES_PATH", defs, 1);
	make_parent();
}

static void teardown(void)
{
	apo_rmtree(tmp);
	free(lib);
	free(defs);
	unsetenv("APOMON_LIB_DIR");
	unsetenv("APOMON_IMAGES_PATH");
}

/* the store is closed to other host users, also one made before */
START_TEST(store_is_private)
{
	char *images = apo_xasprintf("%s/images", lib);
	struct stat st;

	ck_assert_int_eq(chmod(images, 0755), 0);
	int fd = apo_image_store_lock();
	ck_assert_int_ge(fd, 0);
	apo_image_store_unlock(fd);
	ck_assert_int_eq(stat(images, &st), 0);
	ck_assert_uint_eq(st.st_mode & 07777, 0700);
	free(images);
}
END_TEST

static char *upper_dir(void)
{
	char *up = apo_xasprintf("%s/upper", tmp);
	char *etc = apo_xasprintf("%s/etc", up);
	char *f = apo_xasprintf("%s/etc/c", up);

	ck_assert_int_eq(apo_mkdir_p(etc, 0755), 0);
	put(f, "from the station\n");
	free(etc);
	free(f);
	return up;
}

START_TEST(commit_layers_and_seal)
{
	struct apo_image_opts o = {.build = false};
	char *up = upper_dir(), *digest = NULL, **dirs = NULL, **paths = NULL;
	size_t n = 0;

	ck_assert_int_eq(apo_image_commit(up, "c", "p", &digest), 0);
	ck_assert_uint_eq(strlen(digest), APO_DIGEST_HEX);

	ck_assert_int_eq(apo_image_layers("c", &o, &dirs, &n), 0);
	ck_assert_uint_eq(n, 2);
	char *want0 = apo_image_layer_dir("p", P), *want1 = apo_image_layer_dir("c", digest);
	ck_assert_str_eq(dirs[0], want0); /* lowest first */
	ck_assert_str_eq(dirs[1], want1);
	char *lower = apo_image_lowerdir(dirs, n);
	char *want = apo_xasprintf("%s:%s", want1, want0); /* overlayfs: top first */
	ck_assert_str_eq(lower, want);
	char *copied = apo_xasprintf("%s/etc/c", dirs[1]);
	ck_assert_int_eq(access(copied, R_OK), 0);

	/* the committed layer inherits the parent's sealed paths */
	ck_assert_int_eq(apo_image_sealed_paths("c", &paths, &n), 0);
	ck_assert_uint_eq(n, 2);
	ck_assert_str_eq(paths[0], "/etc/a");
	ck_assert_str_eq(paths[1], "/etc/b");
	for (size_t i = 0; i < n; i++)
		free(paths[i]);
	free(paths);

	apo_image_layers_free(dirs, 2);
	free(want0), free(want1), free(lower), free(want), free(copied), free(digest), free(up);
}
END_TEST

START_TEST(commit_refusals)
{
	char *up = upper_dir(), *d = apo_xasprintf("%s/taken", defs), *cfg;

	ck_assert_int_eq(apo_image_commit(up, "p", "p", NULL), -EINVAL); /* onto itself */
	ck_assert_int_eq(apo_image_commit(up, "Bad Name", "p", NULL), -EINVAL);
	ck_assert_int_eq(apo_image_commit(up, "c", "nothere", NULL), -ENOENT);
	ck_assert_int_eq(apo_image_commit("/nonexistent", "c", "p", NULL), -ENOTDIR);
	/* a name with a definition belongs to the builder */
	ck_assert_int_eq(mkdir(d, 0755), 0);
	cfg = apo_xasprintf("%s/image.cfg", d);
	put(cfg, "parent = \"p\";\n");
	ck_assert_int_eq(apo_image_commit(up, "taken", "p", NULL), -EEXIST);
	/* nothing half-made stays behind */
	char *c = apo_xasprintf("%s/images/c", lib);
	ck_assert_int_ne(access(c, F_OK), 0);
	free(c), free(cfg), free(d), free(up);
}
END_TEST

START_TEST(commit_at_digest_list_rm)
{
	char *up = upper_dir(), *at = apo_xasprintf("p@%s", P);
	struct apo_image_meta **v = NULL;
	size_t n = 0;

	ck_assert_int_eq(apo_image_commit(up, "c", at, NULL), 0);
	ck_assert_int_eq(apo_image_list(&v, &n), 0);
	ck_assert_uint_eq(n, 2);
	ck_assert_str_eq(v[0]->name, "c");
	ck_assert_str_eq(v[0]->origin, "commit");
	ck_assert_str_eq(v[0]->parent, "p");
	ck_assert_str_eq(v[0]->parent_digest, P);
	ck_assert_str_eq(v[1]->name, "p");
	apo_image_meta_list_free(v, n);

	ck_assert_int_eq(apo_image_rm("p", false), -EBUSY); /* c is built on it */
	ck_assert_int_eq(apo_image_rm("c", false), 0);
	ck_assert_int_eq(apo_image_rm("c", false), -ENOENT);
	ck_assert_int_eq(apo_image_rm("p", false), 0);
	ck_assert_int_eq(apo_image_list(&v, &n), 0);
	ck_assert_uint_eq(n, 0);
	free(v);
	free(at), free(up);
}
END_TEST

START_TEST(sealed_from_definitions_when_not_built)
{
	char *d1 = apo_xasprintf("%s/q", defs), *d2 = apo_xasprintf("%s/r", defs);
	char *c1 = apo_xasprintf("%s/image.cfg", d1), *c2 = apo_xasprintf("%s/image.cfg", d2);
	char *s1 = apo_xasprintf("%s/startup.sh", d1);
	char **paths = NULL;
	size_t n = 0;

	ck_assert_int_eq(mkdir(d1, 0755), 0);
	ck_assert_int_eq(mkdir(d2, 0755), 0);
	put(c1, "seal = [\"/etc/q\", \"/etc/both\"];\n");
	put(s1, "#!/bin/sh\n");
	put(c2, "parent = \"q\";\nseal = [\"/etc/both\", \"/etc/r\"];\n");
	ck_assert_int_eq(apo_image_sealed_paths("r", &paths, &n), 0);
	ck_assert_uint_eq(n, 3);
	ck_assert_str_eq(paths[0], "/etc/q");
	ck_assert_str_eq(paths[1], "/etc/both");
	ck_assert_str_eq(paths[2], "/etc/r");
	for (size_t i = 0; i < n; i++)
		free(paths[i]);
	free(paths);
	ck_assert_int_eq(apo_image_sealed_paths("nothere", &paths, &n), -ENOENT);
	free(d1), free(d2), free(c1), free(c2), free(s1);
}
END_TEST

START_TEST(commit_keeps_overlay_markers)
{
	char *up = upper_dir(), *digest = NULL;
	char *wh = apo_xasprintf("%s/etc/gone", up), *op = apo_xasprintf("%s/opaque", up);
	struct stat st;
	char val[8] = "";

	if (geteuid() != 0)
		return; /* mknod and trusted.* need root; the rest ran above */
	ck_assert_int_eq(mknod(wh, S_IFCHR | 0, makedev(0, 0)), 0);
	ck_assert_int_eq(mkdir(op, 0755), 0);
	ck_assert_int_eq(setxattr(op, "trusted.overlay.opaque", "y", 1, 0), 0);
	ck_assert_int_eq(apo_image_commit(up, "c", "p", &digest), 0);

	char *layer = apo_image_layer_dir("c", digest);
	char *wh2 = apo_xasprintf("%s/etc/gone", layer), *op2 = apo_xasprintf("%s/opaque", layer);
	ck_assert_int_eq(lstat(wh2, &st), 0);
	ck_assert(S_ISCHR(st.st_mode) && st.st_rdev == makedev(0, 0));
	ck_assert_int_eq(getxattr(op2, "trusted.overlay.opaque", val, sizeof(val)), 1);
	ck_assert_int_eq(val[0], 'y');
	free(layer), free(wh2), free(op2), free(wh), free(op), free(up), free(digest);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("image-store");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, commit_layers_and_seal);
	tcase_add_test(tc, commit_refusals);
	tcase_add_test(tc, commit_at_digest_list_rm);
	tcase_add_test(tc, sealed_from_definitions_when_not_built);
	tcase_add_test(tc, commit_keeps_overlay_markers);
	tcase_add_test(tc, store_is_private);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
