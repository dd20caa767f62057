/* SPDX-License-Identifier: MIT */
/* The default mirror, read from apt's configuration (one-line and deb822). */
#include "base/fs.h"
#include "config.h"

#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "image/image-store.h"
#include "image/mirror.h"
#include "base/paths.h"
#include "base/util.h"

static char root[] = "/tmp/apomon-test-mirror.XXXXXX";

static void put(const char *rel, const char *content)
{
	char *p = apo_xasprintf("%s/etc/apt/%s", root, rel);
	FILE *f = fopen(p, "we");
	ck_assert_ptr_nonnull(f);
	fputs(content, f);
	fclose(f);
	free(p);
}

static void setup(void)
{
	strcpy(root, "/tmp/apomon-test-mirror.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(root));
	char *d = apo_xasprintf("%s/etc/apt/sources.list.d", root);
	ck_assert_int_eq(apo_mkdir_p(d, 0755), 0);
	free(d);
	unsetenv("APOMON_MIRROR");
}

static void teardown(void)
{
	apo_rmtree(root);
}

static char *pick(const char *suite)
{
	char *uri = NULL;
	int rc = apo_mirror_default(root, suite, &uri);
	ck_assert(rc == 0 || rc == -ENOENT);
	return uri;
}

START_TEST(one_line_format)
{
	put("sources.list", "# deb http://commented.invalid/debian bookworm main\n"
			    "deb-src http://src.invalid/debian bookworm main\n"
			    "deb http://security.invalid/debian-security bookworm-security main\n"
			    "deb [arch=amd64 signed-by=/k.gpg] http://one.invalid/debian bookworm "
			    "main contrib\n"
			    "deb http://two.invalid/debian bookworm main\n");
	char *u = pick("bookworm");
	ck_assert_str_eq(u, "http://one.invalid/debian");
	free(u);
}
END_TEST

START_TEST(deb822_format)
{
	/* the host's layout: no sources.list, a .sources file, disabled parts */
	put("sources.list.d/a.sources",
	    "Types: deb\n"
	    "URIs: http://off.invalid/debian\n"
	    "Suites: bookworm\n"
	    "Components: main\n"
	    "Enabled: no\n"
	    "\n"
	    "Types: deb-src deb\n"
	    "# a comment inside a stanza\n"
	    "URIs: http://deb822.invalid/debian\n"
	    "Suites: bookworm bookworm-updates\n"
	    "Components: main\n"
	    "Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg\n"
	    "\n"
	    "Types: deb\n"
	    "URIs: http://deb822.invalid/debian-security\n"
	    "Suites: bookworm-security\n"
	    "Components: main\n");
	put("sources.list.d/b.list.disabled", "deb http://disabled.invalid/debian bookworm main\n");
	put("sources.list.d/c.sources", "Types: deb\n"
					"URIs: https://nodesource.invalid/node_20.x\n"
					"Suites: nodistro\n"
					"Components: main\n");
	char *u = pick("bookworm");
	ck_assert_str_eq(u, "http://deb822.invalid/debian");
	free(u);
}
END_TEST

START_TEST(suite_match_wins_and_order)
{
	put("sources.list", "deb http://old.invalid/debian bullseye main\n");
	put("sources.list.d/z.list", "deb http://new.invalid/debian bookworm main\n");
	char *u = pick("bookworm");
	ck_assert_str_eq(u, "http://new.invalid/debian"); /* names the suite asked for */
	free(u);
	u = pick("trixie");
	ck_assert_str_eq(u, "http://old.invalid/debian"); /* else the first release suite */
	free(u);
}
END_TEST

START_TEST(env_overrides_and_none)
{
	char *u = pick("bookworm");
	ck_assert_ptr_null(u);
	put("sources.list", "deb http://only-contrib.invalid/debian bookworm contrib\n"
			    "deb cdrom:[Debian]/ bookworm main\n");
	ck_assert_ptr_null(pick("bookworm"));
	setenv("APOMON_MIRROR", "http://env.invalid/debian", 1);
	u = pick("bookworm");
	ck_assert_str_eq(u, "http://env.invalid/debian");
	free(u);
	unsetenv("APOMON_MIRROR");
}
END_TEST

int main(void)
{
	Suite *s = suite_create("mirror");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, one_line_format);
	tcase_add_test(tc, deb822_format);
	tcase_add_test(tc, suite_match_wins_and_order);
	tcase_add_test(tc, env_overrides_and_none);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
