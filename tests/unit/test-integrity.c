/* SPDX-License-Identifier: MIT */
/* The integrity gate on real directory trees: seal, then tamper in each
 * way a station's files can go wrong, and check what the gate says and
 * what it logs.  Signatures with real Ed25519 keys. */
#include "config.h"

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "integrity/integrity.h"
#include "integrity/manifest.h"
#include "integrity/signature.h"
#include "base/util.h"

static char tmp[] = "/tmp/apomon-int-unit-XXXXXX";
static char root[4200], manifest[4200], logpath[4200];

static void put(const char *rel, const char *content)
{
	char p[4300];
	snprintf(p, sizeof(p), "%s/%s", root, rel);
	FILE *f = fopen(p, "we");
	ck_assert_ptr_nonnull(f);
	fputs(content, f);
	fclose(f);
}

static char *slurp(const char *path)
{
	struct apo_buf b;
	char *why = NULL;
	if (apo_fetch(path, NULL, &b, &why) < 0) {
		free(why);
		return apo_xstrdup("");
	}
	return b.data;
}

static void write_file(const char *path, const char *s, size_t n)
{
	FILE *f = fopen(path, "we");
	ck_assert_ptr_nonnull(f);
	fwrite(s, 1, n, f);
	fclose(f);
}

static int rm_cb(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
	return remove(p);
}

static void setup(void)
{
	char p[4300];
	ck_assert_ptr_nonnull(mkdtemp(tmp));
	snprintf(root, sizeof(root), "%s/root", tmp);
	snprintf(manifest, sizeof(manifest), "%s/www1.manifest", tmp);
	snprintf(logpath, sizeof(logpath), "%s/integrity.log", tmp);
	mkdir(root, 0755);
	snprintf(p, sizeof(p), "%s/etc", root);
	mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/etc/conf.d", root);
	mkdir(p, 0755);
	put("etc/a.conf", "alpha\n");
	put("etc/b.conf", "bravo\n");
	put("etc/conf.d/c.conf", "charlie\n");
	/* a symlink that stays inside the root is followed, inside the root */
	snprintf(p, sizeof(p), "%s/etc/link.conf", root);
	ck_assert_int_eq(symlink("/etc/a.conf", p), 0);
}

static void teardown(void)
{
	nftw(tmp, rm_cb, 16, FTW_DEPTH | FTW_PHYS);
	strcpy(tmp, "/tmp/apomon-int-unit-XXXXXX");
}

static void seal(void)
{
	char *paths[] = {"/etc/a.conf", "/etc//b.conf", "/etc/conf.d/", "/etc/link.conf",
			 "/etc/absent.conf"};
	struct apo_manifest *m = NULL;
	char *why = NULL;
	int rc = apo_integrity_seal(root, paths, APO_ARRAY_SIZE(paths), 2, &m, &why);
	ck_assert_msg(rc == 0, "seal: %s", why);
	ck_assert_uint_eq(m->n, 5);
	ck_assert_str_eq(m->entries[0].path, "/etc/a.conf");
	ck_assert_str_eq(m->entries[1].path, "/etc/absent.conf");
	ck_assert(m->entries[1].missing);
	ck_assert_str_eq(m->entries[3].path, "/etc/conf.d/c.conf");
	/* the link hashes like its target */
	ck_assert_mem_eq(m->entries[0].digest, m->entries[4].digest, APO_SHA256_LEN);
	FILE *f = fopen(manifest, "we");
	ck_assert_int_eq(apo_manifest_write(m, f, "unit", "www1.example.com"), 0);
	fclose(f);
	apo_manifest_free(m);
}

static int check(char **why)
{
	struct apo_integrity_opts o = {.env = "unit", .manifest = manifest, .log_file = logpath};
	return apo_integrity_check(&o, "www1.example.com", root, why);
}

START_TEST(untouched_passes)
{
	char *why = NULL;
	seal();
	ck_assert_int_eq(check(&why), 0);
	ck_assert_ptr_null(why);
	char *log = slurp(logpath);
	ck_assert_str_eq(log, "");
	free(log);
}
END_TEST

