/* SPDX-License-Identifier: MIT */
/*
 * The loader against purpose-built plugins (tests/plugins/): each refusal
 * with its exact reason, the one good type read back, unsafe permissions
 * and the search order.  Every plugin is copied into a fresh directory so
 * that each test sees exactly the files it names.
 */
#include "config.h"

#include <check.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include "plugin/loader.h"
#include "plugin/registry.h"
#include "base/util.h"
#include "check-run.h"

/*
 * Every dlopen() of the process (the loader's and libltdl's alike) comes
 * here first: the executable's definition interposes on libc's, and
 * counts the calls that name `watched`.
 */
static const char *watched;
static unsigned watched_dlopens;

void *dlopen(const char *file, int flags)
{
	static void *(*real)(const char *, int);

	if (!real)
		real = (void *(*)(const char *, int))dlsym(RTLD_NEXT, "dlopen");
	if (watched && file && !strcmp(file, watched))
		watched_dlopens++;
	return real(file, flags);
}

static char *built_plugin(const char *name)
{
	const char *top = getenv("top_builddir");
	if (top && *top)
		return apo_xasprintf("%s/tests/plugins/.libs/%s.so", top, name);
	return apo_xasprintf("%s/%s.so", APO_TEST_PLUGINS, name);
}

/* A fresh, private directory (0700, ours); its real path. */
static char *new_dir(void)
{
	const char *tmp = getenv("TMPDIR");
	char *t = apo_xasprintf("%s/apomon-test-loader-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	ck_assert_ptr_nonnull(mkdtemp(t));
	char *real = realpath(t, NULL);
	ck_assert_ptr_nonnull(real);
	free(t);
	return real;
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path);
}

static void rm_dir(char *dir)
{
	nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	free(dir);
}

static void write_file(const char *path, const void *data, size_t len, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, data, len), (ssize_t)len);
	ck_assert_int_eq(fchmod(fd, mode), 0);
	ck_assert_int_eq(close(fd), 0);
}

/* Copies the built plugin `name` into dir as `as` (NULL: name.so). */
static char *put(const char *dir, const char *name, const char *as)
{
	_cleanup_free_ char *src = built_plugin(name);
	char *dst = as ? apo_xasprintf("%s/%s", dir, as) : apo_xasprintf("%s/%s.so", dir, name);
	FILE *f = fopen(src, "rbe");
	char buf[1 << 16];
	size_t n, len = 0;
	char *data = NULL;

	ck_assert_msg(f != NULL, "%s: %s (build the check_LTLIBRARIES first)", src,
		      strerror(errno));
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0) {
		data = apo_xreallocarray(data, len + n, 1);
		memcpy(data + len, buf, n);
		len += n;
	}
	fclose(f);
	write_file(dst, data, len, 0755);
	free(data);
	return dst;
}

static void assert_refusal(const struct apo_registry *r, size_t i, const char *file,
			   const char *reason)
{
	ck_assert_uint_gt(apo_registry_refusal_count(r), i);
	const struct apo_refusal *f = apo_registry_refusal_at(r, i);
	ck_assert_str_eq(f->file, file);
	ck_assert_str_eq(f->reason, reason);
}

/* Loads dir holding the one plugin `name`; asserts the one refusal. */
static void refused_alone(const char *name, const char *reason)
{
	char *dir = new_dir();
	_cleanup_free_ char *file = put(dir, name, NULL);
	struct apo_registry *r = apo_registry_new();

	apo_registry_load_dir(r, dir);
	ck_assert_uint_eq(apo_registry_count(r), 0);
	ck_assert_uint_eq(apo_registry_refusal_count(r), 1);
	assert_refusal(r, 0, file, reason);
	apo_registry_free(r);
	rm_dir(dir);
}

