/* SPDX-License-Identifier: MIT */
/*
 * The dns station type: the backbone's DNS server, dnsmasq from Debian's
 * dnsmasq-base.  dnsmasq because every record the environment needs (A,
 * PTR, CNAME, MX, TXT) is one line of its config, it answers from that
 * config alone when told not to read resolv.conf, it needs no zone
 * serials or reload dance, and it is a small, single-process daemon;
 * unbound or BIND would need a zone file per domain and per reverse
 * network for the same answers.  It never forwards: there is no
 * upstream server in its config (no-resolv, no server= line), so a name
 * outside the environment gets REFUSED instead of reaching the host's
 * resolver, and the environment's own domains and the reverse tree are
 * local (NXDOMAIN for unknown names).
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "apomon/station-type.h"
#include "plugin-util.h"

#define CONF_PATH "/etc/apomon/dnsmasq.conf"
/* the stations' A records with their PTR twins, one "IP NAME" a line:
 * dnsmasq reads it again on SIGHUP (addn-hosts), so that `up` on a
 * running environment changes names and addresses without a restart */
#define HOSTS_PATH "/etc/apomon/dnsmasq.hosts"
#define PID_PATH   "/run/apomon-dnsmasq.pid"

static const struct apomon_port dns_ports[] = {
    {"dns", APOMON_PROTO_UDP, 53},
    {"dns-tcp", APOMON_PROTO_TCP, 53},
    {NULL, 0, 0},
};

static const char *const dns_sealed[] = {CONF_PATH, NULL};

static const struct apomon_setting dns_settings[] = {
    {.name = "ttl",
     .kind = APOMON_SETTING_INT,
     .default_value = "60",
     .description = "TTL of the answers, in seconds",
     .min = 0,
     .max = 86400},
    {.name = "log_queries",
     .kind = APOMON_SETTING_BOOL,
     .default_value = "false",
     .description = "log every query to the station's log (apomon logs STATION)"},
    {.name = NULL},
};

/* "www1.example.com." -> "www1.example.com" in a static-size buffer */
static const char *bare(const char *name, char *buf, size_t size)
{
	size_t len = strlen(name);

	if (len && name[len - 1] == '.')
		len--;
	snprintf(buf, size, "%.*s", (int)len, name);
	return buf;
}

struct rec {
	char *type, *name, *value;
};

struct recs {
	struct rec *v;
	size_t n, cap;
};

static int collect(const char *type, const char *name, const char *value, void *ctx)
{
	struct recs *r = ctx;

	if (r->n == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 64;
		struct rec *v = realloc(r->v, cap * sizeof(*v));
		if (!v)
			return -ENOMEM;
		r->v = v;
		r->cap = cap;
	}
	struct rec *e = &r->v[r->n];
	e->type = strdup(type);
	e->name = strdup(name);
	e->value = strdup(value);
	if (!e->type || !e->name || !e->value) {
		free(e->type);
		free(e->name);
		free(e->value);
		return -ENOMEM;
	}
	r->n++;
	return 0;
}

static void recs_free(struct recs *r)
{
	for (size_t i = 0; i < r->n; i++) {
		free(r->v[i].type);
		free(r->v[i].name);
		free(r->v[i].value);
	}
	free(r->v);
}

/* "11.0.1.10.in-addr.arpa." for "10.1.0.11" */
static void ptr_of(const char *ip, char *buf, size_t size)
{
	unsigned a, b, c, d;

	if (sscanf(ip, "%u.%u.%u.%u", &a, &b, &c, &d) == 4)
		snprintf(buf, size, "%u.%u.%u.%u.in-addr.arpa.", d, c, b, a);
	else
		buf[0] = '\0';
}

static bool has(const struct recs *r, const char *type, const char *name, const char *value)
{
	for (size_t i = 0; i < r->n; i++)
		if (!strcmp(r->v[i].type, type) && !strcasecmp(r->v[i].name, name) &&
		    !strcasecmp(r->v[i].value, value))
			return true;
	return false;
}

