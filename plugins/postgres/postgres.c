/* SPDX-License-Identifier: MIT */
/*
 * The postgres station type: Debian's PostgreSQL with its own cluster in
 * the station's writable layer (made by the image's startup.sh at the
 * first start), the sample database `skel` and the application's role.
 *
 * render writes /etc/postgresql/apomon/{postgresql.conf,pg_hba.conf} and
 * setup.d/NN-*.sql, which startup.sh runs once, over the local socket only,
 * before the server listens.  ready is a real query over the network:
 * psql inside the station, as the application's role with its password,
 * over TCP to the station's own address (so listen_addresses, pg_hba and
 * the role are all proven, not just the process).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "apomon/station-type.h"
#include "plugin-util.h"
#include "pg-sample.h"

#define CONF   "/etc/postgresql/apomon"
#define PGPASS "/root/.pgpass"
/* where the psql image links the C binaries of its PostgreSQL (image.cfg) */
#define PSQL_BIN_DIR "/usr/lib/apomon/pgbin"

static const char *const sealed[] = {CONF "/postgresql.conf", CONF "/pg_hba.conf", NULL};

static const struct apomon_port ports[] = {
    {"postgresql", APOMON_PROTO_TCP, 5432},
    {NULL, 0, 0},
};

static const struct apomon_setting settings[] = {
    {.name = "database",
     .kind = APOMON_SETTING_STRING,
     .default_value = "skel",
     .description = "the application's database"},
    {.name = "user",
     .kind = APOMON_SETTING_STRING,
     .default_value = "skel",
     .description = "the application's role, owner of the database"},
    {.name = "password",
     .kind = APOMON_SETTING_STRING,
     .default_value = "skel",
     .description = "its password (scram-sha-256)"},
    {.name = "sample_data",
     .kind = APOMON_SETTING_BOOL,
     .default_value = "true",
     .description = "create the tables companies and users with sample rows"},
    {.name = "extra_sql",
     .kind = APOMON_SETTING_STRING_LIST,
     .description = "SQL files on the host, run in the database as its owner at the first start"},
    {.name = NULL},
};

static bool identifier_ok(const char *s)
{
	if (!s || !*s || strlen(s) > 63 || !((*s >= 'a' && *s <= 'z') || *s == '_'))
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_'))
			return false;
	return true;
}