START_TEST(every_bad_file_is_reported_and_logged)
{
	char *why = NULL, p[4300];
	seal();
	put("etc/a.conf", "tampered\n"); /* changed (and the link with it) */
	snprintf(p, sizeof(p), "%s/etc/b.conf", root);
	unlink(p);			     /* missing */
	put("etc/absent.conf", "planted\n"); /* was missing when sealed */
	snprintf(p, sizeof(p), "%s/etc/conf.d/c.conf", root);
	chmod(p, 0); /* unreadable, unless root */
	ck_assert_int_eq(check(&why), -EBADMSG);
	ck_assert_str_eq(why,
			 geteuid() == 0
			     ? "www1.example.com: integrity: /etc/a.conf: digest mismatch; "
			       "/etc/absent.conf: exists; /etc/b.conf: missing; "
			       "/etc/link.conf: digest mismatch"
			     : "www1.example.com: integrity: /etc/a.conf: digest mismatch; "
			       "/etc/absent.conf: exists; /etc/b.conf: missing; "
			       "/etc/conf.d/c.conf: unreadable; /etc/link.conf: digest mismatch");
	free(why);

	char *log = slurp(logpath);
	/* one line a bad file: time, station, path, expected, actual */
	ck_assert_msg(strstr(log, "\twww1.example.com\t/etc/b.conf\t"), "%s", log);
	ck_assert(strstr(log, "\t/etc/b.conf\t") && strstr(log, "\tmissing\n"));
	ck_assert(strstr(log, "\t/etc/absent.conf\tmissing\t"));
	int lines = 0;
	for (char *c = log; *c; c++)
		lines += *c == '\n';
	ck_assert_int_eq(lines, geteuid() == 0 ? 4 : 5);
	ck_assert(log[0] == '2' && log[10] == 'T'); /* ISO-8601 */
	free(log);
}
END_TEST

START_TEST(extra_line_for_absent_file)
{
	char *why = NULL;
	seal();
	char *text = slurp(manifest);
	char *more =
	    apo_xasprintf("%s%s  /etc/never.conf\n", text,
			  "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");
	write_file(manifest, more, strlen(more));
	ck_assert_int_eq(check(&why), -EBADMSG);
	ck_assert_str_eq(why, "www1.example.com: integrity: /etc/never.conf: missing");
	free(why);
	free(text);
	free(more);
}
END_TEST

/* The check before render (only_in: a station's writable layer): only
 * the entries present there are checked; a file the render would write
 * anew is caught there when the station had changed it. */
START_TEST(only_in_checks_what_the_layer_holds)
{
	struct apo_integrity_opts o = {.env = "unit", .manifest = manifest, .log_file = logpath};
	char upper[4300], p[4400];
	seal();
	snprintf(upper, sizeof(upper), "%s/upper", tmp);
	/* not rendered yet: the layer does not exist, nothing to check,
	 * even though b.conf differs (the render will write it) */
	put("etc/b.conf", "not rendered yet\n");
	struct apo_integrity_station st = {
	    .o = &o, .fqdn = "www1.example.com", .root = root, .only_in = upper};
	ck_assert_int_eq(apo_integrity_check_many(&st, 1, 0), 0);
	ck_assert_uint_eq(st.n_checked, 0);
	apo_integrity_station_clear(&st);
	/* the layer holds a.conf, as sealed: checked, passes */
	mkdir(upper, 0755);
	snprintf(p, sizeof(p), "%s/etc", upper);
	mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/etc/a.conf", upper);
	write_file(p, "x", 1);
	st = (struct apo_integrity_station){
	    .o = &o, .fqdn = "www1.example.com", .root = root, .only_in = upper};
	ck_assert_int_eq(apo_integrity_check_many(&st, 1, 0), 0);
	ck_assert_uint_eq(st.n_checked, 1);
	apo_integrity_station_clear(&st);
	/* ... and edited (through the root, as the station sees it): refused */
	put("etc/a.conf", "edited inside\n");
	st = (struct apo_integrity_station){
	    .o = &o, .fqdn = "www1.example.com", .root = root, .only_in = upper};
	ck_assert_int_eq(apo_integrity_check_many(&st, 1, 0), -EBADMSG);
	ck_assert_uint_eq(st.n_bad, 1);
	ck_assert_str_eq(st.bad[0].path, "/etc/a.conf");
	apo_integrity_station_clear(&st);
}
END_TEST