START_TEST(good_loads_and_reads_back)
{
	char *dir = new_dir();
	_cleanup_free_ char *file = put(dir, "good", NULL);
	struct apo_registry *r = apo_registry_new();
	const struct apomon_station_type *t;

	apo_registry_load_dir(r, dir);
	ck_assert_uint_eq(apo_registry_refusal_count(r), 0);
	ck_assert_uint_eq(apo_registry_count(r), 1);
	ck_assert_str_eq(apo_registry_at(r, 0)->file, file);
	t = apo_registry_find(r, "good");
	ck_assert_ptr_nonnull(t);
	ck_assert_ptr_eq(apo_registry_at(r, 0)->type, t);
	ck_assert_uint_eq(t->abi_version, APOMON_ABI_VERSION);
	ck_assert_uint_eq(t->size, sizeof(struct apomon_station_type));
	ck_assert_str_eq(t->description, "a valid test type");
	ck_assert_str_eq(t->version, "1.2.3");
	ck_assert_str_eq(t->image, "base");
	ck_assert_int_eq(t->role, APOMON_ROLE_GATEWAY);
	ck_assert_str_eq(t->ports[0].name, "http");
	ck_assert_int_eq(t->ports[0].proto, APOMON_PROTO_TCP);
	ck_assert_uint_eq(t->ports[0].port, 8080);
	ck_assert_str_eq(t->ports[1].name, "dns");
	ck_assert_int_eq(t->ports[1].proto, APOMON_PROTO_UDP);
	ck_assert_uint_eq(t->ports[1].port, 53);
	ck_assert_ptr_null(t->ports[2].name);
	ck_assert_str_eq(t->sealed[0], "/etc/good.conf");
	ck_assert_ptr_null(t->sealed[1]);
	ck_assert_str_eq(t->settings[0].name, "greeting");
	ck_assert_int_eq(t->settings[0].kind, APOMON_SETTING_STRING);
	ck_assert_str_eq(t->settings[0].default_value, "hello");
	ck_assert_ptr_null(t->settings[1].name);
	ck_assert_uint_eq(t->ready_timeout_ms, 5000);
	ck_assert_ptr_nonnull(t->validate);
	ck_assert_int_eq(t->validate(NULL, NULL), 0);
	ck_assert_ptr_nonnull(t->ready);
	ck_assert_ptr_null(t->render);
	ck_assert_ptr_null(t->deploy);
	apo_registry_free(r);
	rm_dir(dir);
}
END_TEST

START_TEST(refuses_no_entry_symbol)
{
	refused_alone("noentry", "not an apomon plugin: no symbol apomon_station_type_entry");
}
END_TEST

START_TEST(refuses_wrong_abi)
{
	refused_alone("badabi", "wrong ABI version 99: rebuild it against apomon " PACKAGE_VERSION
				" (ABI 1)");
}
END_TEST

START_TEST(refuses_small_struct)
{
	_cleanup_free_ char *reason = apo_xasprintf(
	    "struct apomon_station_type too small (%zu bytes, need at least %zu): "
	    "rebuild it against apomon " PACKAGE_VERSION,
	    offsetof(struct apomon_station_type, ready), (size_t)APOMON_STATION_TYPE_MIN_SIZE);
	refused_alone("small", reason);
}
END_TEST

START_TEST(refuses_null_entry)
{
	refused_alone("nullentry", "apomon_station_type_entry() returned NULL");
}
END_TEST

START_TEST(refuses_bad_name)
{
	refused_alone("badname", "invalid type name \"Bad Name\": expected [a-z][a-z0-9_-]*");
}
END_TEST

START_TEST(refuses_missing_image)
{
	refused_alone("noimage", "type noimage: empty image name (NULL: no default image)");
}
END_TEST

START_TEST(refuses_undefined_symbol)
{
	refused_alone("unresolved", "cannot load: undefined symbol: apomon_test_no_such_function");
}
END_TEST

/* IN_OPEN events on file since the watch `wd` on `ino` began. */
static unsigned opens_seen(int ino)
{
	char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
	unsigned opens = 0;
	ssize_t n;

	while ((n = read(ino, buf, sizeof(buf))) > 0) {
		for (char *p = buf; p < buf + n;) {
			const struct inotify_event *ev = (const struct inotify_event *)p;
			if (ev->mask & IN_OPEN)
				opens++;
			p += sizeof(*ev) + ev->len;
		}
	}
	return opens;
}

/* One dlopen() and one open(2) of the file a plugin, whether it loads or
 * the dynamic linker refuses it. */
static void opened_once(const char *name, size_t want_types)
{
	char *dir = new_dir();
	_cleanup_free_ char *file = put(dir, name, NULL);
	struct apo_registry *r = apo_registry_new();
	int ino = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);

	ck_assert_int_ge(ino, 0);
	ck_assert_int_ge(inotify_add_watch(ino, file, IN_OPEN), 0);
	watched = file;
	watched_dlopens = 0;
	apo_registry_load_dir(r, dir);
	watched = NULL;
	ck_assert_uint_eq(apo_registry_count(r), want_types);
	ck_assert_uint_eq(watched_dlopens, 1);
	ck_assert_uint_eq(opens_seen(ino), 1);
	close(ino);
	apo_registry_free(r);
	rm_dir(dir);
}

START_TEST(opens_each_plugin_once)
{
	opened_once("good", 1);
	opened_once("unresolved", 0);
}
END_TEST

