/* SPDX-License-Identifier: MIT */
/*
 * The haproxy station type, a cluster's gateway: Debian's HAProxy
 * balancing HTTP round robin over the cluster's stations of backend_type
 * (tomcat by default), each on the http port its type declares, health
 * checked on health_path, HTTPS on 443 with a certificate from the environment's CA for
 * the cluster's web names, 80 redirected to 443, and its statistics page
 * on 8404 (/stats), which the host reaches through the backbone.
 *
 * Every response names the server that made it (X-Served-By: www1) and
 * the balancer (X-Load-Balancer), so a client can tell balanced traffic
 * from traffic that bypassed it.  ready: GET https://FQDN/haproxy-health
 * (HAProxy's monitor URI) answers 200 over TLS with a certificate that
 * verifies against the CA; it does not need a backend, so the balancer
 * can start before its web servers.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apomon/station-type.h"
#include "plugin-util.h"

#define CFG "/etc/haproxy/haproxy.cfg"
#define PEM "/etc/haproxy/certs/web.pem"

/* the rendered config, and the error pages HAProxy serves from the image */
static const char *const sealed[] = {CFG, "/etc/haproxy/errors/502.http",
				     "/etc/haproxy/errors/503.http", "/etc/haproxy/errors/504.http",
				     NULL};

static const struct apomon_port ports[] = {
    {"http", APOMON_PROTO_TCP, 80},
    {"https", APOMON_PROTO_TCP, 443},
    {"stats", APOMON_PROTO_TCP, 8404},
    {NULL, 0, 0},
};

static const struct apomon_setting settings[] = {
    {.name = "names",
     .kind = APOMON_SETTING_STRING_LIST,
     .description = "extra names for the certificate (always: www.DOMAIN, DOMAIN and the "
		    "station's FQDN)"},
    {.name = "backend_type",
     .kind = APOMON_SETTING_STRING,
     .default_value = "tomcat",
     .description = "the type of the cluster's stations to balance over, on the port "
		    "their type declares as http"},
    {.name = "health_path",
     .kind = APOMON_SETTING_STRING,
     .default_value = "/",
     .description = "the path a backend must answer 200 on to get traffic"},
    APO_PLUGIN_RETIRED("backend_port", "the backends' port is the http port their type "
				       "declares (tomcat 8080, django 8000)"),
    {.name = NULL},
};

struct backends {
	const struct apomon_host *h;
	const struct apomon_station *lb;
	const char *type;
	FILE *out;
	size_t n;
	int rc;
};

static int add_backend(const struct apomon_station *other, void *ctx)
{
	struct backends *b = ctx;
	const char *type = b->h->type(other);

	/* the core hands hooks only validated models; a NULL costs nothing to
	 * survive, and a crash here would read as apomon's verdict */
	if (!type || !b->type || strcmp(type, b->type) || !b->h->address_count(other) ||
	    !b->h->address(other, 0))
		return 0;
	/* its own declared port: the one its type renders and publish checks */
	int port = apo_plugin_port(b->h, other, "http", -ENOENT);
	if (port < 0) {
		if (!b->out)
			b->h->report(b->lb, "backend_type",
				     "type %s declares no http port, expected a web server type",
				     b->type);
		b->rc = -EINVAL;
		return 1;
	}
	/* a backend the core is about to move or restart gets no new
	 * request (its established ones finish in the old workers) */
	bool drain = APOMON_HOST_HAS(b->h, draining) && b->h->draining(other);
	if (b->out)
		fprintf(b->out, "    server %s %s:%d check%s\n", b->h->name(other),
			b->h->address(other, 0), port, drain ? " disabled" : "");
	b->n++;
	return 0;
}

