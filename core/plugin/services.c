/* SPDX-License-Identifier: MIT */
/*
 * struct apomon_host: what the core offers station types.  Facts and
 * settings come from the model; report goes to the diagnostics with the
 * setting's FILE:LINE.  root and write_file live in host-files.c;
 * run/probe_* need a running environment: they forward through the ctx
 * hooks the runtime sets and return -ENOTCONN before that.
 */
#include "config.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <fcntl.h>
#include <unistd.h>

#include "plugin/services-ca.h"
#include "plugin/services-files.h"
#include "plugin/services.h"
#include "plugin/services-probe.h"
#include "plugin/services-seal.h"
#include "plugin/services-secret.h"
#include "plan/plan.h"
#include "base/fmt.h"
#include "base/util.h"

static const struct apo_station *S(const struct apomon_station *st)
{
	return st ? st->station : NULL;
}

/* One line appended to the station's log (O_APPEND: one write, so lines
 * of concurrent writers, the station's own output included, never mix). */
static void append_to_log(const struct apomon_station *st, const char *line)
{
	if (!st || !st->ctx || !st->ctx->log_path)
		return;
	_cleanup_free_ char *path = st->ctx->log_path(st);
	_cleanup_close_ int fd =
	    path ? open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY, 0640) : -1;
	if (fd >= 0 && write(fd, line, strlen(line)) < 0) {
		/* a full disk must not fail the step that logs */
	}
}

static void host_log(const struct apomon_station *st, enum apomon_log_level level, const char *fmt,
		     ...)
{
	static const char *const names[] = {[APOMON_LOG_ERROR] = "error",
					    [APOMON_LOG_WARNING] = "warning",
					    [APOMON_LOG_INFO] = "info",
					    [APOMON_LOG_DEBUG] = "debug"};
	va_list ap;

	const char *who = S(st) && S(st)->fqdn ? S(st)->fqdn : "apomon";
	const char *lv = level >= 0 && (size_t)level < APO_ARRAY_SIZE(names) && names[level]
			     ? names[level]
			     : "log";
	va_start(ap, fmt);
	_cleanup_free_ char *msg = apo_xvasprintf(fmt, ap);
	va_end(ap);
	/* every level goes to the station's log (once the runtime gave it
	 * one); only what needs attention reaches the terminal */
	_cleanup_free_ char *line = apo_xasprintf(
	    "apomon: %s: %s: %s\n", S(st) && S(st)->type_name ? S(st)->type_name : who, lv, msg);
	append_to_log(st, line);
	if (level <= APOMON_LOG_WARNING || getenv("APOMON_DEBUG"))
		fprintf(stderr, "apomon: %s: %s: %s\n", who, lv, msg);
}

static void host_report(const struct apomon_station *st, const char *setting, const char *fmt, ...)
{
	va_list ap;

	if (!st || !st->ctx || !st->ctx->diag)
		return;
	const struct apo_station *s = st->station;
	struct apo_loc loc = s->loc;
	char *path;

	if (setting) {
		path = apo_xasprintf("%s.settings.%s", s->path, setting);
		const config_setting_t *cs =
		    s->settings ? config_setting_lookup(s->settings, setting) : NULL;
		if (cs)
			loc = apo_model_loc(st->ctx->model, cs);
		else if (s->settings)
			loc = apo_model_loc(st->ctx->model, s->settings);
	} else {
		path = apo_xstrdup(s->path);
	}
	va_start(ap, fmt);
	char *msg = apo_xvasprintf(fmt, ap);
	va_end(ap);
	apo_diag_add(st->ctx->diag, &loc, path, "%s", msg);
	free(msg);
	free(path);
}

static const char *host_env_name(const struct apomon_station *st)
{
	return st && st->ctx ? st->ctx->model->env : NULL;
}

static const char *host_name(const struct apomon_station *st)
{
	return S(st) ? S(st)->name : NULL;
}

static const char *host_fqdn(const struct apomon_station *st)
{
	return S(st) ? S(st)->fqdn : NULL;
}

static const char *host_domain(const struct apomon_station *st)
{
	const struct apo_station *s = S(st);

	if (!s)
		return NULL;
	if (s->cluster)
		return s->cluster->domain;
	/* the backbone keeps its domain only in its FQDN */
	const char *dot = s->fqdn ? strchr(s->fqdn, '.') : NULL;
	return dot ? dot + 1 : NULL;
}

static const char *host_cluster(const struct apomon_station *st)
{
	return S(st) && S(st)->cluster ? S(st)->cluster->name : NULL;
}

static const char *host_type(const struct apomon_station *st)
{
	return S(st) ? S(st)->type_name : NULL;
}

static enum apomon_role host_role(const struct apomon_station *st)
{
	const struct apo_station *s = S(st);

	if (s && s->is_backbone)
		return APOMON_ROLE_BACKBONE;
	if (s && s->cluster && s->cluster->gateway == s)
		return APOMON_ROLE_GATEWAY;
	return APOMON_ROLE_MEMBER;
}

static size_t host_address_count(const struct apomon_station *st)
{
	return st ? st->n_addr_text : 0;
}

