/* SPDX-License-Identifier: MIT */
#define _GNU_SOURCE
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <json-c/json.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "image/image-build.h"
#include "image/image-cfg.h"
#include "image/image-digest.h"
#include "image/image-store.h"
#include "image/oci-import.h"
#include "base/spawn.h"
#include "base/fs.h"
#include "base/image-ref.h"
#include "base/paths.h"
#include "base/util.h"

char *apo_image_layer_dir(const char *name, const char *digest)
{
	_cleanup_free_ char *dir = apo_image_path(name, digest);
	return apo_xasprintf("%s/root", dir);
}

static int is_digest(const char *s)
{
	size_t n = strspn(s, "0123456789abcdef");
	return n == APO_DIGEST_HEX && s[n] == '\0';
}

int apo_image_current(const char *name, char **digest)
{
	_cleanup_free_ char *link = NULL;
	char buf[128];
	ssize_t n;

	*digest = NULL;
	if (!apo_image_name_valid(name))
		return -EINVAL;
	link = apo_image_path(name, "current");
	n = readlink(link, buf, sizeof(buf) - 1);
	if (n < 0)
		return errno == ENOENT || errno == ENOTDIR ? -ENOENT : -errno;
	buf[n] = '\0';
	if (!is_digest(buf))
		return -EINVAL;
	*digest = apo_xstrdup(buf);
	return 0;
}

void apo_image_meta_free(struct apo_image_meta *m)
{
	if (!m)
		return;
	free(m->name);
	free(m->digest);
	free(m->parent);
	free(m->parent_digest);
	free(m->origin);
	for (size_t i = 0; i < m->n_seal; i++)
		free(m->seal[i]);
	free(m->seal);
	free(m);
}

static char *jstr(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
		return NULL;
	return apo_xstrdup(json_object_get_string(v));
}

int apo_image_meta_load(const char *name, const char *digest, struct apo_image_meta **out)
{
	_cleanup_free_ char *path = NULL;
	struct json_object *o, *v;
	struct apo_image_meta *m;

	*out = NULL;
	if (!apo_image_name_valid(name) || !is_digest(digest))
		return -EINVAL;
	_cleanup_free_ char *dir = apo_image_path(name, digest);
	path = apo_xasprintf("%s/image.json", dir);
	if (access(path, F_OK) < 0)
		return -errno;
	o = json_object_from_file(path);
	if (!o)
		return -EBADMSG;
	m = apo_xcalloc(1, sizeof(*m));
	m->name = jstr(o, "name");
	m->digest = jstr(o, "digest");
	m->parent = jstr(o, "parent");
	m->parent_digest = jstr(o, "parent_digest");
	m->origin = jstr(o, "origin");
	if (json_object_object_get_ex(o, "created", &v))
		m->created = json_object_get_int64(v);
	if (json_object_object_get_ex(o, "size", &v))
		m->size = (unsigned long long)json_object_get_int64(v);
	if (json_object_object_get_ex(o, "seal", &v) && json_object_is_type(v, json_type_array)) {
		size_t n = json_object_array_length(v), cap = 0;
		for (size_t i = 0; i < n; i++) {
			struct json_object *e = json_object_array_get_idx(v, i);
			if (json_object_is_type(e, json_type_string))
				APO_PUSH(m->seal, m->n_seal, cap,
					 apo_xstrdup(json_object_get_string(e)));
		}
	}
	json_object_put(o);
	if (!m->name || !m->digest || strcmp(m->name, name) || strcmp(m->digest, digest) ||
	    (m->parent && !m->parent_digest)) {
		apo_image_meta_free(m);
		return -EBADMSG;
	}
	*out = m;
	return 0;
}

static struct json_object *meta_json(const struct apo_image_meta *m)
{
	struct json_object *o = json_object_new_object(), *seal = json_object_new_array();

	json_object_object_add(o, "name", json_object_new_string(m->name));
	json_object_object_add(o, "digest", json_object_new_string(m->digest));
	json_object_object_add(o, "parent", m->parent ? json_object_new_string(m->parent) : NULL);
	json_object_object_add(o, "parent_digest",
			       m->parent_digest ? json_object_new_string(m->parent_digest) : NULL);
	json_object_object_add(o, "origin",
			       json_object_new_string(m->origin ? m->origin : "build"));
	json_object_object_add(o, "created", json_object_new_int64(m->created));
	json_object_object_add(o, "size", json_object_new_int64((int64_t)m->size));
	for (size_t i = 0; i < m->n_seal; i++)
		json_object_array_add(seal, json_object_new_string(m->seal[i]));
	json_object_object_add(o, "seal", seal);
	return o;
}

