/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "image/image-digest.h"
#include "image/image-store.h"
#include "base/util.h"

static void hex(const unsigned char *md, unsigned len, char *out)
{
	for (unsigned i = 0; i < len; i++)
		sprintf(out + 2 * i, "%02x", md[i]);
	out[2 * len] = '\0';
}

void apo_sha256_hex(const void *data, size_t len, char *out)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned mdlen = 0;

	EVP_Digest(data, len, md, &mdlen, EVP_sha256(), NULL);
	hex(md, mdlen, out);
}

/* A labelled, length-prefixed field so that no two inputs collide. */
static void field(EVP_MD_CTX *ctx, const char *label, const void *data, size_t len)
{
	char head[96];
	int n = snprintf(head, sizeof(head), "%s %zu\n", label, len);

	EVP_DigestUpdate(ctx, head, (size_t)n);
	if (len)
		EVP_DigestUpdate(ctx, data, len);
}

static int file_content(EVP_MD_CTX *ctx, const char *label, const char *path)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	struct stat st;
	char buf[65536];
	ssize_t r;
	off_t total = 0;

	if (fd < 0 || fstat(fd, &st) < 0)
		return -errno;
	field(ctx, label, NULL, 0);
	{
		char sz[48];
		int n = snprintf(sz, sizeof(sz), "size %lld\n", (long long)st.st_size);
		EVP_DigestUpdate(ctx, sz, (size_t)n);
	}
	while ((r = read(fd, buf, sizeof(buf))) > 0) {
		EVP_DigestUpdate(ctx, buf, (size_t)r);
		total += r;
	}
	if (r < 0)
		return -errno;
	return total == st.st_size ? 0 : -EIO;
}

static int by_bytes(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

static int skip_dots(const struct dirent *e)
{
	return strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
}

static int tree(EVP_MD_CTX *ctx, const char *top, const char *rel)
{
	_cleanup_free_ char *dir = apo_xasprintf("%s%s", top, rel);
	struct dirent **ents = NULL;
	int n = scandir(dir, &ents, skip_dots, by_bytes), rc = 0;

	if (n < 0)
		return -errno;
	for (int i = 0; i < n; i++) {
		char *r = apo_xasprintf("%s/%s", rel, ents[i]->d_name);
		char *p = apo_xasprintf("%s%s", top, r);
		struct stat st;
		char mode[32];

		if (rc == 0 && lstat(p, &st) < 0)
			rc = -errno;
		if (rc == 0) {
			snprintf(mode, sizeof(mode), "%c %04o",
				 S_ISDIR(st.st_mode)   ? 'd'
				 : S_ISLNK(st.st_mode) ? 'l'
				 : S_ISREG(st.st_mode) ? 'f'
						       : '?',
				 (unsigned)(st.st_mode & 07777));
			field(ctx, "path", r, strlen(r));
			field(ctx, "mode", mode, strlen(mode));
			if (S_ISDIR(st.st_mode)) {
				rc = tree(ctx, top, r);
			} else if (S_ISLNK(st.st_mode)) {
				char target[4096];
				ssize_t l = readlink(p, target, sizeof(target));
				if (l < 0)
					rc = -errno;
				else
					field(ctx, "link", target, (size_t)l);
			} else if (S_ISREG(st.st_mode)) {
				rc = file_content(ctx, "data", p);
			} else {
				/* a fifo or a device in files/ is a mistake, not content */
				rc = -EINVAL;
			}
		}
		free(r);
		free(p);
		free(ents[i]);
	}
	free(ents);
	return rc;
}

/* A digest's context, its label field already in: NULL when out of memory. */
static EVP_MD_CTX *digest_begin(const char *label, const char *value)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();

	if (!ctx)
		return NULL;
	EVP_DigestInit_ex(ctx, EVP_sha256(), NULL);
	field(ctx, label, value, value ? strlen(value) : 0);
	return ctx;
}

/* out gets the hex digest when rc is 0; frees ctx either way; returns rc. */
static int digest_end(EVP_MD_CTX *ctx, int rc, char *out)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned mdlen = 0;

	if (rc == 0) {
		EVP_DigestFinal_ex(ctx, md, &mdlen);
		hex(md, mdlen, out);
	}
	EVP_MD_CTX_free(ctx);
	return rc;
}

int apo_image_digest(const struct apo_image_def *def, const char *parent_digest, char *out)
{
	EVP_MD_CTX *ctx = digest_begin("apomon-image", "1");
	int rc;

	if (!ctx)
		return -ENOMEM;
	field(ctx, "parent", parent_digest ? parent_digest : "",
	      parent_digest ? strlen(parent_digest) : 0);
	rc = file_content(ctx, "image.cfg", def->cfg_path);
	if (rc == 0 && def->startup)
		rc = file_content(ctx, "startup", def->startup);
	if (rc == 0 && def->files) {
		field(ctx, "files", NULL, 0);
		rc = tree(ctx, def->files, "");
	}
	return digest_end(ctx, rc, out);
}

int apo_tree_digest(const char *label, const char *dir, char *out)
{
	EVP_MD_CTX *ctx = digest_begin(label, NULL);

	if (!ctx)
		return -ENOMEM;
	return digest_end(ctx, tree(ctx, dir, ""), out);
}