static const char *host_address(const struct apomon_station *st, size_t i)
{
	return st && i < st->n_addr_text ? st->addr_text[i] : NULL;
}

static const char *host_router(const struct apomon_station *st)
{
	return st ? st->router_text : NULL;
}

/* The declared setting `name` of st's type, or NULL. */
static const struct apomon_setting *spec_of(const struct apomon_station *st, const char *name)
{
	const struct apomon_station_type *t = S(st) ? S(st)->type : NULL;

	if (!t || !t->settings || !name)
		return NULL;
	for (const struct apomon_setting *p = t->settings; p->name; p++)
		if (strcmp(p->name, name) == 0)
			return p->kind == APOMON_SETTING_RETIRED ? NULL : p;
	return NULL;
}

/* name may be dotted: "database.host" is member host of group database */
static const config_setting_t *value_of(const struct apomon_station *st, const char *name)
{
	return S(st)->settings ? config_setting_lookup(S(st)->settings, name) : NULL;
}

static const char *host_setting_string(const struct apomon_station *st, const char *name)
{
	const struct apomon_setting *spec = spec_of(st, name);

	if (!spec)
		return NULL;
	const config_setting_t *v = value_of(st, name);
	if (v && config_setting_type(v) == CONFIG_TYPE_STRING)
		return config_setting_get_string(v);
	return spec->default_value;
}

static long long host_setting_int(const struct apomon_station *st, const char *name)
{
	const struct apomon_setting *spec = spec_of(st, name);

	if (!spec)
		return 0;
	const config_setting_t *v = value_of(st, name);
	if (v && (config_setting_type(v) == CONFIG_TYPE_INT ||
		  config_setting_type(v) == CONFIG_TYPE_INT64))
		return config_setting_get_int64(v);
	const char *d = spec->default_value;
	/* as libconfig reads integers: decimal (a leading 0 too), or 0x hex */
	if (!d)
		return 0;
	return strncasecmp(d, "0x", 2) == 0 ? strtoll(d, NULL, 16) : strtoll(d, NULL, 10);
}

static bool host_setting_bool(const struct apomon_station *st, const char *name)
{
	const struct apomon_setting *spec = spec_of(st, name);

	if (!spec)
		return false;
	const config_setting_t *v = value_of(st, name);
	if (v && config_setting_type(v) == CONFIG_TYPE_BOOL)
		return config_setting_get_bool(v);
	const char *d = spec->default_value;
	return d && (strcmp(d, "true") == 0 || strcmp(d, "yes") == 0 || strcmp(d, "1") == 0);
}

/* String lists have no default: absent means empty. */
static const config_setting_t *list_of(const struct apomon_station *st, const char *name)
{
	const struct apomon_setting *spec = spec_of(st, name);

	if (!spec || spec->kind != APOMON_SETTING_STRING_LIST)
		return NULL;
	const config_setting_t *v = value_of(st, name);
	return v && (config_setting_is_array(v) || config_setting_is_list(v)) ? v : NULL;
}

static size_t host_setting_list_count(const struct apomon_station *st, const char *name)
{
	const config_setting_t *v = list_of(st, name);
	return v ? (size_t)config_setting_length(v) : 0;
}

static const char *host_setting_list_item(const struct apomon_station *st, const char *name,
					  size_t i)
{
	const config_setting_t *v = list_of(st, name);

	if (!v || i >= (size_t)config_setting_length(v))
		return NULL;
	const config_setting_t *e = config_setting_get_elem(v, i);
	return config_setting_type(e) == CONFIG_TYPE_STRING ? config_setting_get_string(e) : NULL;
}

static int host_each_station(const struct apomon_station *st, enum apomon_scope scope,
			     apomon_station_cb cb, void *cbctx)
{
	if (!st || !st->ctx || !cb)
		return -EINVAL;
	const struct apo_services_ctx *ctx = st->ctx;

	for (size_t i = 0; i < ctx->n_handles; i++) {
		const struct apomon_station *h = &ctx->handles[i];
		const struct apo_station *s = h->station;

		if (!s->enabled)
			continue;
		if (scope == APOMON_SCOPE_CLUSTER &&
		    (st->station->cluster ? s->cluster != st->station->cluster : h != st))
			continue;
		int r = cb(h, cbctx);
		if (r)
			return r;
	}
	return 0;
}

static int host_run(const struct apomon_station *st, const char *const argv[], char **output)
{
	if (output)
		*output = NULL;
	if (!st || !st->ctx || !st->ctx->run)
		return -ENOTCONN;
	return st->ctx->run(st, argv, output);
}

static int host_each_record(const struct apomon_station *st, apomon_record_cb cb, void *cbctx)
{
	if (!st || !st->ctx || !cb)
		return -EINVAL;
	const struct apo_plan *p = st->ctx->plan;
	if (!p)
		return -ENOTCONN;
	for (size_t i = 0; i < p->n_records; i++) {
		const struct apo_plan_record *r = &p->records[i];
		int rc = cb(apo_record_type_name(r->type), r->name, r->value, cbctx);
		if (rc)
			return rc;
	}
	return 0;
}