int apo_image_meta_save(const char *path, const struct apo_image_meta *m)
{
	struct json_object *o = meta_json(m);
	int rc = json_object_to_file_ext(path, o, JSON_C_TO_STRING_PRETTY) < 0 ? -EIO : 0;

	json_object_put(o);
	return rc;
}

void apo_image_meta_list_free(struct apo_image_meta **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		apo_image_meta_free(v[i]);
	free(v);
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

int apo_image_list(struct apo_image_meta ***out, size_t *n)
{
	_cleanup_free_ char *dir = apo_images_dir();
	struct dirent **ents = NULL;
	size_t cap = 0;
	int k;

	*out = NULL;
	*n = 0;
	k = scandir(dir, &ents, NULL, by_name);
	if (k < 0)
		return errno == ENOENT ? 0 : -errno;
	for (int i = 0; i < k; i++) {
		char *digest = NULL;
		struct apo_image_meta *m = NULL;

		if (apo_image_name_valid(ents[i]->d_name) &&
		    apo_image_current(ents[i]->d_name, &digest) == 0 &&
		    apo_image_meta_load(ents[i]->d_name, digest, &m) == 0)
			APO_PUSH(*out, *n, cap, m);
		free(digest);
		free(ents[i]);
	}
	free(ents);
	return 0;
}

int apo_image_store_prepare(void)
{
	_cleanup_free_ char *dir = apo_images_dir();
	int rc = apo_mkdir_p(apo_lib_dir(), 0755);

	if (rc < 0)
		return rc;
	if (mkdir(dir, 0700) < 0 && errno != EEXIST)
		return -errno;
	/* a store made before: closed now */
	return chmod(dir, 0700) < 0 ? -errno : 0;
}

int apo_image_store_lock(void)
{
	_cleanup_free_ char *dir = apo_images_dir();
	_cleanup_free_ char *path = apo_xasprintf("%s/.lock", dir);
	int rc = apo_image_store_prepare(), fd;

	if (rc < 0)
		return rc;
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		fprintf(stderr, "apomon: images: waiting for another build, commit or rm (%s)\n",
			path);
		if (flock(fd, LOCK_EX) < 0) {
			rc = -errno;
			close(fd);
			return rc;
		}
	}
	return fd;
}

void apo_image_store_unlock(int fd)
{
	if (fd >= 0)
		close(fd);
}

static unsigned long long size_total;

static int size_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)path, (void)flag, (void)ftw;
	size_total += (unsigned long long)st->st_blocks * 512;
	return 0;
}

unsigned long long apo_tree_size(const char *path)
{
	size_total = 0;
	nftw(path, size_one, 32, FTW_PHYS | FTW_MOUNT);
	return size_total;
}

void apo_image_layers_free(char **dirs, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(dirs[i]);
	free(dirs);
}

char *apo_image_lowerdir(char *const *dirs, size_t n)
{
	size_t len = 1;
	char *s, *p;

	for (size_t i = 0; i < n; i++)
		len += strlen(dirs[i]) + 1;
	p = s = apo_xmalloc(len);
	*p = '\0';
	for (size_t i = n; i-- > 0;)
		p += sprintf(p, "%s%s", p == s ? "" : ":", dirs[i]);
	return s;
}

/* Follows parent_digest links from (name, digest) down to the root image. */
static int chain(const char *name, const char *digest, struct apo_image_meta ***out, size_t *n)
{
	char *nm = apo_xstrdup(name), *dg = apo_xstrdup(digest);
	size_t cap = 0;
	int rc = 0;

	*out = NULL;
	*n = 0;
	while (nm) {
		struct apo_image_meta *m;
		if (*n >= 32) {
			rc = -ELOOP;
			break;
		}
		rc = apo_image_meta_load(nm, dg, &m);
		if (rc < 0) {
			fprintf(stderr, "apomon: %s: layer %.12s: %s\n", nm, dg,
				rc == -ENOENT ? "not in the store (rebuild it)" : strerror(-rc));
			break;
		}
		APO_PUSH(*out, *n, cap, m);
		free(nm);
		free(dg);
		nm = m->parent ? apo_xstrdup(m->parent) : NULL;
		dg = m->parent ? apo_xstrdup(m->parent_digest) : NULL;
	}
	free(nm);
	free(dg);
	if (rc < 0) {
		apo_image_meta_list_free(*out, *n);
		*out = NULL;
		*n = 0;
	}
	return rc;
}