/*
 * One A record with its PTR twin is a line of the hosts file (dnsmasq
 * answers both, and re-reads it on SIGHUP);
 * an A record without one (www.example.com -> the load balancer) is an
 * address= line, so that the reverse name keeps naming the station.
 */
static void write_records(FILE *f, FILE *hosts, const struct recs *r)
{
	char n1[256], n2[256], ptr[64];

	for (size_t i = 0; i < r->n; i++) {
		const struct rec *e = &r->v[i];
		if (!strcmp(e->type, "A")) {
			ptr_of(e->value, ptr, sizeof(ptr));
			if (has(r, "PTR", ptr, e->name))
				fprintf(hosts, "%s %s\n", e->value, bare(e->name, n1, sizeof(n1)));
			else
				fprintf(f, "address=/%s/%s\n", bare(e->name, n1, sizeof(n1)),
					e->value);
		} else if (!strcmp(e->type, "PTR")) {
			bool twin = false;
			for (size_t k = 0; k < r->n && !twin; k++) {
				if (strcmp(r->v[k].type, "A") || strcasecmp(r->v[k].name, e->value))
					continue;
				ptr_of(r->v[k].value, ptr, sizeof(ptr));
				twin = !strcasecmp(ptr, e->name);
			}
			if (!twin)
				fprintf(f, "ptr-record=%s,%s\n", bare(e->name, n1, sizeof(n1)),
					bare(e->value, n2, sizeof(n2)));
		} else if (!strcmp(e->type, "CNAME")) {
			fprintf(f, "cname=%s,%s\n", bare(e->name, n1, sizeof(n1)),
				bare(e->value, n2, sizeof(n2)));
		} else if (!strcmp(e->type, "MX")) {
			unsigned pref = 10;
			char host[256] = "";
			if (sscanf(e->value, "%u %255s", &pref, host) != 2)
				snprintf(host, sizeof(host), "%s", e->value);
			fprintf(f, "mx-host=%s,%s,%u\n", bare(e->name, n1, sizeof(n1)),
				bare(host, n2, sizeof(n2)), pref);
		} else if (!strcmp(e->type, "TXT")) {
			fprintf(f, "txt-record=%s,\"", bare(e->name, n1, sizeof(n1)));
			for (const char *c = e->value; *c; c++)
				if (*c != '"' && *c != '\n' && *c != '\\')
					fputc(*c, f);
			fputs("\"\n", f);
		}
	}
}

struct domains {
	const struct apomon_host *host;
	FILE *f;
	char seen[32][256];
	size_t n;
};

static int local_domain(const struct apomon_station *other, void *ctx)
{
	struct domains *d = ctx;
	const char *dom = d->host->domain(other);

	if (!dom)
		return 0;
	for (size_t i = 0; i < d->n; i++)
		if (!strcasecmp(d->seen[i], dom))
			return 0;
	if (d->n < sizeof(d->seen) / sizeof(d->seen[0]))
		snprintf(d->seen[d->n++], sizeof(d->seen[0]), "%s", dom);
	fprintf(d->f, "local=/%s/\n", dom);
	return 0;
}

