/* SPDX-License-Identifier: MIT */
/* A valid three-cluster environment, field by field after validation; the
 * host services types see; the registry; the value parsers. */
#include "config.h"

#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config/conf-internal.h"
#include "config/conf.h"
#include "fixture-types.h"
#include "plugin/services.h"
#include "config/model.h"
#include "plugin/registry.h"
#include "base/paths.h"
#include "base/util.h"
#include "image/image-find.h"
#include "validate/validate.h"

#define THREE APO_SRCDIR "/tests/fixtures/good/three-clusters"

static struct apo_model *m;
static struct apo_registry *reg;
static struct apo_diag diag;

static void load(void)
{
	apo_diag_init(&diag);
	reg = fixture_registry();
	int rc = apo_conf_load(THREE, NULL, &m, &diag);
	if (rc == 0)
		rc = apo_validate(m, reg, &diag);
	apo_diag_print(&diag, stderr);
	ck_assert_int_eq(rc, 0);
	ck_assert_uint_eq(diag.n, 0);
}

static void unload(void)
{
	apo_model_free(m);
	apo_registry_free(reg);
	apo_diag_clear(&diag);
	m = NULL;
	reg = NULL;
}

static const char *txt(struct in_addr a)
{
	static char buf[INET_ADDRSTRLEN];
	return inet_ntop(AF_INET, &a, buf, sizeof(buf));
}

static struct apo_station *station(const char *name)
{
	struct apo_station *s = apo_model_station(m, name);
	ck_assert_msg(s != NULL, "no station %s", name);
	return s;
}

START_TEST(model_fields)
{
	ck_assert_str_eq(m->env, "three");
	ck_assert_uint_eq(m->n_plugin_path, 2);
	ck_assert_str_eq(m->plugin_path[0], "/opt/apomon/types");
	ck_assert_str_eq(m->plugin_path[1], "types");
	ck_assert_ptr_nonnull(m->integrity);
	ck_assert_str_eq(txt(m->host_network.addr), "10.254.0.0");
	ck_assert_uint_eq(m->host_network.prefix, 29);

	ck_assert_ptr_nonnull(m->backbone);
	ck_assert_str_eq(m->backbone->name, "core");
	ck_assert_str_eq(m->backbone->fqdn, "core.example.net");
	ck_assert_ptr_null(m->backbone->cluster);
	ck_assert_uint_eq(m->backbone->limits.memory_bytes, 256ull << 20);
	ck_assert_uint_eq(m->backbone->n_publish, 1);
	ck_assert_uint_eq(m->backbone->publish[0].proto, IPPROTO_UDP);
	ck_assert_uint_eq(m->backbone->publish[0].host_port, 5353);

	ck_assert_uint_eq(m->n_clusters, 3);
	struct apo_cluster *web = apo_model_cluster(m, "web");
	struct apo_cluster *data = apo_model_cluster(m, "data");
	struct apo_cluster *pub = apo_model_cluster(m, "public");
	ck_assert_ptr_eq(web->gateway, station("lb"));
	/* a disabled gateway leaves the router as the default route */
	ck_assert_str_eq(data->gateway_name, "gw");
	ck_assert_ptr_null(data->gateway);
	ck_assert_ptr_null(pub->gateway);
	ck_assert_str_eq(txt(web->router), "10.10.0.254");
	ck_assert_str_eq(txt(data->router), "10.20.0.1");
	ck_assert_str_eq(txt(pub->router), "203.0.113.14");
	ck_assert_str_eq(txt(pub->network.addr), "203.0.113.0");
	ck_assert_uint_eq(pub->network.prefix, 28);
	ck_assert_uint_eq(web->n_stations, 4);
	ck_assert_uint_eq(web->n_records, 3);
	ck_assert_str_eq(web->records[1].type, "MX");
	ck_assert_str_eq(web->records[1].value, "10 mail.web.example");
	ck_assert_str_eq(web->records[1].path, "clusters.web.records[1]");

	struct apo_station *www1 = station("www1");
	ck_assert_ptr_eq(www1->type, apo_registry_find(reg, "web"));
	ck_assert_uint_eq(www1->n_addrs, 2);
	ck_assert_str_eq(txt(www1->addrs[1].addr), "10.10.0.111");
	ck_assert_uint_eq(www1->addrs[1].prefix, 24);
	ck_assert_int_eq(www1->addrs[1].loc.line, 14);
	ck_assert_uint_eq(www1->limits.memory_bytes, 1ull << 30);
	ck_assert_uint_eq(www1->limits.cpu_millis, 1500);
	ck_assert_uint_eq(www1->limits.pids, 256);
	ck_assert_uint_eq(www1->n_seal, 1);
	ck_assert_str_eq(www1->seal[0], "/etc/web/web.conf");
	ck_assert_ptr_nonnull(www1->integrity);
	ck_assert_ptr_nonnull(www1->settings);
	ck_assert_int_eq(www1->depends_loc[0].line, 15);

	struct apo_station *www2 = station("www2");
	ck_assert_str_eq(www2->image, "web-debug");
	ck_assert_uint_eq(www2->limits.memory_bytes, 1048576);
	ck_assert_uint_eq(www2->limits.cpu_millis, 2000);
	ck_assert_uint_eq(www2->n_depends, 2);

	/* disabled, of a type that is not loaded: parsed, not resolved */
	struct apo_station *www3 = station("www3");
	ck_assert(!www3->enabled);
	ck_assert_ptr_null(www3->type);

	ck_assert_uint_eq(m->n_links, 1);
	ck_assert_ptr_eq(m->links[0]->sa, station("edge"));
	ck_assert_ptr_eq(m->links[0]->sb, station("db"));
	ck_assert_str_eq(txt(m->links[0]->addr_b.addr), "198.51.100.2");
	ck_assert_uint_eq(m->links[0]->addr_b.prefix, 30);
}
END_TEST

