/* SPDX-License-Identifier: MIT */
#define _GNU_SOURCE
#include "config.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <libgen.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "image/oci-export.h"
#include "image/image-digest.h"
#include "image/image-store.h"
#include "image/oci-json.h"
#include "image/oci-registry.h"
#include "base/fs.h"
#include "base/image-ref.h"
#include "base/paths.h"
#include "base/util.h"

#define MT_MANIFEST "application/vnd.oci.image.manifest.v1+json"
#define MT_CONFIG   "application/vnd.oci.image.config.v1+json"
#define MT_LAYER    "application/vnd.oci.image.layer.v1.tar"
#define MT_LAYER_GZ "application/vnd.oci.image.layer.v1.tar+gzip"

/* A blob being written: its file, and its digest as the bytes go by. */
struct sink {
	int fd;
	EVP_MD_CTX *md;
	long long size;
	int err;
};

static la_ssize_t sink_write(struct archive *a, void *ctx, const void *buf, size_t n)
{
	struct sink *s = ctx;
	size_t done = 0;

	(void)a;
	while (done < n) {
		ssize_t w = write(s->fd, (const char *)buf + done, n - done);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			s->err = errno;
			return -1;
		}
		done += (size_t)w;
	}
	EVP_DigestUpdate(s->md, buf, n);
	s->size += (long long)n;
	return (la_ssize_t)n;
}

static char *sink_digest(struct sink *s)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;
	char hex[2 * EVP_MAX_MD_SIZE + 1];

	EVP_DigestFinal_ex(s->md, md, &n);
	for (unsigned i = 0; i < n; i++)
		snprintf(hex + 2 * i, 3, "%02x", md[i]);
	return apo_xasprintf("sha256:%s", hex);
}

/* An overlayfs entry as an OCI layer says it: a whiteout (a 0/0 character
 * device) becomes .wh.NAME; trusted.overlay.* attributes stay behind. */
static void to_oci(struct archive_entry *e)
{
	const char *name;
	const void *value;
	size_t size;
	struct {
		char *name;
		void *value;
		size_t size;
	} keep[64];
	size_t nk = 0;

	if (archive_entry_filetype(e) == AE_IFCHR && archive_entry_rdev(e) == 0) {
		_cleanup_free_ char *p = apo_xstrdup(archive_entry_pathname(e));
		char *slash = strrchr(p, '/');
		_cleanup_free_ char *wh =
		    slash ? (*slash = '\0', apo_xasprintf("%s/.wh.%s", p, slash + 1))
			  : apo_xasprintf(".wh.%s", p);
		archive_entry_set_pathname(e, wh);
		archive_entry_set_filetype(e, AE_IFREG);
		archive_entry_set_perm(e, 0644);
		archive_entry_set_rdev(e, 0);
		archive_entry_set_size(e, 0);
	}
	archive_entry_xattr_reset(e);
	while (archive_entry_xattr_next(e, &name, &value, &size) == ARCHIVE_OK && nk < 64)
		if (strncmp(name, "trusted.overlay.", 16)) {
			keep[nk].name = apo_xstrdup(name);
			keep[nk].value = apo_xmalloc(size ? size : 1);
			memcpy(keep[nk].value, value, size);
			keep[nk++].size = size;
		}
	archive_entry_xattr_clear(e);
	for (size_t i = 0; i < nk; i++) {
		archive_entry_xattr_add_entry(e, keep[i].name, keep[i].value, keep[i].size);
		free(keep[i].name);
		free(keep[i].value);
	}
}

static int copy_data(const char *path, struct archive *w)
{
	char buf[128 * 1024];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);

	if (fd < 0)
		return -errno;
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		if (archive_write_data(w, buf, (size_t)n) != n) {
			close(fd);
			return -EIO;
		}
	close(fd);
	return n < 0 ? -EIO : 0;
}

