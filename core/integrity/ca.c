/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "integrity/ca.h"
#include "base/fs.h"
#include "base/paths.h"
#include "base/util.h"

#define CA_DAYS 3650
/* browsers refuse server certificates valid longer than 825 days */
#define LEAF_DAYS 825

char *apo_ca_dir(const char *env)
{
	return apo_env_lib_file(env, "ca");
}

/* "WHAT: why" into *err unless something said it first */
static int fail(char **err, int rc, const char *what, const char *why)
{
	if (err && !*err)
		*err = apo_xasprintf("%s: %s", what, why);
	return rc;
}

static EVP_PKEY *new_key(void)
{
	return EVP_EC_gen("P-256");
}

static int set_serial(X509 *x)
{
	unsigned char buf[16];
	BIGNUM *bn;
	int ok;

	if (RAND_bytes(buf, sizeof(buf)) != 1)
		return 0;
	buf[0] &= 0x7f; /* positive */
	bn = BN_bin2bn(buf, sizeof(buf), NULL);
	ok = bn && BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x)) != NULL;
	BN_free(bn);
	return ok;
}

static int add_ext(X509 *cert, X509 *issuer, int nid, const char *value)
{
	X509V3_CTX ctx;
	X509_EXTENSION *ext;
	int ok;

	X509V3_set_ctx(&ctx, issuer, cert, NULL, NULL, 0);
	ext = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
	if (!ext)
		return 0;
	ok = X509_add_ext(cert, ext, -1);
	X509_EXTENSION_free(ext);
	return ok;
}

/* A certificate with subject CN=cn, valid from now for days. */
static X509 *new_cert(const char *cn, EVP_PKEY *key, long days)
{
	X509 *x = X509_new();
	X509_NAME *name;

	if (!x)
		return NULL;
	if (!X509_set_version(x, 2) || !set_serial(x) ||
	    !X509_gmtime_adj(X509_getm_notBefore(x), -3600) ||
	    !X509_gmtime_adj(X509_getm_notAfter(x), days * 86400L) || !X509_set_pubkey(x, key))
		goto fail;
	name = X509_get_subject_name(x);
	if (!X509_NAME_add_entry_by_txt(name, "O", MBSTRING_UTF8, (const unsigned char *)"apomon",
					-1, -1, 0) ||
	    !X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, (const unsigned char *)cn, -1,
					-1, 0))
		goto fail;
	return x;
fail:
	X509_free(x);
	return NULL;
}

static char *pem_of(int (*write)(BIO *, void *), void *obj)
{
	BIO *b = BIO_new(BIO_s_mem());
	char *data, *out = NULL;
	long len;

	if (b && write(b, obj) == 1 && (len = BIO_get_mem_data(b, &data)) > 0)
		out = apo_xstrndup(data, (size_t)len);
	BIO_free(b);
	return out;
}

static int write_x509(BIO *b, void *x)
{
	return PEM_write_bio_X509(b, x);
}

static int write_key(BIO *b, void *k)
{
	return PEM_write_bio_PrivateKey(b, k, NULL, NULL, 0, NULL, NULL);
}

/* Writes text to path through a temporary file, then renames: a crash
 * never leaves half a key where the next `up` would find it. */
static int write_atomic(const char *path, const char *text, mode_t mode)
{
	return apo_write_file_atomic(path, text, strlen(text), mode, true);
}

static int make_ca(const char *dir, const char *env, char **err)
{
	_cleanup_free_ char *keyp = apo_xasprintf("%s/ca.key", dir);
	_cleanup_free_ char *crtp = apo_xasprintf("%s/ca.crt", dir);
	_cleanup_free_ char *cn = apo_xasprintf("apomon %s CA", env);
	_cleanup_free_ char *key_pem = NULL, *crt_pem = NULL;
	EVP_PKEY *key = new_key();
	X509 *x = NULL;
	int rc = -EIO;

	if (!key) {
		fail(err, rc, dir, "cannot make an EC key");
		goto out;
	}
	x = new_cert(cn, key, CA_DAYS);
	if (!x || !X509_set_issuer_name(x, X509_get_subject_name(x)) ||
	    !add_ext(x, x, NID_basic_constraints, "critical,CA:TRUE,pathlen:0") ||
	    !add_ext(x, x, NID_key_usage, "critical,keyCertSign,cRLSign") ||
	    !add_ext(x, x, NID_subject_key_identifier, "hash") ||
	    !X509_sign(x, key, EVP_sha256())) {
		fail(err, rc, dir, "cannot make the CA certificate");
		goto out;
	}
	key_pem = pem_of(write_key, key);
	crt_pem = pem_of(write_x509, x);
	if (!key_pem || !crt_pem) {
		fail(err, rc, dir, "cannot encode the CA");
		goto out;
	}
	/* the key first: a certificate without its key is never left */
	if ((rc = write_atomic(keyp, key_pem, 0600)) < 0 ||
	    (rc = write_atomic(crtp, crt_pem, 0644)) < 0)
		fail(err, rc, dir, "cannot write the CA");
out:
	OPENSSL_cleanse(key_pem, key_pem ? strlen(key_pem) : 0);
	X509_free(x);
	EVP_PKEY_free(key);
	return rc;
}

