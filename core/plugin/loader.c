/* SPDX-License-Identifier: MIT */
/*
 * The plugin loader: the only file that knows about libltdl (and dlopen).  Every way a
 * file can fail to be a usable station type ends in one refusal with its
 * own reason; nothing here exits or prints.
 */
#include "config.h"

#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <ltdl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "plugin/loader.h"
#include "plugin/registry.h"
#include "base/util.h"

#define TYPE_NAME_MAX 64

typedef const struct apomon_station_type *(*entry_fn)(void);

static const char *writable_by(mode_t mode)
{
	if ((mode & S_IWGRP) && (mode & S_IWOTH))
		return "group and others";
	if (mode & S_IWGRP)
		return "group";
	if (mode & S_IWOTH)
		return "others";
	return NULL;
}

/*
 * Whoever can write a plugin or the directory holding it can run code as
 * apomon (usually root), so both must be writable by their owner only, and
 * that owner must be root or us.  Returns true (and refuses `file`) when
 * `what` is unsafe.
 */
static bool refuse_unsafe(struct apo_registry *r, const char *file, const char *what,
			  const struct stat *st)
{
	const char *who = writable_by(st->st_mode);

	if (who) {
		apo_registry_refuse(r, file,
				    "unsafe permissions: %s is writable by %s (mode %04o); "
				    "only its owner may write it",
				    what, who, (unsigned)(st->st_mode & 07777));
		return true;
	}
	if (st->st_uid != 0 && st->st_uid != geteuid()) {
		apo_registry_refuse(r, file,
				    "unsafe permissions: %s is owned by uid %u; "
				    "only root or uid %u may own it",
				    what, (unsigned)st->st_uid, (unsigned)geteuid());
		return true;
	}
	return false;
}

const char *apo_type_name_problem(const char *name)
{
	size_t len = name ? strlen(name) : 0;

	if (!len)
		return "missing type name";
	if (len > TYPE_NAME_MAX)
		return "expected at most 64 characters";
	if (name[0] < 'a' || name[0] > 'z')
		return "expected [a-z][a-z0-9_-]*";
	for (size_t i = 1; i < len; i++) {
		char c = name[i];
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-'))
			return "expected [a-z][a-z0-9_-]*";
	}
	return NULL;
}

/* Checks what the core relies on without asking; refuses and returns false. */
static bool type_is_usable(struct apo_registry *r, const char *file,
			   const struct apomon_station_type *t)
{
	const char *problem;

	/* abi_version and size are the only fields every ABI shares */
	if (t->abi_version != APOMON_ABI_VERSION) {
		apo_registry_refuse(r, file,
				    "wrong ABI version %u: rebuild it against apomon %s (ABI %d)",
				    (unsigned)t->abi_version, PACKAGE_VERSION, APOMON_ABI_VERSION);
		return false;
	}
	if (t->size < APOMON_STATION_TYPE_MIN_SIZE) {
		apo_registry_refuse(
		    r, file,
		    "struct apomon_station_type too small (%u bytes, need at least %zu): "
		    "rebuild it against apomon %s",
		    (unsigned)t->size, (size_t)APOMON_STATION_TYPE_MIN_SIZE, PACKAGE_VERSION);
		return false;
	}
	if ((problem = apo_type_name_problem(t->name))) {
		if (t->name && *t->name)
			apo_registry_refuse(r, file, "invalid type name \"%s\": %s", t->name,
					    problem);
		else
			apo_registry_refuse(r, file, "%s", problem);
		return false;
	}
	if (!t->description || !*t->description) {
		apo_registry_refuse(r, file, "type %s: missing description", t->name);
		return false;
	}
	/* NULL: no default, every station of the type names its image */
	if (t->image && !*t->image) {
		apo_registry_refuse(r, file, "type %s: empty image name (NULL: no default image)",
				    t->name);
		return false;
	}
	if (t->role != APOMON_ROLE_MEMBER && t->role != APOMON_ROLE_GATEWAY &&
	    t->role != APOMON_ROLE_BACKBONE) {
		apo_registry_refuse(
		    r, file,
		    "type %s: unknown role %d: expected member (0), gateway (1) or backbone (2)",
		    t->name, (int)t->role);
		return false;
	}
	for (const struct apomon_port *p = t->ports; p && p->name; p++) {
		if ((p->proto != APOMON_PROTO_TCP && p->proto != APOMON_PROTO_UDP) || !p->port) {
			apo_registry_refuse(r, file,
					    "type %s: port %s: expected protocol tcp or udp and a "
					    "port from 1 to 65535",
					    t->name, p->name);
			return false;
		}
	}
	size_t stride = apo_type_setting_stride(t);
	for (const char *p = (const char *)t->settings;
	     p && ((const struct apomon_setting *)p)->name; p += stride) {
		const struct apomon_setting *s = (const struct apomon_setting *)p;
		if (s->kind < APOMON_SETTING_STRING || s->kind > APOMON_SETTING_RETIRED) {
			apo_registry_refuse(r, file, "type %s: setting %s: unknown kind %d",
					    t->name, s->name, (int)s->kind);
			return false;
		}
		/* min/max exist only in arrays of the newer stride */
		if (stride >= sizeof(*s) && s->kind == APOMON_SETTING_INT && s->min > s->max) {
			apo_registry_refuse(r, file, "type %s: setting %s: min %lld above max %lld",
					    t->name, s->name, s->min, s->max);
			return false;
		}
	}
	return true;
}