/* One layer's tree as an uncompressed tar at path; *digest its sha256. */
static int layer_tar(const char *root, const char *path, char **digest, long long *size, char **err)
{
	struct sink s = {.fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644)};
	struct archive *w = archive_write_new(), *r = archive_read_disk_new();
	struct archive_entry_linkresolver *lr = archive_entry_linkresolver_new();
	struct archive_entry *e = NULL, *sparse = NULL;
	size_t skip = strlen(root) + 1;
	int rc = 0, ar;

	s.md = EVP_MD_CTX_new();
	if (s.fd < 0 || !s.md || !EVP_DigestInit_ex(s.md, EVP_sha256(), NULL)) {
		rc = s.fd < 0 ? -errno : -ENOMEM;
		goto out;
	}
	archive_write_set_format_pax_restricted(w);
	/* names as the bytes on disk: in the C locale a UTF-8 conversion
	 * refuses any non-ASCII name (Debian's ca-certificates has some) */
	archive_write_set_format_option(w, "pax", "hdrcharset", "BINARY");
	archive_entry_linkresolver_set_strategy(lr, archive_format(w));
	archive_write_set_bytes_in_last_block(w, 1);
	if (archive_write_open2(w, &s, NULL, sink_write, NULL, NULL) != ARCHIVE_OK ||
	    archive_read_disk_set_standard_lookup(r) != ARCHIVE_OK ||
	    archive_read_disk_set_behavior(r, ARCHIVE_READDISK_NO_TRAVERSE_MOUNTS) != ARCHIVE_OK ||
	    archive_read_disk_open(r, root) != ARCHIVE_OK) {
		*err = apo_xasprintf("%s: %s", root, archive_error_string(r));
		rc = -EIO;
		goto out;
	}
	for (;;) {
		e = archive_entry_new();
		ar = archive_read_next_header2(r, e);
		if (ar == ARCHIVE_EOF)
			break;
		if (ar < ARCHIVE_WARN) {
			*err = apo_xasprintf("%s: %s", root, archive_error_string(r));
			rc = -EIO;
			goto out;
		}
		archive_read_disk_descend(r);
		const char *src = archive_entry_sourcepath(e);
		const char *full = archive_entry_pathname(e);
		if (strlen(full) < skip) { /* the root itself */
			archive_entry_free(e);
			e = NULL;
			continue;
		}
		_cleanup_free_ char *srcpath = apo_xstrdup(src ? src : full);
		archive_entry_set_pathname(e, full + skip);
		bool opaque = false;
		if (archive_entry_filetype(e) == AE_IFDIR) {
			char v[2];
			opaque = lgetxattr(srcpath, "trusted.overlay.opaque", v, sizeof(v)) == 1 &&
				 v[0] == 'y';
		}
		to_oci(e);
		archive_entry_linkify(lr, &e, &sparse);
		if (e) {
			if (archive_write_header(w, e) != ARCHIVE_OK ||
			    (archive_entry_filetype(e) == AE_IFREG && archive_entry_size(e) > 0 &&
			     (rc = copy_data(srcpath, w)) < 0)) {
				*err =
				    apo_xasprintf("%s: %s", srcpath,
						  rc < 0 ? strerror(-rc) : archive_error_string(w));
				rc = rc < 0 ? rc : -EIO;
				goto out;
			}
		}
		if (opaque) {
			struct archive_entry *o = archive_entry_new();
			_cleanup_free_ char *p = apo_xasprintf("%s/.wh..wh..opq", full + skip);
			archive_entry_set_pathname(o, p);
			archive_entry_set_filetype(o, AE_IFREG);
			archive_entry_set_perm(o, 0644);
			archive_entry_set_size(o, 0);
			rc = archive_write_header(w, o) == ARCHIVE_OK ? 0 : -EIO;
			archive_entry_free(o);
			if (rc < 0) {
				*err = apo_xasprintf("%s: %s", p, archive_error_string(w));
				goto out;
			}
		}
		archive_entry_free(e);
		e = NULL;
	}
	if (archive_write_close(w) != ARCHIVE_OK) {
		*err = apo_xasprintf("%s: %s", path, s.err ? strerror(s.err) : "write failed");
		rc = -EIO;
		goto out;
	}
	*digest = sink_digest(&s);
	*size = s.size;
out:
	archive_entry_free(e);
	archive_entry_linkresolver_free(lr);
	archive_read_free(r);
	archive_write_free(w);
	EVP_MD_CTX_free(s.md);
	if (s.fd >= 0 && close(s.fd) < 0 && rc == 0)
		rc = -errno;
	return rc;
}