START_TEST(symlink_never_leaves_the_root)
{
	char *why = NULL, p[4300], outside[4300];
	seal();
	/* replace a sealed file by a symlink out of the root to a file with
	 * the same content: resolved inside the root it does not exist */
	snprintf(outside, sizeof(outside), "%s/outside", tmp);
	write_file(outside, "bravo\n", 6);
	snprintf(p, sizeof(p), "%s/etc/b.conf", root);
	unlink(p);
	ck_assert_int_eq(symlink("../../outside", p), 0);
	ck_assert_int_eq(check(&why), -EBADMSG);
	ck_assert_str_eq(why, "www1.example.com: integrity: /etc/b.conf: missing");
	free(why);
}
END_TEST

START_TEST(bad_manifest_refuses)
{
	char *why = NULL;
	write_file(manifest, "# apomon-manifest 1\nxyz  /etc/a.conf\n", 37);
	ck_assert_int_lt(check(&why), 0);
	ck_assert_msg(strstr(why, "www1.example.com: integrity: ") &&
			  strstr(why, "www1.manifest:2: digest of 3 characters"),
		      "%s", why);
	free(why);
	unlink(manifest);
	ck_assert_int_eq(check(&why), -ENOENT);
	ck_assert_msg(strstr(why, "www1.manifest: No such file or directory"), "%s", why);
	free(why);
}
END_TEST

START_TEST(never_sealed)
{
	struct apo_integrity_opts o = {
	    .env = "unit", .manifest = manifest, .log_file = logpath, .optional = true};
	struct apo_integrity_station st = {.o = &o, .fqdn = "www1.example.com", .root = root};
	char *why = NULL;

	/* optional: no manifest at all passes, and says so */
	ck_assert_int_eq(apo_integrity_check_many(&st, 1, 1), 0);
	ck_assert(st.unsealed);
	char *sum = apo_integrity_summary(&st);
	ck_assert_msg(strstr(sum, "www1.example.com: integrity: not sealed"), "%s", sum);
	free(sum);
	apo_integrity_station_clear(&st);
	/* but a manifest that exists is checked, and a key makes it required */
	seal();
	put("etc/a.conf", "changed\n");
	ck_assert_int_eq(apo_integrity_check(&o, "www1.example.com", root, &why), -EBADMSG);
	free(why);
	unlink(manifest);
	o.public_key = "/nonexistent.pub";
	ck_assert_int_eq(apo_integrity_check(&o, "www1.example.com", root, &why), -ENOENT);
	free(why);
}
END_TEST

START_TEST(parallel_stations)
{
	struct apo_integrity_opts o = {.env = "unit", .manifest = manifest, .log_file = logpath};
	struct apo_integrity_station st[3] = {
	    {.o = &o, .fqdn = "a.example.com", .root = root},
	    {.o = &o, .fqdn = "b.example.com", .root = root},
	    {.o = &o, .fqdn = "c.example.com", .root = "/nonexistent-apomon"},
	};
	seal();
	ck_assert_int_lt(apo_integrity_check_many(st, 3, 2), 0);
	ck_assert_int_eq(st[0].rc, 0);
	ck_assert_uint_eq(st[0].n_checked, 5);
	ck_assert_int_eq(st[1].rc, 0);
	ck_assert_int_eq(st[2].rc, -ENOENT);
	for (int i = 0; i < 3; i++)
		apo_integrity_station_clear(&st[i]);
}
END_TEST

