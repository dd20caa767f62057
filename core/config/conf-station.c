/* SPDX-License-Identifier: MIT */
/* One station group, in a cluster's `stations` list or as the backbone. */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <math.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "config/conf-internal.h"
#include "base/image-ref.h"
#include "base/util.h"

static const char *const member_names[] = {
    "name",    "type", "addresses", "image",  "enabled",   "depends",
    "publish", "seal", "settings",  "limits", "integrity", NULL,
};
static const char *const backbone_names[] = {
    "name", "domain",  "type",	 "image",     "host_network", "settings",
    "seal", "publish", "limits", "integrity", "enabled",      NULL,
};
static const char *const publish_names[] = {"host", "port", "proto", NULL};
static const char *const limits_names[] = {"memory", "cpus", "pids", "log", NULL};

static void parse_addresses(struct conf_ctx *c, config_setting_t *g, struct apo_station *st,
			    const struct apo_cluster *cl)
{
	config_setting_t *s = config_setting_get_member(g, "addresses");
	_cleanup_free_ char *p = conf_path(st->path, "addresses");

	if (!s) {
		conf_report(c, g, st->path,
			    "missing required setting 'addresses', expected an array of "
			    "addresses [\"A.B.C.D\", ...]");
		return;
	}
	if (!config_setting_is_array(s) && !config_setting_is_list(s)) {
		conf_report(c, s, p, "is %s, expected an array of addresses [\"A.B.C.D\", ...]",
			    apo_conf_kind(s));
		return;
	}
	int len = config_setting_length(s);
	if (len == 0) {
		conf_report(c, s, p, "is empty, expected at least one address \"A.B.C.D\"");
		return;
	}
	/* a valid cluster network has a prefix of 8..30 */
	int cl_prefix = cl && cl->network.prefix >= 8 ? cl->network.prefix : -1;
	st->addrs = apo_xcalloc(len, sizeof(*st->addrs));
	size_t good = 0;
	for (int i = 0; i < len; i++) {
		config_setting_t *e = config_setting_get_elem(s, i);
		_cleanup_free_ char *ep = conf_path_index(p, i);
		struct apo_addr a = {.loc = apo_model_loc(c->m, e)};
		int prefix;

		if (config_setting_type(e) != CONFIG_TYPE_STRING) {
			conf_report(c, e, ep, "is %s, expected a string \"A.B.C.D\"",
				    apo_conf_kind(e));
			continue;
		}
		const char *v = config_setting_get_string(e);
		if (apo_parse_cidr(v, &a.addr, &prefix) < 0) {
			conf_report(
			    c, e, ep,
			    "invalid address '%s', expected \"A.B.C.D\" or \"A.B.C.D/PREFIX\"", v);
			continue;
		}
		const char *why = apo_addr_special(a.addr);
		if (why) {
			conf_report(c, e, ep, "'%s' is %s, expected a host address", v, why);
			continue;
		}
		if (prefix >= 0 && cl_prefix >= 0 && prefix != cl_prefix) {
			conf_report(c, e, ep,
				    "prefix /%d differs from the cluster's network /%d, expected "
				    "/%d or no prefix",
				    prefix, cl_prefix, cl_prefix);
			continue;
		}
		a.prefix = prefix >= 0 ? prefix : cl_prefix >= 0 ? cl_prefix : 32;
		st->addrs[good++] = a;
	}
	/* all or nothing: validation indexes them as the file does */
	st->n_addrs = good == (size_t)len ? good : 0;
}

/* host or port of a publish entry: an integer, or a range "A-B" as a
 * string (A <= B), each a port from 1 to 65535.  0, or -1 after a report. */
