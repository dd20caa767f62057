/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "integrity/signature.h"
#include "base/util.h"

#define SIG_LEN 64

static char *ossl_reason(void)
{
	unsigned long e = ERR_get_error();
	char buf[256];

	ERR_clear_error();
	if (!e)
		return apo_xstrdup("OpenSSL error");
	ERR_error_string_n(e, buf, sizeof(buf));
	return apo_xstrdup(buf);
}

static FILE *fopen_cloexec(const char *path, const char *mode)
{
	char m[8];
	snprintf(m, sizeof(m), "%se", mode);
	return fopen(path, m);
}

static int write_pem(const char *path, EVP_PKEY *k, int private, char **why)
{
	int flags = O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW;
	int fd = open(path, flags, private ? 0600 : 0644);
	FILE *f;
	int ok;

	if (fd < 0) {
		int e = errno;
		*why = apo_xasprintf("%s: %s", path, strerror(e));
		return -e;
	}
	f = fdopen(fd, "w");
	if (!f) {
		int e = errno;
		close(fd);
		*why = apo_xasprintf("%s: %s", path, strerror(e));
		return -e;
	}
	ok = private ? PEM_write_PrivateKey(f, k, NULL, NULL, 0, NULL, NULL)
		     : PEM_write_PUBKEY(f, k);
	if (fclose(f) != 0 || !ok) {
		_cleanup_free_ char *r = ossl_reason();
		*why = apo_xasprintf("%s: cannot write the key: %s", path, r);
		unlink(path);
		return -EIO;
	}
	return 0;
}

int apo_sig_keygen(const char *prefix, char **why)
{
	_cleanup_free_ char *priv = apo_xasprintf("%s.key", prefix);
	_cleanup_free_ char *pub = apo_xasprintf("%s.pub", prefix);
	EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	int rc;

	*why = NULL;
	if (!k) {
		_cleanup_free_ char *r = ossl_reason();
		*why = apo_xasprintf("Ed25519 key generation failed: %s", r);
		return -EIO;
	}
	rc = write_pem(priv, k, 1, why);
	if (rc == 0) {
		rc = write_pem(pub, k, 0, why);
		if (rc < 0)
			unlink(priv);
	}
	EVP_PKEY_free(k);
	return rc;
}

static EVP_PKEY *read_key(const char *path, int private, char **why, int *rc)
{
	FILE *f = fopen_cloexec(path, "r");
	EVP_PKEY *k;

	if (!f) {
		*rc = -errno;
		*why = apo_xasprintf("%s: %s", path, strerror(errno));
		return NULL;
	}
	k = private ? PEM_read_PrivateKey(f, NULL, NULL, NULL)
		    : PEM_read_PUBKEY(f, NULL, NULL, NULL);
	fclose(f);
	if (!k) {
		_cleanup_free_ char *r = ossl_reason();
		*rc = -EINVAL;
		*why = apo_xasprintf("%s: not a PEM %s key: %s", path,
				     private ? "private" : "public", r);
		return NULL;
	}
	if (EVP_PKEY_get_id(k) != EVP_PKEY_ED25519) {
		EVP_PKEY_free(k);
		*rc = -EINVAL;
		*why = apo_xasprintf("%s: not an Ed25519 key", path);
		return NULL;
	}
	return k;
}

int apo_sig_sign(const char *keyfile, const void *data, size_t len, char **sig, char **why)
{
	unsigned char raw[SIG_LEN];
	size_t rawlen = sizeof(raw);
	char b64[4 * ((SIG_LEN + 2) / 3) + 1];
	EVP_MD_CTX *ctx = NULL;
	EVP_PKEY *k;
	int rc;

	*why = NULL;
	*sig = NULL;
	k = read_key(keyfile, 1, why, &rc);
	if (!k)
		return rc;
	rc = -EIO;
	ctx = EVP_MD_CTX_new();
	/* Ed25519 is "pure": no digest is named, the message is signed whole */
	if (!ctx || EVP_DigestSignInit(ctx, NULL, NULL, NULL, k) != 1 ||
	    EVP_DigestSign(ctx, raw, &rawlen, data, len) != 1 || rawlen != SIG_LEN) {
		_cleanup_free_ char *r = ossl_reason();
		*why = apo_xasprintf("%s: signing failed: %s", keyfile, r);
		goto out;
	}
	EVP_EncodeBlock((unsigned char *)b64, raw, SIG_LEN);
	*sig = apo_xasprintf("%s\n", b64);
	rc = 0;
out:
	EVP_MD_CTX_free(ctx);
	EVP_PKEY_free(k);
	return rc;
}

int apo_sig_verify(const char *pubfile, const void *data, size_t len, const char *sig,
		   size_t siglen, char **why)
{
	unsigned char raw[3 * 90 / 4 + 3];
	char b64[91];
	EVP_MD_CTX *ctx = NULL;
	EVP_PKEY *k;
	int rc, n;

	*why = NULL;
	/* one base64 line, optionally newline-terminated */
	if (siglen && sig[siglen - 1] == '\n')
		siglen--;
	if (siglen != 4 * ((SIG_LEN + 2) / 3) || memchr(sig, '\0', siglen)) {
		*why = apo_xstrdup("malformed signature: expected one base64 line of a 64-byte "
				   "Ed25519 signature");
		return -EINVAL;
	}
	memcpy(b64, sig, siglen);
	b64[siglen] = '\0';
	n = EVP_DecodeBlock(raw, (const unsigned char *)b64, (int)siglen);
	/* DecodeBlock counts the padding as zero bytes: 88 chars -> 66 */
	if (n != 66 || b64[siglen - 1] != '=' || b64[siglen - 2] != '=') {
		*why = apo_xstrdup("malformed signature: bad base64");
		return -EINVAL;
	}
	k = read_key(pubfile, 0, why, &rc);
	if (!k)
		return rc;
	ctx = EVP_MD_CTX_new();
	if (!ctx || EVP_DigestVerifyInit(ctx, NULL, NULL, NULL, k) != 1) {
		_cleanup_free_ char *r = ossl_reason();
		*why = apo_xasprintf("%s: %s", pubfile, r);
		rc = -EIO;
		goto out;
	}
	if (EVP_DigestVerify(ctx, raw, SIG_LEN, data, len) != 1) {
		ERR_clear_error();
		*why = apo_xasprintf("signature does not verify with %s", pubfile);
		rc = -EBADMSG;
		goto out;
	}
	rc = 0;
out:
	EVP_MD_CTX_free(ctx);
	EVP_PKEY_free(k);
	return rc;
}