/*
 * libltdl's own dlopen loader binds lazily (RTLD_LAZY, fixed), so a type
 * calling a function nobody defines would load and then kill apomon at its
 * first hook ("symbol lookup error"), and when the file does not load it
 * reports only "file not found".  Rather than opening each plugin twice
 * (once eagerly to check, once through libltdl), apomon gives libltdl a
 * module loader of its own (lt_dlloader_add) that opens once with
 * RTLD_NOW | RTLD_LOCAL and keeps the dynamic linker's reason, and removes
 * the lazy one so that a refused file is never retried lazily.  RTLD_LOCAL:
 * two types' own symbols never resolve against each other.
 */
#define NOW_LOADER "apomon-now"

/* The dynamic linker's reason for the last failed open; loading runs on
 * one thread (apo_registry_load_dir), so one slot is enough. */
static char *now_error;

static lt_module now_open(lt_user_data data, const char *path, lt_dladvise advise)
{
	void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	const char *e;
	size_t len;

	(void)data;
	(void)advise;
	free(now_error);
	now_error = NULL;
	if (h)
		return h;
	e = dlerror();
	if (!e)
		e = "unknown dynamic linker error";
	/* glibc puts "PATH: " first; the refusal names the file already */
	len = strlen(path);
	if (!strncmp(e, path, len) && !strncmp(e + len, ": ", 2))
		e += len + 2;
	now_error = apo_xstrdup(e);
	return NULL;
}

static int now_close(lt_user_data data, lt_module module)
{
	(void)data;
	return dlclose(module) ? 1 : 0;
}

static void *now_sym(lt_user_data data, lt_module module, const char *name)
{
	(void)data;
	return dlsym(module, name);
}

/*
 * After lt_dlinit: the first reference (or the first after libltdl shut
 * down, which drops every loader) installs the eager loader in place of
 * the lazy one.  lt_dlexit frees the vtables it removes, hence calloc.
 */
static int use_now_loader(void)
{
	lt_dlvtable *v, *lazy;

	if (lt_dlloader_find(NOW_LOADER))
		return 0;
	v = calloc(1, sizeof(*v));
	if (!v)
		return -ENOMEM;
	v->name = NOW_LOADER;
	v->module_open = now_open;
	v->module_close = now_close;
	v->find_sym = now_sym;
	v->priority = LT_DLLOADER_PREPEND;
	if (lt_dlloader_add(v)) {
		free(v);
		return -EINVAL;
	}
	/* NULL when this libltdl has no such loader: nothing lazy to fall to */
	lazy = lt_dlloader_remove("lt_dlopen");
	free(lazy);
	return 0;
}

