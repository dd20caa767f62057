/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <errno.h>
#include <libconfig.h>
#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "image/image-cfg.h"
#include "base/util.h"

#ifndef APO_IMAGESDIR
#define APO_IMAGESDIR "/usr/share/apomon/images"
#endif

/*
 * struct apo_loc only points at its file name, and a diagnostic outlives
 * the definition that failed to load: keep the names for the process.
 */
static const char *intern(const char *s)
{
	/* the runtime looks layers up from several threads at once */
	static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
	static char **names;
	static size_t n, cap;
	const char *found = NULL;

	pthread_mutex_lock(&lock);
	for (size_t i = 0; i < n && !found; i++)
		if (!strcmp(names[i], s))
			found = names[i];
	if (!found) {
		APO_PUSH(names, n, cap, apo_xstrdup(s));
		found = names[n - 1];
	}
	pthread_mutex_unlock(&lock);
	return found;
}

int apo_image_name_valid(const char *name)
{
	size_t len = strlen(name);

	if (len == 0 || len > 64 || name[0] == '.' || name[0] == '-')
		return 0;
	for (const char *p = name; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-' ||
		      *p == '_' || *p == '.'))
			return 0;
	return 1;
}

void apo_strv_free(char **v)
{
	if (!v)
		return;
	for (char **p = v; *p; p++)
		free(*p);
	free(v);
}

static void free_list(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

void apo_image_def_free(struct apo_image_def *def)
{
	if (!def)
		return;
	free(def->name);
	free(def->dir);
	free(def->cfg_path);
	free(def->parent);
	free_list(def->packages, def->n_packages);
	free(def->files);
	free(def->startup);
	free_list(def->seal, def->n_seal);
	free_list(def->run, def->n_run);
	free(def->suite);
	free(def->mirror);
	free(def);
}

struct parse {
	const char *file;
	struct apo_diag *d;
	int errors;
};

static void problem(struct parse *p, const config_setting_t *s, const char *path, const char *msg)
{
	struct apo_loc loc = {.file = p->file, .line = s ? (int)config_setting_source_line(s) : 0};

	apo_diag_add(p->d, &loc, path, "%s", msg);
	p->errors++;
}

static char *get_string(struct parse *p, const config_setting_t *s, const char *name,
			const char *expected)
{
	const char *v = config_setting_get_string(s);

	if (!v || !*v) {
		char *msg =
		    apo_xasprintf("%s, expected %s", v ? "is empty" : "is not a string", expected);
		problem(p, s, name, msg);
		free(msg);
		return NULL;
	}
	return apo_xstrdup(v);
}

/* A list or array of non-empty strings. */
static void get_strings(struct parse *p, const config_setting_t *s, const char *name,
			const char *expected, char ***out, size_t *n)
{
	size_t cap = 0;

	if (!config_setting_is_aggregate(s) || config_setting_is_group(s)) {
		char *msg = apo_xasprintf("is not a list, expected [%s, ...]", expected);
		problem(p, s, name, msg);
		free(msg);
		return;
	}
	for (int i = 0; i < config_setting_length(s); i++) {
		const config_setting_t *e = config_setting_get_elem(s, (unsigned)i);
		char *path = apo_xasprintf("%s[%d]", name, i);
		char *v = get_string(p, e, path, expected);

		free(path);
		if (v)
			APO_PUSH(*out, *n, cap, v);
	}
}

static int is_package_name(const char *s)
{
	/* Debian policy 5.6.1, plus apt's =version and /release suffixes */
	if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9')))
		return 0;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') ||
		      strchr("+-.:=/~", *s)))
			return 0;
	return 1;
}

/* A path in the image: absolute, no "..", no "//". */
static int is_image_path(const char *s)
{
	if (s[0] != '/' || strstr(s, "//") || strstr(s, "/../") || apo_str_has_suffix(s, "/.."))
		return 0;
	return 1;
}

static char *in_dir(const char *dir, const char *rel)
{
	return rel[0] == '/' ? apo_xstrdup(rel) : apo_xasprintf("%s/%s", dir, rel);
}

static int exists(const char *path, mode_t type)
{
	struct stat st;

	return stat(path, &st) == 0 && (st.st_mode & S_IFMT) == type;
}