static int publish_port(struct conf_ctx *c, config_setting_t *e, const char *ep, const char *name,
			long long *first, long long *count)
{
	config_setting_t *s = config_setting_get_member(e, name);
	_cleanup_free_ char *kp = conf_path(ep, name);
	long long last;

	if (s && config_setting_type(s) == CONFIG_TYPE_STRING) {
		const char *v = config_setting_get_string(s);
		char *end;
		*first = strtoll(v, &end, 10);
		last =
		    *end == '-' && end[1] >= '0' && end[1] <= '9' ? strtoll(end + 1, &end, 10) : -1;
		if (*v < '0' || *v > '9' || *end || last < *first || *first < 1 || last > 65535) {
			conf_report(c, s, kp,
				    "is a string '%s', expected a port (an integer) or a range "
				    "\"FIRST-LAST\" of ports from 1 to 65535, FIRST <= LAST",
				    v);
			return -1;
		}
		*count = last - *first + 1;
		return 0;
	}
	int r = conf_member_int(c, e, ep, name, true, first);
	if (r <= 0)
		return -1;
	if (*first < 1 || *first > 65535) {
		conf_report(c, s, kp, "port %lld is out of range, expected 1 to 65535", *first);
		return -1;
	}
	*count = 1;
	return 0;
}

static void parse_publish(struct conf_ctx *c, config_setting_t *g, struct apo_station *st)
{
	config_setting_t *s = config_setting_get_member(g, "publish");
	_cleanup_free_ char *p = conf_path(st->path, "publish");

	if (!s || !conf_want_list(c, s, p))
		return;
	int len = config_setting_length(s);
	st->publish = apo_xcalloc(len, sizeof(*st->publish));
	size_t good = 0;
	for (int i = 0; i < len; i++) {
		config_setting_t *e = config_setting_get_elem(s, i);
		_cleanup_free_ char *ep = conf_path_index(p, i);
		struct apo_publish pub = {.proto = IPPROTO_TCP, .loc = apo_model_loc(c->m, e)};
		long long host = 0, port = 0;
		bool ok = true;

		if (!conf_want_group(c, e, ep))
			continue;
		conf_check_names(c, e, ep, publish_names);
		static const char *const which[] = {"host", "port"};
		long long *vals[] = {&host, &port};
		long long counts[2] = {1, 1};
		for (int k = 0; k < 2; k++)
			if (publish_port(c, e, ep, which[k], vals[k], &counts[k]) < 0)
				ok = false;
		if (ok && counts[0] != counts[1]) {
			conf_report(
			    c, e, ep,
			    "host range has %lld ports and port range %lld, expected ranges "
			    "of equal length",
			    counts[0], counts[1]);
			ok = false;
		}
		pub.count = (uint16_t)counts[0];
		const char *proto = conf_member_string(c, e, ep, "proto", false);
		if (proto && strcmp(proto, "udp") == 0) {
			pub.proto = IPPROTO_UDP;
		} else if (proto && strcmp(proto, "tcp") != 0) {
			_cleanup_free_ char *kp = conf_path(ep, "proto");
			conf_report(c, config_setting_get_member(e, "proto"), kp,
				    "unknown protocol '%s', expected \"tcp\" or \"udp\"", proto);
			ok = false;
		} else if (!proto && config_setting_get_member(e, "proto")) {
			ok = false;
		}
		if (!ok)
			continue;
		pub.host_port = host;
		pub.port = port;
		st->publish[good++] = pub;
	}
	/* all or nothing: validation indexes them as the file does */
	st->n_publish = good == (size_t)len ? good : 0;
}

static void parse_seal(struct conf_ctx *c, config_setting_t *g, struct apo_station *st)
{
	char **paths;
	struct apo_loc *locs;
	ssize_t n = conf_member_strings(c, g, st->path, "seal", &paths, &locs);
	_cleanup_free_ char *p = conf_path(st->path, "seal");

	if (n < 0)
		return;
	st->seal = paths;
	for (ssize_t i = 0; i < n; i++) {
		const char *v = paths[i];
		bool dotdot =
		    strcmp(v, "/..") == 0 || strstr(v, "/../") || apo_str_has_suffix(v, "/..");
		if (v[0] == '/' && !dotdot) {
			st->seal[st->n_seal++] = paths[i];
			continue;
		}
		_cleanup_free_ char *ep = conf_path_index(p, i);
		apo_diag_add(c->d, &locs[i], ep,
			     v[0] != '/'
				 ? "'%s' is not an absolute path, expected a path starting "
				   "with '/'"
				 : "'%s' leaves the station's root through '..', expected a "
				   "path inside it",
			     v);
		free(paths[i]);
	}
	free(locs);
}

