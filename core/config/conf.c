/* SPDX-License-Identifier: MIT */
/*
 * Reads CONFDIR/apomon.conf and CONFDIR/conf.d/\*.conf into a model: the
 * top level of each file, and the kind checks every conf*.c file uses.
 */
#include "config.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config/conf-internal.h"
#include "config/conf.h"
#include "base/util.h"

#define DEFAULT_ENV "example"

void conf_report(struct conf_ctx *c, const config_setting_t *s, const char *path, const char *fmt,
		 ...)
{
	struct apo_loc loc = apo_model_loc(c->m, s);
	va_list ap;

	va_start(ap, fmt);
	char *msg = apo_xvasprintf(fmt, ap);
	va_end(ap);
	apo_diag_add(c->d, &loc, path, "%s", msg);
	free(msg);
}

const char *apo_conf_kind(const config_setting_t *s)
{
	switch (config_setting_type(s)) {
	case CONFIG_TYPE_INT:
	case CONFIG_TYPE_INT64:
		return "an integer";
	case CONFIG_TYPE_FLOAT:
		return "a float";
	case CONFIG_TYPE_STRING:
		return "a string";
	case CONFIG_TYPE_BOOL:
		return "a boolean";
	case CONFIG_TYPE_ARRAY:
		return "an array";
	case CONFIG_TYPE_LIST:
		return "a list";
	case CONFIG_TYPE_GROUP:
		return "a group";
	default:
		return "nothing";
	}
}

char *conf_path(const char *parent, const char *name)
{
	return parent && *parent ? apo_xasprintf("%s.%s", parent, name) : apo_xstrdup(name);
}

char *conf_path_index(const char *parent, size_t i)
{
	return apo_xasprintf("%s[%zu]", parent, i);
}

void conf_check_names(struct conf_ctx *c, const config_setting_t *g, const char *path,
		      const char *const *known)
{
	for (int i = 0; i < config_setting_length(g); i++) {
		const config_setting_t *s = config_setting_get_elem(g, i);
		const char *name = config_setting_name(s);
		bool found = false;

		for (const char *const *k = known; *k && !found; k++)
			found = strcmp(*k, name) == 0;
		if (found)
			continue;
		size_t len = 1;
		for (const char *const *k = known; *k; k++)
			len += strlen(*k) + 2;
		char *list = apo_xmalloc(len), *p = list;
		*p = '\0';
		for (const char *const *k = known; *k; k++)
			p = stpcpy(stpcpy(p, k == known ? "" : ", "), *k);
		_cleanup_free_ char *sp = conf_path(path, name);
		conf_report(c, s, sp, "unknown setting '%s'; expected one of: %s", name, list);
		free(list);
	}
}

bool conf_want_group(struct conf_ctx *c, const config_setting_t *s, const char *path)
{
	if (config_setting_is_group(s))
		return true;
	conf_report(c, s, path, "is %s, expected a group { ... }", apo_conf_kind(s));
	return false;
}

bool conf_want_list(struct conf_ctx *c, const config_setting_t *s, const char *path)
{
	/* an empty [] is as good as an empty () */
	if (config_setting_is_list(s) ||
	    (config_setting_is_array(s) && config_setting_length(s) == 0))
		return true;
	conf_report(c, s, path, "is %s, expected a list ( { ... }, ... )", apo_conf_kind(s));
	return false;
}

const char *conf_member_string(struct conf_ctx *c, const config_setting_t *g, const char *gpath,
			       const char *name, bool required)
{
	const config_setting_t *s = config_setting_get_member(g, name);

	if (!s) {
		if (required)
			conf_report(c, g, gpath, "missing required setting '%s', expected a string",
				    name);
		return NULL;
	}
	if (config_setting_type(s) != CONFIG_TYPE_STRING) {
		_cleanup_free_ char *p = conf_path(gpath, name);
		conf_report(c, s, p, "is %s, expected a string", apo_conf_kind(s));
		return NULL;
	}
	return config_setting_get_string(s);
}

int conf_member_int(struct conf_ctx *c, const config_setting_t *g, const char *gpath,
		    const char *name, bool required, long long *out)
{
	const config_setting_t *s = config_setting_get_member(g, name);

	if (!s) {
		if (required)
			conf_report(c, g, gpath,
				    "missing required setting '%s', expected an integer", name);
		return required ? -1 : 0;
	}
	int t = config_setting_type(s);
	if (t != CONFIG_TYPE_INT && t != CONFIG_TYPE_INT64) {
		_cleanup_free_ char *p = conf_path(gpath, name);
		conf_report(c, s, p, "is %s, expected an integer", apo_conf_kind(s));
		return -1;
	}
	*out = config_setting_get_int64(s);
	return 1;
}