/* Each open handle holds one lt_dlinit reference, so that libltdl stays
 * initialised exactly as long as some plugin is loaded. */
static void close_handle(void *handle)
{
	if (!handle)
		return;
	lt_dlclose(handle);
	lt_dlexit();
}

/* Opens path once, fully bound; on failure *why says why (free it). */
static lt_dlhandle open_plugin(const char *path, char **why)
{
	lt_dladvise advise;
	lt_dlhandle h = NULL;
	const char *err;

	*why = NULL;
	if (lt_dlinit()) {
		err = lt_dlerror();
		*why = apo_xstrdup(err ? err : "libltdl did not initialise");
		return NULL;
	}
	if (use_now_loader() < 0) {
		*why = apo_xstrdup("libltdl refused apomon's module loader");
		lt_dlexit();
		return NULL;
	}
	if (lt_dladvise_init(&advise) == 0) {
		if (lt_dladvise_local(&advise) == 0)
			h = lt_dlopenadvise(path, advise);
		lt_dladvise_destroy(&advise);
	}
	if (h)
		return h;
	err = lt_dlerror();
	if (now_error) {
		*why = now_error;
		now_error = NULL;
	} else {
		*why = apo_xstrdup(err ? err : "unknown libltdl error");
	}
	lt_dlexit();
	return NULL;
}

/* A symlinked plugin is only as safe as the directory its target lives in. */
static bool refuse_unsafe_target(struct apo_registry *r, const char *path)
{
	_cleanup_free_ char *real = realpath(path, NULL);
	struct stat st;
	char *slash;

	if (!real || !(slash = strrchr(real, '/')))
		return false;
	*slash = '\0';
	if (stat(*real ? real : "/", &st) < 0)
		return false;
	return refuse_unsafe(r, path, *real ? real : "/", &st);
}

