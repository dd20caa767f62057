/* SPDX-License-Identifier: MIT */
#define _GNU_SOURCE
#include "config.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <locale.h>
#include <linux/openat2.h>
#include <openssl/evp.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "image/oci-unpack.h"
#include "base/sha256.h"
#include "base/util.h"

#define CHUNK	  (256 * 1024)
#define WH_PREFIX ".wh."
#define WH_OPAQUE ".wh..wh..opq"

struct pipe_ctx {
	const struct apo_oci_blob_in *in;
	struct archive *outer; /* raw format, every filter: decompresses */
	EVP_MD_CTX *blob;      /* what in->read gave */
	EVP_MD_CTX *diff;      /* what the decompressor gave */
	long long n_blob;
	int read_err;
	char *buf;
	char *dbuf; /* what the decompressor gave, for the tar reader */
};

static char *hex_of(EVP_MD_CTX *c)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int len = 0;
	char hex[APO_SHA256_HEX + 1];

	EVP_DigestFinal_ex(c, md, &len);
	apo_digest_hex(md, hex);
	return apo_xasprintf("sha256:%s", hex);
}

char *apo_oci_digest_of(const void *data, size_t n)
{
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	char *s;

	EVP_DigestInit_ex(c, EVP_sha256(), NULL);
	EVP_DigestUpdate(c, data, n);
	s = hex_of(c);
	EVP_MD_CTX_free(c);
	return s;
}

void apo_oci_chain_id(const char *below, const char *diff_id, char out[APO_OCI_CHAIN_LEN])
{
	_cleanup_free_ char *seed = NULL, *d = NULL;

	if (!below) {
		snprintf(out, APO_OCI_CHAIN_LEN, "%s", diff_id + 7);
		return;
	}
	seed = apo_xasprintf("sha256:%s %s", below, diff_id);
	d = apo_oci_digest_of(seed, strlen(seed));
	snprintf(out, APO_OCI_CHAIN_LEN, "%s", d + 7);
}

int apo_oci_digest_check(const void *data, size_t n, const char *digest)
{
	_cleanup_free_ char *got = apo_oci_digest_of(data, n);
	return digest && !strcmp(got, digest) ? 0 : -EBADMSG;
}

static la_ssize_t outer_read(struct archive *a, void *opaque, const void **out)
{
	struct pipe_ctx *p = opaque;
	ssize_t n = p->in->read(p->in->ctx, p->buf, CHUNK);

	if (n < 0) {
		p->read_err = (int)-n;
		archive_set_error(a, (int)-n, "reading the blob: %s", strerror((int)-n));
		return -1;
	}
	EVP_DigestUpdate(p->blob, p->buf, (size_t)n);
	p->n_blob += n;
	*out = p->buf;
	return n;
}

static la_ssize_t inner_read(struct archive *a, void *opaque, const void **out)
{
	struct pipe_ctx *p = opaque;
	la_ssize_t n = archive_read_data(p->outer, p->dbuf, CHUNK);

	if (n < 0) {
		archive_set_error(a, EIO, "%s", archive_error_string(p->outer));
		return -1;
	}
	EVP_DigestUpdate(p->diff, p->dbuf, (size_t)n);
	*out = p->dbuf;
	return n;
}

/* "a/./b/" -> "a/b"; NULL for the root itself; -EBADMSG for "/x" or "..". */
static int clean_path(const char *in, char **out)
{
	size_t cap = strlen(in) + 1, n = 0;
	char *s = apo_xmalloc(cap);
	const char *p = in;

	*out = NULL;
	if (*p == '/') {
		free(s);
		return -EBADMSG;
	}
	while (*p) {
		size_t len = strcspn(p, "/");
		if (len == 2 && p[0] == '.' && p[1] == '.') {
			free(s);
			return -EBADMSG;
		}
		if (len && !(len == 1 && p[0] == '.')) {
			if (n)
				s[n++] = '/';
			memcpy(s + n, p, len);
			n += len;
		}
		p += len;
		while (*p == '/')
			p++;
	}
	s[n] = '\0';
	if (n == 0)
		free(s);
	else
		*out = s;
	return 0;
}