int apo_ca_ensure(const char *env, char **cert_path, char **err)
{
	_cleanup_free_ char *dir = apo_ca_dir(env);
	_cleanup_free_ char *crt = apo_xasprintf("%s/ca.crt", dir);
	int rc;

	if (access(crt, R_OK) != 0) {
		if ((rc = apo_mkdir_p(dir, 0700)) < 0)
			return fail(err, rc, dir, "cannot create it");
		if ((rc = make_ca(dir, env, err)) < 0)
			return rc;
	}
	if (cert_path)
		*cert_path = apo_xstrdup(crt);
	return 0;
}

static int load_ca(const char *env, X509 **x, EVP_PKEY **key, char **crt_pem, char **err)
{
	_cleanup_free_ char *dir = apo_ca_dir(env);
	_cleanup_free_ char *keyp = apo_xasprintf("%s/ca.key", dir);
	_cleanup_free_ char *crtp = apo_xasprintf("%s/ca.crt", dir);
	FILE *f;

	if (!(f = fopen(crtp, "re")))
		return fail(err, -errno, crtp, "cannot read the CA certificate");
	*x = PEM_read_X509(f, NULL, NULL, NULL);
	fclose(f);
	if (!(f = fopen(keyp, "re")))
		return fail(err, -errno, keyp, "cannot read the CA key");
	*key = PEM_read_PrivateKey(f, NULL, NULL, NULL);
	fclose(f);
	if (!*x || !*key || X509_check_private_key(*x, *key) != 1)
		return fail(err, -EINVAL, dir, "the CA certificate and key do not match");
	*crt_pem = pem_of(write_x509, *x);
	return *crt_pem ? 0 : -EIO;
}

/* "DNS:a,DNS:b,IP:10.1.0.2" */
static char *san_of(const char *const *names, size_t n)
{
	size_t len = 1;
	char *s, *p;

	for (size_t i = 0; i < n; i++)
		len += strlen(names[i]) + 5;
	p = s = apo_xcalloc(len, 1);
	for (size_t i = 0; i < n; i++) {
		struct in_addr a;
		p += sprintf(p, "%s%s:%s", i ? "," : "",
			     inet_pton(AF_INET, names[i], &a) == 1 ? "IP" : "DNS", names[i]);
	}
	return s;
}

static bool name_ok(const char *n)
{
	if (!*n || strlen(n) > 253)
		return false;
	for (const char *p = n; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == '-' || *p == '.' || *p == '*'))
			return false;
	return true;
}

int apo_ca_issue(const char *env, const char *const *names, size_t n_names, char **cert_pem,
		 char **key_pem, char **err)
{
	X509 *ca = NULL, *x = NULL;
	EVP_PKEY *ca_key = NULL, *key = NULL;
	_cleanup_free_ char *ca_pem = NULL, *san = NULL, *leaf = NULL;
	int rc;

	if (!n_names)
		return fail(err, -EINVAL, "certificate", "needs at least one name");
	for (size_t i = 0; i < n_names; i++)
		if (!names[i] || !name_ok(names[i]))
			return fail(err, -EINVAL, names[i] ? names[i] : "(null)",
				    "not a DNS name or an address");
	if ((rc = load_ca(env, &ca, &ca_key, &ca_pem, err)) < 0)
		goto out;
	rc = -EIO;
	san = san_of(names, n_names);
	if (!(key = new_key()) || !(x = new_cert(names[0], key, LEAF_DAYS)) ||
	    !X509_set_issuer_name(x, X509_get_subject_name(ca)) ||
	    !add_ext(x, ca, NID_basic_constraints, "critical,CA:FALSE") ||
	    !add_ext(x, ca, NID_key_usage, "critical,digitalSignature") ||
	    !add_ext(x, ca, NID_ext_key_usage, "serverAuth") ||
	    !add_ext(x, ca, NID_subject_alt_name, san) ||
	    !add_ext(x, ca, NID_authority_key_identifier, "keyid:always") ||
	    !X509_sign(x, ca_key, EVP_sha256())) {
		fail(err, rc, names[0], "cannot issue the certificate");
		goto out;
	}
	if (!(leaf = pem_of(write_x509, x)) || !(*key_pem = pem_of(write_key, key))) {
		fail(err, rc, names[0], "cannot encode the certificate");
		goto out;
	}
	*cert_pem = apo_xasprintf("%s%s", leaf, ca_pem);
	rc = 0;
out:
	X509_free(ca);
	X509_free(x);
	EVP_PKEY_free(ca_key);
	EVP_PKEY_free(key);
	return rc;
}