struct counter {
	size_t n;
	const char *stop_at;
	char names[256];
};

static int count_cb(const struct apomon_station *st, void *ctx)
{
	struct counter *c = ctx;
	const char *name = apo_services.name(st);

	c->n++;
	strcat(c->names, name);
	strcat(c->names, " ");
	return c->stop_at && strcmp(name, c->stop_at) == 0 ? 42 : 0;
}

START_TEST(host_services)
{
	const struct apomon_host *h = &apo_services;
	struct apo_diag d;
	struct apo_services_ctx ctx;

	apo_diag_init(&d);
	apo_services_ctx_init(&ctx, m, &d);
	const struct apomon_station *www1 = apo_services_handle(&ctx, station("www1"));
	const struct apomon_station *www2 = apo_services_handle(&ctx, station("www2"));
	const struct apomon_station *lb = apo_services_handle(&ctx, station("lb"));
	const struct apomon_station *core = apo_services_handle(&ctx, m->backbone);

	ck_assert_uint_eq(h->abi_version, APOMON_ABI_VERSION);
	ck_assert(APOMON_HOST_HAS(h, probe_http));
	ck_assert_str_eq(h->env_name(www1), "three");
	ck_assert_str_eq(h->name(www1), "www1");
	ck_assert_str_eq(h->fqdn(www1), "www1.web.example");
	ck_assert_str_eq(h->domain(www1), "web.example");
	ck_assert_str_eq(h->cluster(www1), "web");
	ck_assert_str_eq(h->type(www1), "web");
	ck_assert_int_eq(h->role(www1), APOMON_ROLE_MEMBER);
	ck_assert_int_eq(h->role(lb), APOMON_ROLE_GATEWAY);
	ck_assert_int_eq(h->role(core), APOMON_ROLE_BACKBONE);
	ck_assert_int_eq(h->role(apo_services_handle(&ctx, station("gw"))), APOMON_ROLE_MEMBER);
	ck_assert_uint_eq(h->address_count(www1), 2);
	ck_assert_str_eq(h->address(www1, 0), "10.10.0.11");
	ck_assert_str_eq(h->address(www1, 1), "10.10.0.111");
	ck_assert_ptr_null(h->address(www1, 2));
	ck_assert_str_eq(h->router(www1), "10.10.0.254");

	/* the backbone: its end of the host link, then its leg in each cluster */
	ck_assert_str_eq(h->domain(core), "example.net");
	ck_assert_ptr_null(h->cluster(core));
	ck_assert_uint_eq(h->address_count(core), 4);
	ck_assert_str_eq(h->address(core, 0), "10.254.0.2");
	ck_assert_str_eq(h->address(core, 1), "10.10.0.254");
	ck_assert_str_eq(h->address(core, 2), "10.20.0.1");
	ck_assert_str_eq(h->address(core, 3), "203.0.113.14");

	/* settings: the value, else the declared default; undeclared: NULL/0 */
	ck_assert_int_eq(h->setting_int(www1, "port"), 8081);
	ck_assert_int_eq(h->setting_int(www2, "port"), 8080);
	ck_assert_str_eq(h->setting_string(www1, "docroot"), "/srv/www1");
	ck_assert_str_eq(h->setting_string(www2, "docroot"), "/var/www");
	ck_assert(h->setting_bool(www1, "tls"));
	ck_assert(!h->setting_bool(www2, "tls"));
	ck_assert_uint_eq(h->setting_list_count(www1, "aliases"), 2);
	ck_assert_str_eq(h->setting_list_item(www1, "aliases", 1), "first");
	ck_assert_ptr_null(h->setting_list_item(www1, "aliases", 2));
	ck_assert_uint_eq(h->setting_list_count(www2, "aliases"), 0);
	ck_assert_ptr_null(h->setting_string(www1, "nosuch"));
	ck_assert_int_eq(h->setting_int(www1, "nosuch"), 0);
	ck_assert_ptr_null(h->setting_string(core, "port"));

	struct counter c = {0};
	ck_assert_int_eq(h->each_station(www1, APOMON_SCOPE_CLUSTER, count_cb, &c), 0);
	ck_assert_str_eq(c.names, "lb www1 www2 ");
	memset(&c, 0, sizeof(c));
	ck_assert_int_eq(h->each_station(www1, APOMON_SCOPE_ENVIRONMENT, count_cb, &c), 0);
	ck_assert_str_eq(c.names, "core lb www1 www2 db edge ");
	memset(&c, 0, sizeof(c));
	c.stop_at = "www1";
	ck_assert_int_eq(h->each_station(core, APOMON_SCOPE_ENVIRONMENT, count_cb, &c), 42);
	ck_assert_uint_eq(c.n, 3);

	/* report: the setting's FILE:LINE and path */
	h->report(www1, "port", "port %d is taken, expected another", 8081);
	h->report(www2, NULL, "something about the station");
	ck_assert_uint_eq(d.n, 2);
	char *s = apo_problem_format(&d.problems[0]);
	ck_assert_str_eq(s,
			 THREE "/conf.d/10-web.conf:16: clusters.web.stations.www1.settings.port: "
			       "port 8081 is taken, expected another");
	free(s);
	s = apo_problem_format(&d.problems[1]);
	ck_assert_str_eq(s, THREE "/conf.d/10-web.conf:20: clusters.web.stations.www2: something "
				  "about the station");
	free(s);

	/* no running station yet */
	ck_assert_ptr_null(h->root(www1));
	ck_assert_int_eq(h->write_file(www1, "/x", "x", 1, 0644), -ENOTCONN);
	char *out = (char *)"unchanged";
	const char *argv[] = {"true", NULL};
	ck_assert_int_eq(h->run(www1, argv, &out), -ENOTCONN);
	ck_assert_ptr_null(out);
	/* probes need only the station's network namespace, which is absent */
	ck_assert_int_eq(h->probe_tcp(www1, NULL, 80, 100), -ENOENT);
	long status = -1;
	ck_assert_int_eq(h->probe_http(www1, "http://www1.web.example/", 100, &status), -ENOENT);

	apo_services_ctx_clear(&ctx);
	apo_services_ctx_clear(NULL);
	apo_diag_clear(&d);
}
END_TEST

