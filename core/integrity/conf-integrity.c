/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <errno.h>
#include <libconfig.h>
#include <string.h>
#include <unistd.h>

#include "integrity/conf-integrity.h"
#include "image/image-store.h"
#include "base/paths.h"
#include "base/util.h"

static const char *const known[] = {"manifest", "public_key", "ca_file", "connect_timeout",
				    "timeout",	"retries",    "user",	 "password",
				    "s3",	"required",   NULL};
static const char *const known_s3[] = {
    "region", "endpoint", "access_key_id", "secret_access_key", "session_token", NULL};

static struct apo_loc loc_of(const config_setting_t *s)
{
	struct apo_loc l = {config_setting_source_file(s), (int)config_setting_source_line(s)};
	return l;
}

static char *path_of(const char *base, const config_setting_t *s)
{
	return apo_xasprintf("%s.%s", base, config_setting_name(s));
}

static char *keep(struct apo_integrity_conf *c, char *s)
{
	if (c->n_strings < APO_ARRAY_SIZE(c->strings))
		c->strings[c->n_strings++] = s;
	return s;
}

static int is_known(const char *const *list, const char *name)
{
	for (; *list; list++)
		if (!strcmp(*list, name))
			return 1;
	return 0;
}

static char *list_of(const char *const *list)
{
	char *s = apo_xstrdup("");
	for (size_t i = 0; list[i]; i++) {
		char *t = apo_xasprintf("%s%s%s", s, i ? ", " : "", list[i]);
		free(s);
		s = t;
	}
	return s;
}

/* A string setting; NULL when absent or wrong (reported). */
static const char *get_str(const config_setting_t *g, const char *name, const char *base,
			   struct apo_diag *d, int *bad)
{
	config_setting_t *s = g ? config_setting_get_member(g, name) : NULL;
	if (!s)
		return NULL;
	if (config_setting_type(s) != CONFIG_TYPE_STRING || !*config_setting_get_string(s)) {
		_cleanup_free_ char *p = path_of(base, s);
		struct apo_loc l = loc_of(s);
		apo_diag_add(d, &l, p, "expected a non-empty string");
		*bad = 1;
		return NULL;
	}
	return config_setting_get_string(s);
}

/* An integer setting in [lo, hi]; -1 when absent or wrong (reported). */
static long get_int(const config_setting_t *g, const char *name, const char *base, long lo, long hi,
		    struct apo_diag *d, int *bad)
{
	config_setting_t *s = g ? config_setting_get_member(g, name) : NULL;
	long v;
	if (!s)
		return -1;
	if (config_setting_type(s) == CONFIG_TYPE_INT)
		v = config_setting_get_int(s);
	else if (config_setting_type(s) == CONFIG_TYPE_INT64)
		v = (long)config_setting_get_int64(s);
	else
		v = lo - 1;
	if (v < lo || v > hi) {
		_cleanup_free_ char *p = path_of(base, s);
		struct apo_loc l = loc_of(s);
		apo_diag_add(d, &l, p, "expected an integer from %ld to %ld", lo, hi);
		*bad = 1;
		return -1;
	}
	return v;
}

static void check_members(const config_setting_t *g, const char *base, const char *const *list,
			  struct apo_diag *d, int *bad)
{
	if (!g)
		return;
	if (!config_setting_is_group(g)) {
		struct apo_loc l = loc_of(g);
		apo_diag_add(d, &l, base, "expected a group { ... }");
		*bad = 1;
		return;
	}
	for (int i = 0; i < config_setting_length(g); i++) {
		config_setting_t *s = config_setting_get_elem(g, (unsigned)i);
		if (is_known(list, config_setting_name(s)))
			continue;
		_cleanup_free_ char *p = path_of(base, s);
		_cleanup_free_ char *l2 = list_of(list);
		struct apo_loc l = loc_of(s);
		apo_diag_add(d, &l, p, "unknown setting, expected one of %s", l2);
		*bad = 1;
	}
}