int apo_image_layers(const char *name, const struct apo_image_opts *o, char ***dirs, size_t *n)
{
	struct apo_image_opts def = {.progress = stdout, .build = true};
	struct apo_image_meta **ms = NULL;
	char *digest = NULL;
	size_t nm = 0;
	int rc;

	*dirs = NULL;
	*n = 0;
	rc = apo_image_ensure(name, o ? o : &def, &digest);
	if (rc < 0)
		return rc;
	/* an OCI reference lives in the store under a name of its own */
	_cleanup_free_ char *store =
	    apo_image_ref_is_foreign(name) ? apo_image_ref_store_name(name) : NULL;
	rc = chain(store ? store : name, digest, &ms, &nm);
	free(digest);
	if (rc < 0)
		return rc;
	*dirs = apo_xcalloc(nm, sizeof(char *));
	for (size_t i = 0; i < nm; i++) {
		const struct apo_image_meta *m = ms[nm - 1 - i];
		(*dirs)[i] = apo_image_layer_dir(m->name, m->digest);
	}
	*n = nm;
	apo_image_meta_list_free(ms, nm);
	return 0;
}

static void add_unique(char ***paths, size_t *n, size_t *cap, char *const *add, size_t n_add)
{
	for (size_t j = 0; j < n_add; j++) {
		size_t k;
		for (k = 0; k < *n; k++)
			if (!strcmp((*paths)[k], add[j]))
				break;
		if (k == *n)
			APO_PUSH(*paths, *n, *cap, apo_xstrdup(add[j]));
	}
}

/* Not built yet: the definitions say it (NAME's, then its parents'). */
static int sealed_from_definitions(const char *name, char ***paths, size_t *n)
{
	char **search = apo_image_search_path(NULL, 0);
	struct apo_image_def *chain_defs[32];
	size_t nd = 0, cap = 0;
	char *nm = apo_xstrdup(name);
	int rc = 0;

	while (nm && nd < APO_ARRAY_SIZE(chain_defs)) {
		struct apo_diag d;
		char *dir = apo_image_def_find(search, nm);
		if (!dir) {
			rc = -ENOENT;
			break;
		}
		apo_diag_init(&d);
		rc = apo_image_def_load(nm, dir, &chain_defs[nd], &d);
		if (rc < 0)
			apo_diag_print(&d, stderr);
		apo_diag_clear(&d);
		free(dir);
		if (rc < 0)
			break;
		free(nm);
		nm = chain_defs[nd]->parent ? apo_xstrdup(chain_defs[nd]->parent) : NULL;
		nd++;
	}
	if (rc == 0 && nm)
		rc = -ELOOP;
	for (size_t i = nd; i-- > 0;) {
		if (rc == 0)
			add_unique(paths, n, &cap, chain_defs[i]->seal, chain_defs[i]->n_seal);
		apo_image_def_free(chain_defs[i]);
	}
	free(nm);
	apo_strv_free(search);
	return rc;
}

int apo_image_sealed_paths(const char *name, char ***paths, size_t *n)
{
	struct apo_image_meta **ms = NULL;
	_cleanup_free_ char *digest = NULL;
	size_t nm = 0, cap = 0;
	int rc;

	*paths = NULL;
	*n = 0;
	_cleanup_free_ char *store =
	    apo_image_ref_is_foreign(name) ? apo_image_ref_store_name(name) : NULL;
	if (store)
		name = store; /* OCI images seal nothing of their own: their types do */
	if (apo_image_current(name, &digest) < 0) {
		rc = sealed_from_definitions(name, paths, n);
		goto out;
	}
	rc = chain(name, digest, &ms, &nm);
	if (rc < 0)
		return rc;
	for (size_t i = nm; i-- > 0;)
		add_unique(paths, n, &cap, ms[i]->seal, ms[i]->n_seal);
	apo_image_meta_list_free(ms, nm);
out:
	if (rc < 0) {
		for (size_t i = 0; i < *n; i++)
			free((*paths)[i]);
		free(*paths);
		*paths = NULL;
		*n = 0;
	}
	return rc;
}

