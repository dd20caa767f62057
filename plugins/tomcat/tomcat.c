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
 * tree).  ready: every application of `apps` answers (skel's API 200,
 * which needs its database; another's context root below 400).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "apomon/station-type.h"
#include "plugin-util.h"

#define WEBAPPS "/var/lib/tomcat10/webapps"
/* the JVM's options; images/tomcat/image.cfg makes its class-data-sharing
 * archive with the same (a different GC or code cache size makes the JVM
 * refuse the archive, and start without it) */
#define TOMCAT_JVM_OPTS "-XX:+UseSerialGC -XX:TieredStopAtLevel=1 -XX:ReservedCodeCacheSize=32m"
#define TOMCAT_CDS	"/usr/share/tomcat10/apomon-cds.jsa"
/* the one declared port: ports[], server.xml (as text) and the ready check */
#define PORT	 8080
#define TEXT_(x) #x
#define TEXT(x)	 TEXT_(x)

static const char *const sealed[] = {"/etc/tomcat10/server.xml", "/etc/tomcat10/context.xml",
				     "/etc/tomcat10/web.xml", NULL};

static const struct apomon_port ports[] = {
    {"http", APOMON_PROTO_TCP, PORT},
    {NULL, 0, 0},
};

static const struct apomon_setting settings[] = {
    APO_PLUGIN_DATABASE_SETTINGS,
    {.name = "jvm_options",
     .kind = APOMON_SETTING_STRING,
     .default_value = TOMCAT_JVM_OPTS,
     .description = "the JVM's options (JAVA_OPTS) besides java.awt.headless and the "
		    "class-data-sharing archive; the default starts quickly on a few shared "
		    "cores, \"\" gives the JVM's own defaults (as in production)"},
    {.name = "apps",
     .kind = APOMON_SETTING_STRING_LIST,
     .description = "WARs to install (default: hello.war and skel-0.1.0.war)"},
    APO_PLUGIN_RETIRED("db_host", "renamed to database.host (database = { host = ...; })"),
    APO_PLUGIN_RETIRED("db_port", "renamed to database.port (database = { port = ...; })"),
    APO_PLUGIN_RETIRED("db_name", "renamed to database.name (database = { name = ...; })"),
    APO_PLUGIN_RETIRED("db_user", "renamed to database.user (database = { user = ...; })"),
    APO_PLUGIN_RETIRED("db_password",
		       "renamed to database.password (database = { password = ...; })"),
    {.name = NULL},
};

static const char *const default_apps[] = {"hello.war", "skel-0.1.0.war"};

/* s as XML attribute text */
static void xml_attr(FILE *f, const char *s)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '<':
			fputs("&lt;", f);
			break;
		case '>':
			fputs("&gt;", f);
			break;
		case '&':
			fputs("&amp;", f);
			break;
		case '"':
			fputs("&quot;", f);
			break;
		case '\'':
			fputs("&apos;", f);
			break;
		default:
			fputc(*s, f);
		}
	}
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

	if (apo_plugin_db_validate(h, st) < 0)
		rc = -EINVAL;
	/* it lands between double quotes in a file the station's shell
	 * sources: words of options, nothing the shell would expand */
	const char *jo = h->setting_string(st, "jvm_options");
	size_t bad = jo ? strspn(jo, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
				     "0123456789 -_.=:+,/%@")
			: 0;
	if (jo && jo[bad]) {
		h->report(st, "jvm_options",
			  "'%s': character '%c' not allowed: expected JVM options (letters, "
			  "digits, spaces and - _ . = : + , / %% @)",
			  jo, jo[bad]);
		rc = -EINVAL;
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

/* True when the station already has exactly data at path (relative to
 * its root).  The path is resolved inside the root (RESOLVE_IN_ROOT): a
 * link the station planted cannot make us read a host file. */
static bool same_in_root(const struct apomon_host *h, const struct apomon_station *st,
			 const char *path, const char *data, size_t len)
{
	struct open_how how = {.flags = O_RDONLY | O_CLOEXEC | O_NOFOLLOW,
			       .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS};
	char buf[65536];
	size_t off = 0;
	bool same = false;
	struct stat sb;
	int root, fd;
	ssize_t n;

	if (!h->root(st) || (root = open(h->root(st), O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0)
		return false;
	fd = (int)syscall(SYS_openat2, root, path, &how, sizeof(how));
	close(root);
	if (fd < 0)
		return false;
	if (fstat(fd, &sb) < 0 || !S_ISREG(sb.st_mode) || (size_t)sb.st_size != len)
		goto out;
	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		if (off + (size_t)n > len || memcmp(buf, data + off, (size_t)n))
			goto out;
		off += (size_t)n;
	}
	same = n == 0 && off == len;
out:
	close(fd);
	return same;
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
	/* a restart with the data kept finds the same WAR: rewriting it
	 * would make Tomcat undeploy it, expand it again and recompile its
	 * JSPs at every start; left alone, the expanded application and
	 * Jasper's classes in work/ are reused */
	if (same_in_root(h, st, dst, data, len)) {
		free(data);
		return 0;
	}
	rc = apo_plugin_write(h, st, dst, data, len, 0644);
	free(data);
	return rc;
}

/* The Host's RewriteValve rules (Tomcat reads them from
 * CATALINA_BASE/conf/ENGINE/HOST/rewrite.config; Debian's conf is
 * /etc/tomcat10).  "/" redirects to the first application's context
 * root: the URL `apomon up` prints for a published port then shows a
 * page, not a 404.  A Host valve runs before any context is mapped, so
 * no ROOT application is deployed for it (one costs about 20 ms of
 * deployment at every start); a station that installs its own ROOT.war
 * gets no rule. */
#define REWRITE_CONFIG "/etc/tomcat10/Catalina/localhost/rewrite.config"

static int render_root_redirect(const struct apomon_host *h, const struct apomon_station *st)
{
	const char *first = NULL;
	char rule[512] = "";

	for (size_t i = 0; i < n_apps(h, st); i++) {
		if (!strcmp(app(h, st, i), "ROOT.war"))
			return write_text(h, st, REWRITE_CONFIG,
					  "# rendered by apomon: ROOT.war serves /\n", 0644);
		if (!first)
			first = app(h, st, i);
	}
	/* NAME.war is /NAME/, and Tomcat's a#b.war is /a/b/; a name with
	 * anything else (a space, a rule's special characters, a##version)
	 * gets no rule rather than a file Tomcat refuses to start with */
	size_t l = first ? strlen(first) - 4 : 0; /* validate checked the .war suffix */
	if (first &&
	    strspn(first, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
			  "0123456789._-#") >= l &&
	    !strstr(first, "##") && l < 256) {
		snprintf(rule, sizeof(rule), "RewriteRule ^/$ /%.*s/ [R=302,L]\n", (int)l, first);
		for (char *c = rule; *c; c++)
			if (*c == '#')
				*c = '/';
	}
	char *text = NULL;
	if (asprintf(&text, "# rendered by apomon's tomcat station type\n%s", rule) < 0)
		return -ENOMEM;
	int rc = write_text(h, st, REWRITE_CONFIG, text, 0644);
	free(text);
	return rc;
}

static int tc_render(const struct apomon_host *h, const struct apomon_station *st)
{
	char *text = NULL;
	size_t len;
	int rc;

	/* Engine backgroundProcessorDelay 1: the deployer notices a new WAR
	 * within a second instead of ten.  Connector bindOnInit false: the
	 * port listens once the applications are deployed, not from the
	 * JVM's start; before, a connection (a startup check's GET) was
	 * accepted by the kernel and then waited, up to its timeout, for a
	 * Tomcat still deploying, while the other stations' checks waited
	 * behind it; now it is refused at once and retried */
	if ((rc = write_text(
		 h, st, "/etc/tomcat10/server.xml",
		 "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		 "<!-- rendered by apomon's tomcat station type -->\n"
		 "<Server port=\"-1\" shutdown=\"SHUTDOWN\">\n"
		 "  <Listener className=\"org.apache.catalina.startup.VersionLoggerListener\" />\n"
		 "  <Listener "
		 "className=\"org.apache.catalina.core.JreMemoryLeakPreventionListener\" />\n"
		 "  <Service name=\"Catalina\">\n"
		 "    <Connector port=\"" TEXT(
		     PORT) "\" protocol=\"HTTP/1.1\" "
			   "connectionTimeout=\"20000\" bindOnInit=\"false\"\n"
			   "               server=\"Apache Tomcat\" />\n"
			   "    <Engine name=\"Catalina\" defaultHost=\"localhost\" "
			   "backgroundProcessorDelay=\"1\">\n"
			   "      <Host name=\"localhost\" appBase=\"webapps\" "
			   "unpackWARs=\"true\"\n"
			   "            autoDeploy=\"true\" deployOnStartup=\"true\">\n"
			   "        <Valve "
			   "className=\"org.apache.catalina.valves.rewrite.RewriteValve\" />\n"
			   "        <Valve "
			   "className=\"org.apache.catalina.valves.AccessLogValve\"\n"
			   "               directory=\"logs\" prefix=\"access\" suffix=\".log\"\n"
			   "               pattern=\"%h %l %u %t &quot;%r&quot; %s %b %D\" />\n"
			   "      </Host>\n"
			   "    </Engine>\n"
			   "  </Service>\n"
			   "</Server>\n",
		 0644)) < 0)
		return rc;

	if ((rc = render_root_redirect(h, st)) < 0)
		return rc;

	/* Debian's tomcat-start.sh sources this for the JVM's options.  The
	 * JVM's fixed cost, not Tomcat's work: on a few shared cores the C2
	 * compiler's threads compete with the start itself and its arenas
	 * are most of a station's memory; a station's Tomcat serves tests,
	 * not a benchmark, so C1 alone (TieredStopAtLevel=1) and the serial
	 * collector (one heap, no G1 worker threads or remembered sets):
	 * the default of the setting jvm_options, which a station
	 * overrides ("" for the JVM's own defaults, as in production).
	 * Written at every render, not sealed: sealing it would refuse
	 * every station an operator sealed before it existed.  The
	 * class-data-sharing archive made at image build with the same
	 * options (images/tomcat): the JDK's and Tomcat's classes mapped,
	 * not loaded, parsed and verified; an image without it (older, or
	 * another JVM) starts as before (-Xshare:auto, the default) */
	const char *jo = h->setting_string(st, "jvm_options");
	char *opts = NULL;
	if (asprintf(&opts,
		     "# rendered by apomon's tomcat station type (setting jvm_options)\n"
		     "JAVA_OPTS=\"-Djava.awt.headless=true %s%s-XX:SharedArchiveFile=" TOMCAT_CDS
		     "\"\n",
		     jo ? jo : "", jo && *jo ? " " : "") < 0)
		return -ENOMEM;
	rc = write_text(h, st, "/etc/default/tomcat10", opts, 0644);
	free(opts);
	if (rc < 0)
		return rc;

	const char *host = apo_plugin_db_host(h, st);
	if (!host) {
		h->log(st, APOMON_LOG_ERROR, "render: no database host");
		return -EINVAL;
	}
	FILE *m = open_memstream(&text, &len);
	if (!m)
		return -errno;
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
		"  <Parameter name=\"skel.db.password\" value=\"",
		h->name(st), h->fqdn(st), host, h->setting_int(st, "database.port"),
		h->setting_string(st, "database.name"), h->setting_string(st, "database.user"));
	/* the one value validate lets carry XML's special characters */
	xml_attr(m, h->setting_string(st, "database.password"));
	fputs("\" override=\"false\" />\n"
	      "</Context>\n",
	      m);
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

/* The path that proves an application is up: skel's API (which needs
 * its database too), else the context root. */
static void ready_path(const char *war, char *out, size_t size)
{
	int l = (int)strlen(war) - 4; /* validate checked the .war suffix */

	if (strncmp(war, "skel-", 5) == 0)
		snprintf(out, size, "/%.*s/api/companies", l, war);
	else
		snprintf(out, size, "/%.*s/", l, war);
}

/* Ready when every installed application answers: 200 from skel's API,
 * below 400 from another's context root (a 404 means Tomcat has not
 * deployed it yet). */
static int tc_ready(const struct apomon_host *h, const struct apomon_station *st)
{
	for (size_t i = 0; i < n_apps(h, st); i++) {
		char path[300], url[400];
		long status = 0;

		ready_path(app(h, st, i), path, sizeof(path));
		snprintf(url, sizeof(url), "http://%s:%d%s", h->address(st, 0), PORT, path);
		if (h->probe_http(st, url, 2000, &status) < 0)
			return -EAGAIN;
		if (strncmp(path, "/skel-", 6) == 0 ? status != 200 : status >= 400)
			return -EAGAIN;
	}
	/* what it asked, in the station's log (apomon logs STATION) */
	h->log(st, APOMON_LOG_INFO, "ready: %zu application%s answered on port %d", n_apps(h, st),
	       n_apps(h, st) == 1 ? "" : "s", PORT);
	return 0;
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
    /* skel connects per request (DriverManager), never while deploying:
     * the JVM's start overlaps its database's; the startup check (skel's
     * API answering 200) still waits for the database */
    .depends_need = APOMON_NEEDS_ADDRESS,
    /* SIGTERM: the JVM's shutdown hook stops Tomcat (connectors closed,
     * applications stopped) in well under a second; a JVM that has not
     * exited after 3 s is stuck, not shutting down */
    .stop_timeout_ms = 3000,
};

APOMON_STATION_TYPE(tomcat)