START_TEST(validate_twice_is_stable)
{
	struct apo_diag d;

	apo_diag_init(&d);
	ck_assert_int_eq(apo_validate(m, reg, &d), 0);
	ck_assert_uint_eq(d.n, 0);
	ck_assert_ptr_eq(apo_model_cluster(m, "web")->gateway, station("lb"));
	apo_diag_clear(&d);
}
END_TEST

START_TEST(minimal)
{
	struct apo_model *mm;
	struct apo_diag d;
	struct apo_registry *r = fixture_registry();

	apo_diag_init(&d);
	ck_assert_int_eq(apo_conf_load(APO_SRCDIR "/tests/fixtures/good/minimal", NULL, &mm, &d),
			 0);
	ck_assert_int_eq(apo_validate(mm, r, &d), 0);
	ck_assert_uint_eq(d.n, 0);
	ck_assert_str_eq(mm->env, "example");
	ck_assert_uint_eq(mm->n_stations, 1);
	ck_assert_ptr_eq(mm->backbone, mm->stations[0]);
	/* one spelling of a domain: without the root's dot */
	ck_assert_str_eq(mm->backbone->fqdn, "ns.example.org");
	ck_assert_ptr_eq(mm->backbone->type, apo_registry_find(r, "dns"));
	ck_assert_str_eq(txt(mm->host_network.addr), "10.254.254.0");
	ck_assert_uint_eq(mm->host_network.prefix, 30);
	ck_assert_uint_eq(mm->n_clusters, 0);
	ck_assert_ptr_null(mm->integrity);
	apo_model_free(mm);
	apo_registry_free(r);
	apo_diag_clear(&d);
}
END_TEST