/* Replaces {station}, {fqdn} and {env}. */
static char *expand(const char *s, const struct apo_model *m, const struct apo_station *st)
{
	char *out = apo_xstrdup("");
	while (*s) {
		const char *rep = NULL;
		size_t skip = 0;
		if (!strncmp(s, "{station}", 9))
			rep = st->name, skip = 9;
		else if (!strncmp(s, "{fqdn}", 6))
			rep = st->fqdn, skip = 6;
		else if (!strncmp(s, "{env}", 5))
			rep = m->env, skip = 5;
		char *t = rep ? apo_xasprintf("%s%s", out, rep ? rep : "")
			      : apo_xasprintf("%s%c", out, *s);
		free(out);
		out = t;
		s += rep ? skip : 1;
	}
	return out;
}

/* Relative file paths are relative to the config directory. */
static char *in_confdir(const struct apo_model *m, const char *p)
{
	if (p[0] == '/' || strstr(p, "://") || !m->confdir)
		return apo_xstrdup(p);
	return apo_xasprintf("%s/%s", m->confdir, p);
}

struct layer {
	const config_setting_t *g, *s3;
	char *base, *base_s3;
};

int apo_integrity_conf_station(const struct apo_model *m, const struct apo_station *st,
			       struct apo_integrity_conf *c, struct apo_diag *d)
{
	struct layer layers[2] = {
	    {.g = m->integrity, .base = apo_xstrdup("integrity")},
	    {.g = st->integrity,
	     .base = apo_xasprintf("%s.integrity", st->path ? st->path : st->name)},
	};
	const char *manifest = NULL, *pub = NULL, *ca = NULL;
	int bad = 0, required = -1;

	memset(c, 0, sizeof(*c));
	c->o.env = m->env;
	c->o.fetch.retries = -1;
	/* later layers override earlier ones, one setting at a time */
	for (size_t i = 0; i < 2; i++) {
		struct layer *L = &layers[i];
		const config_setting_t *g = L->g;
		const char *v;
		long n;

		check_members(g, L->base, known, d, &bad);
		if (!g || !config_setting_is_group(g))
			continue;
		if ((v = get_str(g, "manifest", L->base, d, &bad)))
			manifest = v;
		if ((v = get_str(g, "public_key", L->base, d, &bad)))
			pub = v;
		if ((v = get_str(g, "ca_file", L->base, d, &bad)))
			ca = v;
		if ((v = get_str(g, "user", L->base, d, &bad)))
			c->o.fetch.user = v;
		if ((v = get_str(g, "password", L->base, d, &bad)))
			c->o.fetch.password = v;
		if ((n = get_int(g, "connect_timeout", L->base, 1, 3600, d, &bad)) >= 0)
			c->o.fetch.connect_timeout = n;
		if ((n = get_int(g, "timeout", L->base, 1, 86400, d, &bad)) >= 0)
			c->o.fetch.timeout = n;
		if ((n = get_int(g, "retries", L->base, 0, 10, d, &bad)) >= 0)
			c->o.fetch.retries = (int)n;
		config_setting_t *req = config_setting_get_member(g, "required");
		if (req && config_setting_type(req) != CONFIG_TYPE_BOOL) {
			_cleanup_free_ char *p = path_of(L->base, req);
			struct apo_loc l = loc_of(req);
			apo_diag_add(d, &l, p, "expected true or false");
			bad = 1;
		} else if (req) {
			required = config_setting_get_bool(req);
		}

		L->s3 = config_setting_get_member(g, "s3");
		L->base_s3 = apo_xasprintf("%s.s3", L->base);
		check_members(L->s3, L->base_s3, known_s3, d, &bad);
		if (!L->s3 || !config_setting_is_group(L->s3))
			continue;
		if ((v = get_str(L->s3, "region", L->base_s3, d, &bad)))
			c->o.fetch.s3.region = v;
		if ((v = get_str(L->s3, "endpoint", L->base_s3, d, &bad)))
			c->o.fetch.s3.endpoint = v;
		if ((v = get_str(L->s3, "access_key_id", L->base_s3, d, &bad)))
			c->o.fetch.s3.access_key_id = v;
		if ((v = get_str(L->s3, "secret_access_key", L->base_s3, d, &bad)))
			c->o.fetch.s3.secret_access_key = v;
		if ((v = get_str(L->s3, "session_token", L->base_s3, d, &bad)))
			c->o.fetch.s3.session_token = v;
	}
	if (manifest) {
		_cleanup_free_ char *e = expand(manifest, m, st);
		c->o.manifest = keep(c, in_confdir(m, e));
	} else {
		c->o.manifest =
		    keep(c, apo_integrity_default_manifest(m->env ? m->env : "default", st->name));
	}
	/* a station never sealed may start unless the operator configured
	 * where its manifest is, a key, or said it is required */
	c->o.optional = required < 0 ? !manifest && !pub : !required;
	if (pub)
		c->o.public_key = keep(c, in_confdir(m, pub));
	if (ca)
		c->o.fetch.ca_file = keep(c, in_confdir(m, ca));
	for (size_t i = 0; i < 2; i++) {
		free(layers[i].base);
		free(layers[i].base_s3);
	}
	return bad ? -EINVAL : 0;
}