/* The tar at src gzip-compressed into dst (libarchive's raw format through
 * its gzip filter: no other compression library); *digest the blob's.  No
 * timestamp in the gzip header, so an unchanged layer exports to the same
 * digest. */
static int gzip_file(const char *src, const char *dst, char **digest, long long *size, char **err)
{
	struct sink s = {.fd = open(dst, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644)};
	struct archive *w = archive_write_new();
	struct archive_entry *e = archive_entry_new();
	int rc = 0;

	s.md = EVP_MD_CTX_new();
	if (s.fd < 0 || !s.md || !EVP_DigestInit_ex(s.md, EVP_sha256(), NULL)) {
		rc = s.fd < 0 ? -errno : -ENOMEM;
		*err = apo_xasprintf("%s: %s", dst, strerror(-rc));
		goto out;
	}
	archive_entry_set_pathname(e, "layer.tar");
	archive_entry_set_filetype(e, AE_IFREG);
	if (archive_write_set_format_raw(w) != ARCHIVE_OK ||
	    archive_write_add_filter_gzip(w) != ARCHIVE_OK ||
	    archive_write_set_options(w, "gzip:!timestamp") < ARCHIVE_WARN ||
	    archive_write_set_bytes_in_last_block(w, 1) != ARCHIVE_OK ||
	    archive_write_open2(w, &s, NULL, sink_write, NULL, NULL) != ARCHIVE_OK ||
	    archive_write_header(w, e) != ARCHIVE_OK || (rc = copy_data(src, w)) < 0 ||
	    archive_write_close(w) != ARCHIVE_OK) {
		*err = apo_xasprintf("%s: %s", dst,
				     s.err    ? strerror(s.err)
				     : rc < 0 ? strerror(-rc)
					      : archive_error_string(w));
		rc = rc < 0 ? rc : -EIO;
		goto out;
	}
	*digest = sink_digest(&s);
	*size = s.size;
out:
	archive_entry_free(e);
	archive_write_free(w);
	EVP_MD_CTX_free(s.md);
	if (s.fd >= 0 && close(s.fd) < 0 && rc == 0)
		rc = -errno;
	return rc;
}

/* A small blob from memory into dir/blobs/sha256/; *digest its digest. */
static int put_blob(const char *dir, const char *data, size_t n, char **digest)
{
	char hex[65];
	_cleanup_free_ char *p = NULL;
	int fd, rc = 0;

	apo_sha256_hex(data, n, hex);
	*digest = apo_xasprintf("sha256:%s", hex);
	p = apo_xasprintf("%s/blobs/sha256/%s", dir, hex);
	fd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	if (write(fd, data, n) != (ssize_t)n)
		rc = -EIO;
	if (close(fd) < 0 && rc == 0)
		rc = -errno;
	return rc;
}

static struct json_object *descriptor(const char *mt, const char *digest, long long size)
{
	struct json_object *d = json_object_new_object();
	json_object_object_add(d, "mediaType", json_object_new_string(mt));
	json_object_object_add(d, "digest", json_object_new_string(digest));
	json_object_object_add(d, "size", json_object_new_int64(size));
	return d;
}

/* The config the image came with (the nearest OCI top layer's), else a
 * bare one; rootfs is rewritten for the layers as exported. */
static struct json_object *base_config(char **dirs, size_t n)
{
	for (size_t i = n; i-- > 0;) {
		_cleanup_free_ char *p = apo_xasprintf("%s/../config.json", dirs[i]);
		struct json_object *c = access(p, R_OK) == 0 ? json_object_from_file(p) : NULL;
		if (c && json_object_is_type(c, json_type_object))
			return c;
		json_object_put(c);
	}
	struct json_object *c = json_object_new_object();
	json_object_object_add(c, "architecture", json_object_new_string(apo_oci_host_arch()));
	json_object_object_add(c, "os", json_object_new_string("linux"));
	json_object_object_add(c, "config", json_object_new_object());
	return c;
}