static const struct apomon_station_type other_web = {
    APOMON_STATION_TYPE_HEADER,
    .name = "web",
};

START_TEST(registry)
{
	struct apo_registry *r = fixture_registry();

	ck_assert_uint_eq(apo_registry_count(r), 4);
	ck_assert_str_eq(apo_registry_at(r, 0)->type->name, "web");
	ck_assert_str_eq(apo_registry_at(r, 0)->file, "(test)");
	ck_assert_ptr_null(apo_registry_at(r, 4));
	ck_assert_ptr_null(apo_registry_find(r, "nosuch"));
	ck_assert_int_eq(apo_registry_add(r, &other_web, "/x/web.so", NULL, NULL), -EEXIST);
	ck_assert_uint_eq(apo_registry_count(r), 4);
	ck_assert_uint_eq(apo_registry_refusal_count(r), 2);
	const struct apo_refusal *f = apo_registry_refusal_at(r, 1);
	ck_assert_str_eq(f->file, "/x/web.so");
	ck_assert_str_eq(f->reason, "duplicate type name 'web': already loaded from (test)");
	ck_assert_ptr_null(apo_registry_refusal_at(r, 2));
	apo_registry_refuse(r, "/x/y.so", "two\nlines %d", 2);
	ck_assert_str_eq(apo_registry_refusal_at(r, 2)->reason, "two lines 2");
	char *names = apo_registry_names(r);
	ck_assert_str_eq(names, "base, dns, lb, web");
	free(names);
	apo_registry_free(r);
	apo_registry_free(NULL);

	r = apo_registry_new();
	names = apo_registry_names(r);
	ck_assert_str_eq(names, "");
	free(names);
	apo_registry_free(r);
}
END_TEST

static int closed;
static void close_handle(void *h)
{
	closed += *(int *)h;
}

START_TEST(registry_closes_handles)
{
	struct apo_registry *r = apo_registry_new();
	int one = 1;

	closed = 0;
	ck_assert_int_eq(apo_registry_add(r, &other_web, "/x/web.so", &one, close_handle), 0);
	apo_registry_free(r);
	ck_assert_int_eq(closed, 1);
}
END_TEST