static int open_beneath(int rootfd, const char *rel, int flags)
{
	struct open_how how = {
	    .flags = (unsigned long long)(flags | O_CLOEXEC | O_NOFOLLOW),
	    .resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS,
	};
	long fd = syscall(SYS_openat2, rootfd, rel, &how, sizeof(how));
	return fd < 0 ? -errno : (int)fd;
}

/* The directory rel (made as needed, 0755) inside root, never through a symlink. */
static int dir_beneath(int rootfd, const char *rel)
{
	_cleanup_free_ char *copy = apo_xstrdup(rel);
	int fd = fcntl(rootfd, F_DUPFD_CLOEXEC, 3);

	for (char *c = copy, *e; fd >= 0 && c && *c; c = e) {
		int next;
		e = strchr(c, '/');
		if (e)
			*e++ = '\0';
		if (mkdirat(fd, c, 0755) < 0 && errno != EEXIST) {
			close(fd);
			return -errno;
		}
		next = open_beneath(fd, c, O_RDONLY | O_DIRECTORY);
		close(fd);
		fd = next;
	}
	return fd;
}

/* .wh.NAME or .wh..wh..opq at rel: 1 when it was one (and done), 0 if not. */
static int whiteout(int rootfd, const char *rel)
{
	const char *base = strrchr(rel, '/');
	_cleanup_free_ char *parent = NULL;
	int dfd, rc = 0;

	base = base ? base + 1 : rel;
	if (strncmp(base, WH_PREFIX, strlen(WH_PREFIX)))
		return 0;
	parent = base > rel ? apo_xstrndup(rel, (size_t)(base - rel - 1)) : apo_xstrdup("");
	dfd = *parent ? dir_beneath(rootfd, parent) : fcntl(rootfd, F_DUPFD_CLOEXEC, 3);
	if (dfd < 0)
		return dfd;
	if (!strcmp(base, WH_OPAQUE)) {
		if (fsetxattr(dfd, "trusted.overlay.opaque", "y", 1, 0) < 0)
			rc = -errno;
	} else {
		const char *name = base + strlen(WH_PREFIX);
		if (!*name || !strcmp(name, ".") || !strcmp(name, "..") ||
		    (mknodat(dfd, name, S_IFCHR | 0, makedev(0, 0)) < 0 && errno != EEXIST))
			rc = *name ? -errno : -EBADMSG;
	}
	close(dfd);
	return rc < 0 ? rc : 1;
}

/* Drops xattrs that would steer overlayfs over this layer. */
static void filter_xattrs(struct archive_entry *e)
{
	struct {
		char *name;
		void *value;
		size_t size;
	} keep[64];
	size_t n = 0;
	const char *name;
	const void *value;
	size_t size;
	bool dropped = false;

	if (archive_entry_xattr_reset(e) == 0)
		return;
	while (archive_entry_xattr_next(e, &name, &value, &size) == ARCHIVE_OK) {
		if (!strncmp(name, "trusted.overlay.", 16) || n == APO_ARRAY_SIZE(keep)) {
			dropped = true;
			continue;
		}
		keep[n].name = apo_xstrdup(name);
		keep[n].value = apo_xmalloc(size ? size : 1);
		memcpy(keep[n].value, value, size);
		keep[n].size = size;
		n++;
	}
	if (dropped) {
		archive_entry_xattr_clear(e);
		for (size_t i = 0; i < n; i++)
			archive_entry_xattr_add_entry(e, keep[i].name, keep[i].value, keep[i].size);
	}
	for (size_t i = 0; i < n; i++) {
		free(keep[i].name);
		free(keep[i].value);
	}
}