/* libltdl drops every loader when its last user leaves; the eager one must
 * come back with the next user, or a lazy open would let this one in. */
START_TEST(refuses_undefined_symbol_after_shutdown)
{
	char *dir = new_dir();
	_cleanup_free_ char *file = put(dir, "good", NULL);
	struct apo_registry *r = apo_registry_new();

	apo_registry_load_dir(r, dir);
	ck_assert_uint_eq(apo_registry_count(r), 1);
	apo_registry_free(r);
	rm_dir(dir);
	refused_alone("unresolved", "cannot load: undefined symbol: apomon_test_no_such_function");
}
END_TEST

START_TEST(refuses_not_a_shared_object)
{
	char *dir = new_dir();
	_cleanup_free_ char *file = apo_xasprintf("%s/junk.so", dir);
	struct apo_registry *r = apo_registry_new();

	char junk[128];

	/* longer than an ELF header, so that the header itself is wrong */
	memset(junk, '#', sizeof(junk));
	write_file(file, junk, sizeof(junk), 0755);
	apo_registry_load_dir(r, dir);
	ck_assert_uint_eq(apo_registry_count(r), 0);
	ck_assert_uint_eq(apo_registry_refusal_count(r), 1);
	const struct apo_refusal *f = apo_registry_refusal_at(r, 0);
	ck_assert_str_eq(f->file, file);
	ck_assert_msg(!strcmp(f->reason, "cannot load: invalid ELF header"), "reason: %s",
		      f->reason);
	apo_registry_free(r);
	rm_dir(dir);
}
END_TEST

START_TEST(refuses_duplicate_naming_first)
{
	char *a = new_dir(), *b = new_dir();
	_cleanup_free_ char *first = put(a, "good", NULL);
	_cleanup_free_ char *second = put(b, "dup", NULL);
	struct apo_registry *r = apo_registry_new();

	apo_registry_load_dir(r, a);
	apo_registry_load_dir(r, b);
	ck_assert_uint_eq(apo_registry_count(r), 1);
	/* the first one stays, and it is the real `good`, not the impostor */
	ck_assert_str_eq(apo_registry_find(r, "good")->description, "a valid test type");
	ck_assert_uint_eq(apo_registry_refusal_count(r), 1);
	const struct apo_refusal *f = apo_registry_refusal_at(r, 0);
	ck_assert_str_eq(f->file, second);
	_cleanup_free_ char *reason =
	    apo_xasprintf("duplicate type name 'good': already loaded from %s", first);
	ck_assert_str_eq(f->reason, reason);
	apo_registry_free(r);
	rm_dir(a);
	rm_dir(b);
}
END_TEST

/* All of them in one directory, in one process: it survives, and only
 * the first type called `good` (dup.so sorts first) loads. */
START_TEST(survives_all_in_one_dir)
{
	static const char *const names[] = {"good", "noentry",	 "badabi", "small",
					    "dup",  "nullentry", "badname"};
	char *dir = new_dir();
	struct apo_registry *r = apo_registry_new();

	for (size_t i = 0; i < APO_ARRAY_SIZE(names); i++)
		free(put(dir, names[i], NULL));
	apo_registry_load_dir(r, dir);
	ck_assert_uint_eq(apo_registry_count(r), 1);
	ck_assert_str_eq(apo_registry_find(r, "good")->description, "an impostor");
	ck_assert_uint_eq(apo_registry_refusal_count(r), 6);
	/* refusals come in file name order */
	ck_assert_str_eq(apo_registry_refusal_at(r, 0)->reason,
			 "wrong ABI version 99: rebuild it against apomon " PACKAGE_VERSION
			 " (ABI 1)");
	_cleanup_free_ char *good = apo_xasprintf("%s/good.so", dir);
	ck_assert_str_eq(apo_registry_refusal_at(r, 2)->file, good);
	apo_registry_free(r);
	rm_dir(dir);
}
END_TEST

START_TEST(refuses_group_writable_dir)
{
	char *dir = new_dir();
	_cleanup_free_ char *reason = apo_xasprintf(
	    "unsafe permissions: %s is writable by group (mode 0770); only its owner may write it",
	    dir);
	struct apo_registry *r = apo_registry_new();

	free(put(dir, "good", NULL));
	ck_assert_int_eq(chmod(dir, 0770), 0);
	apo_registry_load_dir(r, dir);
	ck_assert_uint_eq(apo_registry_count(r), 0);
	ck_assert_uint_eq(apo_registry_refusal_count(r), 1);
	assert_refusal(r, 0, dir, reason);
	apo_registry_free(r);
	rm_dir(dir);
}
END_TEST