START_TEST(value_parsers)
{
	struct in_addr a;
	int p;
	unsigned long long sz;

	ck_assert_int_eq(apo_parse_cidr("10.1.0.0/24", &a, &p), 0);
	ck_assert_int_eq(p, 24);
	ck_assert_int_eq(apo_parse_cidr("10.1.0.1", &a, &p), 0);
	ck_assert_int_eq(p, -1);
	ck_assert_int_eq(apo_parse_cidr("10.1.0.0/33", &a, &p), -EINVAL);
	ck_assert_int_eq(apo_parse_cidr("10.1.0.0/", &a, &p), -EINVAL);
	ck_assert_int_eq(apo_parse_cidr("10.1.0.0/024", &a, &p), -EINVAL);
	ck_assert_int_eq(apo_parse_cidr("10.1.0/24", &a, &p), -EINVAL);
	ck_assert_int_eq(apo_parse_cidr("10.1.0.0/2x", &a, &p), -EINVAL);
	ck_assert_int_eq(apo_parse_cidr(" 10.1.0.0", &a, &p), -EINVAL);
	ck_assert_uint_eq(apo_prefix_mask(0), 0);
	ck_assert_uint_eq(apo_prefix_mask(24), 0xffffff00u);
	ck_assert_uint_eq(apo_prefix_mask(32), 0xffffffffu);

	ck_assert(apo_valid_dns_name("example.com"));
	ck_assert(apo_valid_dns_name("example.com."));
	ck_assert(apo_valid_dns_name("_dmarc.example.com"));
	ck_assert(!apo_valid_dns_name("example..com"));
	ck_assert(!apo_valid_dns_name("-a.example.com"));
	ck_assert(!apo_valid_dns_name("a-.example.com"));
	ck_assert(!apo_valid_dns_name(""));
	ck_assert(!apo_valid_dns_name("."));
	char label[80];
	memset(label, 'a', 64);
	label[64] = '\0';
	ck_assert(!apo_valid_dns_name(label));
	label[63] = '\0';
	ck_assert(apo_valid_dns_name(label));

	ck_assert(apo_valid_station_name("www1"));
	ck_assert(apo_valid_station_name("1www"));
	ck_assert(apo_valid_station_name("service_endpoint"));
	ck_assert(!apo_valid_station_name("-www"));
	ck_assert(!apo_valid_station_name("www.1"));
	ck_assert(!apo_valid_station_name("Www"));
	ck_assert(!apo_valid_station_name(""));
	ck_assert(!apo_valid_cluster_name("1abc"));
	ck_assert(apo_valid_cluster_name("abc-1"));

	ck_assert_int_eq(apo_parse_size("512M", &sz), 0);
	ck_assert_uint_eq(sz, 512ull << 20);
	ck_assert_int_eq(apo_parse_size("2G", &sz), 0);
	ck_assert_uint_eq(sz, 2ull << 30);
	ck_assert_int_eq(apo_parse_size("4096", &sz), 0);
	ck_assert_uint_eq(sz, 4096);
	ck_assert_int_eq(apo_parse_size("1k", &sz), 0);
	ck_assert_uint_eq(sz, 1024);
	ck_assert_int_eq(apo_parse_size("1MB", &sz), -EINVAL);
	ck_assert_int_eq(apo_parse_size("-1", &sz), -EINVAL);
	ck_assert_int_eq(apo_parse_size("M", &sz), -EINVAL);
	ck_assert_int_eq(apo_parse_size("99999999999T", &sz), -EINVAL);
}
END_TEST

/* A type built against the header before min/max: its settings array has
 * the old element size, and its struct ends before setting_size.  The
 * registry re-lays both out: every setting is found, without bounds. */
struct setting_v1 {
	const char *name;
	enum apomon_setting_kind kind;
	const char *default_value;
	const char *description;
};

static const struct setting_v1 old_settings[] = {
    {"port", APOMON_SETTING_INT, "8080", "the port"},
    {"name", APOMON_SETTING_STRING, "x", "a name"},
    {"tls", APOMON_SETTING_BOOL, "false", "serve HTTPS"},
    {NULL, 0, NULL, NULL},
};