void apo_integrity_conf_clear(struct apo_integrity_conf *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->n_strings; i++)
		free(c->strings[i]);
	memset(c, 0, sizeof(*c));
}

char *apo_integrity_default_manifest(const char *env, const char *station)
{
	_cleanup_free_ char *dir = apo_env_lib_file(env, "manifests");
	return apo_xasprintf("%s/%s.manifest", dir, station);
}

int apo_station_sealed_paths(const struct apo_station *st, char ***out, size_t *n, char **why)
{
	const char *image = st->image ? st->image : st->type ? st->type->image : NULL;
	size_t cap = 0;
	int rc;

	*out = NULL;
	*n = 0;
	*why = NULL;
	if (st->type && st->type->sealed)
		for (const char *const *p = st->type->sealed; *p; p++)
			APO_PUSH(*out, *n, cap, apo_xstrdup(*p));
	if (image) {
		char **ip = NULL;
		size_t ni = 0;
		rc = apo_image_sealed_paths(image, &ip, &ni);
		/* an image neither built nor defined seals nothing; the runtime
		 * refuses to start a station without its image anyway */
		if (rc < 0 && rc != -ENOENT) {
			*why = apo_xasprintf("image %s: cannot read its sealed paths: %s", image,
					     strerror(-rc));
			return rc;
		}
		for (size_t i = 0; i < ni; i++)
			APO_PUSH(*out, *n, cap, ip[i]);
		free(ip);
	}
	for (size_t i = 0; i < st->n_seal; i++)
		APO_PUSH(*out, *n, cap, apo_xstrdup(st->seal[i]));
	return 0;
}

/* The start time (clock ticks since boot) of pid, or 0. */
static unsigned long long proc_start(int pid)
{
	_cleanup_free_ char *path = apo_xasprintf("/proc/%d/stat", pid);
	char buf[1024], *p;
	unsigned long long start = 0;
	FILE *f = fopen(path, "re");
	size_t n;

	if (!f)
		return 0;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	/* after "(comm)": state is field 3, starttime field 22 */
	p = strrchr(buf, ')');
	if (!p || sscanf(p + 1,
			 " %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u %*d %*d %*d "
			 "%*d %*d %*d %llu",
			 &start) != 1)
		return 0;
	return start;
}