static int unpack_entries(struct archive *in, struct archive *disk, int rootfd, const char *root,
			  char **err)
{
	struct archive_entry *e;
	int r;

	while ((r = archive_read_next_header(in, &e)) == ARCHIVE_OK) {
		_cleanup_free_ char *rel = NULL, *abs = NULL, *lrel = NULL, *labs = NULL;
		const char *path = archive_entry_pathname(e);
		const char *link = archive_entry_hardlink(e);

		if (!path || clean_path(path, &rel) < 0) {
			*err = apo_xasprintf("layer path refused: %s (absolute or with ..)",
					     path ? path : "(none)");
			return -EBADMSG;
		}
		if (!rel)
			continue; /* "./": the layer's root is ours */
		r = whiteout(rootfd, rel);
		if (r < 0) {
			*err = apo_xasprintf("whiteout %s: %s", rel, strerror(-r));
			return r == -ELOOP || r == -EXDEV ? -EBADMSG : r;
		}
		if (r > 0)
			continue;
		abs = apo_xasprintf("%s/%s", root, rel);
		archive_entry_set_pathname(e, abs);
		if (link) {
			if (clean_path(link, &lrel) < 0 || !lrel) {
				*err =
				    apo_xasprintf("layer hard link refused: %s -> %s", rel, link);
				return -EBADMSG;
			}
			labs = apo_xasprintf("%s/%s", root, lrel);
			archive_entry_set_hardlink(e, labs);
		}
		filter_xattrs(e);
		r = archive_write_header(disk, e);
		if (r < ARCHIVE_WARN) {
			*err = apo_xasprintf("layer path %s: %s", rel, archive_error_string(disk));
			return archive_errno(disk) == EINVAL || archive_errno(disk) == 0
				   ? -EBADMSG
				   : -archive_errno(disk);
		}
		if (archive_entry_size(e) > 0 && !link) {
			const void *buf;
			size_t size;
			la_int64_t off;
			while ((r = archive_read_data_block(in, &buf, &size, &off)) == ARCHIVE_OK)
				if (archive_write_data_block(disk, buf, size, off) < ARCHIVE_WARN) {
					*err = apo_xasprintf("%s: %s", rel,
							     archive_error_string(disk));
					return -EIO;
				}
			if (r != ARCHIVE_EOF) {
				*err =
				    apo_xasprintf("reading %s: %s", rel, archive_error_string(in));
				return -EBADMSG;
			}
		}
		if (archive_write_finish_entry(disk) < ARCHIVE_WARN) {
			*err = apo_xasprintf("%s: %s", rel, archive_error_string(disk));
			return -EIO;
		}
	}
	if (r != ARCHIVE_EOF) {
		*err = apo_xasprintf("reading the layer: %s", archive_error_string(in));
		return -EBADMSG;
	}
	return 0;
}

static int unpack_in_locale(const struct apo_oci_blob_in *in, const char *root_in, char **err);

int apo_oci_unpack(const struct apo_oci_blob_in *in, const char *root, char **err)
{
	int rc;

	/* layers name files in UTF-8 (pax headers): libarchive converts them
	 * to the locale's charset, which in a plain C locale refuses them */
	locale_t utf8 = newlocale(LC_ALL_MASK, "C.UTF-8", (locale_t)0), prev = (locale_t)0;

	*err = NULL;
	if (utf8)
		prev = uselocale(utf8);
	rc = unpack_in_locale(in, root, err);
	if (utf8) {
		uselocale(prev);
		freelocale(utf8);
	}
	return rc;
}