START_TEST(settings_of_an_old_plugin)
{
	struct apomon_station_type old = {
	    .abi_version = APOMON_ABI_VERSION,
	    .size = APOMON_STATION_TYPE_MIN_SIZE, /* what the old header's sizeof was */
	    .name = "old",
	    .description = "built before setting bounds",
	    .image = "base",
	    .settings = (const struct apomon_setting *)old_settings,
	    .setting_size = 999, /* past its size: never read */
	};
	struct apo_registry *r = apo_registry_new();

	ck_assert_uint_eq(APOMON_SETTING_SIZE_V1, sizeof(struct setting_v1));
	ck_assert_uint_eq(apo_type_setting_stride(&old), sizeof(struct setting_v1));
	ck_assert_int_eq(apo_registry_add(r, &old, "/x/old.so", NULL, NULL), 0);
	const struct apomon_station_type *t = apo_registry_find(r, "old");
	ck_assert_ptr_nonnull(t);
	ck_assert_str_eq(t->settings[0].name, "port");
	ck_assert_str_eq(t->settings[1].name, "name");
	ck_assert_str_eq(t->settings[1].default_value, "x");
	ck_assert_str_eq(t->settings[2].name, "tls");
	ck_assert_int_eq(t->settings[2].kind, APOMON_SETTING_BOOL);
	ck_assert_ptr_null(t->settings[3].name);
	for (int i = 0; i < 3; i++)
		ck_assert(t->settings[i].min == 0 && t->settings[i].max == 0);
	/* fields past its size read as 0/NULL, whatever the memory held */
	ck_assert_ptr_null(t->deploy);
	apo_registry_free(r);
}
END_TEST

static const struct apomon_setting bounded_settings[] = {
    {.name = "count", .kind = APOMON_SETTING_INT, .default_value = "3", .min = 1, .max = 10},
    {.name = "db.host", .kind = APOMON_SETTING_STRING},
    {.name = "db.port",
     .kind = APOMON_SETTING_INT,
     .default_value = "5432",
     .min = 1,
     .max = 65535},
    {.name = "old", .kind = APOMON_SETTING_RETIRED, .default_value = "renamed to db.host"},
    {.name = NULL},
};

static const struct apomon_port bounded_ports[] = {
    {"http", APOMON_PROTO_TCP, 80},
    {NULL, 0, 0},
};

/* The hook still runs when only a bound was broken, and reads the group
 * members by their dotted names. */
static int bounded_validate(const struct apomon_host *h, const struct apomon_station *st)
{
	const char *host = h->setting_string(st, "db.host");

	if (host && !strcmp(host, "hook"))
		h->report(st, "db.host", "hook saw count %lld, port %lld",
			  h->setting_int(st, "count"), h->setting_int(st, "db.port"));
	ck_assert_int_eq(h->port(st, "http"), 80);
	ck_assert_int_eq(h->port(st, "nosuch"), -ENOENT);
	return 0;
}

static const struct apomon_station_type bounded = {
    APOMON_STATION_TYPE_HEADER,
    .name = "bounded",
    .description = "settings with bounds, a group and a retired name",
    .image = "base",
    .ports = bounded_ports,
    .settings = bounded_settings,
    .validate = bounded_validate,
};

static bool said(struct apo_diag *d, const char *text)
{
	for (size_t i = 0; i < d->n; i++) {
		_cleanup_free_ char *f = apo_problem_format(&d->problems[i]);
		if (strstr(f, text))
			return true;
	}
	return false;
}

