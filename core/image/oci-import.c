/* SPDX-License-Identifier: MIT */
#define _GNU_SOURCE
#include "config.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "image/oci-import.h"
#include "image/oci-dockerfile.h"
#include "image/image-digest.h"
#include "image/image-store.h"
#include "image/image-cfg.h"
#include "image/oci-start.h"
#include "image/oci-json.h"
#include "image/oci-registry.h"
#include "image/oci-unpack.h"
#include "config/conf.h"
#include "base/fs.h"
#include "base/image-ref.h"
#include "base/paths.h"
#include "base/util.h"

#define SMALL_MAX   (4 * 1024 * 1024) /* manifests, configs, indexes */
#define SMALL_TOTAL (64 * 1024 * 1024)

struct small {
	char *name;
	char *data;
	size_t n;
};

/* Where the blobs come from: a directory, or a tar read front to back. */
struct src {
	const struct apo_image_ref *ref;
	const char *text;     /* the reference, for messages */
	int dirfd;	      /* oci: */
	struct small *smalls; /* archives: the small entries */
	size_t n_small, cap_small;
};

struct layer {
	char *path;   /* in the source */
	char *digest; /* the blob's; NULL: not known (docker-archive) */
	long long size;
	char *diff_id;
	char chain[APO_DIGEST_HEX + 1];
	char *tmp; /* images/oci-layer/.tmp-XXXXXX while unpacked, not yet in place */
	bool have; /* already in the store */
	bool done;
	bool placed; /* put into the store by this import: removed if it fails */
};

struct image {
	char *key; /* manifest digest hex (or config's) */
	char *manifest_digest;
	char *config_digest;
	struct json_object *config;
	char *config_raw;
	size_t config_n;
	struct layer *layers;
	size_t n_layers;
};

static int say(const struct src *s, int rc, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int say(const struct src *s, int rc, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "apomon: %s: ", s->text);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return rc;
}

static const char *strip_dot(const char *name)
{
	while (name[0] == '.' && name[1] == '/')
		name += 2;
	while (name[0] == '/')
		name++;
	return name;
}

static char *blob_path(const char *digest)
{
	if (strncmp(digest, "sha256:", 7) || strspn(digest + 7, "0123456789abcdef") != 64 ||
	    digest[71])
		return NULL;
	return apo_xasprintf("blobs/sha256/%s", digest + 7);
}

/* ---- reading the source ---- */

static ssize_t fd_read(void *ctx, void *buf, size_t n)
{
	ssize_t r = read(*(int *)ctx, buf, n);
	return r < 0 ? -errno : r;
}

static ssize_t ar_read(void *ctx, void *buf, size_t n)
{
	la_ssize_t r = archive_read_data(ctx, buf, n);
	return r < 0 ? -EIO : r;
}

static struct archive *tar_open(const struct src *s)
{
	struct archive *a = archive_read_new();

	archive_read_support_format_tar(a);
	archive_read_support_filter_all(a);
	if (archive_read_open_filename(a, s->ref->path, 256 * 1024) != ARCHIVE_OK) {
		say(s, 0, "%s", archive_error_string(a));
		archive_read_free(a);
		return NULL;
	}
	return a;
}