int conf_member_bool(struct conf_ctx *c, const config_setting_t *g, const char *gpath,
		     const char *name, bool *out)
{
	const config_setting_t *s = config_setting_get_member(g, name);

	if (!s)
		return 0;
	if (config_setting_type(s) != CONFIG_TYPE_BOOL) {
		_cleanup_free_ char *p = conf_path(gpath, name);
		conf_report(c, s, p, "is %s, expected a boolean (true or false)", apo_conf_kind(s));
		return -1;
	}
	*out = config_setting_get_bool(s);
	return 1;
}

ssize_t conf_member_strings(struct conf_ctx *c, const config_setting_t *g, const char *gpath,
			    const char *name, char ***out, struct apo_loc **locs)
{
	const config_setting_t *s = config_setting_get_member(g, name);
	_cleanup_free_ char *p = conf_path(gpath, name);
	size_t n = 0;

	*out = NULL;
	if (locs)
		*locs = NULL;
	if (!s)
		return 0;
	if (!config_setting_is_array(s) && !config_setting_is_list(s)) {
		conf_report(c, s, p, "is %s, expected an array of strings [ \"...\", ... ]",
			    apo_conf_kind(s));
		return -1;
	}
	int len = config_setting_length(s);
	*out = apo_xcalloc(len + 1, sizeof(**out));
	if (locs)
		*locs = apo_xcalloc(len + 1, sizeof(**locs));
	bool bad = false;
	for (int i = 0; i < len; i++) {
		const config_setting_t *e = config_setting_get_elem(s, i);
		if (config_setting_type(e) != CONFIG_TYPE_STRING) {
			_cleanup_free_ char *ep = conf_path_index(p, i);
			conf_report(c, e, ep, "is %s, expected a string", apo_conf_kind(e));
			bad = true;
			continue;
		}
		if (locs)
			(*locs)[n] = apo_model_loc(c->m, e);
		(*out)[n++] = apo_xstrdup(config_setting_get_string(e));
	}
	if (!bad)
		return n;
	/* all or nothing: later messages index the array as the file does */
	for (size_t i = 0; i < n; i++)
		free((*out)[i]);
	free(*out);
	*out = NULL;
	if (locs) {
		free(*locs);
		*locs = NULL;
	}
	return -1;
}

static const char *const main_names[] = {
    "environment", "plugin_path", "images_path", "host_services", "backbone",
    "cluster",	   "links",	  "integrity",	 "isolation",	  NULL};
static const char *const dropin_names[] = {"backbone", "cluster", "links", NULL};

static bool in_list(const char *const *list, const char *name)
{
	for (; *list; list++)
		if (strcmp(*list, name) == 0)
			return true;
	return false;
}

/* `host_services = [ 5432, "udp/53", "tcp/8080" ];` */
static void parse_host_services(struct conf_ctx *c, const config_setting_t *s)
{
	struct apo_model *m = c->m;
	size_t cap = 0;

	if (!config_setting_is_array(s) && !config_setting_is_list(s)) {
		conf_report(c, s, "host_services",
			    "is %s, expected an array of ports [ 5432, \"udp/53\", ... ]",
			    apo_conf_kind(s));
		return;
	}
	for (int i = 0; i < config_setting_length(s); i++) {
		const config_setting_t *e = config_setting_get_elem(s, i);
		_cleanup_free_ char *p = conf_path_index("host_services", i);
		struct apo_host_service hs = {.proto = IPPROTO_TCP, .loc = apo_model_loc(m, e)};
		unsigned long long port = 0;
		int t = config_setting_type(e);

		if (t == CONFIG_TYPE_INT || t == CONFIG_TYPE_INT64) {
			long long v = config_setting_get_int64(e);
			if (v < 1 || v > 65535) {
				conf_report(c, e, p,
					    "port %lld is out of range, expected 1 to 65535", v);
				continue;
			}
			port = (unsigned long long)v;
		} else if (t == CONFIG_TYPE_STRING) {
			const char *v = config_setting_get_string(e), *num = v;
			if (strncmp(v, "tcp/", 4) == 0) {
				num = v + 4;
			} else if (strncmp(v, "udp/", 4) == 0) {
				num = v + 4;
				hs.proto = IPPROTO_UDP;
			}
			if (apo_parse_uint(num, 65535, &port) < 0 || port == 0) {
				conf_report(c, e, p,
					    "invalid port '%s', expected 1 to 65535, \"tcp/PORT\" "
					    "or \"udp/PORT\"",
					    v);
				continue;
			}
		} else {
			conf_report(c, e, p, "is %s, expected a port (5432) or \"udp/PORT\"",
				    apo_conf_kind(e));
			continue;
		}
		hs.port = (uint16_t)port;
		APO_PUSH(m->host_services, m->n_host_services, cap, hs);
	}
}

