/* SPDX-License-Identifier: MIT */
/* The environment's CA: made once (key 0600), kept; issued certificates
 * verify against it with OpenSSL's own verifier for their names only. */
#include "config.h"

#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include "integrity/ca.h"
#include "base/util.h"

static char libdir[] = "/tmp/apomon-test-ca.XXXXXX";

static void setup(void)
{
	ck_assert_ptr_nonnull(mkdtemp(libdir));
	setenv("APOMON_LIB_DIR", libdir, 1);
}

static void teardown(void)
{
	char *cmd = apo_xasprintf("rm -rf '%s'", libdir);
	ck_assert_int_eq(system(cmd), 0);
	free(cmd);
	strcpy(libdir, "/tmp/apomon-test-ca.XXXXXX");
}

static X509 *read_cert(const char *pem, size_t skip)
{
	BIO *b = BIO_new_mem_buf(pem, -1);
	X509 *x = NULL;
	for (size_t i = 0; i <= skip; i++) {
		X509_free(x);
		x = PEM_read_bio_X509(b, NULL, NULL, NULL);
	}
	BIO_free(b);
	return x;
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "re");
	char *buf = apo_xcalloc(65536, 1);
	ck_assert_ptr_nonnull(f);
	fread(buf, 1, 65535, f);
	fclose(f);
	return buf;
}

START_TEST(made_once_and_private)
{
	char *crt = NULL, *crt2 = NULL, *err = NULL;
	struct stat sk;

	ck_assert_int_eq(apo_ca_ensure("t1", &crt, &err), 0);
	char *key = apo_xasprintf("%s/t1/ca/key", libdir);
	char *keyp = apo_xasprintf("%s/t1/ca/ca.key", libdir);
	ck_assert_int_eq(stat(keyp, &sk), 0);
	ck_assert_uint_eq(sk.st_mode & 0777, 0600);
	char *first = slurp(crt);
	ck_assert_int_eq(apo_ca_ensure("t1", &crt2, &err), 0);
	char *second = slurp(crt2);
	ck_assert_str_eq(first, second); /* kept, not remade */
	X509 *ca = read_cert(first, 0);
	ck_assert_int_eq(X509_check_ca(ca), 1);
	X509_free(ca);
	free(first), free(second), free(crt), free(crt2), free(key), free(keyp);
}
END_TEST

static int verify(const char *ca_pem, const char *chain_pem, const char *host)
{
	X509 *ca = read_cert(ca_pem, 0), *leaf = read_cert(chain_pem, 0);
	X509_STORE *store = X509_STORE_new();
	X509_STORE_CTX *ctx = X509_STORE_CTX_new();
	int ok;

	X509_STORE_add_cert(store, ca);
	X509_STORE_CTX_init(ctx, store, leaf, NULL);
	X509_VERIFY_PARAM_set1_host(X509_STORE_CTX_get0_param(ctx), host, 0);
	X509_STORE_CTX_set_purpose(ctx, X509_PURPOSE_SSL_SERVER);
	ok = X509_verify_cert(ctx);
	X509_STORE_CTX_free(ctx);
	X509_STORE_free(store);
	X509_free(ca);
	X509_free(leaf);
	return ok;
}

START_TEST(issues_for_its_names)
{
	char *crt = NULL, *err = NULL, *chain = NULL, *key = NULL;
	const char *names[] = {"www.example.com", "example.com", "10.1.0.2"};

	ck_assert_int_eq(apo_ca_ensure("t2", &crt, &err), 0);
	ck_assert_int_eq(apo_ca_issue("t2", names, 3, &chain, &key, &err), 0);
	char *ca_pem = slurp(crt);
	ck_assert_int_eq(verify(ca_pem, chain, "www.example.com"), 1);
	ck_assert_int_eq(verify(ca_pem, chain, "example.com"), 1);
	ck_assert_int_eq(verify(ca_pem, chain, "www.service.com"), 0);
	/* the chain ends with the CA itself */
	X509 *second = read_cert(chain, 1), *ca = read_cert(ca_pem, 0);
	ck_assert_int_eq(X509_cmp(second, ca), 0);
	ck_assert_ptr_nonnull(strstr(key, "PRIVATE KEY"));
	/* another environment's CA does not vouch for it */
	char *crt3 = NULL;
	ck_assert_int_eq(apo_ca_ensure("t3", &crt3, &err), 0);
	char *other = slurp(crt3);
	ck_assert_int_eq(verify(other, chain, "www.example.com"), 0);
	X509_free(second), X509_free(ca);
	free(crt), free(chain), free(key), free(ca_pem), free(crt3), free(other);
}
END_TEST

START_TEST(refuses_bad_names)
{
	char *crt = NULL, *err = NULL, *chain = NULL, *key = NULL;
	const char *names[] = {"www.example.com\nX"};

	ck_assert_int_eq(apo_ca_ensure("t4", &crt, NULL), 0);
	ck_assert_int_eq(apo_ca_issue("t4", names, 1, &chain, &key, &err), -EINVAL);
	ck_assert_ptr_nonnull(err);
	ck_assert_ptr_null(chain);
	free(err), free(crt);
	err = NULL;
	/* no CA: a clear error, not a crash */
	const char *ok[] = {"a.example.com"};
	ck_assert_int_lt(apo_ca_issue("none", ok, 1, &chain, &key, &err), 0);
	ck_assert_ptr_nonnull(strstr(err, "none/ca"));
	free(err);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("ca");
	TCase *tc = tcase_create("ca");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, made_once_and_private);
	tcase_add_test(tc, issues_for_its_names);
	tcase_add_test(tc, refuses_bad_names);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
