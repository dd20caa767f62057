/* SPDX-License-Identifier: MIT */
/* The manifest parser: good input round-trips; every kind of bad input
 * is refused with MANIFEST:LINE: and the reason. */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "integrity/manifest.h"
#include "base/util.h"

#define H  "# apomon-manifest 1\n"
#define D1 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define D2 "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

static struct apo_manifest *parse_ok(const char *s)
{
	struct apo_manifest *m = NULL;
	char *why = NULL;
	int rc = apo_manifest_parse("M", s, strlen(s), &m, &why);
	ck_assert_msg(rc == 0, "unexpected failure: %s", why ? why : "(null)");
	ck_assert_ptr_null(why);
	return m;
}

/* Asserts the parse fails with exactly this message. */
static void parse_bad_len(const char *s, size_t len, const char *expect)
{
	struct apo_manifest *m = NULL;
	char *why = NULL;
	int rc = apo_manifest_parse("M", s, len, &m, &why);
	ck_assert_int_lt(rc, 0);
	ck_assert_ptr_null(m);
	ck_assert_ptr_nonnull(why);
	ck_assert_msg(strstr(why, expect), "got '%s', expected '%s'", why, expect);
	free(why);
}

static void parse_bad(const char *s, const char *expect)
{
	parse_bad_len(s, strlen(s), expect);
}

START_TEST(good)
{
	struct apo_manifest *m =
	    parse_ok(H "# environment: e\n\n" D2 "  /etc/z\nMISSING  /etc/a b\n" D1 "  /etc/m\n");
	ck_assert_uint_eq(m->n, 3);
	/* sorted by path */
	ck_assert_str_eq(m->entries[0].path, "/etc/a b");
	ck_assert(m->entries[0].missing);
	ck_assert_str_eq(m->entries[1].path, "/etc/m");
	ck_assert_str_eq(m->entries[2].path, "/etc/z");
	ck_assert_uint_eq(m->entries[2].digest[0], 0xe3);

	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	ck_assert_int_eq(apo_manifest_write(m, f, "e", "www1.example.com"), 0);
	fclose(f);
	ck_assert(strstr(text, "MISSING  /etc/a b\n" D1 "  /etc/m\n" D2 "  /etc/z\n"));
	struct apo_manifest *m2 = parse_ok(text);
	ck_assert_uint_eq(m2->n, 3);
	ck_assert_mem_eq(m2->entries[1].digest, m->entries[1].digest, APO_SHA256_LEN);
	apo_manifest_free(m2);
	apo_manifest_free(m);
	free(text);
}
END_TEST

START_TEST(empty_manifest_has_no_entries)
{
	struct apo_manifest *m = parse_ok(H);
	ck_assert_uint_eq(m->n, 0);
	apo_manifest_free(m);
}
END_TEST

START_TEST(bad_inputs)
{
	parse_bad("", "M:1: empty manifest");
	parse_bad(D1 "  /etc/x\n", "M:1: not an apomon manifest");
	parse_bad("# apomon-manifest 2\n", "M:1: not an apomon manifest");
	parse_bad(H D1 "  /etc/x", "M:2: truncated line");
	parse_bad(H D1 "\n", "M:2: no path after the digest");
	parse_bad(H "0123  /etc/x\n", "M:2: digest of 4 characters, expected 64");
	parse_bad(H D1 "0  /etc/x\n", "M:2: digest of 65 characters");
	parse_bad(H "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdeg  /etc/x\n",
		  "M:2: bad digest");
	parse_bad(H "0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef  /etc/x\n",
		  "M:2: bad digest");
	parse_bad(H D1 " /etc/x\n", "M:2: one space after the digest");
	parse_bad(H D1 " x/etc/x\n", "M:2: one space after the digest");
	parse_bad(H D1 "  \n", "M:2: empty path");
	parse_bad(H D1 "  etc/x\n", "M:2: relative path");
	parse_bad(H D1 "  /etc/../../x\n", "M:2: '..' path component");
	parse_bad(H D1 "  /..\n", "M:2: '..' path component");
	parse_bad(H D1 "  /etc/./x\n", "M:2: '.' path component");
	parse_bad(H D1 "  /etc//x\n", "M:2: empty path component");
	parse_bad(H D1 "  /etc/x/\n", "M:2: empty path component");
	parse_bad(H D1 "  /\n", "M:2: the root itself");
	parse_bad(H D1 "  /etc/a\\b\n", "M:2: backslash");
	parse_bad(H D1 "  /etc/a\tb\n", "M:2: control character");
	parse_bad(H D1 "  /etc/x\r\n", "M:2: carriage return");
	parse_bad(H "MISSING /etc/x\n", "M:2: digest of 7 characters");
	parse_bad(H "MISSING  \n", "M:2: empty path");
	parse_bad(H "# c\n" D1 "  /etc/x\n" D2 "  /etc/y\nMISSING  /etc/x\n",
		  "M:5: duplicate entry for /etc/x (first on line 3)");

	static const char nul[] = H D1 "  /etc/a\0b\n";
	parse_bad_len(nul, sizeof(nul) - 1, "M:2: NUL byte");

	/* a line longer than the limit, with and without a newline */
	size_t big = APO_MANIFEST_MAX_LINE + 100;
	char *s = malloc(strlen(H) + big + 2);
	strcpy(s, H D1 "  /");
	size_t l = strlen(s);
	memset(s + l, 'a', big - l);
	s[big] = '\0';
	parse_bad(s, "M:2: line longer than 4096 bytes");
	strcat(s, "\n");
	parse_bad(s, "M:2: line longer than 4096 bytes");
	free(s);
}
END_TEST

START_TEST(path_limits)
{
	/* exactly at the limit is fine */
	char *s = malloc(strlen(H) + APO_MANIFEST_MAX_LINE + 2);
	strcpy(s, H D1 "  ");
	size_t l = strlen(s);
	for (size_t i = l; i < strlen(H) + APO_MANIFEST_MAX_LINE; i++)
		s[i] = (i - l) % 100 == 0 ? '/' : 'x';
	s[strlen(H) + APO_MANIFEST_MAX_LINE] = '\n';
	s[strlen(H) + APO_MANIFEST_MAX_LINE + 1] = '\0';
	struct apo_manifest *m = parse_ok(s);
	ck_assert_uint_eq(m->n, 1);
	apo_manifest_free(m);
	free(s);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("manifest");
	TCase *tc = tcase_create("parse");
	tcase_add_test(tc, good);
	tcase_add_test(tc, empty_manifest_has_no_entries);
	tcase_add_test(tc, bad_inputs);
	tcase_add_test(tc, path_limits);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