static int host_port(const struct apomon_station *st, const char *name)
{
	const struct apomon_station_type *t = S(st) ? S(st)->type : NULL;

	for (const struct apomon_port *p = t && name ? t->ports : NULL; p && p->name; p++)
		if (strcmp(p->name, name) == 0)
			return p->port;
	return -ENOENT;
}

static int host_published(const struct apomon_station *st, size_t i, enum apomon_proto *proto,
			  unsigned *host_port, unsigned *port, unsigned *count)
{
	const struct apo_station *s = S(st);

	if (!s || i >= s->n_publish)
		return -ENOENT;
	const struct apo_publish *p = &s->publish[i];
	*proto = p->proto == IPPROTO_UDP ? APOMON_PROTO_UDP : APOMON_PROTO_TCP;
	*host_port = p->host_port;
	*port = p->port;
	*count = p->count ? p->count : 1;
	return 0;
}

static bool host_draining(const struct apomon_station *st)
{
	return st && st->draining;
}

const struct apomon_host apo_services = {
    .abi_version = APOMON_ABI_VERSION,
    .size = sizeof(struct apomon_host),
    .log = host_log,
    .report = host_report,
    .env_name = host_env_name,
    .name = host_name,
    .fqdn = host_fqdn,
    .domain = host_domain,
    .cluster = host_cluster,
    .type = host_type,
    .role = host_role,
    .address_count = host_address_count,
    .address = host_address,
    .router = host_router,
    .setting_string = host_setting_string,
    .setting_int = host_setting_int,
    .setting_bool = host_setting_bool,
    .setting_list_count = host_setting_list_count,
    .setting_list_item = host_setting_list_item,
    .each_station = host_each_station,
    .root = apo_services_root,
    .write_file = apo_services_write_file,
    .run = host_run,
    .probe_tcp = apo_services_probe_tcp,
    .probe_http = apo_services_probe_http,
    .issue_cert = apo_services_issue_cert,
    .each_record = host_each_record,
    .socket = apo_services_socket,
    .port = host_port,
    .published = host_published,
    .secret = apo_services_secret,
    .write_file_owned = apo_services_write_file_owned,
    .check_sealed = apo_services_check_sealed,
    .draining = host_draining,
};

static char *ntoa(struct in_addr a)
{
	char buf[INET_ADDRSTRLEN];
	return apo_xstrdup(apo_fmt_ip(buf, a));
}

static bool cluster_in_use(const struct apo_cluster *c)
{
	for (size_t i = 0; i < c->n_stations; i++)
		if (c->stations[i]->enabled)
			return true;
	return false;
}

/* A member's own addresses; the backbone's: its end of the host link,
 * then its leg (the router) in each cluster that has enabled stations. */
static void fill_addresses(struct apomon_station *h, const struct apo_model *m)
{
	const struct apo_station *s = h->station;

	if (!s->is_backbone) {
		h->addr_text = apo_xcalloc(s->n_addrs, sizeof(char *));
		for (size_t i = 0; i < s->n_addrs; i++)
			h->addr_text[h->n_addr_text++] = ntoa(s->addrs[i].addr);
		if (s->cluster)
			h->router_text = ntoa(s->cluster->router);
		return;
	}
	h->addr_text = apo_xcalloc(m->n_clusters + 1, sizeof(char *));
	struct in_addr hb = {.s_addr = htonl(ntohl(m->host_network.addr.s_addr) + 2)};
	h->addr_text[h->n_addr_text++] = ntoa(hb);
	for (size_t i = 0; i < m->n_clusters; i++)
		if (cluster_in_use(m->clusters[i]))
			h->addr_text[h->n_addr_text++] = ntoa(m->clusters[i]->router);
	h->router_text = ntoa(hb);
}

void apo_services_ctx_init(struct apo_services_ctx *ctx, struct apo_model *m, struct apo_diag *d)
{
	memset(ctx, 0, sizeof(*ctx));
	ctx->model = m;
	ctx->diag = d;
	ctx->n_handles = m->n_stations;
	ctx->handles = apo_xcalloc(m->n_stations, sizeof(*ctx->handles));
	for (size_t i = 0; i < m->n_stations; i++) {
		ctx->handles[i].ctx = ctx;
		ctx->handles[i].station = m->stations[i];
		fill_addresses(&ctx->handles[i], m);
	}
}

void apo_services_ctx_clear(struct apo_services_ctx *ctx)
{
	if (!ctx)
		return;
	for (size_t i = 0; i < ctx->n_handles; i++) {
		struct apomon_station *h = &ctx->handles[i];
		for (size_t k = 0; k < h->n_addr_text; k++)
			free(h->addr_text[k]);
		free(h->addr_text);
		free(h->router_text);
		free(h->root);
	}
	free(ctx->handles);
	memset(ctx, 0, sizeof(*ctx));
}

struct apomon_station *apo_services_handle(struct apo_services_ctx *ctx,
					   const struct apo_station *st)
{
	for (size_t i = 0; ctx && i < ctx->n_handles; i++)
		if (ctx->handles[i].station == st)
			return &ctx->handles[i];
	return NULL;
}