static void parse_root(struct parse *p, config_setting_t *root, struct apo_image_def *def)
{
	static const char *const known[] = {"parent", "packages", "files", "seal",
					    "run",    "startup",  "suite", "mirror"};
	int have_files = 0, have_startup = 0;

	for (int i = 0; i < config_setting_length(root); i++) {
		config_setting_t *s = config_setting_get_elem(root, (unsigned)i);
		const char *name = config_setting_name(s);
		size_t k;

		for (k = 0; k < APO_ARRAY_SIZE(known); k++)
			if (!strcmp(name, known[k]))
				break;
		if (k == APO_ARRAY_SIZE(known)) {
			problem(p, s, name,
				"unknown setting, expected one of parent, packages, files, seal, "
				"run, startup, suite, mirror");
			continue;
		}
		if (!strcmp(name, "parent")) {
			def->parent = get_string(p, s, name, "the name of an image");
			if (def->parent && !apo_image_name_valid(def->parent)) {
				problem(p, s, name,
					"is not an image name, expected lower-case letters, "
					"digits, '-', '_' or '.'");
			} else if (def->parent && !strcmp(def->parent, def->name)) {
				problem(p, s, name, "names the image itself, expected its parent");
			}
		} else if (!strcmp(name, "packages")) {
			get_strings(p, s, name, "\"debian-package\"", &def->packages,
				    &def->n_packages);
			for (size_t j = 0; j < def->n_packages; j++) {
				if (is_package_name(def->packages[j]))
					continue;
				char *path = apo_xasprintf("packages[%zu]", j);
				char *msg = apo_xasprintf("'%s' is not a Debian package name, "
							  "expected e.g. \"openssh-server\"",
							  def->packages[j]);
				problem(p, config_setting_get_elem(s, (unsigned)j), path, msg);
				free(path);
				free(msg);
			}
		} else if (!strcmp(name, "files")) {
			char *v = get_string(p, s, name, "a directory relative to the image");
			have_files = 1;
			if (v) {
				def->files = in_dir(def->dir, v);
				if (!exists(def->files, S_IFDIR)) {
					char *msg = apo_xasprintf("%s is not a directory, expected "
								  "the tree copied into the root",
								  def->files);
					problem(p, s, name, msg);
					free(msg);
				}
			}
			free(v);
		} else if (!strcmp(name, "startup")) {
			char *v = get_string(p, s, name, "a script relative to the image");
			have_startup = 1;
			if (v) {
				def->startup = in_dir(def->dir, v);
				if (!exists(def->startup, S_IFREG)) {
					char *msg = apo_xasprintf("%s is not a file, expected the "
								  "station's entrypoint",
								  def->startup);
					problem(p, s, name, msg);
					free(msg);
				}
			}
			free(v);
		} else if (!strcmp(name, "seal")) {
			get_strings(p, s, name, "\"/absolute/path\"", &def->seal, &def->n_seal);
			for (size_t j = 0; j < def->n_seal; j++) {
				if (is_image_path(def->seal[j]))
					continue;
				char *path = apo_xasprintf("seal[%zu]", j);
				char *msg = apo_xasprintf("'%s' is not a clean absolute path, "
							  "expected e.g. \"/etc/ssh/sshd_config\"",
							  def->seal[j]);
				problem(p, config_setting_get_elem(s, (unsigned)j), path, msg);
				free(path);
				free(msg);
			}
		} else if (!strcmp(name, "run")) {
			get_strings(p, s, name, "\"shell command\"", &def->run, &def->n_run);
		} else if (!strcmp(name, "suite")) {
			def->suite = get_string(p, s, name, "a Debian suite such as \"bookworm\"");
		} else if (!strcmp(name, "mirror")) {
			def->mirror = get_string(p, s, name, "an archive URL");
			if (def->mirror && !strstr(def->mirror, "://"))
				problem(p, s, name,
					"is not a URL, expected e.g. \"http://HOST/debian\"");
		}
	}

	/* the conventional names need no setting */
	if (!have_files) {
		char *f = apo_xasprintf("%s/files", def->dir);
		if (exists(f, S_IFDIR))
			def->files = f;
		else
			free(f);
	}
	if (!have_startup) {
		char *f = apo_xasprintf("%s/startup.sh", def->dir);
		if (exists(f, S_IFREG))
			def->startup = f;
		else
			free(f);
	}
	if (!def->parent) {
		/* without an entrypoint, a station's init serves the image's
		 * on-demand services alone (apomon-init.c): base's stations */
		_cleanup_free_ char *inetd =
		    def->files ? apo_xasprintf("%s/apomon/inetd.conf", def->files) : NULL;
		if (!def->startup && !(inetd && exists(inetd, S_IFREG)))
			problem(p, NULL, "startup",
				"a root image (no parent) needs a startup.sh or on-demand "
				"services, expected startup = \"startup.sh\", the file next "
				"to image.cfg, or files/apomon/inetd.conf");
	} else if (def->suite || def->mirror) {
		problem(p, config_setting_lookup(root, def->suite ? "suite" : "mirror"),
			def->suite ? "suite" : "mirror",
			"only a root image (no parent) is bootstrapped, expected it only there");
	}
	if (!def->suite && !def->parent)
		def->suite = apo_xstrdup("bookworm");
}

int apo_image_def_load(const char *name, const char *dir, struct apo_image_def **out,
		       struct apo_diag *d)
{
	struct apo_image_def *def = apo_xcalloc(1, sizeof(*def));
	struct parse p = {.d = d};
	config_t cfg;
	char real[PATH_MAX];
	int rc = 0;