/* dir (an OCI layout) as a tar at file */
static int tar_layout(const char *dir, const char *file, char **err)
{
	struct archive *w = archive_write_new(), *r = archive_read_disk_new();
	struct archive_entry *e;
	size_t skip = strlen(dir) + 1;
	int rc = 0, ar;

	archive_write_set_format_pax_restricted(w);
	if (archive_write_open_filename(w, file) != ARCHIVE_OK ||
	    archive_read_disk_open(r, dir) != ARCHIVE_OK) {
		*err = apo_xasprintf("%s: %s", file, archive_error_string(w));
		rc = -EIO;
		goto out;
	}
	for (;;) {
		e = archive_entry_new();
		ar = archive_read_next_header2(r, e);
		if (ar == ARCHIVE_EOF) {
			archive_entry_free(e);
			break;
		}
		archive_read_disk_descend(r);
		const char *full = archive_entry_pathname(e);
		_cleanup_free_ char *src = apo_xstrdup(full);
		if (ar < ARCHIVE_WARN || strlen(full) < skip) {
			archive_entry_free(e);
			if (ar < ARCHIVE_WARN) {
				*err = apo_xasprintf("%s: %s", dir, archive_error_string(r));
				rc = -EIO;
				goto out;
			}
			continue;
		}
		archive_entry_set_pathname(e, full + skip);
		archive_entry_set_uid(e, 0);
		archive_entry_set_gid(e, 0);
		archive_entry_set_uname(e, "");
		archive_entry_set_gname(e, "");
		if (archive_write_header(w, e) != ARCHIVE_OK ||
		    (archive_entry_filetype(e) == AE_IFREG && (rc = copy_data(src, w)) < 0)) {
			*err = apo_xasprintf("%s: %s", file, archive_error_string(w));
			rc = -EIO;
			archive_entry_free(e);
			goto out;
		}
		archive_entry_free(e);
	}
	if (archive_write_close(w) != ARCHIVE_OK) {
		*err = apo_xasprintf("%s: %s", file, archive_error_string(w));
		rc = -EIO;
	}
out:
	archive_read_free(r);
	archive_write_free(w);
	return rc;
}