char *apo_integrity_station_root(const char *env, const char *name)
{
	_cleanup_free_ char *state = apo_station_state_dir(env, name);
	_cleanup_free_ char *initf = apo_xasprintf("%s/init", state);
	unsigned long long start = 0;
	int pid = 0, na = 0;
	FILE *f = fopen(initf, "re");

	/* a running station: its root as its init sees it (the runtime's
	 * state file "PID STARTTIME NET_ADMIN"; the start time rules out a
	 * recycled pid) */
	if (f) {
		int ok = fscanf(f, "%d %llu %d", &pid, &start, &na) == 3;
		fclose(f);
		if (ok && pid > 0 && start && proc_start(pid) == start)
			return apo_xasprintf("/proc/%d/root", pid);
	}
	/* prepared, not launched: the host's mount */
	return apo_station_root_path(env, name);
}

/* The check of one station; only_in: see struct apo_integrity_station;
 * cache: see struct apo_integrity_opts. */
static int check_station(const struct apo_model *m, const struct apo_station *st, const char *root,
			 const char *only_in, struct apo_fetch_cache *cache, char **why)
{
	struct apo_integrity_conf c;
	struct apo_diag d;
	int rc;

	*why = NULL;
	apo_diag_init(&d);
	rc = apo_integrity_conf_station(m, st, &c, &d);
	if (rc < 0) {
		/* validate reports these before `up`; this is the last guard */
		*why = d.n ? apo_problem_format(&d.problems[0])
			   : apo_xasprintf("%s: integrity: bad settings", st->fqdn);
	} else {
		c.o.cache = cache;
		struct apo_integrity_station one = {
		    .o = &c.o, .fqdn = st->fqdn, .root = root, .only_in = only_in};
		rc = apo_integrity_check_many(&one, 1, 0);
		if (rc < 0)
			*why = apo_integrity_summary(&one);
		apo_integrity_station_clear(&one);
	}
	apo_integrity_conf_clear(&c);
	apo_diag_clear(&d);
	return rc;
}

int apo_integrity_check_station(const struct apo_model *m, const struct apo_station *st,
				const char *root, char **why)
{
	return check_station(m, st, root, NULL, NULL, why);
}

int apo_integrity_validate(const struct apo_model *m, struct apo_diag *d)
{
	int rc = 0;

	for (size_t i = 0; i < m->n_stations; i++) {
		struct apo_integrity_conf c;
		struct apo_diag one;

		apo_diag_init(&one);
		if (apo_integrity_conf_station(m, m->stations[i], &c, &one) < 0)
			rc = -EINVAL;
		/* the top-level group's problems once, not once a station */
		for (size_t k = 0; k < one.n; k++) {
			const struct apo_problem *p = &one.problems[k];
			if (i > 0 && p->path && !strncmp(p->path, "integrity.", 10))
				continue;
			apo_diag_add(d, &p->loc, p->path, "%s", p->message);
		}
		apo_integrity_conf_clear(&c);
		apo_diag_clear(&one);
	}
	return rc;
}

/* Both gates: only_in NULL after render, the writable layer before. */
static int gate(const struct apo_model *m, const struct apo_station *st, const char *root,
		const char *only_in, struct apo_fetch_cache *cache, char **why)
{
	int rc = check_station(m, st, root, only_in, cache, why);
	_cleanup_free_ char *prefix = apo_xasprintf("%s: integrity: ", st->fqdn);

	if (rc < 0 && *why && !strncmp(*why, prefix, strlen(prefix))) {
		char *bare = apo_xstrdup(*why + strlen(prefix));
		free(*why);
		*why = bare;
	}
	return rc;
}

int apo_integrity_gate(const struct apo_model *m, const struct apo_station *st, const char *root,
		       struct apo_fetch_cache *cache, char **why)
{
	return gate(m, st, root, NULL, cache, why);
}

char *apo_integrity_station_upper(const char *env, const char *name)
{
	_cleanup_free_ char *lib = apo_station_lib_dir(env, name);
	return apo_xasprintf("%s/upper", lib);
}

int apo_integrity_gate_before_render(const struct apo_model *m, const struct apo_station *st,
				     const char *env, const char *root,
				     struct apo_fetch_cache *cache, char **why)
{
	_cleanup_free_ char *upper = apo_integrity_station_upper(env, st->name);
	return gate(m, st, root, upper, cache, why);
}