static int mountinfo_mentions(const char *path, const char *needle)
{
	FILE *f = fopen(path, "re");
	char *line = NULL;
	size_t len = 0;
	int used = 0;

	if (!f)
		return 0;
	while (!used && getline(&line, &len, f) > 0)
		used = strstr(line, needle) != NULL;
	free(line);
	fclose(f);
	return used;
}

/*
 * A mount, in any mount namespace (stations have their own), whose
 * options or mount point name a layer of NAME: a pid that sees it, or 0.
 */
static pid_t in_use(const char *name)
{
	_cleanup_free_ char *dir = apo_image_path(name, NULL);
	_cleanup_free_ char *needle = apo_xasprintf("%s/", dir);
	char **seen = NULL;
	size_t n_seen = 0, cap = 0;
	pid_t user = 0;
	DIR *d = opendir("/proc");
	struct dirent *e;

	if (!d)
		return mountinfo_mentions("/proc/self/mountinfo", needle) ? getpid() : 0;
	while (!user && (e = readdir(d))) {
		char ns[64], *link, *info;
		ssize_t l;
		size_t k;

		if (e->d_name[0] < '1' || e->d_name[0] > '9')
			continue;
		link = apo_xasprintf("/proc/%s/ns/mnt", e->d_name);
		l = readlink(link, ns, sizeof(ns) - 1);
		free(link);
		if (l < 0)
			continue;
		ns[l] = '\0';
		for (k = 0; k < n_seen; k++)
			if (!strcmp(seen[k], ns))
				break;
		if (k < n_seen)
			continue; /* one look per namespace */
		APO_PUSH(seen, n_seen, cap, apo_xstrdup(ns));
		info = apo_xasprintf("/proc/%s/mountinfo", e->d_name);
		if (mountinfo_mentions(info, needle))
			user = (pid_t)atoi(e->d_name);
		free(info);
	}
	closedir(d);
	for (size_t i = 0; i < n_seen; i++)
		free(seen[i]);
	free(seen);
	return user;
}

static bool str_in(char **v, size_t n, const char *x)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(v[i], x))
			return true;
	return false;
}

/*
 * OCI layers are shared by chain id under images/oci-layer: once an image
 * is gone, those no layer of any other image stands on go too (their
 * images hold them through parent_digest).  Called with the store lock.
 */
static void prune_shared_layers(void)
{
	_cleanup_free_ char *top = apo_images_dir();
	_cleanup_free_ char *shared = NULL;
	char **keep = NULL;
	size_t n_keep = 0, cap = 0;
	DIR *d = opendir(top), *sub;
	struct dirent *e, *f;

	if (!d)
		return;
	while ((e = readdir(d))) {
		_cleanup_free_ char *dir = NULL;
		if (e->d_name[0] == '.' || !strcmp(e->d_name, APO_OCI_LAYER_IMAGE))
			continue;
		dir = apo_xasprintf("%s/%s", top, e->d_name);
		if (!(sub = opendir(dir)))
			continue;
		while ((f = readdir(sub))) {
			struct apo_image_meta *m = NULL;
			if (f->d_name[0] == '.' ||
			    apo_image_meta_load(e->d_name, f->d_name, &m) < 0)
				continue;
			/* down the chain of shared layers under this layer */
			while (m && m->parent && !strcmp(m->parent, APO_OCI_LAYER_IMAGE) &&
			       m->parent_digest && !str_in(keep, n_keep, m->parent_digest)) {
				struct apo_image_meta *below = NULL;
				APO_PUSH(keep, n_keep, cap, apo_xstrdup(m->parent_digest));
				apo_image_meta_load(APO_OCI_LAYER_IMAGE, m->parent_digest, &below);
				apo_image_meta_free(m);
				m = below;
			}
			apo_image_meta_free(m);
		}
		closedir(sub);
	}
	closedir(d);
	shared = apo_xasprintf("%s/%s", top, APO_OCI_LAYER_IMAGE);
	if ((d = opendir(shared))) {
		while ((e = readdir(d)))
			if (e->d_name[0] != '.' && !str_in(keep, n_keep, e->d_name))
				apo_rmtree_below(shared, e->d_name);
		closedir(d);
	}
	for (size_t i = 0; i < n_keep; i++)
		free(keep[i]);
	free(keep);
}