static void load_file(struct apo_registry *r, int dfd, const char *dir, const char *name)
{
	_cleanup_free_ char *path = apo_xasprintf("%s/%s", strcmp(dir, "/") ? dir : "", name);
	const struct apomon_station_type *t;
	_cleanup_free_ char *why = NULL;
	struct stat st, lst;
	lt_dlhandle h;
	entry_fn entry;
	void *sym;

	if (fstatat(dfd, name, &lst, AT_SYMLINK_NOFOLLOW) < 0)
		return; /* gone since the listing */
	if (fstatat(dfd, name, &st, 0) < 0) {
		apo_registry_refuse(r, path, "cannot load: %s", strerror(errno));
		return;
	}
	if (!S_ISREG(st.st_mode))
		return;
	if (refuse_unsafe(r, path, path, &st))
		return;
	if (S_ISLNK(lst.st_mode) && refuse_unsafe_target(r, path))
		return;

	h = open_plugin(path, &why);
	if (!h) {
		apo_registry_refuse(r, path, "cannot load: %s", why);
		return;
	}
	sym = lt_dlsym(h, APOMON_ENTRY_SYMBOL);
	if (!sym) {
		apo_registry_refuse(r, path, "not an apomon plugin: no symbol %s",
				    APOMON_ENTRY_SYMBOL);
		goto refused;
	}
	entry = (entry_fn)sym;
	t = entry();
	if (!t) {
		apo_registry_refuse(r, path, "%s() returned NULL", APOMON_ENTRY_SYMBOL);
		goto refused;
	}
	if (!type_is_usable(r, path, t))
		goto refused;
	/* -EEXIST: the registry recorded the refusal naming the first file */
	if (apo_registry_add(r, t, path, h, close_handle) < 0)
		goto refused;
	return;

refused:
	close_handle(h);
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void apo_registry_load_dir(struct apo_registry *r, const char *dir)
{
	_cleanup_free_ char *real = realpath(dir, NULL);
	char **names = NULL;
	size_t n = 0, cap = 0;
	struct dirent *de;
	struct stat st;
	DIR *d = NULL;
	int fd;

	if (!real) {
		if (errno != ENOENT)
			apo_registry_refuse(r, dir, "cannot read directory: %s", strerror(errno));
		return;
	}
	fd = open(real, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		if (errno != ENOENT)
			apo_registry_refuse(r, real, "cannot read directory: %s", strerror(errno));
		return;
	}
	/* checked on the descriptor we read, so the answer is about this directory */
	if (fstat(fd, &st) < 0 || refuse_unsafe(r, real, real, &st)) {
		close(fd);
		return;
	}
	d = fdopendir(fd);
	if (!d) {
		apo_registry_refuse(r, real, "cannot read directory: %s", strerror(errno));
		close(fd);
		return;
	}
	while ((de = readdir(d))) {
		if (strlen(de->d_name) > 3 && apo_str_has_suffix(de->d_name, ".so"))
			APO_PUSH(names, n, cap, apo_xstrdup(de->d_name));
	}
	/* byte order, not the locale's: the same search order everywhere */
	if (n)
		qsort(names, n, sizeof(*names), cmp_names);
	for (size_t i = 0; i < n; i++) {
		load_file(r, dirfd(d), real, names[i]);
		free(names[i]);
	}
	free(names);
	closedir(d);
}

static void push_dir(struct apo_search_path *sp, const char *dir)
{
	char *real;

	if (!dir || !*dir)
		return;
	/* the same directory under two spellings counts once */
	real = realpath(dir, NULL);
	for (size_t i = 0; i < sp->n; i++) {
		_cleanup_free_ char *other = realpath(sp->dirs[i], NULL);
		if (!strcmp(sp->dirs[i], dir) || (real && other && !strcmp(real, other))) {
			free(real);
			return;
		}
	}
	free(real);
	APO_PUSH(sp->dirs, sp->n, sp->cap, apo_xstrdup(dir));
}

void apo_search_path_build(struct apo_search_path *sp, char *const *cli_dirs, size_t n_cli,
			   char *const *conf_dirs, size_t n_conf)
{
	const char *env = getenv(APO_PLUGIN_PATH_ENV);

	memset(sp, 0, sizeof(*sp));
	for (size_t i = 0; i < n_cli; i++)
		push_dir(sp, cli_dirs[i]);
	if (env) {
		_cleanup_free_ char *copy = apo_xstrdup(env);
		char *save = NULL;
		/* strtok_r skips empty entries, as intended */
		for (char *s = strtok_r(copy, ":", &save); s; s = strtok_r(NULL, ":", &save))
			push_dir(sp, s);
	}
	for (size_t i = 0; i < n_conf; i++)
		push_dir(sp, conf_dirs[i]);
	/* the installed directory; tests point it elsewhere so that an
	 * apomon installed on the machine does not leak into them */
	const char *installed = getenv("APOMON_PLUGINDIR");
	push_dir(sp, installed && *installed ? installed : APO_PLUGINDIR);
}

void apo_search_path_clear(struct apo_search_path *sp)
{
	if (!sp)
		return;
	for (size_t i = 0; i < sp->n; i++)
		free(sp->dirs[i]);
	free(sp->dirs);
	memset(sp, 0, sizeof(*sp));
}

void apo_registry_load_all(struct apo_registry *r, char *const *cli_dirs, size_t n_cli,
			   char *const *conf_dirs, size_t n_conf)
{
	struct apo_search_path sp;

	apo_search_path_build(&sp, cli_dirs, n_cli, conf_dirs, n_conf);
	for (size_t i = 0; i < sp.n; i++)
		apo_registry_load_dir(r, sp.dirs[i]);
	apo_search_path_clear(&sp);
}