/* Archives: keeps every small entry in memory (indexes, manifests, configs). */
static int src_open(struct src *s)
{
	struct archive *a;
	struct archive_entry *e;
	size_t total = 0;
	int r;

	if (s->ref->kind == APO_REF_OCI) {
		s->dirfd = open(s->ref->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (s->dirfd < 0)
			return say(s, -errno, "%s: %s", s->ref->path, strerror(errno));
		return 0;
	}
	s->dirfd = -1;
	if (access(s->ref->path, R_OK) < 0)
		return say(s, -errno, "%s: %s", s->ref->path, strerror(errno));
	if (!(a = tar_open(s)))
		return -EBADMSG;
	while ((r = archive_read_next_header(a, &e)) == ARCHIVE_OK) {
		la_int64_t size = archive_entry_size(e);
		struct small sm;
		if (archive_entry_filetype(e) != AE_IFREG || size > SMALL_MAX ||
		    total + (size_t)size > SMALL_TOTAL)
			continue;
		sm.name = apo_xstrdup(strip_dot(archive_entry_pathname(e)));
		sm.n = (size_t)size;
		sm.data = apo_xmalloc(sm.n + 1);
		if (archive_read_data(a, sm.data, sm.n) != (la_ssize_t)sm.n) {
			free(sm.name);
			free(sm.data);
			r = ARCHIVE_FATAL;
			break;
		}
		sm.data[sm.n] = '\0';
		total += sm.n;
		APO_PUSH(s->smalls, s->n_small, s->cap_small, sm);
	}
	if (r != ARCHIVE_EOF)
		say(s, 0, "%s: %s", s->ref->path, archive_error_string(a));
	archive_read_free(a);
	return r == ARCHIVE_EOF ? 0 : -EBADMSG;
}

static void src_close(struct src *s)
{
	if (s->dirfd >= 0)
		close(s->dirfd);
	for (size_t i = 0; i < s->n_small; i++) {
		free(s->smalls[i].name);
		free(s->smalls[i].data);
	}
	free(s->smalls);
}

/* A small file of the source: 0 with *data (NUL-terminated, borrowed or
 * owned per *owned), or -ENOENT. */
static int src_small(const struct src *s, const char *path, char **data, size_t *n, bool *owned)
{
	*owned = false;
	if (s->dirfd >= 0) {
		struct stat st;
		int fd = openat(s->dirfd, path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
		if (fd < 0)
			return -errno;
		if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
			close(fd);
			return -EFBIG;
		}
		int rc = apo_read_fd(fd, SMALL_MAX, data, n);
		close(fd);
		*owned = rc == 0;
		return rc;
	}
	for (size_t i = 0; i < s->n_small; i++)
		if (!strcmp(s->smalls[i].name, path)) {
			*data = s->smalls[i].data;
			*n = s->smalls[i].n;
			return 0;
		}
	return -ENOENT;
}

/* A JSON blob by path, verified against digest when given. */
static int src_json(const struct src *s, const char *path, const char *digest,
		    struct json_object **out, char **raw, size_t *raw_n)
{
	char *data = NULL;
	size_t n = 0;
	bool owned;
	int rc = src_small(s, path, &data, &n, &owned);

	*out = NULL;
	if (rc < 0)
		return say(s, rc, "%s: %s", path,
			   rc == -EFBIG ? "not a small file" : strerror(-rc));
	if (digest && apo_oci_digest_check(data, n, digest) < 0) {
		_cleanup_free_ char *got = apo_oci_digest_of(data, n);
		rc = say(s, -EBADMSG, "%s: digest mismatch (%s, expected %s)", path, got, digest);
		goto out;
	}
	*out = json_tokener_parse(data);
	if (!*out) {
		rc = say(s, -EBADMSG, "%s: not JSON", path);
		goto out;
	}
	if (raw) {
		*raw = apo_xmalloc(n + 1);
		memcpy(*raw, data, n + 1);
		*raw_n = n;
	}
out:
	if (owned)
		free(data);
	return rc;
}

/* ---- what the image is made of ---- */

static int config_layers(const struct src *s, struct image *im, const char *config_path,
			 const char *config_digest)
{
	struct json_object *rootfs, *diff_ids;

	if (src_json(s, config_path, config_digest, &im->config, &im->config_raw, &im->config_n) <
	    0)
		return -EBADMSG;
	rootfs = apo_jget(im->config, "rootfs", json_type_object);
	diff_ids = apo_jget(rootfs, "diff_ids", json_type_array);
	if (!diff_ids || json_object_array_length(diff_ids) != im->n_layers)
		return say(s, -EBADMSG, "config %s: rootfs.diff_ids does not list the %zu layers",
			   config_path, im->n_layers);
	for (size_t i = 0; i < im->n_layers; i++) {
		const char *d = json_object_get_string(json_object_array_get_idx(diff_ids, i));
		_cleanup_free_ char *p = d ? blob_path(d) : NULL;
		if (!p)
			return say(s, -EBADMSG, "config: diff id %zu is not a sha256 digest", i);
		im->layers[i].diff_id = apo_xstrdup(d);
	}
	return 0;
}

static int read_oci(const struct src *s, struct image *im)
{
	struct json_object *index = NULL, *manifest = NULL, *mans, *desc = NULL, *layers, *cfg;
	_cleanup_free_ char *mpath = NULL, *cpath = NULL;
	const char *tag = s->ref->tag;
	int rc = -EBADMSG;

	if (src_json(s, "index.json", NULL, &index, NULL, NULL) < 0)
		goto out;
	mans = apo_jget(index, "manifests", json_type_array);
	for (size_t i = 0; mans && i < json_object_array_length(mans); i++) {
		struct json_object *d = json_object_array_get_idx(mans, i);
		const char *name = apo_jstr(apo_jget(d, "annotations", json_type_object),
					    "org.opencontainers.image.ref.name");
		if (tag ? name && !strcmp(name, tag) : json_object_array_length(mans) == 1)
			desc = d;
	}
	if (!desc) {
		say(s, 0, "index.json: %s",
		    tag ? "no image with that tag" : "several images: name one with :TAG");
		goto out;
	}
	for (int depth = 0;; depth++) {
		const char *digest = apo_jstr(desc, "digest");
		free(mpath);
		mpath = digest ? blob_path(digest) : NULL;
		if (!mpath) {
			say(s, 0, "index.json: a descriptor without a sha256 digest");
			goto out;
		}
		/* desc, and so digest, live in the index read last: it is let
		 * go only once the manifest it names is read */
		struct json_object *parent = manifest;
		rc = src_json(s, mpath, digest, &manifest, NULL, NULL);
		if (rc == 0) {
			free(im->manifest_digest);
			im->manifest_digest = apo_xstrdup(digest);
		}
		json_object_put(parent);
		rc = -EBADMSG;
		if (!manifest)
			goto out;
		const char *mt = apo_jstr(manifest, "mediaType") ? apo_jstr(manifest, "mediaType")
								 : apo_jstr(desc, "mediaType");
		if (!apo_oci_is_index(mt) && !apo_jget(manifest, "manifests", json_type_array))
			break;
		if (depth > 2 || !(desc = apo_oci_pick_platform(
				       apo_jget(manifest, "manifests", json_type_array)))) {
			say(s, 0, "%s: no image for linux/%s", mpath, apo_oci_host_arch());
			goto out;
		}
	}
	layers = apo_jget(manifest, "layers", json_type_array);
	cfg = apo_jget(manifest, "config", json_type_object);
	if (!layers || !cfg ||
	    !(cpath = blob_path(apo_jstr(cfg, "digest") ? apo_jstr(cfg, "digest") : ""))) {
		say(s, 0, "%s: not an image manifest (no config or layers)", mpath);
		goto out;
	}
	im->n_layers = json_object_array_length(layers);
	im->layers = apo_xcalloc(im->n_layers ? im->n_layers : 1, sizeof(*im->layers));
	for (size_t i = 0; i < im->n_layers; i++) {
		struct json_object *l = json_object_array_get_idx(layers, i);
		const char *d = apo_jstr(l, "digest");
		struct json_object *sz = apo_jget(l, "size", json_type_int);
		im->layers[i].path = d ? blob_path(d) : NULL;
		if (!im->layers[i].path) {
			say(s, 0, "%s: layer %zu has no sha256 digest", mpath, i);
			goto out;
		}
		im->layers[i].digest = apo_xstrdup(d);
		im->layers[i].size = sz ? json_object_get_int64(sz) : -1;
	}
	im->config_digest = apo_xstrdup(apo_jstr(cfg, "digest"));
	if (config_layers(s, im, cpath, im->config_digest) < 0)
		goto out;
	im->key = apo_xstrdup(im->manifest_digest + 7);
	rc = 0;
out:
	json_object_put(index);
	json_object_put(manifest);
	return rc;
}

/* docker save: manifest.json lists images, each its config and layer tars. */
static int read_docker(const struct src *s, struct image *im)
{
	struct json_object *all = NULL, *img = NULL, *layers;
	const char *want = s->ref->tag, *config;
	int rc = -EBADMSG;
	size_t n;

	if (src_json(s, "manifest.json", NULL, &all, NULL, NULL) < 0)
		goto out;
	n = json_object_is_type(all, json_type_array) ? json_object_array_length(all) : 0;
	if (want && want[0] == '@') {
		size_t k = (size_t)strtoul(want + 1, NULL, 10);
		img = k < n ? json_object_array_get_idx(all, k) : NULL;
	} else if (want) {
		for (size_t i = 0; i < n && !img; i++) {
			struct json_object *tags = apo_jget(json_object_array_get_idx(all, i),
							    "RepoTags", json_type_array);
			for (size_t j = 0; tags && j < json_object_array_length(tags); j++) {
				const char *t =
				    json_object_get_string(json_object_array_get_idx(tags, j));
				if (t &&
				    (!strcmp(t, want) || (!strncmp(t, want, strlen(want)) &&
							  !strcmp(t + strlen(want), ":latest"))))
					img = json_object_array_get_idx(all, i);
			}
		}
	} else if (n == 1) {
		img = json_object_array_get_idx(all, 0);
	}
	if (!img) {
		say(s, 0, "manifest.json: %s",
		    want ? "no such image in the archive"
		    : n	 ? "several images: name one with :REF or :@INDEX"
			 : "no image");
		goto out;
	}
	config = apo_jstr(img, "Config");
	layers = apo_jget(img, "Layers", json_type_array);
	if (!config || !layers) {
		say(s, 0, "manifest.json: an image without Config or Layers");
		goto out;
	}
	/* the config's name is its digest (HEX.json or blobs/sha256/HEX) */
	{
		const char *base = strrchr(config, '/') ? strrchr(config, '/') + 1 : config;
		char hex[APO_DIGEST_HEX + 1];
		if (strspn(base, "0123456789abcdef") != 64) {
			say(s, 0, "manifest.json: Config %s is not named by its digest", config);
			goto out;
		}
		memcpy(hex, base, 64);
		hex[64] = '\0';
		im->config_digest = apo_xasprintf("sha256:%s", hex);
	}
	im->n_layers = json_object_array_length(layers);
	im->layers = apo_xcalloc(im->n_layers ? im->n_layers : 1, sizeof(*im->layers));
	for (size_t i = 0; i < im->n_layers; i++) {
		const char *p = json_object_get_string(json_object_array_get_idx(layers, i));
		im->layers[i].path = apo_xstrdup(strip_dot(p ? p : ""));
		im->layers[i].size = -1;
	}
	if (config_layers(s, im, strip_dot(config), im->config_digest) < 0)
		goto out;
	im->key = apo_xstrdup(im->config_digest + 7);
	rc = 0;
out:
	json_object_put(all);
	return rc;
}

static void image_clear(struct image *im)
{
	for (size_t i = 0; i < im->n_layers; i++) {
		struct layer *l = &im->layers[i];
		if (l->tmp)
			apo_rmtree(l->tmp);
		free(l->tmp);
		free(l->path);
		free(l->digest);
		free(l->diff_id);
	}
	free(im->layers);
	free(im->key);
	free(im->manifest_digest);
	free(im->config_digest);
	free(im->config_raw);
	json_object_put(im->config);
}

/* ---- the store ---- */

static void chain_ids(struct image *im)
{
	for (size_t i = 0; i < im->n_layers; i++)
		apo_oci_chain_id(i ? im->layers[i - 1].chain : NULL, im->layers[i].diff_id,
				 im->layers[i].chain);
}

static int layer_tmp(struct layer *l)
{
	return apo_image_tmp_layer(APO_OCI_LAYER_IMAGE, &l->tmp);
}

static int unpack_one(const struct src *s, struct layer *l, apo_oci_read_fn rd, void *ctx)
{
	_cleanup_free_ char *root = NULL, *err = NULL;
	struct apo_oci_blob_in in = {
	    .read = rd,
	    .ctx = ctx,
	    .name = l->digest ? l->digest : l->path,
	    .digest = l->digest,
	    .size = l->size,
	    .diff_id = l->diff_id,
	};
	int rc = layer_tmp(l);

	if (rc < 0)
		return say(s, rc, "%s: %s", l->path, strerror(-rc));
	root = apo_xasprintf("%s/root", l->tmp);
	rc = apo_oci_unpack(&in, root, &err);
	if (rc < 0)
		return say(s, rc, "%s", err ? err : strerror(-rc));
	l->done = true;
	return 0;
}

static int unpack_layers(const struct src *s, struct image *im, FILE *progress)
{
	size_t left = 0;
	int rc = 0;

	for (size_t i = 0; i < im->n_layers; i++) {
		_cleanup_free_ char *dir = apo_image_path(APO_OCI_LAYER_IMAGE, im->layers[i].chain);
		im->layers[i].have = im->layers[i].done = access(dir, F_OK) == 0;
		/* the same chain twice in one image: unpacked once */
		for (size_t j = 0; j < i && !im->layers[i].done; j++)
			if (!strcmp(im->layers[j].chain, im->layers[i].chain))
				im->layers[i].have = im->layers[i].done = true;
		left += !im->layers[i].done;
	}
	if (progress && left)
		fprintf(progress, "%s: unpacking %zu of %zu layers\n", s->text, left, im->n_layers);
	if (s->dirfd >= 0) {
		for (size_t i = 0; i < im->n_layers && rc == 0; i++) {
			struct layer *l = &im->layers[i];
			int fd;
			if (l->done)
				continue;
			fd = openat(s->dirfd, l->path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
			if (fd < 0)
				return say(s, -errno, "%s: %s", l->path, strerror(errno));
			rc = unpack_one(s, l, fd_read, &fd);
			close(fd);
		}
		return rc;
	}
	/* archives: front to back, as often as one blob serves several layers */
	while (left && rc == 0) {
		struct archive *a = tar_open(s);
		struct archive_entry *e;
		size_t before = left;
		int r;
		if (!a)
			return -EBADMSG;
		while (rc == 0 && (r = archive_read_next_header(a, &e)) == ARCHIVE_OK) {
			const char *name = strip_dot(archive_entry_pathname(e));
			for (size_t i = 0; i < im->n_layers; i++) {
				struct layer *l = &im->layers[i];
				if (l->done || strcmp(l->path, name))
					continue;
				rc = unpack_one(s, l, ar_read, a);
				left--;
				break;
			}
		}
		if (rc == 0 && r != ARCHIVE_EOF)
			rc = say(s, -EBADMSG, "%s", archive_error_string(a));
		archive_read_free(a);
		if (rc == 0 && left == before) {
			for (size_t i = 0; i < im->n_layers; i++)
				if (!im->layers[i].done)
					return say(s, -EBADMSG, "%s: not in the archive",
						   im->layers[i].path);
		}
	}
	return rc;
}

static int save_meta(const char *dir, const char *name, const char *digest, const char *parent,
		     const char *parent_digest, const char *root)
{
	_cleanup_free_ char *json = apo_xasprintf("%s/image.json", dir);
	struct apo_image_meta m = {
	    .name = (char *)name,
	    .digest = (char *)digest,
	    .parent = (char *)parent,
	    .parent_digest = (char *)parent_digest,
	    .origin = "oci",
	    .created = (long long)time(NULL),
	    .size = apo_tree_size(root),
	};
	return apo_image_meta_save(json, &m);
}

static char *layer_final(const struct layer *l)
{
	return apo_image_path(APO_OCI_LAYER_IMAGE, l->chain);
}

/* The verified layers into place, lowest first: each a whole, by rename. */
static int commit_layers(const struct src *s, struct image *im)
{
	for (size_t i = 0; i < im->n_layers; i++) {
		struct layer *l = &im->layers[i];
		_cleanup_free_ char *root = NULL, *final = NULL;
		int rc;
		if (!l->tmp)
			continue;
		root = apo_xasprintf("%s/root", l->tmp);
		rc =
		    save_meta(l->tmp, APO_OCI_LAYER_IMAGE, l->chain, i ? APO_OCI_LAYER_IMAGE : NULL,
			      i ? im->layers[i - 1].chain : NULL, root);
		final = layer_final(l);
		if (rc < 0 || rename(l->tmp, final) < 0) {
			rc = rc < 0 ? rc : -errno;
			return say(s, rc, "layer %.19s: into the store: %s", l->chain,
				   strerror(-rc));
		}
		l->placed = true;
		free(l->tmp);
		l->tmp = NULL;
	}
	return 0;
}

/* A failed import takes out the layers it placed, topmost first, so that
 * no layer is left that no image uses. */
static void uncommit_layers(struct image *im)
{
	for (size_t i = im->n_layers; i-- > 0;) {
		struct layer *l = &im->layers[i];
		if (l->placed) {
			_cleanup_free_ char *final = layer_final(l);
			apo_rmtree(final);
			l->placed = false;
		}
	}
}

/* Where layer i's tree is now: its temporary directory until it is placed. */
static char *layer_now(const struct layer *l)
{
	if (l->tmp)
		return apo_xasprintf("%s/root", l->tmp);
	return apo_image_layer_dir(APO_OCI_LAYER_IMAGE, l->chain);
}

/*
 * The image's own top layer, made in a temporary directory before any
 * layer is placed: apomon/oci-start (where the config may be refused),
 * the config and the metadata.  *tmp: that directory.
 */
static int prepare_top(const struct src *s, struct image *im, const char *name, char **tmp)
{
	_cleanup_free_ char *root = NULL, *p = NULL, *err = NULL;
	char **lower = apo_xcalloc(im->n_layers + 1, sizeof(char *));
	struct json_object *o;
	int rc;

	for (size_t i = 0; i < im->n_layers; i++)
		lower[i] = layer_now(&im->layers[im->n_layers - 1 - i]);
	if ((rc = apo_image_tmp_layer(name, tmp)) < 0)
		goto out;
	root = apo_xasprintf("%s/root/apomon", *tmp);
	if ((rc = apo_mkdir_p(root, 0755)) < 0)
		goto out;
	p = apo_xasprintf("%s/%s", root, "oci-start");
	rc = apo_oci_start_write(im->config, (const char *const *)lower, im->n_layers, p, &err);
	if (rc < 0) {
		say(s, rc, "config: %s", err ? err : strerror(-rc));
		goto out;
	}
	free(p);
	p = apo_xasprintf("%s/config.json", *tmp);
	if ((rc = apo_write_file(p, im->config_raw, im->config_n, 0644)) < 0)
		goto out;
	free(p);
	p = apo_xasprintf("%s/oci.json", *tmp);
	o = json_object_new_object();
	json_object_object_add(o, "source", json_object_new_string(s->text));
	json_object_object_add(o, "manifest",
			       im->manifest_digest ? json_object_new_string(im->manifest_digest)
						   : NULL);
	json_object_object_add(o, "config", json_object_new_string(im->config_digest));
	rc = json_object_to_file_ext(p, o, JSON_C_TO_STRING_PRETTY) < 0 ? -EIO : 0;
	json_object_put(o);
	if (rc < 0)
		goto out;
	free(root);
	root = apo_xasprintf("%s/root", *tmp);
	rc = save_meta(*tmp, name, im->key, im->n_layers ? APO_OCI_LAYER_IMAGE : NULL,
		       im->n_layers ? im->layers[im->n_layers - 1].chain : NULL, root);
out:
	for (size_t i = 0; i < im->n_layers; i++)
		free(lower[i]);
	free(lower);
	if (rc < 0 && rc != -EBADMSG && rc != -EINVAL)
		say(s, rc, "into the store: %s", strerror(-rc));
	return rc;
}

static int place_top(const struct src *s, struct image *im, const char *name, char **tmp)
{
	_cleanup_free_ char *final = apo_image_path(name, im->key);
	int rc;

	if (rename(*tmp, final) < 0)
		return say(s, -errno, "into the store: %s", strerror(errno));
	free(*tmp);
	*tmp = NULL;
	if ((rc = apo_image_set_current(name, im->key)) < 0) {
		apo_rmtree(final);
		return say(s, rc, "into the store: %s", strerror(-rc));
	}
	return 0;
}

/*
 * All or nothing: the layers are unpacked and verified, the top made (the
 * config checked), and only then is anything renamed into the store; a
 * failure on the way removes what this import placed, and the image's
 * directory if it was made for it.
 */
static int commit(const struct src *s, struct image *im, const char *name)
{
	_cleanup_free_ char *dir = apo_image_path(name, NULL);
	_cleanup_free_ char *top = NULL;
	bool had_dir = access(dir, F_OK) == 0;
	int rc;

	if ((rc = prepare_top(s, im, name, &top)) < 0 || (rc = commit_layers(s, im)) < 0 ||
	    (rc = place_top(s, im, name, &top)) < 0) {
		if (top)
			apo_rmtree(top);
		uncommit_layers(im);
		if (!had_dir)
			rmdir(dir);
	}
	return rc;
}

/*
 * A NAME given to `image import`: the image it named before (its key, and
 * where it came from), which only --force replaces.
 */
struct named {
	bool force;
	char *old;	  /* NAME's current key; NULL: a new name */
	char *old_source; /* its oci.json's source, for the message */
};

/* NAME already names another image: refused, or (--force) allowed when
 * no mount uses its layers, the old one dropped once the new is in. */
static int replace_check(const char *name, const struct named *nm, const char *key)
{
	pid_t user;

	if (!nm || !nm->old || !strcmp(nm->old, key))
		return 0;
	if (!nm->force) {
		fprintf(stderr,
			"apomon: %s: image import: already names another image (digest %.12s, "
			"from %s); --force replaces it\n",
			name, nm->old, nm->old_source ? nm->old_source : "unknown");
		return -EEXIST;
	}
	if ((user = apo_image_in_use(name))) {
		fprintf(stderr,
			"apomon: %s: image import: a mount uses its layers (process %d: a running "
			"station?); stop it before replacing the image\n",
			name, (int)user);
		return -EBUSY;
	}
	return 0;
}

static int import_locked(const struct src *s, const char *name, const struct named *nm,
			 FILE *progress, char **digest)
{
	struct image im = {0};
	_cleanup_free_ char *have = NULL;
	int rc;

	rc = s->ref->kind == APO_REF_DOCKER_ARCHIVE ? read_docker(s, &im) : read_oci(s, &im);
	if (rc < 0)
		goto out;
	if ((rc = replace_check(name, nm, im.key)) < 0)
		goto out;
	have = apo_image_path(name, im.key);
	chain_ids(&im);
	if (access(have, F_OK) == 0) {
		rc = apo_image_set_current(name, im.key);
		if (progress && rc == 0)
			fprintf(progress, "%s: up to date (digest %.12s)\n", s->text, im.key);
		goto out;
	}
	if ((rc = unpack_layers(s, &im, progress)) < 0 || (rc = commit(s, &im, name)) < 0)
		goto out;
	if (progress)
		fprintf(progress, "%s: imported as %s (digest %.12s, %zu layers)\n", s->text, name,
			im.key, im.n_layers);
	/* the name moved: the image it named goes (its shared layers only if
	 * nothing else stands on them); a leftover costs space, not the import */
	if (nm && nm->old && strcmp(nm->old, im.key) && apo_image_drop_layer(name, nm->old) == 0 &&
	    progress)
		fprintf(progress, "%s: replaced image %.12s\n", name, nm->old);
out:
	if (rc == 0 && digest)
		*digest = apo_xstrdup(im.key);
	image_clear(&im);
	return rc;
}

struct have_ctx {
	const char *name;
};

static bool have(void *ctx, const char *what, const char *digest)
{
	const struct have_ctx *h = ctx;
	_cleanup_free_ char *dir = NULL;

	if (!strcmp(what, "image"))
		dir = apo_image_path(h->name, digest + 7);
	else
		dir = apo_image_path(APO_OCI_LAYER_IMAGE, digest);
	return access(dir, F_OK) == 0;
}

/*
 * docker://: the registry client fills a fresh OCI layout (under the
 * store, so that renames stay on one file system) with what the store
 * lacks, every blob verified as it came; the import reads it as an oci:
 * directory.  The layout goes whatever happens.
 */
static int pull_locked(struct src *s, const char *name, FILE *progress, char **digest)
{
	_cleanup_free_ char *tmp = apo_image_path(".pull-XXXXXX", NULL);
	_cleanup_free_ char *key = NULL;
	struct apo_image_ref lay = {.kind = APO_REF_OCI, .path = tmp};
	const struct apo_image_ref *ref = s->ref;
	struct have_ctx h = {.name = name};
	struct apo_oci_pull p = {.ref = ref,
				 .text = s->text,
				 .dir = tmp,
				 .progress = progress,
				 /* --quiet (and `up`, whose own line is live) pass no progress */
				 .live = progress && isatty(STDERR_FILENO),
				 .have = have,
				 .ctx = &h};
	int rc;

	if (!mkdtemp(tmp))
		return say(s, -errno, "%s: %s", tmp, strerror(errno));
	rc = apo_oci_registry_pull(&p, &key);
	if (rc == 1) { /* the store has this manifest's image */
		rc = apo_image_set_current(name, key + 7);
		if (progress && rc == 0)
			fprintf(progress, "%s: up to date (digest %.12s)\n", s->text, key + 7);
		if (rc == 0 && digest)
			*digest = apo_xstrdup(key + 7);
	} else if (rc == 0) {
		s->ref = &lay;
		if ((rc = src_open(s)) == 0)
			rc = import_locked(s, name, NULL, progress, digest);
		s->ref = ref;
	}
	apo_rmtree(tmp);
	return rc;
}

/*
 * dockerfile:DIR: buildah builds it into a fresh OCI layout under the
 * store, read as an oci: directory, then removed whatever happens.  The
 * build is cached on a digest of DIR's contents (names, types, modes,
 * contents, link targets: the Dockerfile is one of them): NAME/.context-
 * DIGEST names the image that build made, and an unchanged DIR whose image
 * is still in the store is that image again, with no buildah run.  What
 * the Dockerfile fetches (its FROM, a RUN's downloads) is not in the key:
 * change DIR, or `apomon image rm` the image, to rebuild against newer.
 */
static int build_locked(struct src *s, const char *name, FILE *progress, char **digest)
{
	_cleanup_free_ char *tmp = apo_image_path(".build-XXXXXX", NULL);
	_cleanup_free_ char *lay = NULL, *cache = NULL, *mine = NULL;
	const struct apo_image_ref *ref = s->ref;
	char ctx[APO_DIGEST_HEX + 1], key[APO_DIGEST_HEX + 2];
	ssize_t len = -1;
	int rc;

	if ((rc = apo_tree_digest("apomon-dockerfile-context 1", ref->path, ctx)) < 0)
		return say(s, rc, "%s: digest of its contents: %s", ref->path, strerror(-rc));
	mine = apo_xasprintf(".context-%s", ctx);
	cache = apo_image_path(name, mine);
	{
		_cleanup_close_ int fd = open(cache, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
		if (fd >= 0 && (len = read(fd, key, sizeof(key) - 1)) >= 0)
			key[len] = '\0';
	}
	if (len == APO_DIGEST_HEX && strspn(key, "0123456789abcdef") == APO_DIGEST_HEX) {
		_cleanup_free_ char *have = apo_image_path(name, key);
		if (access(have, F_OK) == 0 && (rc = apo_image_set_current(name, key)) == 0) {
			if (progress)
				fprintf(progress, "%s: up to date (context %.12s, digest %.12s)\n",
					s->text, ctx, key);
			if (digest)
				*digest = apo_xstrdup(key);
			return 0;
		}
	}
	if (!mkdtemp(tmp))
		return say(s, -errno, "%s: %s", tmp, strerror(errno));
	lay = apo_xasprintf("%s/layout", tmp);
	struct apo_image_ref l = {.kind = APO_REF_OCI, .path = lay, .tag = (char *)"latest"};
	_cleanup_free_ char *made = NULL;
	rc = apo_oci_dockerfile_build(s->text, ref->path, lay, progress);
	if (rc == 0) {
		s->ref = &l;
		if ((rc = src_open(s)) == 0)
			rc = import_locked(s, name, NULL, progress, &made);
		s->ref = ref;
	}
	apo_rmtree(tmp);
	/* a cache that cannot be written costs the next `up` a build, no more */
	if (rc == 0 && made)
		apo_write_file_atomic(cache, made, strlen(made), 0644, false);
	if (rc == 0 && digest)
		*digest = apo_xstrdup(made);
	return rc;
}

int apo_oci_ensure(const char *text, const struct apo_image_opts *o, char **digest)
{
	struct apo_image_ref ref;
	struct src s = {.text = text, .dirfd = -1};
	_cleanup_free_ char *name = NULL, *err = NULL;
	int lock, rc;

	if (digest)
		*digest = NULL;
	if (apo_image_ref_parse(text, &ref, &err) < 0) {
		fprintf(stderr, "apomon: image %s\n", err);
		return -EINVAL;
	}
	name = apo_image_ref_store_name(text);
	if (!o->build) {
		rc = apo_image_current(name, digest ? digest : &err);
		goto out_ref;
	}
	if (ref.kind == APO_REF_DOCKERFILE && !apo_oci_have_buildah()) {
		fprintf(stderr,
			"apomon: %s: building a Dockerfile needs buildah, which is not installed "
			"(Debian package buildah)\n",
			text);
		rc = -ENOTSUP;
		goto out_ref;
	}
	s.ref = &ref;
	lock = apo_image_store_lock(); /* two pulls of one image: one download */
	if (lock < 0) {
		rc = say(&s, lock, "images: lock: %s", strerror(-lock));
		goto out_ref;
	}
	if (ref.kind == APO_REF_DOCKER)
		rc = pull_locked(&s, name, o->progress, digest);
	else if (ref.kind == APO_REF_DOCKERFILE)
		rc = build_locked(&s, name, o->progress, digest);
	else if ((rc = src_open(&s)) == 0)
		rc = import_locked(&s, name, NULL, o->progress, digest);
	src_close(&s);
	apo_image_store_unlock(lock);
out_ref:
	apo_image_ref_clear(&ref);
	return rc;
}

/* NAME as a local image name a station's `image` can be, not a definition's */
static int name_check(const char *name, char **search)
{
	_cleanup_free_ char *def = NULL;

	if (!apo_valid_station_name(name) || !apo_image_name_valid(name)) {
		fprintf(stderr,
			"apomon: %s: not an image name: expected lower-case letters, digits, '-' "
			"and '_', starting with a letter or digit, at most 63 bytes\n",
			name);
		return -EINVAL;
	}
	if (!strcmp(name, APO_OCI_LAYER_IMAGE)) {
		fprintf(stderr,
			"apomon: %s: image import: the store's own name for shared layers\n", name);
		return -EINVAL;
	}
	/* `up` would build the definition, never use the import */
	if ((def = apo_image_def_find(search, name))) {
		fprintf(stderr,
			"apomon: %s: image import: %s defines an image of that name, which would "
			"win over the import; choose another NAME\n",
			name, def);
		return -EEXIST;
	}
	return 0;
}

/* What NAME names now: nothing, an import (nm->old), or else (refused). */
static int name_current(const char *name, struct named *nm)
{
	_cleanup_free_ char *cur = NULL;
	struct apo_image_meta *m = NULL;
	int rc;

	if (apo_image_current(name, &cur) < 0)
		return 0;
	if (apo_image_meta_load(name, cur, &m) < 0)
		return 0; /* a name without a complete layer: nothing to keep */
	rc = m->origin && !strcmp(m->origin, "oci") ? 0 : -EEXIST;
	if (rc < 0) {
		fprintf(stderr,
			"apomon: %s: image import: names a %s image; choose another NAME (or "
			"apomon image rm it first)\n",
			name, m->origin ? m->origin : "built");
	} else {
		_cleanup_free_ char *dir = apo_image_path(name, cur);
		_cleanup_free_ char *p = apo_xasprintf("%s/oci.json", dir);
		struct json_object *o = json_object_from_file(p);
		nm->old_source = apo_jstr(o, "source") ? apo_xstrdup(apo_jstr(o, "source")) : NULL;
		json_object_put(o);
		nm->old = cur;
		cur = NULL;
	}
	apo_image_meta_free(m);
	return rc;
}

int apo_oci_import(const char *text, const struct apo_oci_import_opts *o, char **digest)
{
	struct apo_image_ref ref;
	struct src s = {.text = text, .dirfd = -1};
	struct named nm = {.force = o->force};
	_cleanup_free_ char *err = NULL;
	char **search = NULL;
	int lock, rc;

	if (digest)
		*digest = NULL;
	if (!o->name) {
		struct apo_image_opts io = {
		    .search = o->search, .progress = o->progress, .build = true};
		return apo_oci_ensure(text, &io, digest);
	}
	if (apo_image_ref_parse(text, &ref, &err) < 0) {
		fprintf(stderr, "apomon: image %s\n", err);
		return -EINVAL;
	}
	if (ref.kind != APO_REF_OCI && ref.kind != APO_REF_OCI_ARCHIVE &&
	    ref.kind != APO_REF_DOCKER_ARCHIVE) {
		fprintf(
		    stderr,
		    "apomon: %s: image import: a NAME is for an OCI layout, an oci-archive or a "
		    "docker-archive; a %s: image is named by its reference\n",
		    text, apo_image_ref_transport(ref.kind));
		rc = -EINVAL;
		goto out_ref;
	}
	search = o->search ? o->search : apo_image_search_path(NULL, 0);
	if ((rc = name_check(o->name, search)) < 0)
		goto out_ref;
	s.ref = &ref;
	lock = apo_image_store_lock();
	if (lock < 0) {
		rc = say(&s, lock, "images: lock: %s", strerror(-lock));
		goto out_ref;
	}
	if ((rc = name_current(o->name, &nm)) == 0 && (rc = src_open(&s)) == 0)
		rc = import_locked(&s, o->name, &nm, o->progress, digest);
	src_close(&s);
	apo_image_store_unlock(lock);
out_ref:
	free(nm.old);
	free(nm.old_source);
	if (search != o->search)
		apo_strv_free(search);
	apo_image_ref_clear(&ref);
	return rc;
}