/* TAG as an OCI ref.name may spell a tag: [A-Za-z0-9_][A-Za-z0-9_.-]{0,127} */
static bool tag_ok(const char *t)
{
	size_t n = strlen(t);

	if (n == 0 || n > 128 || t[0] == '.' || t[0] == '-')
		return false;
	return strspn(t, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-") == n;
}

int apo_oci_export(const char *name, const char *file, const struct apo_oci_export_opts *opts,
		   FILE *progress, char **err)
{
	const char *tag = opts && opts->tag ? opts->tag : "latest";
	bool gzip = !opts || !opts->uncompressed;
	struct apo_image_opts o = {.build = false};
	_cleanup_free_ char *parent = NULL, *tmp = NULL, *out = NULL;
	_cleanup_free_ char *cdigest = NULL, *mdigest = NULL, *p = NULL;
	struct json_object *config = NULL, *diff_ids, *layers, *manifest = NULL, *index = NULL;
	char **dirs = NULL;
	size_t n = 0;
	int rc;

	*err = NULL;
	if (!tag_ok(tag)) {
		*err = apo_xasprintf("tag '%s': expected [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}", tag);
		return -EINVAL;
	}
	rc = apo_image_layers(name, &o, &dirs, &n);
	if (rc < 0) /* the store said why, on stderr */
		return rc;
	{
		_cleanup_free_ char *copy = apo_xstrdup(file);
		parent = apo_xstrdup(dirname(copy));
	}
	tmp = apo_xasprintf("%s/.apomon-export-XXXXXX", parent);
	if (!mkdtemp(tmp)) {
		rc = -errno;
		*err = apo_xasprintf("%s: %s", tmp, strerror(errno));
		free(tmp);
		tmp = NULL;
		goto out;
	}
	p = apo_xasprintf("%s/blobs/sha256", tmp);
	if ((rc = apo_mkdir_p(p, 0755)) < 0) {
		*err = apo_xasprintf("%s: %s", p, strerror(-rc));
		goto out;
	}
	config = base_config(dirs, n);
	json_object_object_del(config, "history"); /* it described the layers as they came */
	diff_ids = json_object_new_array();
	layers = json_object_new_array();
	for (size_t i = 0; i < n; i++) {
		_cleanup_free_ char *t = apo_xasprintf("%s/layer-%zu.tar", tmp, i);
		_cleanup_free_ char *digest = NULL, *final = NULL;
		long long size = 0;
		if (progress)
			fprintf(progress, "%s: layer %zu of %zu\n", name, i + 1, n);
		if ((rc = layer_tar(dirs[i], t, &digest, &size, err)) < 0) {
			json_object_put(diff_ids);
			json_object_put(layers);
			goto out;
		}
		/* the diff id is the uncompressed tar's digest; the blob's is
		 * the gzip's when compressed */
		_cleanup_free_ char *gz = NULL, *gdigest = NULL;
		long long gsize = 0;
		if (gzip) {
			gz = apo_xasprintf("%s.gz", t);
			rc = gzip_file(t, gz, &gdigest, &gsize, err);
			unlink(t);
			if (rc < 0) {
				json_object_put(diff_ids);
				json_object_put(layers);
				goto out;
			}
		}
		final = apo_xasprintf("%s/blobs/sha256/%s", tmp, (gzip ? gdigest : digest) + 7);
		if (rename(gzip ? gz : t, final) < 0) {
			rc = -errno;
			*err = apo_xasprintf("%s: %s", final, strerror(errno));
			json_object_put(diff_ids);
			json_object_put(layers);
			goto out;
		}
		json_object_array_add(diff_ids, json_object_new_string(digest));
		json_object_array_add(layers, gzip ? descriptor(MT_LAYER_GZ, gdigest, gsize)
						   : descriptor(MT_LAYER, digest, size));
	}
	{
		struct json_object *rootfs = json_object_new_object();
		json_object_object_add(rootfs, "type", json_object_new_string("layers"));
		json_object_object_add(rootfs, "diff_ids", diff_ids);
		json_object_object_add(config, "rootfs", rootfs);
	}
	const char *cj = json_object_to_json_string_ext(config, JSON_C_TO_STRING_PLAIN);
	if ((rc = put_blob(tmp, cj, strlen(cj), &cdigest)) < 0)
		goto io;
	manifest = json_object_new_object();
	json_object_object_add(manifest, "schemaVersion", json_object_new_int(2));
	json_object_object_add(manifest, "mediaType", json_object_new_string(MT_MANIFEST));
	json_object_object_add(manifest, "config",
			       descriptor(MT_CONFIG, cdigest, (long long)strlen(cj)));
	json_object_object_add(manifest, "layers", layers);
	const char *mj = json_object_to_json_string_ext(manifest, JSON_C_TO_STRING_PLAIN);
	if ((rc = put_blob(tmp, mj, strlen(mj), &mdigest)) < 0)
		goto io;
	{
		struct json_object *d = descriptor(MT_MANIFEST, mdigest, (long long)strlen(mj));
		struct json_object *ann = json_object_new_object();
		struct json_object *mans = json_object_new_array();
		json_object_object_add(ann, "org.opencontainers.image.ref.name",
				       json_object_new_string(tag));
		json_object_object_add(d, "annotations", ann);
		json_object_array_add(mans, d);
		index = json_object_new_object();
		json_object_object_add(index, "schemaVersion", json_object_new_int(2));
		json_object_object_add(index, "manifests", mans);
	}
	free(p);
	p = apo_xasprintf("%s/index.json", tmp);
	if (json_object_to_file_ext(p, index, JSON_C_TO_STRING_PLAIN) < 0) {
		rc = -EIO;
		goto io;
	}
	free(p);
	p = apo_xasprintf("%s/oci-layout", tmp);
	if ((rc = apo_write_file(p, "{\"imageLayoutVersion\":\"1.0.0\"}", 30, 0644)) < 0)
		goto io;
	out = apo_xasprintf("%s.tmp", tmp);
	if ((rc = tar_layout(tmp, out, err)) < 0)
		goto out;
	if (rename(out, file) < 0) {
		rc = -errno;
		*err = apo_xasprintf("%s: %s", file, strerror(errno));
		goto out;
	}
	if (progress)
		fprintf(progress, "%s: exported to %s:%s (%zu layers, %s, manifest %.19s)\n", name,
			file, tag, n, gzip ? "gzip" : "uncompressed", mdigest);
	goto out;
io:
	*err = apo_xasprintf("%s: %s", tmp, strerror(-rc));
out:
	if (out)
		unlink(out);
	if (tmp)
		apo_rmtree(tmp);
	json_object_put(config);
	json_object_put(manifest);
	json_object_put(index);
	apo_image_layers_free(dirs, n);
	return rc;
}
