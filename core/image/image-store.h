/* SPDX-License-Identifier: MIT */
/*
 * The image store: built layers under APO_LIB_DIR/images/, and the API the
 * runtime and the integrity check use.
 *
 *   images/.lock                   flock: one writer (build, commit, rm) at a time
 *   images/NAME/current            symlink -> DIGEST, the layer in use
 *   images/NAME/DIGEST/root/       the layer (base: a whole root; others: an
 *                                  overlayfs upper layer, whiteouts included)
 *   images/NAME/DIGEST/image.json  name, digest, parent, parent_digest,
 *                                  origin, created, size, seal
 *   images/NAME/.tmp-XXXXXX/       a build in progress (never used; removed
 *                                  by the next build when a crash left it)
 *
 * A layer is keyed by the digest of its definition and of its parent's
 * digest, so a layer never changes once it is renamed into place.
 */
#ifndef APO_IMAGE_STORE_H
#define APO_IMAGE_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

#define APO_DIGEST_HEX 64

struct apo_image_meta {
	char *name;
	char *digest;
	char *parent;		 /* NULL: a root image */
	char *parent_digest;	 /* the exact layer it was built on */
	char *origin;		 /* "build" or "commit" */
	long long created;	 /* seconds since the epoch */
	unsigned long long size; /* bytes on disk of this layer alone */
	char **seal;		 /* this layer's own sealed paths */
	size_t n_seal;
};

struct apo_image_opts {
	char **search;	/* NULL-terminated definition directories; NULL: the default path */
	FILE *progress; /* one line a step; NULL: quiet */
	bool verbose;	/* stream the build commands' output too */
	bool build;	/* build what is missing or stale; false: only look */
};

/* APO_LIB_DIR/images: apo_images_dir() in base/paths.h */
/* APO_LIB_DIR/images/NAME/DIGEST/root; caller frees. */
char *apo_image_layer_dir(const char *name, const char *digest);

/* NAME/current; 0 with *digest (caller frees), or -ENOENT. */
int apo_image_current(const char *name, char **digest);
/* Points NAME/current at DIGEST atomically. */
int apo_image_set_current(const char *name, const char *digest);
int apo_image_meta_load(const char *name, const char *digest, struct apo_image_meta **out);
int apo_image_meta_save(const char *path, const struct apo_image_meta *m);
void apo_image_meta_free(struct apo_image_meta *m);

/* Every image's current layer, sorted by name. */
int apo_image_list(struct apo_image_meta ***out, size_t *n);
void apo_image_meta_list_free(struct apo_image_meta **v, size_t n);

/*
 * For the runtime (`up`, `start`): the layer directories of image NAME,
 * lowest (the root image) first.  When NAME has a definition on the search
 * path and o->build is set, missing or stale layers (of NAME and its
 * parents) are built first, printing progress to o->progress; an image
 * without a definition (made by `apomon commit`) uses its current layer.
 * o NULL: default search path, build, progress on stdout.
 * Returns 0, -ENOENT (no such image, or not built and !o->build), -EINVAL
 * (a definition has errors, printed on stderr) or -EIO (a build failed,
 * its output printed on stderr).
 */
int apo_image_layers(const char *name, const struct apo_image_opts *o, char ***dirs, size_t *n);
void apo_image_layers_free(char **dirs, size_t n);

/* overlayfs wants lowerdir=TOP:...:BOTTOM: joins dirs (lowest first) in that order. */
char *apo_image_lowerdir(char *const *dirs, size_t n);

/*
 * For `apomon commit`: copies a station's writable layer (an overlay
 * upperdir; the station should be stopped) into a new layer of image NAME
 * on top of `parent` ("IMAGE", meaning its current layer, or
 * "IMAGE@DIGEST"), and makes it NAME's current layer.  NAME must not be a
 * built image (one with a definition).  *digest (may be NULL) receives the
 * new layer's digest.  0 or negative errno (message on stderr).
 */
int apo_image_commit(const char *upperdir, const char *name, const char *parent, char **digest);

/*
 * For the integrity check: the paths stations of image NAME seal, those of
 * its parents first, without duplicates: from the current layer's metadata
 * when NAME is built, else from the definitions on the default search path.
 * Caller frees each and the array.  0, -ENOENT (no such image) or -EINVAL
 * (a definition has errors, printed on stderr).
 */
int apo_image_sealed_paths(const char *name, char ***paths, size_t *n);

/* Removes every layer of NAME.  Refuses (-EBUSY, message on stderr) while
 * another image is built on it or a mount uses it; force skips the first. */
int apo_image_rm(const char *name, bool force);

/* A pid whose mounts use a layer of NAME (a running station?), or 0. */
pid_t apo_image_in_use(const char *name);

/*
 * For an import that gives NAME another image (store lock held): removes
 * NAME's layer DIGEST, out of sight first, then the shared OCI layers no
 * image stands on any more.  0 (also when it is gone) or negative errno.
 */
int apo_image_drop_layer(const char *name, const char *digest);

/*
 * A layer in the making: images/NAME/.tmp-XXXXXX (mode 0755) with an
 * empty root/ in it, the store and images/NAME made first when missing.
 * Renamed to images/NAME/DIGEST when complete, removed else.  0 with
 * *tmp (caller frees), or negative errno with *tmp NULL.
 */
int apo_image_tmp_layer(const char *name, char **tmp);

/* The store lock (flock on images/.lock); returns the fd, or negative errno. */
int apo_image_store_lock(void);
void apo_image_store_unlock(int fd);

/* Makes the store (apo_lib_dir()/images) mode 0700: image trees hold
 * setuid binaries and private keys of their own, which no other host
 * user may reach (stations see them through their mounts).  0 or
 * negative errno. */
int apo_image_store_prepare(void);

/* Bytes on disk under path (st_blocks, one device). */
unsigned long long apo_tree_size(const char *path);

#endif