static int unpack_in_locale(const struct apo_oci_blob_in *in, const char *root_in, char **err)
{
	struct pipe_ctx p = {.in = in};
	struct archive *tar = NULL, *disk = NULL;
	struct archive_entry *raw;
	_cleanup_free_ char *root = realpath(root_in, NULL);
	_cleanup_free_ char *got_blob = NULL, *got_diff = NULL;
	_cleanup_close_ int rootfd = -1;
	int rc = 0;

	if (!root)
		return -errno;
	rootfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		return -errno;
	p.buf = apo_xmalloc(CHUNK);
	p.dbuf = apo_xmalloc(CHUNK);
	p.blob = EVP_MD_CTX_new();
	p.diff = EVP_MD_CTX_new();
	EVP_DigestInit_ex(p.blob, EVP_sha256(), NULL);
	EVP_DigestInit_ex(p.diff, EVP_sha256(), NULL);

	p.outer = archive_read_new();
	archive_read_support_filter_all(p.outer);
	archive_read_support_format_raw(p.outer);
	if (archive_read_open(p.outer, &p, NULL, outer_read, NULL) != ARCHIVE_OK ||
	    archive_read_next_header(p.outer, &raw) != ARCHIVE_OK) {
		*err = apo_xasprintf("layer %s: %s", in->name, archive_error_string(p.outer));
		rc = p.read_err ? -p.read_err : -EBADMSG;
		goto out;
	}
	tar = archive_read_new();
	archive_read_support_format_tar(tar);
	disk = archive_write_disk_new();
	archive_write_disk_set_options(
	    disk, ARCHIVE_EXTRACT_OWNER | ARCHIVE_EXTRACT_PERM | ARCHIVE_EXTRACT_TIME |
		      ARCHIVE_EXTRACT_XATTR | ARCHIVE_EXTRACT_ACL |
		      ARCHIVE_EXTRACT_SECURE_SYMLINKS | ARCHIVE_EXTRACT_SECURE_NODOTDOT |
		      ARCHIVE_EXTRACT_UNLINK);
	archive_write_disk_set_standard_lookup(disk);
	if (archive_read_open(tar, &p, NULL, inner_read, NULL) != ARCHIVE_OK) {
		*err = apo_xasprintf("layer %s: %s", in->name, archive_error_string(tar));
		rc = p.read_err ? -p.read_err : -EBADMSG;
		goto out;
	}
	{
		char *why = NULL;
		rc = unpack_entries(tar, disk, rootfd, root, &why);
		if (rc < 0) {
			*err = apo_xasprintf("layer %s: %s", in->name, why);
			free(why);
			if (p.read_err)
				rc = -p.read_err;
			goto out;
		}
	}
	/* what follows the tar's end still counts for both digests */
	{
		la_ssize_t r;
		while ((r = archive_read_data(p.outer, p.dbuf, CHUNK)) > 0)
			EVP_DigestUpdate(p.diff, p.dbuf, (size_t)r);
		if (r < 0) {
			*err =
			    apo_xasprintf("layer %s: %s", in->name, archive_error_string(p.outer));
			rc = p.read_err ? -p.read_err : -EBADMSG;
			goto out;
		}
		ssize_t n;
		while ((n = in->read(in->ctx, p.buf, CHUNK)) > 0) {
			EVP_DigestUpdate(p.blob, p.buf, (size_t)n);
			p.n_blob += n;
		}
		if (n < 0) {
			*err = apo_xasprintf("layer %s: reading: %s", in->name, strerror((int)-n));
			rc = (int)n;
			goto out;
		}
	}
	got_blob = hex_of(p.blob);
	got_diff = hex_of(p.diff);
	if (in->digest && strcmp(got_blob, in->digest)) {
		*err = apo_xasprintf("layer %s: digest mismatch (the blob's bytes hash to %s)",
				     in->digest, got_blob);
		rc = -EBADMSG;
	} else if (in->size >= 0 && p.n_blob != in->size) {
		*err = apo_xasprintf("layer %s: size mismatch (%lld bytes, expected %lld)",
				     in->name, p.n_blob, in->size);
		rc = -EBADMSG;
	} else if (in->diff_id && strcmp(got_diff, in->diff_id)) {
		*err = apo_xasprintf("layer %s: diff id mismatch (%s, the config says %s)",
				     in->name, got_diff, in->diff_id);
		rc = -EBADMSG;
	}
out:
	if (disk)
		archive_write_free(disk);
	if (tar)
		archive_read_free(tar);
	archive_read_free(p.outer);
	EVP_MD_CTX_free(p.blob);
	EVP_MD_CTX_free(p.diff);
	free(p.buf);
	free(p.dbuf);
	return rc;
}
