/* SPDX-License-Identifier: MIT */
/*
 * The tomcat station type: Debian's Tomcat 10 on port 8080 (the station's
 * own port; the host reaches it through a published port, the cluster's
 * load balancer through the LAN), with two applications: /hello (a JSP)
 * and /skel-0.1.0 (REST on users and companies over JDBC, and its browser
 * front end).
 *
 * render writes server.xml (no shutdown port, autoDeploy so that deploy
 * needs no restart), context.xml (the database and the station's name as
 * context parameters every application reads) and the two WARs, which
 * are built from webapps/ in apomon's tree and installed under
 * $(pkgdatadir)/webapps (APOMON_WEBAPPS_DIR overrides, for the build
 * tree).  ready: GET /skel-0.1.0/api/companies answers 200, which needs
 * Tomcat, the application and its database.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "apomon/station-type.h"
#include "plugin-util.h"

#define WEBAPPS "/var/lib/tomcat10/webapps"
#define PORT	8080

static const char *const sealed[] = {"/etc/tomcat10/server.xml", "/etc/tomcat10/context.xml",
				     "/etc/tomcat10/web.xml", NULL};

static const struct apomon_port ports[] = {
    {"http", APOMON_PROTO_TCP, PORT},
    {NULL, 0, 0},
};

static const struct apomon_setting settings[] = {
    {"db_host", APOMON_SETTING_STRING, NULL,
     "the database's address or name; default: the cluster's postgres station"},
    {"db_port", APOMON_SETTING_INT, "5432", "the database's port"},
    {"db_name", APOMON_SETTING_STRING, "skel", "the database"},
    {"db_user", APOMON_SETTING_STRING, "skel", "the application's role"},
    {"db_password", APOMON_SETTING_STRING, "skel", "its password"},
    {"apps", APOMON_SETTING_STRING_LIST, NULL,
     "WARs to install (default: hello.war and skel-0.1.0.war)"},
    {NULL, 0, NULL, NULL},
};

static const char *const default_apps[] = {"hello.war", "skel-0.1.0.war"};

static const char *db_host(const struct apomon_host *h, const struct apomon_station *st)
{
	const char *v = h->setting_string(st, "db_host");

	return v && *v ? v : apo_plugin_cluster_peer(h, st, "postgres");
}

static bool xml_safe(const char *s)
{
	return s && !strpbrk(s, "<>&\"'\n");
}

static const char *webapps_dir(void)
{
	const char *d = getenv("APOMON_WEBAPPS_DIR");
	return d && *d ? d : APO_WEBAPPSDIR;
}

static size_t n_apps(const struct apomon_host *h, const struct apomon_station *st)
{
	size_t n = h->setting_list_count(st, "apps");
	return n ? n : 2;
}

static const char *app(const struct apomon_host *h, const struct apomon_station *st, size_t i)
{
	return h->setting_list_count(st, "apps") ? h->setting_list_item(st, "apps", i)
						 : default_apps[i];
}

static int tc_validate(const struct apomon_host *h, const struct apomon_station *st)
{
	int rc = 0;

	if (!db_host(h, st)) {
		h->report(st, "db_host",
			  "no postgres station in cluster '%s', expected one there "
			  "or settings.db_host",
			  h->cluster(st) ? h->cluster(st) : "");
		rc = -EINVAL;
	}
	long long port = h->setting_int(st, "db_port");
	if (port < 1 || port > 65535) {
		h->report(st, "db_port", "%lld is out of range, expected 1..65535", port);
		rc = -EINVAL;
	}
	const char *names[] = {"db_host", "db_name", "db_user", "db_password"};
	for (size_t i = 0; i < 4; i++) {
		const char *v = h->setting_string(st, names[i]);
		if (v && !xml_safe(v)) {
			h->report(st, names[i],
				  "contains < > & \" ' or a newline, expected plain text");
			rc = -EINVAL;
		}
	}
	for (size_t i = 0, n = h->setting_list_count(st, "apps"); i < n; i++) {
		const char *a = h->setting_list_item(st, "apps", i);
		size_t l = strlen(a);
		if (l < 5 || strcmp(a + l - 4, ".war") || strchr(a, '/')) {
			char path[48];
			snprintf(path, sizeof(path), "apps.[%zu]", i);
			h->report(st, path, "'%s': expected a file name NAME.war (found in %s)", a,
				  webapps_dir());
			rc = -EINVAL;
		}
	}
	return rc;
}

static int write_text(const struct apomon_host *h, const struct apomon_station *st,
		      const char *path, const char *text, mode_t mode)
{
	return apo_plugin_write(h, st, path, text, strlen(text), mode);
}

static int read_file(const char *path, char **data, size_t *len)
{
	FILE *f = fopen(path, "re");
	FILE *m;
	char chunk[65536];
	size_t n;
	int rc = 0;

	if (!f)
		return -errno;
	m = open_memstream(data, len);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		fwrite(chunk, 1, n, m);
	if (ferror(f))
		rc = -EIO;
	fclose(f);
	fclose(m);
	if (rc) {
		free(*data);
		*data = NULL;
	}
	return rc;
}

/* Copies a WAR from the host into webapps/ under its own name.  The write
 * is atomic (temporary file, then rename), so Tomcat's deployer never
 * sees half an archive. */