START_TEST(bounds_groups_retired)
{
	char dir[] = "/tmp/apomon-test-bounds.XXXXXX";
	ck_assert_ptr_nonnull(mkdtemp(dir));
	_cleanup_free_ char *conf = apo_xasprintf("%s/apomon.conf", dir);
	FILE *f = fopen(conf, "we");
	fputs("backbone = { name = \"backbone\"; domain = \"example.com\"; type = \"base\"; };\n"
	      "cluster = { name = \"c\"; domain = \"example.com\"; network = \"10.1.0.0/24\";\n"
	      "  stations = (\n"
	      "    { name = \"s1\"; type = \"bounded\"; addresses = [\"10.1.0.11\"];\n"
	      "      settings = { count = 11;\n"
	      "        db = { port = 0; host = \"h\"; nosuch = 1; };\n"
	      "        old = 1; }; },\n"
	      "    { name = \"s2\"; type = \"bounded\"; addresses = [\"10.1.0.12\"];\n"
	      "      settings = { count = 10; db = \"x\"; };\n"
	      "      publish = ( { host = 8080; port = 8080; }, { host = 81; port = 80; },\n"
	      "                  { host = \"9000-9009\"; port = \"9000-9009\"; } ); },\n"
	      "    { name = \"s3\"; type = \"bounded\"; addresses = [\"10.1.0.13\"];\n"
	      "      settings = { count = 0; db = { host = \"hook\"; }; }; }\n"
	      "  );\n"
	      "};\n",
	      f);
	fclose(f);

	struct apo_registry *r = fixture_registry();
	struct apo_model *mm = NULL;
	struct apo_diag d, w;
	apo_diag_init(&d);
	apo_diag_init(&w);
	ck_assert_int_eq(apo_registry_add(r, &bounded, "(test)", NULL, NULL), 0);
	ck_assert_int_eq(apo_conf_load(dir, NULL, &mm, &d), 0);
	ck_assert_int_eq(apo_validate(mm, r, &d), -EINVAL);
	apo_diag_print(&d, stderr);
	ck_assert(said(
	    &d, "apomon.conf:5: clusters.c.stations.s1.settings.count: 11 out of range 1..10"));
	ck_assert(said(&d, ":6: clusters.c.stations.s1.settings.db.port: 0 out of range 1..65535"));
	ck_assert(said(&d,
		       ":6: clusters.c.stations.s1.settings.db.nosuch: unknown setting 'nosuch'; "
		       "db accepts: host, port"));
	ck_assert(said(&d, ":7: clusters.c.stations.s1.settings.old: 'old' is no longer accepted: "
			   "renamed to db.host"));
	ck_assert(said(&d, ":9: clusters.c.stations.s2.settings.db: is a string, expected a group "
			   "{ host; port; }"));
	ck_assert(!said(&d, "s2.settings.count"));
	/* only a bound broken: the hook ran, and saw the dotted members */
	ck_assert(said(&d, ":13: clusters.c.stations.s3.settings.count: 0 out of range 1..10"));
	ck_assert(said(&d, "s3.settings.db.host: hook saw count 0, port 5432"));
	ck_assert_uint_eq(d.n, 7);

	/* publish to a port the type does not declare: a warning; ranges
	 * (ports picked at run time) and declared ports are not */
	apo_validate_warnings(mm, &w);
	apo_diag_print(&w, stderr);
	ck_assert_uint_eq(w.n, 1);
	ck_assert(said(&w, ":10: clusters.c.stations.s2.publish[0].port: warning: type bounded "
			   "declares no tcp port 8080 (it declares: http/tcp/80)"));

	apo_diag_clear(&d);
	apo_diag_clear(&w);
	apo_model_free(mm);
	apo_registry_free(r);
	unlink(conf);
	rmdir(dir);
}
END_TEST

static void touch_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "we");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
}

/* An image found nowhere: one line with FILE:LINE:SETTING that names both
 * places looked in, the definitions (NAME/image.cfg on the search path)
 * and the store (NAME/current: `image import FILE NAME` or `commit`);
 * either one alone is enough. */