START_TEST(refuses_group_writable_file)
{
	char *dir = new_dir();
	_cleanup_free_ char *file = put(dir, "good", NULL);
	_cleanup_free_ char *reason = apo_xasprintf(
	    "unsafe permissions: %s is writable by group (mode 0775); only its owner may write it",
	    file);
	struct apo_registry *r = apo_registry_new();

	ck_assert_int_eq(chmod(file, 0775), 0);
	apo_registry_load_dir(r, dir);
	ck_assert_uint_eq(apo_registry_count(r), 0);
	assert_refusal(r, 0, file, reason);
	apo_registry_free(r);
	rm_dir(dir);
}
END_TEST

START_TEST(refuses_others_writable_file)
{
	char *dir = new_dir();
	_cleanup_free_ char *file = put(dir, "good", NULL);
	_cleanup_free_ char *reason = apo_xasprintf(
	    "unsafe permissions: %s is writable by others (mode 0757); only its owner may write it",
	    file);
	struct apo_registry *r = apo_registry_new();

	ck_assert_int_eq(chmod(file, 0757), 0);
	apo_registry_load_dir(r, dir);
	assert_refusal(r, 0, file, reason);
	apo_registry_free(r);
	rm_dir(dir);
}
END_TEST

/* A symlink is only as safe as the directory of what it points to. */
START_TEST(refuses_symlink_into_unsafe_dir)
{
	char *unsafe = new_dir(), *dir = new_dir();
	_cleanup_free_ char *target = put(unsafe, "good", NULL);
	_cleanup_free_ char *link = apo_xasprintf("%s/good.so", dir);
	_cleanup_free_ char *reason =
	    apo_xasprintf("unsafe permissions: %s is writable by group and others (mode 0777); "
			  "only its owner may write it",
			  unsafe);
	struct apo_registry *r = apo_registry_new();

	ck_assert_int_eq(symlink(target, link), 0);
	ck_assert_int_eq(chmod(unsafe, 0777), 0);
	apo_registry_load_dir(r, dir);
	ck_assert_uint_eq(apo_registry_count(r), 0);
	assert_refusal(r, 0, link, reason);
	apo_registry_free(r);
	ck_assert_int_eq(chmod(unsafe, 0700), 0);
	rm_dir(unsafe);
	rm_dir(dir);
}
END_TEST

START_TEST(refuses_foreign_owner)
{
	char *dir = new_dir();
	_cleanup_free_ char *file = put(dir, "good", NULL);
	struct apo_registry *r = apo_registry_new();

	if (geteuid() != 0) {
		/* only root can give a file away */
		apo_registry_free(r);
		rm_dir(dir);
		return;
	}
	_cleanup_free_ char *reason = apo_xasprintf(
	    "unsafe permissions: %s is owned by uid 65534; only root or uid 0 may own it", file);
	ck_assert_int_eq(chown(file, 65534, 65534), 0);
	apo_registry_load_dir(r, dir);
	ck_assert_uint_eq(apo_registry_count(r), 0);
	assert_refusal(r, 0, file, reason);
	apo_registry_free(r);
	rm_dir(dir);
}
END_TEST

START_TEST(missing_dir_is_silent)
{
	char *dir = new_dir();
	_cleanup_free_ char *missing = apo_xasprintf("%s/nothing-here", dir);
	struct apo_registry *r = apo_registry_new();

	apo_registry_load_dir(r, missing);
	ck_assert_uint_eq(apo_registry_count(r), 0);
	ck_assert_uint_eq(apo_registry_refusal_count(r), 0);
	apo_registry_free(r);
	rm_dir(dir);
}
END_TEST

static const struct apo_refusal *refusal_of(const struct apo_registry *r, const char *file)
{
	for (size_t i = 0; i < apo_registry_refusal_count(r); i++)
		if (!strcmp(apo_registry_refusal_at(r, i)->file, file))
			return apo_registry_refusal_at(r, i);
	return NULL;
}

static const struct apo_plugin *plugin_named(const struct apo_registry *r, const char *name)
{
	for (size_t i = 0; i < apo_registry_count(r); i++)
		if (!strcmp(apo_registry_at(r, i)->type->name, name))
			return apo_registry_at(r, i);
	return NULL;
}

static void assert_dup_of(const struct apo_refusal *f, const char *first)
{
	_cleanup_free_ char *reason =
	    apo_xasprintf("duplicate type name 'good': already loaded from %s", first);
	ck_assert_str_eq(f->reason, reason);
}