/* `images_path = [ "/opt/vendor/images", "images" ];` relative to the
 * config's directory, so that a config and its images move together */
static void parse_images_path(struct conf_ctx *c, const config_setting_t *root)
{
	const config_setting_t *s = config_setting_get_member(root, "images_path");
	char **dirs;
	ssize_t n = conf_member_strings(c, root, NULL, "images_path", &dirs, NULL);
	struct stat sb;

	if (n <= 0)
		return;
	for (ssize_t i = 0; i < n; i++) {
		char *abs = dirs[i][0] == '/' ? apo_xstrdup(dirs[i])
					      : apo_xasprintf("%s/%s", c->m->confdir, dirs[i]);
		if (!dirs[i][0] || stat(abs, &sb) < 0 || !S_ISDIR(sb.st_mode)) {
			_cleanup_free_ char *p = conf_path_index("images_path", (size_t)i);
			conf_report(c, config_setting_get_elem(s, (unsigned)i), p,
				    "'%s' is not a directory, expected a directory of image "
				    "definitions (NAME/image.cfg)",
				    abs);
		}
		free(dirs[i]);
		dirs[i] = abs;
	}
	c->m->images_path = dirs;
	c->m->n_images_path = (size_t)n;
}

static void parse_top(struct conf_ctx *c, config_t *cf)
{
	config_setting_t *root = config_root_setting(cf);
	struct apo_model *m = c->m;

	if (c->main_file) {
		conf_check_names(c, root, NULL, main_names);
	} else {
		for (int i = 0; i < config_setting_length(root); i++) {
			config_setting_t *s = config_setting_get_elem(root, i);
			const char *name = config_setting_name(s);
			if (in_list(dropin_names, name))
				continue;
			if (in_list(main_names, name))
				conf_report(c, s, name,
					    "only allowed in apomon.conf; a conf.d file may have: "
					    "backbone, cluster, links");
			else
				conf_report(c, s, name,
					    "unknown setting '%s'; expected one of: backbone, "
					    "cluster, links",
					    name);
		}
	}

	if (c->main_file) {
		const char *env = conf_member_string(c, root, NULL, "environment", false);
		if (env) {
			free(m->env);
			m->env = apo_xstrdup(env);
			config_setting_t *s = config_setting_get_member(root, "environment");
			if (!apo_valid_station_name(env))
				conf_report(c, s, "environment",
					    "invalid name '%s', expected lower-case letters, "
					    "digits, '-' and '_', starting with a letter or digit, "
					    "at most 63 bytes",
					    env);
		}
		char **dirs;
		ssize_t n = conf_member_strings(c, root, NULL, "plugin_path", &dirs, NULL);
		if (n >= 0) {
			m->plugin_path = dirs;
			m->n_plugin_path = n;
		}
		parse_images_path(c, root);
		config_setting_t *hs = config_setting_get_member(root, "host_services");
		if (hs)
			parse_host_services(c, hs);
		config_setting_t *integ = config_setting_get_member(root, "integrity");
		if (integ && conf_want_group(c, integ, "integrity"))
			m->integrity = integ;
		const char *iso = conf_member_string(c, root, NULL, "isolation", false);
		if (iso) {
			config_setting_t *is = config_setting_get_member(root, "isolation");
			m->isolation_loc = apo_model_loc(m, is);
			if (!strcmp(iso, "host-root"))
				m->isolation = APO_ISOLATION_HOST_ROOT;
			else if (!strcmp(iso, "userns"))
				m->isolation = APO_ISOLATION_USERNS;
			else
				conf_report(c, is, "isolation",
					    "unknown isolation '%s', expected \"userns\" (the "
					    "default) or \"host-root\"",
					    iso);
		}
	}

	config_setting_t *s = config_setting_get_member(root, "backbone");
	if (s && conf_want_group(c, s, "backbone")) {
		conf_parse_backbone(c, s);
	} else if (s && !c->have_backbone) {
		/* there is one, of the wrong kind: "no backbone" would be noise */
		c->have_backbone = true;
		c->backbone_loc = apo_model_loc(m, s);
	}
	if ((s = config_setting_get_member(root, "cluster")) && conf_want_group(c, s, "cluster"))
		conf_parse_cluster(c, s);
	if ((s = config_setting_get_member(root, "links")) && conf_want_list(c, s, "links"))
		conf_parse_links(c, s);
}

