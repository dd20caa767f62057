/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/rand.h>

#include "base/util.h"
#include "integrity/sshkey.h"

#define KEY_LEN	 32
#define KEY_TYPE "ssh-ed25519"

/* A growing byte buffer in SSH wire encoding (RFC 4251 section 5). */
struct wire {
	unsigned char *p;
	size_t n, cap;
};

static void put(struct wire *w, const void *data, size_t len)
{
	if (w->n + len > w->cap) {
		w->cap = (w->n + len) * 2 + 64;
		w->p = apo_xreallocarray(w->p, w->cap, 1);
	}
	memcpy(w->p + w->n, data, len);
	w->n += len;
}

static void put_u32(struct wire *w, uint32_t v)
{
	unsigned char b[4] = {v >> 24, v >> 16, v >> 8, v};
	put(w, b, 4);
}

static void put_string(struct wire *w, const void *data, size_t len)
{
	put_u32(w, (uint32_t)len);
	put(w, data, len);
}

static void put_cstring(struct wire *w, const char *s)
{
	put_string(w, s, strlen(s));
}

/* Base64 of data; wrap > 0 breaks lines every wrap characters. */
static char *b64(const unsigned char *data, size_t len, int wrap)
{
	size_t enc = 4 * ((len + 2) / 3);
	_cleanup_free_ char *flat = apo_xmalloc(enc + 1);
	char *out;
	size_t o = 0;

	EVP_EncodeBlock((unsigned char *)flat, data, (int)len);
	if (wrap <= 0)
		return apo_xstrdup(flat);
	out = apo_xmalloc(enc + enc / (size_t)wrap + 2);
	for (size_t i = 0; i < enc; i += (size_t)wrap) {
		size_t k = enc - i < (size_t)wrap ? enc - i : (size_t)wrap;
		memcpy(out + o, flat + i, k);
		o += k;
		out[o++] = '\n';
	}
	out[o] = '\0';
	return out;
}

/* The public key blob: string "ssh-ed25519", string key. */
static void public_blob(struct wire *w, const unsigned char pk[KEY_LEN])
{
	put_cstring(w, KEY_TYPE);
	put_string(w, pk, KEY_LEN);
}

int apo_sshkey_ed25519(const char *comment, char **priv, char **pub)
{
	unsigned char sk[KEY_LEN], pk[KEY_LEN], both[2 * KEY_LEN];
	size_t skl = sizeof(sk), pkl = sizeof(pk);
	struct wire blob = {0}, sec = {0}, file = {0};
	uint32_t check;
	EVP_PKEY *key = NULL;
	EVP_PKEY_CTX *ctx;
	int rc = -EIO;

	*priv = *pub = NULL;
	ctx = EVP_PKEY_CTX_new_id(EVP_PKEY_ED25519, NULL);
	if (!ctx || EVP_PKEY_keygen_init(ctx) <= 0 || EVP_PKEY_keygen(ctx, &key) <= 0)
		goto out;
	if (EVP_PKEY_get_raw_private_key(key, sk, &skl) <= 0 || skl != KEY_LEN ||
	    EVP_PKEY_get_raw_public_key(key, pk, &pkl) <= 0 || pkl != KEY_LEN)
		goto out;
	if (RAND_bytes((unsigned char *)&check, sizeof(check)) != 1)
		goto out;
	public_blob(&blob, pk);

	/* the private section: two equal check words (a wrong passphrase
	 * shows as a mismatch), the key, padding 1, 2, 3... to the cipher's
	 * block size (8 for "none") */
	put_u32(&sec, check);
	put_u32(&sec, check);
	put_cstring(&sec, KEY_TYPE);
	put_string(&sec, pk, KEY_LEN);
	memcpy(both, sk, KEY_LEN); /* OpenSSH keeps seed || public key */
	memcpy(both + KEY_LEN, pk, KEY_LEN);
	put_string(&sec, both, sizeof(both));
	put_cstring(&sec, comment ? comment : "");
	for (unsigned char pad = 1; sec.n % 8; pad++)
		put(&sec, &pad, 1);

	put(&file, "openssh-key-v1", sizeof("openssh-key-v1")); /* with its NUL */
	put_cstring(&file, "none");				/* cipher */
	put_cstring(&file, "none");				/* kdf */
	put_cstring(&file, "");					/* kdf options */
	put_u32(&file, 1);					/* keys */
	put_string(&file, blob.p, blob.n);
	put_string(&file, sec.p, sec.n);

	{
		_cleanup_free_ char *body = b64(file.p, file.n, 70);
		_cleanup_free_ char *pubb = b64(blob.p, blob.n, 0);
		*priv = apo_xasprintf("-----BEGIN OPENSSH PRIVATE KEY-----\n%s"
				      "-----END OPENSSH PRIVATE KEY-----\n",
				      body);
		*pub = apo_xasprintf("%s %s%s%s\n", KEY_TYPE, pubb, comment && *comment ? " " : "",
				     comment && *comment ? comment : "");
	}
	rc = 0;
out:
	OPENSSL_cleanse(sk, sizeof(sk));
	OPENSSL_cleanse(both, sizeof(both));
	if (sec.p)
		OPENSSL_cleanse(sec.p, sec.n);
	if (file.p)
		OPENSSL_cleanse(file.p, file.n);
	free(blob.p);
	free(sec.p);
	free(file.p);
	EVP_PKEY_free(key);
	EVP_PKEY_CTX_free(ctx);
	return rc;
}

char *apo_sshkey_public_part(const char *line)
{
	const char *p = line, *end;

	if (strncmp(p, KEY_TYPE " ", sizeof(KEY_TYPE)) != 0)
		return NULL;
	p += sizeof(KEY_TYPE);
	end = p + strcspn(p, " \t\r\n");
	if (end == p)
		return NULL;
	return apo_xasprintf("%s %.*s", KEY_TYPE, (int)(end - p), p);
}