/* --plugin-path, then APOMON_PLUGIN_PATH, then the config's plugin_path. */
START_TEST(search_order)
{
	char *cli = new_dir(), *env = new_dir(), *conf = new_dir();
	_cleanup_free_ char *cli_good = put(cli, "good", NULL);
	_cleanup_free_ char *env_good = put(env, "dup", "good.so");
	_cleanup_free_ char *conf_good = put(conf, "dup", NULL);
	_cleanup_free_ char *env_var = apo_xasprintf("::%s:", env);
	char *cli_dirs[] = {cli};
	char *conf_dirs[] = {conf};
	struct apo_registry *r = apo_registry_new();
	const struct apo_refusal *f;

	ck_assert_int_eq(setenv(APO_PLUGIN_PATH_ENV, env_var, 1), 0);
	apo_registry_load_all(r, cli_dirs, 1, conf_dirs, 1);
	ck_assert_ptr_nonnull(plugin_named(r, "good"));
	ck_assert_str_eq(plugin_named(r, "good")->file, cli_good);
	ck_assert_str_eq(apo_registry_find(r, "good")->description, "a valid test type");
	ck_assert_ptr_nonnull(f = refusal_of(r, env_good));
	assert_dup_of(f, cli_good);
	ck_assert_ptr_nonnull(f = refusal_of(r, conf_good));
	assert_dup_of(f, cli_good);
	apo_registry_free(r);

	/* without the command line, the environment variable comes first */
	r = apo_registry_new();
	apo_registry_load_all(r, NULL, 0, conf_dirs, 1);
	ck_assert_str_eq(plugin_named(r, "good")->file, env_good);
	ck_assert_ptr_nonnull(f = refusal_of(r, conf_good));
	assert_dup_of(f, env_good);
	apo_registry_free(r);
	unsetenv(APO_PLUGIN_PATH_ENV);

	rm_dir(cli);
	rm_dir(env);
	rm_dir(conf);
}
END_TEST

/* One directory named twice is searched once: no type is its own duplicate. */
START_TEST(same_dir_twice)
{
	char *dir = new_dir();
	_cleanup_free_ char *file = put(dir, "good", NULL);
	_cleanup_free_ char *spelled = apo_xasprintf("%s/.", dir);
	char *cli_dirs[] = {dir};
	char *conf_dirs[] = {spelled};
	struct apo_registry *r = apo_registry_new();

	ck_assert_int_eq(setenv(APO_PLUGIN_PATH_ENV, dir, 1), 0);
	apo_registry_load_all(r, cli_dirs, 1, conf_dirs, 1);
	unsetenv(APO_PLUGIN_PATH_ENV);
	ck_assert_ptr_nonnull(plugin_named(r, "good"));
	ck_assert_ptr_null(refusal_of(r, file));
	apo_registry_free(r);
	rm_dir(dir);
}
END_TEST

START_TEST(type_names)
{
	ck_assert_ptr_null(apo_type_name_problem("tomcat"));
	ck_assert_ptr_null(apo_type_name_problem("a0_b-c"));
	ck_assert_str_eq(apo_type_name_problem(NULL), "missing type name");
	ck_assert_str_eq(apo_type_name_problem(""), "missing type name");
	ck_assert_str_eq(apo_type_name_problem("0abc"), "expected [a-z][a-z0-9_-]*");
	ck_assert_str_eq(apo_type_name_problem("-abc"), "expected [a-z][a-z0-9_-]*");
	ck_assert_str_eq(apo_type_name_problem("abC"), "expected [a-z][a-z0-9_-]*");
	ck_assert_str_eq(apo_type_name_problem("a.b"), "expected [a-z][a-z0-9_-]*");
}
END_TEST

int main(void)
{
	return apo_check_run("loader", (const TTest *[]){good_loads_and_reads_back,
							 refuses_no_entry_symbol,
							 refuses_wrong_abi,
							 refuses_small_struct,
							 refuses_null_entry,
							 refuses_bad_name,
							 refuses_missing_image,
							 refuses_undefined_symbol,
							 opens_each_plugin_once,
							 refuses_undefined_symbol_after_shutdown,
							 refuses_not_a_shared_object,
							 refuses_duplicate_naming_first,
							 survives_all_in_one_dir,
							 refuses_group_writable_dir,
							 refuses_group_writable_file,
							 refuses_others_writable_file,
							 refuses_symlink_into_unsafe_dir,
							 refuses_foreign_owner,
							 missing_dir_is_silent,
							 search_order,
							 same_dir_twice,
							 type_names,
							 NULL});
}