static int pg_validate(const struct apomon_host *h, const struct apomon_station *st)
{
	int rc = 0;
	const char *ids[] = {"database", "user"};

	for (size_t i = 0; i < 2; i++) {
		const char *v = h->setting_string(st, ids[i]);
		if (!identifier_ok(v)) {
			h->report(st, ids[i],
				  "'%s' is not a plain identifier, expected [a-z_][a-z0-9_]* "
				  "of at most 63 characters",
				  v ? v : "");
			rc = -EINVAL;
		}
	}
	const char *pw = h->setting_string(st, "password");
	if (!pw || !*pw || strpbrk(pw, "'\\\n")) {
		h->report(st, "password",
			  "expected a non-empty password without quotes, "
			  "backslashes or newlines");
		rc = -EINVAL;
	}
	for (size_t i = 0, n = h->setting_list_count(st, "extra_sql"); i < n; i++) {
		const char *f = h->setting_list_item(st, "extra_sql", i);
		if (access(f, R_OK) != 0) {
			char path[48];
			snprintf(path, sizeof(path), "extra_sql.[%zu]", i);
			h->report(st, path, "%s: %s, expected a readable SQL file", f,
				  strerror(errno));
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

static char *read_host_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "re");
	char *buf = NULL;

	if (!f)
		return NULL;
	FILE *m = open_memstream(&buf, len);
	char chunk[8192];
	size_t n;
	while (m && (n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		fwrite(chunk, 1, n, m);
	bool bad = ferror(f);
	fclose(f);
	if (m)
		fclose(m);
	if (bad) {
		free(buf);
		return NULL;
	}
	return buf;
}

static int pg_render(const struct apomon_host *h, const struct apomon_station *st)
{
	const char *db = h->setting_string(st, "database");
	const char *user = h->setting_string(st, "user");
	const char *pw = h->setting_string(st, "password");
	char *listen = NULL, *text = NULL;
	size_t len = 0;
	int rc;

	/* every address of the station, not '*': the station may be given
	 * more than one and the config should say which it serves */
	FILE *m = open_memstream(&listen, &len);
	for (size_t i = 0; i < h->address_count(st); i++)
		fprintf(m, "%s%s", i ? "," : "", h->address(st, i));
	fclose(m);

	FILE *c = open_memstream(&text, &len);
	fprintf(c,
		"# rendered by apomon's postgres station type for %s\n"
		"listen_addresses = '%s'\n"
		"port = 5432\n"
		"max_connections = 100\n"
		"unix_socket_directories = '/run/postgresql'\n"
		"hba_file = '" CONF "/pg_hba.conf'\n"
		"ident_file = '" CONF "/pg_ident.conf'\n"
		"password_encryption = scram-sha-256\n"
		"shared_buffers = 32MB\n"
		"dynamic_shared_memory_type = posix\n"
		"log_destination = 'stderr'\n"
		"log_line_prefix = '%%m [%%p] %%q%%u@%%d '\n"
		"log_connections = on\n"
		"datestyle = 'iso, ymd'\n"
		"timezone = 'UTC'\n",
		h->fqdn(st), listen);
	fclose(c);
	rc = write_text(h, st, CONF "/postgresql.conf", text, 0644);
	free(text);
	free(listen);
	if (rc < 0)
		return rc;

	/* peer for the local superuser (setup), passwords over the network;
	 * the address range is open because the clients are the cluster's
	 * stations and the host through the backbone, all of them ours */
	if ((rc = write_text(h, st, CONF "/pg_hba.conf",
			     "# rendered by apomon's postgres station type\n"
			     "local   all   postgres                 peer\n"
			     "local   all   all                      peer\n"
			     "host    all   all        0.0.0.0/0     scram-sha-256\n",
			     0644)) < 0 ||
	    (rc = write_text(h, st, CONF "/pg_ident.conf", "", 0644)) < 0)
		return rc;

	c = open_memstream(&text, &len);
	fprintf(c,
		"-- rendered by apomon: the application's role and database\n"
		"CREATE ROLE %s LOGIN PASSWORD '%s';\n"
		"CREATE DATABASE %s OWNER %s ENCODING 'UTF8';\n"
		"\\connect %s\n"
		"SET ROLE %s;\n",
		user, pw, db, user, db, user);
	if (h->setting_bool(st, "sample_data"))
		fputs(apo_pg_sample_sql, c);
	fclose(c);
	rc = write_text(h, st, CONF "/setup.d/00-apomon.sql", text, 0600);
	free(text);
	if (rc < 0)
		return rc;

	/* the startup check's password, for psql run as the station's root
	 * (HOME=/root): a file inside the station, never argv, which every
	 * host user can read in /proc */
	c = open_memstream(&text, &len);
	fputs("*:*:*:", c);
	for (const char *s = user; *s; s++)
		fprintf(c, "%s%c", *s == ':' || *s == '\\' ? "\\" : "", *s);
	fputc(':', c);
	for (const char *s = pw; *s; s++)
		fprintf(c, "%s%c", *s == ':' || *s == '\\' ? "\\" : "", *s);
	fputc('\n', c);
	fclose(c);
	rc = write_text(h, st, PGPASS, text, 0600);
	free(text);
	if (rc < 0)
		return rc;

	for (size_t i = 0, n = h->setting_list_count(st, "extra_sql"); i < n; i++) {
		const char *f = h->setting_list_item(st, "extra_sql", i);
		char *body = read_host_file(f, &len);
		if (!body) {
			rc = -errno ? -errno : -EIO;
			h->log(st, APOMON_LOG_ERROR, "render: extra_sql %s: %s", f, strerror(-rc));
			return rc;
		}
		char path[64], *wrapped = NULL;
		size_t wlen;
		snprintf(path, sizeof(path), CONF "/setup.d/%02zu-extra.sql", i + 10);
		FILE *w = open_memstream(&wrapped, &wlen);
		fprintf(w, "\\connect %s\nSET ROLE %s;\n", db, user);
		fwrite(body, 1, len, w);
		fputc('\n', w);
		fclose(w);
		free(body);
		rc = apo_plugin_write(h, st, path, wrapped, wlen, 0600);
		free(wrapped);
		if (rc < 0)
			return rc;
	}
	return 0;
}

static int pg_ready(const struct apomon_host *h, const struct apomon_station *st)
{
	char *out = NULL;
	/* the password comes from PGPASS (rendered), not from argv; the
	 * image's link to the C binary first in PATH (image.cfg):
	 * /usr/bin/psql is Debian's pg_wrapper, a Perl script, 105 ms of CPU
	 * a run against the binary's 41 ms; an image from before has no
	 * link, and the wrapper runs */
	const char *argv[] = {"env",
			      "PATH=" PSQL_BIN_DIR ":/usr/bin:/bin",
			      "PGPASSFILE=" PGPASS,
			      "PGCONNECT_TIMEOUT=2",
			      "psql",
			      "-X",
			      "-q",
			      "-tA",
			      "-h",
			      h->address(st, 0),
			      "-U",
			      h->setting_string(st, "user"),
			      "-d",
			      h->setting_string(st, "database"),
			      "-c",
			      "SELECT 1",
			      NULL};
	int rc;

	/* psql is a process run inside the station (some 20 ms of CPU a
	 * try, every 20 ms, on the cores the other stations start on):
	 * only once the server accepts connections, which a socket tells */
	if (h->probe_tcp(st, h->address(st, 0), ports[0].port, 1000) < 0)
		return -EAGAIN;
	rc = h->run(st, argv, &out);
	if (rc == 0 && out && !strncmp(out, "1", 1)) {
		free(out);
		return 0;
	}
	free(out);
	/* the server restarts once at the first start (setup, then for
	 * real): refusals are expected until then */
	return rc < 0 && rc != -ENOTCONN ? rc : -EAGAIN;
}

static const struct apomon_station_type postgres = {
    APOMON_STATION_TYPE_HEADER,
    .name = "postgres",
    .description = "PostgreSQL (Debian) with the sample database skel",
    .version = PACKAGE_VERSION,
    .image = "psql",
    .role = APOMON_ROLE_MEMBER,
    .ports = ports,
    .sealed = sealed,
    .settings = settings,
    .ready_timeout_ms = 120000,
    .validate = pg_validate,
    .render = pg_render,
    .ready = pg_ready,
    /* fast shutdown: clients are disconnected, a shutdown checkpoint is
     * written, no recovery at the next start (SIGTERM, smart shutdown,
     * would wait for the Tomcats' pooled connections to go) */
    .stop_signal = SIGINT,
    .stop_timeout_ms = 5000,
};

APOMON_STATION_TYPE(postgres)