int apo_image_rm(const char *name, bool force)
{
	_cleanup_free_ char *dir = NULL, *trash = NULL, *children = NULL, *top = apo_images_dir();
	struct apo_image_meta **all = NULL;
	size_t n = 0;
	int lock, rc;

	if (!apo_image_name_valid(name)) {
		fprintf(stderr, "apomon: %s: not an image name\n", name);
		return -EINVAL;
	}
	if (!strcmp(name, APO_OCI_LAYER_IMAGE)) {
		fprintf(stderr,
			"apomon: %s: image rm: the shared OCI layers go with the last image "
			"that uses them\n",
			name);
		return -EINVAL;
	}
	lock = apo_image_store_lock();
	if (lock < 0)
		return lock;
	dir = apo_image_path(name, NULL);
	if (access(dir, F_OK) < 0) {
		fprintf(stderr, "apomon: %s: image rm: no such image\n", name);
		rc = -ENOENT;
		goto out;
	}
	apo_image_list(&all, &n);
	for (size_t i = 0; i < n && !force; i++) {
		if (!all[i]->parent || strcmp(all[i]->parent, name))
			continue;
		char *l = children ? apo_xasprintf("%s, %s", children, all[i]->name)
				   : apo_xstrdup(all[i]->name);
		free(children);
		children = l;
	}
	if (children) {
		fprintf(
		    stderr,
		    "apomon: %s: image rm: built on it: %s; remove those first (or use --force)\n",
		    name, children);
		rc = -EBUSY;
		goto out;
	}
	pid_t user = in_use(name);
	if (user) {
		fprintf(stderr,
			"apomon: %s: image rm: a mount uses its layers (process %d: a running "
			"station?)\n",
			name, (int)user);
		rc = -EBUSY;
		goto out;
	}
	/* out of sight first, so that no reader sees a half-removed image */
	trash = apo_xasprintf("%s/.rm-%s-%d", top, name, (int)getpid());
	if (rename(dir, trash) < 0) {
		rc = -errno;
		fprintf(stderr, "apomon: %s: image rm: %s\n", name, strerror(errno));
		goto out;
	}
	rc = apo_rmtree(trash);
	if (rc < 0)
		fprintf(stderr, "apomon: %s: image rm: %s: %s\n", name, trash, strerror(-rc));
	else
		prune_shared_layers();
out:
	apo_image_meta_list_free(all, n);
	apo_image_store_unlock(lock);
	return rc;
}

pid_t apo_image_in_use(const char *name)
{
	return in_use(name);
}

int apo_image_drop_layer(const char *name, const char *digest)
{
	_cleanup_free_ char *dir = apo_image_path(name, digest), *top = apo_images_dir();
	_cleanup_free_ char *trash =
	    apo_xasprintf("%s/.rm-%s-%.12s-%d", top, name, digest, (int)getpid());
	int rc;

	if (rename(dir, trash) < 0)
		return errno == ENOENT ? 0 : -errno;
	rc = apo_rmtree(trash);
	prune_shared_layers();
	return rc;
}

static int copy_tree(const char *from, const char *to)
{
	_cleanup_free_ char *src = apo_xasprintf("%s/.", from);
	char *const argv[] = {"cp", "-a", "--", src, (char *)to, NULL};

	/* cp -a keeps whiteouts (0/0 devices) and trusted.overlay.* xattrs */
	return apo_spawn_run("/bin/cp", argv);
}

int apo_image_set_current(const char *name, const char *digest)
{
	_cleanup_free_ char *dir = apo_image_path(name, NULL);
	_cleanup_free_ char *tmp = apo_xasprintf("%s/.current-%d", dir, (int)getpid());
	_cleanup_free_ char *cur = apo_xasprintf("%s/current", dir);

	unlink(tmp);
	if (symlink(digest, tmp) < 0)
		return -errno;
	if (rename(tmp, cur) < 0) {
		int rc = -errno;
		unlink(tmp);
		return rc;
	}
	return 0;
}