/* Returns 0, -EBADMSG on a syntax error, or -errno when unreadable. */
static int read_file(struct conf_ctx *c, const char *path)
{
	struct apo_loc loc = {.file = apo_model_intern_file(c->m, path)};
	int rc = conf_check_file(c, path);

	if (rc < 0)
		return rc;

	config_t *cf = apo_xcalloc(1, sizeof(*cf));
	config_init(cf);
	config_set_include_dir(cf, c->m->confdir);
	c->m->configs =
	    apo_xreallocarray(c->m->configs, c->m->n_configs + 1, sizeof(*c->m->configs));
	c->m->configs[c->m->n_configs++] = cf;
	if (config_read_file(cf, path) != CONFIG_TRUE) {
		const char *f = config_error_file(cf);
		loc.file = apo_model_intern_file(c->m, f ? f : path);
		loc.line = config_error_line(cf);
		apo_diag_add(c->d, &loc, NULL, "cannot parse: %s, expected libconfig syntax",
			     config_error_text(cf));
		return -EBADMSG;
	}
	parse_top(c, cf);
	return 0;
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The conf.d/\*.conf files in lexical order; a missing conf.d is fine. */
static int list_dropins(struct conf_ctx *c, const char *dir, char ***out, size_t *n_out)
{
	char **names = NULL;
	size_t n = 0, cap = 0;
	DIR *dp = opendir(dir);

	*out = NULL;
	*n_out = 0;
	if (!dp) {
		if (errno == ENOENT)
			return 0;
		int err = errno;
		struct apo_loc loc = {.file = apo_model_intern_file(c->m, dir)};
		apo_diag_add(c->d, &loc, NULL, "cannot read the directory: %s", strerror(err));
		return -err;
	}
	struct dirent *de;
	while ((de = readdir(dp))) {
		if (de->d_name[0] == '.' || !apo_str_has_suffix(de->d_name, ".conf"))
			continue;
		APO_PUSH(names, n, cap, apo_xstrdup(de->d_name));
	}
	closedir(dp);
	if (n)
		qsort(names, n, sizeof(*names), name_cmp);
	*out = names;
	*n_out = n;
	return 0;
}

int apo_conf_load(const char *confdir, const char *env_override, struct apo_model **out,
		  struct apo_diag *d)
{
	struct apo_model *m = apo_xcalloc(1, sizeof(*m));
	struct conf_ctx c = {.m = m, .d = d, .main_file = true};
	size_t before = d->n;
	bool badmsg = false;
	int rc;

	*out = m;
	m->confdir = apo_xstrdup(confdir);
	m->env = apo_xstrdup(DEFAULT_ENV);
	m->host_network.prefix = 30;
	inet_pton(AF_INET, "10.254.254.0", &m->host_network.addr);

	_cleanup_free_ char *main_path = apo_xasprintf("%s/apomon.conf", confdir);
	rc = read_file(&c, main_path);
	if (rc == -EBADMSG)
		badmsg = true;
	else if (rc < 0)
		return rc;

	_cleanup_free_ char *dropdir = apo_xasprintf("%s/conf.d", confdir);
	char **names;
	size_t n;
	rc = list_dropins(&c, dropdir, &names, &n);
	c.main_file = false;
	for (size_t i = 0; i < n; i++) {
		_cleanup_free_ char *p = apo_xasprintf("%s/%s", dropdir, names[i]);
		struct stat st;
		/* a directory named x.conf is not meant as a config file; a
		 * FIFO, device or socket is refused by read_file, with a line */
		if (stat(p, &st) == 0 && S_ISDIR(st.st_mode)) {
			free(names[i]);
			continue;
		}
		if (read_file(&c, p) == -EBADMSG)
			badmsg = true;
		free(names[i]);
	}
	free(names);
	if (rc < 0 && !badmsg)
		return rc;

	if (env_override) {
		free(m->env);
		m->env = apo_xstrdup(env_override);
		if (!apo_valid_station_name(env_override))
			apo_diag_add(d, NULL, "environment",
				     "invalid name '%s' (from -e), expected lower-case letters, "
				     "digits, '-' and '_', starting with a letter or digit, at "
				     "most 63 bytes",
				     env_override);
	}
	if (badmsg)
		return -EBADMSG;
	if (!c.have_backbone) {
		struct apo_loc loc = {.file = apo_model_intern_file(m, main_path)};
		apo_diag_add(d, &loc, NULL, "no backbone: add a `backbone` group to apomon.conf");
	}
	return d->n > before ? -EINVAL : 0;
}