	*out = NULL;
	def->name = apo_xstrdup(name);
	def->dir = apo_xstrdup(realpath(dir, real) ? real : dir);
	def->cfg_path = apo_xasprintf("%s/image.cfg", def->dir);
	p.file = intern(def->cfg_path);

	if (!apo_image_name_valid(name)) {
		apo_diag_add(d, NULL, NULL,
			     "%s: not an image name, expected lower-case letters, digits, "
			     "'-', '_' or '.'",
			     name);
		apo_image_def_free(def);
		return -EINVAL;
	}
	config_init(&cfg);
	if (access(def->cfg_path, R_OK) < 0) {
		rc = -errno;
		struct apo_loc loc = {.file = p.file};
		apo_diag_add(d, &loc, NULL, "cannot read: %s", strerror(errno));
		goto out;
	}
	if (config_read_file(&cfg, def->cfg_path) != CONFIG_TRUE) {
		struct apo_loc loc = {.file = p.file, .line = config_error_line(&cfg)};
		apo_diag_add(d, &loc, NULL, "%s, expected libconfig syntax (name = value;)",
			     config_error_text(&cfg));
		rc = -EINVAL;
		goto out;
	}
	parse_root(&p, config_root_setting(&cfg), def);
	if (p.errors)
		rc = -EINVAL;
out:
	config_destroy(&cfg);
	if (rc < 0) {
		apo_image_def_free(def);
		return rc;
	}
	*out = def;
	return 0;
}

/* The sources set by apo_image_search_set, copied: the CLI's arrays are
 * freed with its model and registry, lookups happen later */
static struct {
	char **cli, **conf, **plugin;
	size_t n_cli, n_conf, n_plugin;
} sources;

static char **strv_copy(char *const *v, size_t n)
{
	char **c = apo_xcalloc(n + 1, sizeof(*c));
	for (size_t i = 0; i < n; i++)
		c[i] = apo_xstrdup(v[i]);
	return c;
}

void apo_image_search_set(char *const *cli_dirs, size_t n_cli, char *const *conf_dirs,
			  size_t n_conf, char *const *plugin_dirs, size_t n_plugin)
{
	apo_strv_free(sources.cli);
	apo_strv_free(sources.conf);
	apo_strv_free(sources.plugin);
	sources.cli = strv_copy(cli_dirs, n_cli);
	sources.conf = strv_copy(conf_dirs, n_conf);
	sources.plugin = strv_copy(plugin_dirs, n_plugin);
	sources.n_cli = n_cli;
	sources.n_conf = n_conf;
	sources.n_plugin = n_plugin;
}

/* each directory once, at its first place: a later copy could only lose */
static void push_once(char ***v, size_t *n, size_t *cap, const char *dir)
{
	for (size_t i = 0; i < *n; i++)
		if (!strcmp((*v)[i], dir))
			return;
	APO_PUSH(*v, *n, *cap, apo_xstrdup(dir));
}

/*
 * The one place the order is decided (docs/images.md, "Where definitions
 * are found"): what the user names for this run beats what the
 * environment says, which beats the config, which beats what a package
 * brought beside its plugin; apomon's own tree comes last so that a
 * third party can never be shadowed by, nor shadow silently, a later
 * apomon release's image of the same name without `image list -v`
 * saying so.
 */
char **apo_image_search_path(char *const *dirs, size_t n_dirs)
{
	char **v = NULL;
	size_t n = 0, cap = 0;
	const char *env = getenv("APOMON_IMAGES_PATH");

	for (size_t i = 0; i < n_dirs; i++)
		push_once(&v, &n, &cap, dirs[i]);
	for (size_t i = 0; i < sources.n_cli; i++)
		push_once(&v, &n, &cap, sources.cli[i]);
	if (env && *env) {
		_cleanup_free_ char *copy = apo_xstrdup(env);
		char *save = NULL;
		for (char *t = strtok_r(copy, ":", &save); t; t = strtok_r(NULL, ":", &save))
			push_once(&v, &n, &cap, t);
	}
	for (size_t i = 0; i < sources.n_conf; i++)
		push_once(&v, &n, &cap, sources.conf[i]);
	for (size_t i = 0; i < sources.n_plugin; i++)
		push_once(&v, &n, &cap, sources.plugin[i]);
	push_once(&v, &n, &cap, APO_IMAGESDIR);
	APO_PUSH(v, n, cap, NULL);
	return v;
}

char *apo_image_def_find(char *const *search, const char *name)
{
	if (!apo_image_name_valid(name))
		return NULL;
	for (char *const *s = search; *s; s++) {
		char *dir = apo_xasprintf("%s/%s", *s, name);
		char *cfg = apo_xasprintf("%s/image.cfg", dir);
		int ok = access(cfg, F_OK) == 0;

		free(cfg);
		if (ok)
			return dir;
		free(dir);
	}
	return NULL;
}