START_TEST(signatures)
{
	char prefix[4200], other[4200], key[4300], pub[4300], opub[4300], sigp[4300];
	char *why = NULL, *sig = NULL;
	snprintf(prefix, sizeof(prefix), "%s/k", tmp);
	snprintf(other, sizeof(other), "%s/other", tmp);
	snprintf(key, sizeof(key), "%s.key", prefix);
	snprintf(pub, sizeof(pub), "%s.pub", prefix);
	snprintf(opub, sizeof(opub), "%s.pub", other);
	snprintf(sigp, sizeof(sigp), "%s.sig", manifest);
	ck_assert_int_eq(apo_sig_keygen(prefix, &why), 0);
	ck_assert_int_eq(apo_sig_keygen(other, &why), 0);
	/* never overwrites a key */
	ck_assert_int_eq(apo_sig_keygen(prefix, &why), -EEXIST);
	free(why);
	struct stat sb;
	ck_assert_int_eq(stat(key, &sb), 0);
	ck_assert_int_eq(sb.st_mode & 0777, 0600);

	seal();
	char *text = slurp(manifest);
	ck_assert_int_eq(apo_sig_sign(key, text, strlen(text), &sig, &why), 0);
	ck_assert_uint_eq(strlen(sig), 89);
	write_file(sigp, sig, strlen(sig));

	struct apo_integrity_opts o = {
	    .env = "unit", .manifest = manifest, .log_file = logpath, .public_key = pub};
	ck_assert_int_eq(apo_integrity_check(&o, "www1.example.com", root, &why), 0);

	/* another key */
	o.public_key = opub;
	ck_assert_int_eq(apo_integrity_check(&o, "www1.example.com", root, &why), -EBADMSG);
	ck_assert_msg(strstr(why, "www1.manifest.sig: signature does not verify with"), "%s", why);
	free(why);
	o.public_key = pub;

	/* changed after signing: one byte of a comment */
	text[3] = 'A';
	write_file(manifest, text, strlen(text));
	ck_assert_int_eq(apo_integrity_check(&o, "www1.example.com", root, &why), -EBADMSG);
	free(why);

	/* malformed signature */
	write_file(sigp, "AAAA\n", 5);
	ck_assert_int_eq(apo_integrity_check(&o, "www1.example.com", root, &why), -EINVAL);
	ck_assert_msg(strstr(why, "malformed signature"), "%s", why);
	free(why);

	/* missing signature */
	unlink(sigp);
	ck_assert_int_eq(apo_integrity_check(&o, "www1.example.com", root, &why), -ENOENT);
	ck_assert_msg(strstr(why, "signature required") && strstr(why, ".sig: No such file"), "%s",
		      why);
	free(why);
	free(text);
	free(sig);
}
END_TEST

START_TEST(fetch_local)
{
	struct apo_buf b;
	char *why = NULL, *url;
	seal();
	url = apo_xasprintf("file://%s", manifest);
	ck_assert_int_eq(apo_fetch(url, NULL, &b, &why), 0);
	ck_assert(!strncmp(b.data, APO_MANIFEST_MAGIC "\n", strlen(APO_MANIFEST_MAGIC) + 1));
	apo_buf_free(&b);
	free(url);
	ck_assert_int_eq(apo_fetch("gopher://h/m", NULL, &b, &why), -EINVAL);
	ck_assert_str_eq(why, "gopher://h/m: unsupported scheme, expected a path, file://, "
			      "http://, https://, ftp:// or s3://");
	free(why);
	ck_assert_int_eq(apo_fetch(root, NULL, &b, &why), -EINVAL);
	ck_assert(strstr(why, ": not a regular file"));
	free(why);
	struct apo_fetch_opts small = {.max_size = 10};
	ck_assert_int_eq(apo_fetch(manifest, &small, &b, &why), -EFBIG);
	free(why);
	char *r = apo_fetch_redact("ftp://u:pw@h/m");
	ck_assert_str_eq(r, "ftp://u:***@h/m");
	free(r);
}
END_TEST

START_TEST(normalize)
{
	char *s;
	ck_assert_str_eq(s = apo_integrity_normalize("/etc//x/./y/"), "/etc/x/y");
	free(s);
	ck_assert_ptr_null(apo_integrity_normalize("etc/x"));
	ck_assert_ptr_null(apo_integrity_normalize("/etc/../x"));
}
END_TEST

int main(void)
{
	Suite *s = suite_create("integrity");
	TCase *tc = tcase_create("tree");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, untouched_passes);
	tcase_add_test(tc, every_bad_file_is_reported_and_logged);
	tcase_add_test(tc, extra_line_for_absent_file);
	tcase_add_test(tc, only_in_checks_what_the_layer_holds);
	tcase_add_test(tc, symlink_never_leaves_the_root);
	tcase_add_test(tc, bad_manifest_refuses);
	tcase_add_test(tc, never_sealed);
	tcase_add_test(tc, parallel_stations);
	tcase_add_test(tc, signatures);
	tcase_add_test(tc, fetch_local);
	tcase_add_test(tc, normalize);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