START_TEST(missing_image_names_both_places)
{
	char dir[] = "/tmp/apomon-test-images.XXXXXX";
	ck_assert_ptr_nonnull(mkdtemp(dir));
	_cleanup_free_ char *defs = apo_xasprintf("%s/defs", dir);
	_cleanup_free_ char *lib = apo_xasprintf("%s/lib", dir);
	_cleanup_free_ char *conf = apo_xasprintf("%s/apomon.conf", dir);
	_cleanup_free_ char *def = apo_xasprintf("%s/nowhere", defs);
	_cleanup_free_ char *cfg = apo_xasprintf("%s/image.cfg", def);
	_cleanup_free_ char *layer = apo_xasprintf("%s/images/nowhere", lib);
	_cleanup_free_ char *current = apo_xasprintf("%s/current", layer);
	char digest[65];

	ck_assert_int_eq(mkdir(defs, 0755), 0);
	ck_assert_int_eq(setenv("APOMON_IMAGES_PATH", defs, 1), 0);
	ck_assert_int_eq(setenv("APOMON_LIB_DIR", lib, 1), 0);
	touch_file(conf, "# an image nowhere\n"
			 "backbone = { name = \"ns\"; domain = \"example.org\"; type = \"dns\";\n"
			 "  image = \"nowhere\"; };\n");

	struct apo_registry *r = fixture_registry();
	struct apo_model *mm = NULL;
	struct apo_diag d;
	apo_diag_init(&d);
	ck_assert_int_eq(apo_conf_load(dir, NULL, &mm, &d), 0);
	ck_assert_int_eq(apo_validate(mm, r, &d), 0);
	ck_assert_int_eq(apo_validate_images(mm, r, &d, NULL), -EINVAL);
	ck_assert_uint_eq(d.n, 1);
	_cleanup_free_ char *where = apo_image_search_text();
	_cleanup_free_ char *want = apo_xasprintf(
	    "%s:2: backbone.image: image 'nowhere' not found (searched %s for nowhere/image.cfg, "
	    "and the store %s/images for nowhere/current, an image imported or committed under "
	    "that name)",
	    conf, where, lib);
	_cleanup_free_ char *got = apo_problem_format(&d.problems[0]);
	ck_assert_str_eq(got, want);
	ck_assert_ptr_nonnull(strstr(where, defs));
	apo_diag_clear(&d);

	/* imported: the store's current link is all it takes */
	ck_assert_int_eq(apo_mkdir_p(layer, 0755), 0);
	memset(digest, 'a', 64);
	digest[64] = '\0';
	ck_assert_int_eq(symlink(digest, current), 0);
	apo_diag_init(&d);
	ck_assert_int_eq(apo_validate_images(mm, r, &d, NULL), 0);
	ck_assert_uint_eq(d.n, 0);
	unlink(current);
	rmdir(layer);

	/* a definition on the search path alone */
	ck_assert_int_eq(mkdir(def, 0755), 0);
	touch_file(cfg, "");
	ck_assert_int_eq(apo_validate_images(mm, r, &d, NULL), 0);
	ck_assert_uint_eq(d.n, 0);

	apo_diag_clear(&d);
	apo_model_free(mm);
	apo_registry_free(r);
	unsetenv("APOMON_IMAGES_PATH");
	unsetenv("APOMON_LIB_DIR");
	unlink(cfg);
	rmdir(def);
	rmdir(defs);
	_cleanup_free_ char *images = apo_xasprintf("%s/images", lib);
	rmdir(images);
	rmdir(lib);
	unlink(conf);
	rmdir(dir);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("validate");
	TCase *tc = tcase_create("three-clusters");

	tcase_add_checked_fixture(tc, load, unload);
	tcase_add_test(tc, model_fields);
	tcase_add_test(tc, host_services);
	tcase_add_test(tc, validate_twice_is_stable);
	suite_add_tcase(s, tc);
	TCase *units = tcase_create("units");
	tcase_add_test(units, minimal);
	tcase_add_test(units, registry);
	tcase_add_test(units, registry_closes_handles);
	tcase_add_test(units, value_parsers);
	tcase_add_test(units, settings_of_an_old_plugin);
	tcase_add_test(units, bounds_groups_retired);
	tcase_add_test(units, missing_image_names_both_places);
	suite_add_tcase(s, units);

	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