int apo_image_tmp_layer(const char *name, char **tmp)
{
	_cleanup_free_ char *dir = apo_image_path(name, NULL);
	_cleanup_free_ char *root = NULL;
	int rc;

	*tmp = NULL;
	if ((rc = apo_image_store_prepare()) < 0 || (rc = apo_mkdir_p(dir, 0755)) < 0)
		return rc;
	*tmp = apo_xasprintf("%s/.tmp-XXXXXX", dir);
	if (!mkdtemp(*tmp)) {
		rc = -errno;
		free(*tmp);
		*tmp = NULL;
		return rc;
	}
	chmod(*tmp, 0755);
	root = apo_xasprintf("%s/root", *tmp);
	if (mkdir(root, 0755) < 0) {
		rc = -errno;
		apo_rmtree(*tmp);
		free(*tmp);
		*tmp = NULL;
	}
	return rc;
}

int apo_image_commit(const char *upperdir, const char *name, const char *parent, char **digest)
{
	_cleanup_free_ char *pname = NULL, *pdigest = NULL, *dir = NULL, *tmp = NULL, *root = NULL,
			    *json = NULL, *final = NULL, *seed = NULL;
	struct apo_image_meta *pm = NULL, m = {0};
	char **search = NULL, *def = NULL, hexd[APO_DIGEST_HEX + 1];
	struct stat st;
	int lock = -1, rc;

	if (digest)
		*digest = NULL;
	if (!apo_image_name_valid(name)) {
		fprintf(stderr,
			"apomon: %s: commit: not an image name, expected lower-case "
			"letters, digits, '-', '_' or '.'\n",
			name);
		return -EINVAL;
	}
	if (stat(upperdir, &st) < 0 || !S_ISDIR(st.st_mode)) {
		fprintf(stderr, "apomon: %s: commit: %s: not a directory\n", name, upperdir);
		return -ENOTDIR;
	}
	search = apo_image_search_path(NULL, 0);
	def = apo_image_def_find(search, name);
	apo_strv_free(search);
	if (def) {
		fprintf(stderr, "apomon: %s: commit: %s defines that image; choose another name\n",
			name, def);
		free(def);
		return -EEXIST;
	}
	const char *at = strchr(parent, '@');
	pname = at ? apo_xstrndup(parent, (size_t)(at - parent)) : apo_xstrdup(parent);
	if (!strcmp(pname, name)) {
		/* a layer over its own image's current layer would shadow itself */
		fprintf(stderr,
			"apomon: %s: commit: the new image needs another name than its parent\n",
			name);
		return -EINVAL;
	}
	lock = apo_image_store_lock();
	if (lock < 0)
		return lock;
	if (at)
		pdigest = apo_xstrdup(at + 1);
	else if ((rc = apo_image_current(pname, &pdigest)) < 0)
		pdigest = NULL;
	if (!pdigest || (rc = apo_image_meta_load(pname, pdigest, &pm)) < 0) {
		fprintf(stderr, "apomon: %s: commit: parent image %s is not in the store\n", name,
			parent);
		rc = -ENOENT;
		goto out;
	}
	dir = apo_image_path(name, NULL);
	if ((rc = apo_image_tmp_layer(name, &tmp)) < 0)
		goto out;
	root = apo_xasprintf("%s/root", tmp);
	if ((rc = copy_tree(upperdir, root)) < 0) {
		fprintf(stderr, "apomon: %s: commit: copying %s failed\n", name, upperdir);
		goto out;
	}
	/* a committed layer has no definition: its key is where and when it was made */
	seed = apo_xasprintf("commit\n%s\n%s\n%s\n%lld\n%d\n", name, pm->digest, upperdir,
			     (long long)time(NULL), (int)getpid());
	apo_sha256_hex(seed, strlen(seed), hexd);
	m.name = (char *)name;
	m.digest = hexd;
	m.parent = pname;
	m.parent_digest = pm->digest;
	m.origin = "commit";
	m.created = (long long)time(NULL);
	m.size = apo_tree_size(root);
	json = apo_xasprintf("%s/image.json", tmp);
	if ((rc = apo_image_meta_save(json, &m)) < 0)
		goto out;
	final = apo_xasprintf("%s/%s", dir, hexd);
	if (rename(tmp, final) < 0) {
		rc = -errno;
		goto out;
	}
	free(tmp);
	tmp = NULL;
	rc = apo_image_set_current(name, hexd);
	if (rc == 0 && digest)
		*digest = apo_xstrdup(hexd);
out:
	if (tmp)
		apo_rmtree(tmp);
	if (rc < 0 && rc != -ENOENT)
		fprintf(stderr, "apomon: %s: commit: %s\n", name, strerror(-rc));
	apo_image_meta_free(pm);
	apo_image_store_unlock(lock);
	return rc;
}