/* The config and the hosts file of the plan (caller frees both). */
static int build(const struct apomon_host *host, const struct apomon_station *st, char **conf,
		 size_t *conf_len, char **hosts, size_t *hosts_len)
{
	struct recs r = {0};
	FILE *f = NULL, *h = NULL;
	int rc;

	*conf = *hosts = NULL;
	if (!APOMON_HOST_HAS(host, each_record)) {
		host->log(st, APOMON_LOG_ERROR,
			  "render: the core offers no DNS records (apomon too old)");
		return -ENOTSUP;
	}
	if ((rc = host->each_record(st, collect, &r)) < 0)
		goto out;
	f = open_memstream(conf, conf_len);
	h = open_memstream(hosts, hosts_len);
	if (!f || !h) {
		rc = -errno;
		goto out;
	}
	fprintf(f,
		"# Written by apomon's dns type for environment %s at every start;\n"
		"# sealed: edit the config (conf.d/ `records`), not this file.\n"
		"# Answers come from this file only: no resolv.conf, no upstream\n"
		"# server, no /etc/hosts; nothing is ever forwarded.\n"
		"no-resolv\nno-poll\nno-hosts\n"
		"local=/in-addr.arpa/\n",
		host->env_name(st));
	struct domains d = {.host = host, .f = f};
	host->each_station(st, APOMON_SCOPE_ENVIRONMENT, local_domain, &d);
	fputs("# the backbone's legs (router addresses), the host link, loopback\n"
	      "bind-dynamic\nlisten-address=127.0.0.1\n",
	      f);
	for (size_t i = 0; i < host->address_count(st); i++)
		fprintf(f, "listen-address=%s\n", host->address(st, i));
	fprintf(f, "local-ttl=%lld\nlog-facility=-\n%s", host->setting_int(st, "ttl"),
		host->setting_bool(st, "log_queries") ? "log-queries\n" : "");
	fputs("# the stations' names and addresses (A and PTR), re-read on SIGHUP\n"
	      "addn-hosts=" HOSTS_PATH "\npid-file=" PID_PATH "\n",
	      f);
	fputs("# records: the clusters' records\n", f);
	fprintf(h, "# Written by apomon's dns type: the stations' A and PTR records\n");
	write_records(f, h, &r);
	rc = 0;
out:
	if (f && fclose(f) != 0 && !rc)
		rc = -EIO;
	if (h && fclose(h) != 0 && !rc)
		rc = -EIO;
	recs_free(&r);
	if (rc < 0) {
		free(*conf);
		free(*hosts);
		*conf = *hosts = NULL;
	}
	return rc;
}

static int dns_render(const struct apomon_host *host, const struct apomon_station *st)
{
	char *conf, *hosts;
	size_t cl = 0, hl = 0;
	int rc = build(host, st, &conf, &cl, &hosts, &hl);

	if (rc < 0)
		return rc;
	rc = apo_plugin_write(host, st, HOSTS_PATH, hosts, hl, 0644);
	if (rc == 0)
		rc = apo_plugin_write(host, st, CONF_PATH, conf, cl, 0644);
	free(conf);
	free(hosts);
	return rc;
}

/*
 * `up` on a running environment changed the records: when the config
 * stays the same (the same domains, legs and extra records), the hosts
 * file is written again and dnsmasq re-reads it on SIGHUP; otherwise
 * (a new cluster's domain or leg) -EOPNOTSUPP: the core restarts it.
 */
static int dns_reload(const struct apomon_host *host, const struct apomon_station *st)
{
	static const char *const cat[] = {"cat", CONF_PATH, NULL};
	static const char *const hup[] = {"/bin/sh", "-c", "kill -HUP \"$(cat " PID_PATH ")\"",
					  NULL};
	char *conf, *hosts, *now = NULL;
	size_t cl = 0, hl = 0;
	int rc = build(host, st, &conf, &cl, &hosts, &hl);

	if (rc < 0)
		return rc;
	rc = host->run(st, cat, &now);
	if (rc != 0 || !now || strcmp(now, conf)) {
		rc = -EOPNOTSUPP;
		goto out;
	}
	if ((rc = apo_plugin_write(host, st, HOSTS_PATH, hosts, hl, 0644)) < 0)
		goto out;
	rc = host->run(st, hup, NULL);
	if (rc > 0) {
		host->log(st, APOMON_LOG_ERROR, "reload: kill -HUP dnsmasq exited %d", rc);
		rc = -ESRCH;
	}
out:
	free(now);
	free(conf);
	free(hosts);
	return rc;
}

struct first_a {
	char name[256];
};

static int find_a(const char *type, const char *name, const char *value, void *ctx)
{
	struct first_a *fa = ctx;
	(void)value;
	if (strcmp(type, "A"))
		return 0;
	snprintf(fa->name, sizeof(fa->name), "%s", name);
	return 1;
}