static int lb_validate(const struct apomon_host *h, const struct apomon_station *st)
{
	struct backends b = {.h = h, .lb = st, .type = h->setting_string(st, "backend_type")};
	int rc = 0;

	h->each_station(st, APOMON_SCOPE_CLUSTER, add_backend, &b);
	if (b.rc < 0) {
		rc = b.rc;
	} else if (!b.n) {
		h->report(st, "backend_type",
			  "no '%s' station in cluster '%s', expected at least one "
			  "to balance over",
			  b.type ? b.type : "", h->cluster(st) ? h->cluster(st) : "");
		rc = -EINVAL;
	}
	const char *hp = h->setting_string(st, "health_path");
	if (!hp || hp[0] != '/' || strpbrk(hp, " \t\n")) {
		h->report(st, "health_path", "expected a path starting with / without blanks");
		rc = -EINVAL;
	}
	if (!APOMON_HOST_HAS(h, issue_cert)) {
		h->report(st, NULL,
			  "this apomon cannot issue certificates (host->issue_cert), "
			  "expected a newer apomon");
		rc = -ENOTSUP;
	}
	return rc;
}

/* The certificate's names: www.DOMAIN, DOMAIN, the FQDN and the extra
 * names (caller frees the array, not the strings but www). */
static const char **cert_names(const struct apomon_host *h, const struct apomon_station *st,
			       char *www, size_t www_size, size_t *n)
{
	size_t n_extra = h->setting_list_count(st, "names"), k = 0;
	const char **names = calloc(n_extra + 5, sizeof(*names));

	if (!names)
		return NULL;
	snprintf(www, www_size, "www.%s", h->domain(st));
	names[k++] = www;
	names[k++] = h->domain(st);
	names[k++] = h->fqdn(st);
	/* the host reaches a published 443 at 127.0.0.1: the URL `apomon up`
	 * prints then verifies against the environment's CA too */
	names[k++] = "127.0.0.1";
	for (size_t i = 0; i < n_extra; i++)
		names[k++] = h->setting_list_item(st, "names", i);
	*n = k;
	return names;
}

/*
 * The config text (caller frees).  It names the certificate's names in a
 * comment, so that a reload can tell from the text alone whether anything
 * it renders changed (the backends, the health path or the names).
 */
static int build_cfg(const struct apomon_host *h, const struct apomon_station *st, char **text,
		     size_t *len)
{
	struct backends b = {.h = h, .lb = st, .type = h->setting_string(st, "backend_type")};
	char www[300];
	size_t n = 0;
	const char **names = cert_names(h, st, www, sizeof(www), &n);
	FILE *m;

	*text = NULL;
	if (!names || !(m = open_memstream(text, len))) {
		free(names);
		return -ENOMEM;
	}
	fprintf(m,
		"# rendered by apomon's haproxy station type for %s\n# certificate:", h->fqdn(st));
	for (size_t i = 0; i < n; i++)
		fprintf(m, " %s", names[i]);
	free(names);
	fprintf(m,
		"\n"
		"global\n"
		"    log stderr format short local0 notice\n"
		"    user haproxy\n"
		"    group haproxy\n"
		"    maxconn 4096\n"
		"    ssl-default-bind-options ssl-min-ver TLSv1.2\n"
		"\n"
		"defaults\n"
		"    mode http\n"
		"    log global\n"
		"    option httplog\n"
		"    option forwardfor\n"
		"    option redispatch\n"
		"    retries 3\n"
		"    timeout connect 3s\n"
		"    timeout client 30s\n"
		"    timeout server 30s\n"
		"    timeout http-request 10s\n"
		"\n"
		"frontend http\n"
		"    bind :80\n"
		"    http-request redirect scheme https code 301\n"
		"\n"
		"frontend https\n"
		"    bind :443 ssl crt " PEM " alpn h2,http/1.1\n"
		"    monitor-uri /haproxy-health\n"
		"    http-request set-header X-Forwarded-Proto https\n"
		"    http-response set-header X-Load-Balancer %s\n"
		"    default_backend web\n"
		"\n"
		"backend web\n"
		"    balance roundrobin\n"
		"    option httpchk GET %s\n"
		"    http-check expect status 200\n"
		"    default-server inter 1s downinter 250ms fall 2 rise 1 observe layer4 "
		"error-limit 1 "
		"on-error mark-down\n"
		"    http-response set-header X-Served-By %%[srv_name]\n",
		h->fqdn(st), h->setting_string(st, "health_path"));
	b.out = m;
	h->each_station(st, APOMON_SCOPE_CLUSTER, add_backend, &b);
	fprintf(m, "\n"
		   "listen stats\n"
		   "    bind :8404\n"
		   "    stats enable\n"
		   "    stats uri /stats\n"
		   "    stats refresh 5s\n"
		   "    stats show-node\n");
	fclose(m);
	if (!*text)
		return -ENOMEM;
	return b.rc;
}