static void parse_limits(struct conf_ctx *c, config_setting_t *g, struct apo_station *st)
{
	config_setting_t *s = config_setting_get_member(g, "limits");
	_cleanup_free_ char *p = conf_path(st->path, "limits");

	if (!s || !conf_want_group(c, s, p))
		return;
	st->limits.loc = apo_model_loc(c->m, s);
	conf_check_names(c, s, p, limits_names);

	config_setting_t *mem = config_setting_get_member(s, "memory");
	if (mem) {
		_cleanup_free_ char *mp = conf_path(p, "memory");
		int t = config_setting_type(mem);
		if (t == CONFIG_TYPE_STRING && !strcmp(config_setting_get_string(mem), "unlimited"))
			st->limits.memory_bytes = 0;
		else if (t == CONFIG_TYPE_INT || t == CONFIG_TYPE_INT64) {
			long long v = config_setting_get_int64(mem);
			if (v <= 0)
				conf_report(c, mem, mp, "%lld is not positive, expected bytes > 0",
					    v);
			else
				st->limits.memory_bytes = v;
		} else if (t == CONFIG_TYPE_STRING) {
			const char *v = config_setting_get_string(mem);
			if (apo_parse_size(v, &st->limits.memory_bytes) < 0 ||
			    st->limits.memory_bytes == 0)
				conf_report(c, mem, mp,
					    "invalid size '%s', expected a number of bytes with an "
					    "optional K, M, G or T suffix, e.g. \"512M\"",
					    v);
		} else {
			conf_report(c, mem, mp, "is %s, expected a size such as \"512M\" or bytes",
				    apo_conf_kind(mem));
		}
	}
	config_setting_t *cpus = config_setting_get_member(s, "cpus");
	if (cpus) {
		_cleanup_free_ char *cp = conf_path(p, "cpus");
		int t = config_setting_type(cpus);
		double v = t == CONFIG_TYPE_FLOAT ? config_setting_get_float(cpus)
			   : t == CONFIG_TYPE_INT || t == CONFIG_TYPE_INT64
			       ? (double)config_setting_get_int64(cpus)
			       : NAN;
		if (isnan(v))
			conf_report(c, cpus, cp, "is %s, expected a number of CPUs such as 1.5",
				    apo_conf_kind(cpus));
		else if (v < 0.001 || v > 4096)
			conf_report(c, cpus, cp, "%g is out of range, expected 0.001 to 4096", v);
		else
			st->limits.cpu_millis = (unsigned)(v * 1000 + 0.5);
	}
	/* the cap of the station's log, rotated once past it */
	config_setting_t *log = config_setting_get_member(s, "log");
	if (log) {
		_cleanup_free_ char *lp = conf_path(p, "log");
		const char *v = config_setting_type(log) == CONFIG_TYPE_STRING
				    ? config_setting_get_string(log)
				    : NULL;
		if (!v || apo_parse_size(v, &st->limits.log_bytes) < 0 ||
		    st->limits.log_bytes < 4096)
			conf_report(c, log, lp,
				    "expected a size of at least 4K such as \"10M\" (K, M, G or T "
				    "suffix)");
	}
	long long pids;
	config_setting_t *ps = config_setting_get_member(s, "pids");
	int r = 0;
	if (ps && config_setting_type(ps) == CONFIG_TYPE_STRING &&
	    !strcmp(config_setting_get_string(ps), "unlimited"))
		st->limits.pids = 0;
	else
		r = conf_member_int(c, s, p, "pids", false, &pids);
	if (r > 0) {
		if (pids <= 0 || pids > 4194304) {
			_cleanup_free_ char *pp = conf_path(p, "pids");
			conf_report(c, config_setting_get_member(s, "pids"), pp,
				    "%lld is out of range, expected 1 to 4194304", pids);
		} else {
			st->limits.pids = pids;
		}
	}
}