static int install_war(const struct apomon_host *h, const struct apomon_station *st,
		       const char *src, const char *name)
{
	char *data = NULL, dst[512];
	size_t len = 0;
	int rc = read_file(src, &data, &len);

	if (rc < 0) {
		h->log(st, APOMON_LOG_ERROR, "%s: %s", src, strerror(-rc));
		return rc;
	}
	if (len < 4 || memcmp(data, "PK\3\4", 4)) {
		h->log(st, APOMON_LOG_ERROR, "%s: not a WAR (zip) file", src);
		free(data);
		return -EINVAL;
	}
	snprintf(dst, sizeof(dst), WEBAPPS "/%s", name);
	rc = apo_plugin_write(h, st, dst, data, len, 0644);
	free(data);
	return rc;
}

static int tc_render(const struct apomon_host *h, const struct apomon_station *st)
{
	char *text = NULL;
	size_t len;
	int rc;

	/* Engine backgroundProcessorDelay 1: the deployer notices a new WAR
	 * within a second instead of ten */
	if ((rc = write_text(
		 h, st, "/etc/tomcat10/server.xml",
		 "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		 "<!-- rendered by apomon's tomcat station type -->\n"
		 "<Server port=\"-1\" shutdown=\"SHUTDOWN\">\n"
		 "  <Listener className=\"org.apache.catalina.startup.VersionLoggerListener\" />\n"
		 "  <Listener "
		 "className=\"org.apache.catalina.core.JreMemoryLeakPreventionListener\" />\n"
		 "  <Service name=\"Catalina\">\n"
		 "    <Connector port=\"8080\" protocol=\"HTTP/1.1\" connectionTimeout=\"20000\"\n"
		 "               server=\"Apache Tomcat\" />\n"
		 "    <Engine name=\"Catalina\" defaultHost=\"localhost\" "
		 "backgroundProcessorDelay=\"1\">\n"
		 "      <Host name=\"localhost\" appBase=\"webapps\" unpackWARs=\"true\"\n"
		 "            autoDeploy=\"true\" deployOnStartup=\"true\">\n"
		 "        <Valve className=\"org.apache.catalina.valves.AccessLogValve\"\n"
		 "               directory=\"logs\" prefix=\"access\" suffix=\".log\"\n"
		 "               pattern=\"%h %l %u %t &quot;%r&quot; %s %b %D\" />\n"
		 "      </Host>\n"
		 "    </Engine>\n"
		 "  </Service>\n"
		 "</Server>\n",
		 0644)) < 0)
		return rc;

	const char *host = db_host(h, st);
	if (!host) {
		h->log(st, APOMON_LOG_ERROR, "render: no database host");
		return -EINVAL;
	}
	FILE *m = open_memstream(&text, &len);
	fprintf(m,
		"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		"<!-- rendered by apomon's tomcat station type: read by every application -->\n"
		"<Context>\n"
		"  <WatchedResource>WEB-INF/web.xml</WatchedResource>\n"
		"  <Parameter name=\"apomon.station\" value=\"%s\" override=\"false\" />\n"
		"  <Parameter name=\"apomon.fqdn\" value=\"%s\" override=\"false\" />\n"
		"  <Parameter name=\"skel.db.url\" value=\"jdbc:postgresql://%s:%lld/%s\" "
		"override=\"false\" />\n"
		"  <Parameter name=\"skel.db.user\" value=\"%s\" override=\"false\" />\n"
		"  <Parameter name=\"skel.db.password\" value=\"%s\" override=\"false\" />\n"
		"</Context>\n",
		h->name(st), h->fqdn(st), host, h->setting_int(st, "db_port"),
		h->setting_string(st, "db_name"), h->setting_string(st, "db_user"),
		h->setting_string(st, "db_password"));
	fclose(m);
	rc = write_text(h, st, "/etc/tomcat10/context.xml", text, 0640);
	free(text);
	if (rc < 0)
		return rc;

	for (size_t i = 0; i < n_apps(h, st); i++) {
		char src[1024];
		snprintf(src, sizeof(src), "%s/%s", webapps_dir(), app(h, st, i));
		if ((rc = install_war(h, st, src, app(h, st, i))) < 0)
			return rc;
	}
	return 0;
}

static int tc_ready(const struct apomon_host *h, const struct apomon_station *st)
{
	char url[256];
	long status = 0;

	snprintf(url, sizeof(url), "http://%s:%d/skel-0.1.0/api/companies", h->address(st, 0),
		 PORT);
	int rc = h->probe_http(st, url, 2000, &status);
	if (rc == 0 && status == 200)
		return 0;
	return -EAGAIN;
}

/* apomon deploy STATION FILE.war: the WAR lands in webapps/ under its own
 * name; Tomcat's autoDeploy (checked every second) redeploys it without a
 * restart. */
static int tc_deploy(const struct apomon_host *h, const struct apomon_station *st,
		     const char *artifact)
{
	const char *base = strrchr(artifact, '/');
	base = base ? base + 1 : artifact;
	size_t l = strlen(base);

	if (l < 5 || strcmp(base + l - 4, ".war")) {
		h->log(st, APOMON_LOG_ERROR, "deploy: %s: expected a file NAME.war", artifact);
		return -EINVAL;
	}
	return install_war(h, st, artifact, base);
}

static const struct apomon_station_type tomcat = {
    APOMON_STATION_TYPE_HEADER,
    .name = "tomcat",
    .description = "Tomcat 10 (Debian) on 8080 with the hello and skel applications",
    .version = PACKAGE_VERSION,
    .image = "tomcat",
    .role = APOMON_ROLE_MEMBER,
    .ports = ports,
    .sealed = sealed,
    .settings = settings,
    .ready_timeout_ms = 180000,
    .validate = tc_validate,
    .render = tc_render,
    .ready = tc_ready,
    .deploy = tc_deploy,
};

APOMON_STATION_TYPE(tomcat)