static int lb_render(const struct apomon_host *h, const struct apomon_station *st)
{
	char www[300], *text = NULL;
	size_t n = 0, len = 0;
	const char **names = cert_names(h, st, www, sizeof(www), &n);
	int rc;

	if (!names)
		return -ENOMEM;
	rc = h->issue_cert(st, names, PEM, NULL);
	free(names);
	if (rc < 0) {
		h->log(st, APOMON_LOG_ERROR, "render: certificate %s: %s", PEM, strerror(-rc));
		return rc;
	}
	if ((rc = build_cfg(h, st, &text, &len)) >= 0)
		rc = apo_plugin_write(h, st, CFG, text, len, 0644);
	free(text);
	return rc;
}

/*
 * `up` on a running environment changed what the balancer renders (a
 * backend moved, came or went, or is draining: host->draining; a
 * setting).  A config byte-identical to the running one (a station that
 * is not a backend came or went) needs nothing.  Otherwise the
 * certificate is issued again (beside the running one), the new config
 * is checked with `haproxy -c` against it before both replace the
 * running ones, the core's integrity gate checks the sealed files (the
 * old config and certificate go back when it fails, and haproxy is not
 * told), and the master
 * (haproxy -W) reloads on SIGUSR2: it keeps its PID, starts new
 * workers on the new config and lets the old ones finish their
 * connections, so clients of the balancer see no refused connection.
 */