struct apo_station *conf_parse_station(struct conf_ctx *c, config_setting_t *g,
				       struct apo_cluster *cl, const char *path_hint, bool backbone)
{
	struct apo_station *st = apo_xcalloc(1, sizeof(*st));
	const config_setting_t *s;

	st->loc = apo_model_loc(c->m, g);
	st->is_backbone = backbone;
	st->cluster = cl;
	st->enabled = true;

	/* the name first: every other message is under its path */
	s = config_setting_get_member(g, "name");
	const char *name =
	    s && config_setting_type(s) == CONFIG_TYPE_STRING ? config_setting_get_string(s) : NULL;
	bool name_ok = name && apo_valid_station_name(name);
	if (backbone)
		st->path = apo_xstrdup("backbone");
	else if (name_ok)
		st->path = apo_xasprintf("%s.stations.%s", cl->path, name);
	else
		st->path = apo_xstrdup(path_hint);

	conf_check_names(c, g, st->path, backbone ? backbone_names : member_names);
	name = conf_member_string(c, g, st->path, "name", true);
	if (name) {
		st->name = apo_xstrdup(name);
		if (!name_ok) {
			_cleanup_free_ char *np = conf_path(st->path, "name");
			conf_report(c, s, np,
				    "invalid station name '%s', expected lower-case letters, "
				    "digits, '-' and '_', starting with a letter or digit, at most "
				    "63 bytes",
				    name);
		}
	}
	const char *type = conf_member_string(c, g, st->path, "type", true);
	if (type)
		st->type_name = apo_xstrdup(type);
	const char *image = conf_member_string(c, g, st->path, "image", false);
	if (image) {
		st->image = apo_xstrdup(image);
		if (apo_image_ref_is_foreign(image)) {
			struct apo_image_ref ref;
			_cleanup_free_ char *why = NULL;
			if (apo_image_ref_parse(image, &ref, &why) == 0) {
				apo_image_ref_clear(&ref);
			} else {
				_cleanup_free_ char *ip = conf_path(st->path, "image");
				conf_report(c, config_setting_get_member(g, "image"), ip, "%s",
					    why);
			}
		} else if (!apo_valid_station_name(image)) {
			_cleanup_free_ char *ip = conf_path(st->path, "image");
			conf_report(c, config_setting_get_member(g, "image"), ip,
				    "invalid image name '%s', expected the name of a directory "
				    "of images/: lower-case letters, digits, '-' and '_'",
				    image);
		}
	}
	conf_member_bool(c, g, st->path, "enabled", &st->enabled);

	if (!backbone) {
		parse_addresses(c, g, st, cl);
		ssize_t n =
		    conf_member_strings(c, g, st->path, "depends", &st->depends, &st->depends_loc);
		st->n_depends = n > 0 ? n : 0;
	}
	parse_publish(c, g, st);
	parse_seal(c, g, st);
	st->limits.memory_bytes = APO_DEFAULT_MEMORY;
	st->limits.pids = APO_DEFAULT_PIDS;
	parse_limits(c, g, st);

	config_setting_t *set = config_setting_get_member(g, "settings");
	_cleanup_free_ char *sp = conf_path(st->path, "settings");
	if (set && conf_want_group(c, set, sp))
		st->settings = set;
	config_setting_t *integ = config_setting_get_member(g, "integrity");
	_cleanup_free_ char *ip = conf_path(st->path, "integrity");
	if (integ && conf_want_group(c, integ, ip))
		st->integrity = integ;

	if (st->name && cl && cl->domain)
		st->fqdn = apo_xasprintf("%s.%s", st->name, cl->domain);
	return st;
}