/* A query for name (type A, class IN) in wire format; its length or -1. */
static ssize_t build_query(unsigned char *q, size_t size, uint16_t id, const char *name)
{
	size_t o = 12;
	const char *p = name;

	memset(q, 0, 12);
	q[0] = id >> 8;
	q[1] = id & 0xff;
	q[5] = 1; /* QDCOUNT */
	while (*p) {
		const char *dot = strchr(p, '.');
		size_t l = dot ? (size_t)(dot - p) : strlen(p);
		if (l == 0 || l > 63 || o + l + 1 + 5 > size)
			return -1;
		q[o++] = (unsigned char)l;
		memcpy(q + o, p, l);
		o += l;
		p += l;
		if (*p == '.')
			p++;
	}
	q[o++] = 0;
	q[o++] = 0, q[o++] = 1; /* A */
	q[o++] = 0, q[o++] = 1; /* IN */
	return (ssize_t)o;
}

/*
 * The startup check: a real DNS query over UDP from inside the station's
 * namespace to its first address (the host link), for the first A record
 * of the plan: ready when dnsmasq answers it with at least one record.
 */
static int dns_ready(const struct apomon_host *host, const struct apomon_station *st)
{
	struct first_a fa = {""};
	unsigned char q[300], a[512];
	struct sockaddr_in sin = {.sin_family = AF_INET, .sin_port = htons(53)};
	uint16_t id = (uint16_t)(getpid() ^ time(NULL));
	int fd, rc;

	if (!APOMON_HOST_HAS(host, socket) || !APOMON_HOST_HAS(host, each_record))
		return -ENOTSUP;
	host->each_record(st, find_a, &fa);
	bool expect_answer = fa.name[0] != '\0';
	if (!expect_answer)
		snprintf(fa.name, sizeof(fa.name), "%s", host->fqdn(st));
	const char *addr = host->address(st, 0) ? host->address(st, 0) : "127.0.0.1";
	if (inet_pton(AF_INET, addr, &sin.sin_addr) != 1)
		return -EINVAL;
	ssize_t qlen = build_query(q, sizeof(q), id, fa.name);
	if (qlen < 0)
		return -EINVAL;

	fd = host->socket(st, AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return fd;
	if (connect(fd, (struct sockaddr *)&sin, sizeof(sin)) < 0 ||
	    send(fd, q, (size_t)qlen, 0) != qlen) {
		rc = -errno;
		goto out;
	}
	struct pollfd p = {.fd = fd, .events = POLLIN};
	rc = poll(&p, 1, 250);
	if (rc <= 0) {
		rc = rc < 0 ? -errno : -EAGAIN;
		goto out;
	}
	ssize_t n = recv(fd, a, sizeof(a), 0);
	if (n < 0) {
		/* ICMP port unreachable: dnsmasq does not listen yet */
		rc = errno == ECONNREFUSED ? -EAGAIN : -errno;
		goto out;
	}
	if (n < 12 || a[0] != q[0] || a[1] != q[1] || !(a[2] & 0x80)) {
		rc = -EAGAIN; /* not an answer to this query */
		goto out;
	}
	unsigned rcode = a[3] & 0x0f, ancount = (unsigned)a[6] << 8 | a[7];
	if (expect_answer ? rcode == 0 && ancount > 0 : rcode == 0 || rcode == 3) {
		rc = 0;
	} else {
		host->log(st, APOMON_LOG_ERROR, "ready: %s: rcode %u, %u answers", fa.name, rcode,
			  ancount);
		rc = -EPROTO;
	}
out:
	close(fd);
	return rc;
}

static const struct apomon_station_type dns = {
    APOMON_STATION_TYPE_HEADER,
    .name = "dns",
    .description = "the backbone's DNS server (dnsmasq): every station's name and address",
    .version = PACKAGE_VERSION,
    .image = "dns",
    .role = APOMON_ROLE_BACKBONE,
    .ports = dns_ports,
    .sealed = dns_sealed,
    .settings = dns_settings,
    .ready_timeout_ms = 60000,
    .render = dns_render,
    .reload = dns_reload,
    .ready = dns_ready,
};

APOMON_STATION_TYPE(dns)