static int lb_reload(const struct apomon_host *h, const struct apomon_station *st)
{
	static const char *const cat[] = {"cat", CFG, NULL};
	/* swaps PEM.new in and checks CFG.new against it (the old PEM put
	 * back when the check fails), then swaps CFG.new in; the running
	 * ones kept as .old (byte for byte, with their modes: run's output,
	 * where `now` comes from, keeps only 64 KiB); haproxy reads nothing
	 * before the signal */
	static const char *const swap[] = {"/bin/sh", "-c",
					   "set -e; [ ! -e " PEM " ] || cp -p " PEM " " PEM ".old; "
					   "mv -f " PEM ".new " PEM "; "
					   "if ! haproxy -c -q -f " CFG ".new; then "
					   "[ ! -e " PEM ".old ] || mv -f " PEM ".old " PEM
					   "; rm -f " CFG ".new; exit 1; fi; "
					   "[ ! -e " CFG " ] || cp -p " CFG " " CFG ".old; "
					   "mv -f " CFG ".new " CFG,
					   NULL};
	/* a refused reload: the running config and certificate back */
	static const char *const back[] = {"/bin/sh", "-c",
					   "rm -f " CFG ".new " PEM ".new; "
					   "[ ! -e " CFG ".old ] || mv -f " CFG ".old " CFG "; "
					   "[ ! -e " PEM ".old ] || mv -f " PEM ".old " PEM,
					   NULL};
	/* signals the master (the haproxy whose parent is no haproxy) and
	 * waits, bounded, for a worker of the new generation (a haproxy
	 * child of the master it did not have) */
	static const char *const usr2[] = {
	    "/bin/sh", "-c",
	    "set -e; rm -f " CFG ".old " PEM ".old; "
	    "kids() { for d in /proc/[0-9]*; do "
	    "[ \"$(cat $d/comm 2>/dev/null)\" = haproxy ] || continue; "
	    "set -- $(cat $d/stat 2>/dev/null); "
	    "echo \"$4 $1\"; done; }; "
	    "m=; for d in /proc/[0-9]*; do [ \"$(cat $d/comm 2>/dev/null)\" = haproxy ] || "
	    "continue; "
	    "pp=$(cut -d' ' -f4 $d/stat); "
	    "[ \"$(cat /proc/$pp/comm 2>/dev/null)\" = haproxy ] || m=${d#/proc/}; done; "
	    "[ -n \"$m\" ] || { echo 'no haproxy master'; exit 3; }; "
	    "old=$(kids | awk -v m=$m '$1 == m {print $2}' | sort | tr '\\n' ' '); "
	    "kill -USR2 $m; "
	    "i=0; while [ $i -lt 200 ]; do "
	    "for w in $(kids | awk -v m=$m '$1 == m {print $2}'); do "
	    "case \" $old \" in *\" $w \"*) ;; *) exit 0;; esac; done; "
	    "i=$((i + 1)); sleep 0.05; done; echo 'no new worker'; exit 4",
	    NULL};
	char *text = NULL, *now = NULL, *out = NULL, www[300];
	size_t len = 0, n = 0;
	const char **names = NULL;
	int rc;

	if ((rc = build_cfg(h, st, &text, &len)) < 0)
		goto out;
	rc = h->run(st, cat, &now);
	if (rc == 0 && now && !strcmp(now, text))
		goto out; /* nothing it renders changed */
	if (!(names = cert_names(h, st, www, sizeof(www), &n))) {
		rc = -ENOMEM;
		goto out;
	}
	if ((rc = h->issue_cert(st, names, PEM ".new", NULL)) < 0) {
		h->log(st, APOMON_LOG_ERROR, "reload: certificate %s: %s", PEM, strerror(-rc));
		goto put_back;
	}
	if ((rc = apo_plugin_write(h, st, CFG ".new", text, len, 0644)) < 0)
		goto put_back;
	rc = h->run(st, swap, &out);
	if (rc > 0) {
		h->log(st, APOMON_LOG_ERROR, "reload: exited %d: %s", rc, out ? out : "");
		rc = -EIO;
	}
	if (rc < 0)
		goto put_back;
	/* the seal before the signal: a config it does not bless is put
	 * back and never read by haproxy (the core's own gate after this
	 * hook would come too late, the workers would already run it) */
	if (APOMON_HOST_HAS(h, check_sealed) && (rc = h->check_sealed(st)) < 0) {
		goto put_back;
	}
	free(out);
	out = NULL;
	rc = h->run(st, usr2, &out);
	if (rc > 0) {
		h->log(st, APOMON_LOG_ERROR, "reload: exited %d: %s", rc, out ? out : "");
		rc = -EIO;
	}
	goto out;
put_back:
	free(out);
	out = NULL;
	int pr = h->run(st, back, &out);
	if (pr != 0)
		h->log(st, APOMON_LOG_ERROR, "reload: putting back %s and %s: %s", CFG, PEM,
		       pr < 0 ? strerror(-pr) : (out ? out : "failed"));
out:
	free(names);
	free(text);
	free(now);
	free(out);
	return rc;
}

static int lb_ready(const struct apomon_host *h, const struct apomon_station *st)
{
	char url[300];
	long status = 0;

	snprintf(url, sizeof(url), "https://%s/haproxy-health", h->fqdn(st));
	if (h->probe_http(st, url, 2000, &status) == 0 && status == 200)
		return 0;
	return -EAGAIN;
}

static const struct apomon_station_type haproxy = {
    APOMON_STATION_TYPE_HEADER,
    .name = "haproxy",
    .description = "HAProxy (Debian): HTTPS load balancer over the cluster's web servers",
    .version = PACKAGE_VERSION,
    .image = "lb",
    .role = APOMON_ROLE_GATEWAY,
    .ports = ports,
    .sealed = sealed,
    .settings = settings,
    .ready_timeout_ms = 60000,
    .validate = lb_validate,
    .render = lb_render,
    .ready = lb_ready,
    .reload = lb_reload,
};

APOMON_STATION_TYPE(haproxy)
