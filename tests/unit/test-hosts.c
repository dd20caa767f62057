/* SPDX-License-Identifier: MIT */
/* The /etc/hosts block: added, replaced, removed, the rest untouched;
 * apo_hosts_update on a real file under a lock. */
#include "config.h"

#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "net/hostsfile.h"
#include "base/util.h"

static const char *base = "127.0.0.1 localhost\n# a comment\n::1 ip6-localhost\n";

START_TEST(adds_replaces_removes)
{
	char *a = apo_hosts_splice(base, "example", "127.0.0.1 www.example.com\n");
	ck_assert_ptr_nonnull(strstr(a, base));
	ck_assert_ptr_nonnull(strstr(a, "# BEGIN apomon example"));
	ck_assert_ptr_nonnull(strstr(a, "\n127.0.0.1 www.example.com\n# END apomon example\n"));
	/* replacing keeps one block */
	char *b = apo_hosts_splice(a, "example", "10.1.0.11 www1.example.com\n");
	ck_assert_ptr_null(strstr(b, "www.example.com"));
	ck_assert_ptr_nonnull(strstr(b, "www1.example.com"));
	/* exactly one BEGIN */
	char *first = strstr(b, "# BEGIN");
	ck_assert_ptr_null(strstr(first + 1, "# BEGIN"));
	/* another environment's block is not touched */
	char *c = apo_hosts_splice(b, "other", "10.9.0.1 x.other.test\n");
	char *d = apo_hosts_splice(c, "example", NULL);
	ck_assert_ptr_nonnull(strstr(d, "x.other.test"));
	ck_assert_ptr_null(strstr(d, "www1.example.com"));
	char *e = apo_hosts_splice(d, "other", NULL);
	ck_assert_str_eq(e, base);
	/* a file without a final newline keeps its last line */
	char *f = apo_hosts_splice("1.2.3.4 a", "example", NULL);
	ck_assert_str_eq(f, "1.2.3.4 a\n");
	free(a), free(b), free(c), free(d), free(e), free(f);
}
END_TEST

START_TEST(update_file)
{
	char dir[] = "/tmp/apomon-test-hosts.XXXXXX";
	ck_assert_ptr_nonnull(mkdtemp(dir));
	char *path = apo_xasprintf("%s/hosts", dir);
	setenv("APOMON_RUN_DIR", dir, 1);
	FILE *f = fopen(path, "we");
	fputs(base, f);
	fclose(f);
	chmod(path, 0644);
	ck_assert_int_eq(apo_hosts_update(path, "example", "127.0.0.1 www.example.com\n"), 0);
	ck_assert_int_eq(apo_hosts_update(path, "example", "127.0.0.1 www.example.com\n"), 0);
	char buf[4096] = "";
	f = fopen(path, "re");
	fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	ck_assert_ptr_nonnull(strstr(buf, "127.0.0.1 www.example.com\n# END apomon example\n"));
	struct stat st;
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_uint_eq(st.st_mode & 0777, 0644);
	ck_assert_int_eq(apo_hosts_update(path, "example", NULL), 0);
	memset(buf, 0, sizeof(buf));
	f = fopen(path, "re");
	fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	ck_assert_str_eq(buf, base);
	char *cmd = apo_xasprintf("rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
	free(cmd);
	free(path);
}
END_TEST

/* a BEGIN without its END: refused, and not one byte of the file lost */
START_TEST(unterminated_block)
{
	const char *text = "127.0.0.1 localhost\n# BEGIN apomon example\n10.0.0.1 old\n"
			   "192.168.1.5 nas\n::1 ip6-localhost\n";
	ck_assert_ptr_null(apo_hosts_splice(text, "example", NULL));
	ck_assert_ptr_null(apo_hosts_splice(text, "example", "127.0.0.1 www.example.com\n"));
	/* another environment's block is no business of ours */
	char *o = apo_hosts_splice(text, "other", NULL);
	ck_assert_str_eq(o, text);
	free(o);

	char dir[] = "/tmp/apomon-test-hosts.XXXXXX";
	ck_assert_ptr_nonnull(mkdtemp(dir));
	char *path = apo_xasprintf("%s/hosts", dir);
	FILE *f = fopen(path, "we");
	fputs(text, f);
	fclose(f);
	ck_assert_int_eq(apo_hosts_update(path, "example", NULL), -EBADMSG);
	ck_assert_int_eq(apo_hosts_update(path, "example", "127.0.0.1 www.example.com\n"),
			 -EBADMSG);
	ck_assert_uint_eq(apo_hosts_unterminated_line(path, "example"), 2);
	ck_assert_uint_eq(apo_hosts_unterminated_line(path, "other"), 0);
	char buf[4096] = "";
	f = fopen(path, "re");
	fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	ck_assert_str_eq(buf, text);
	char *cmd = apo_xasprintf("rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
	free(cmd);
	free(path);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("hosts");
	TCase *tc = tcase_create("hosts");
	tcase_add_test(tc, adds_replaces_removes);
	tcase_add_test(tc, update_file);
	tcase_add_test(tc, unterminated_block);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
