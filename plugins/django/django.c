/* SPDX-License-Identifier: MIT */
/*
 * The django station type: a WSGI application served by Gunicorn, with
 * Django and psycopg2 from Debian's packages.  The image carries the
 * application (a read-only company directory over the skel database that
 * the postgres type creates); the type renders what differs between
 * stations into one JSON file the application's settings read, and its
 * startup check is an HTTP GET of a page that queries the database.
 *
 * It is also the worked example of docs/writing-a-station-type.md.
 */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apomon/station-type.h"
#include "plugin-util.h"

#define CONF_PATH "/etc/apomon/django.json"

/* the one place its port comes from: Gunicorn's bind (rendered), the
 * ready check, the plan, the summary and publish validation */
#define PORT 8000

static const struct apomon_port django_ports[] = {
    {"http", APOMON_PROTO_TCP, PORT},
    {NULL, 0, 0},
};

/* the rendered settings (database, secret, hosts); the image seals the code */
static const char *const django_sealed[] = {CONF_PATH, NULL};

static const struct apomon_setting django_settings[] = {
    {.name = "workers",
     .kind = APOMON_SETTING_INT,
     .default_value = "2",
     .description = "Gunicorn worker processes",
     .min = 1,
     .max = 32},
    APO_PLUGIN_DATABASE_SETTINGS,
    {.name = "allowed_hosts",
     .kind = APOMON_SETTING_STRING_LIST,
     .description = "more Host names to answer, beyond the station's names and addresses"},
    APO_PLUGIN_RETIRED("port", "django listens on its declared port 8000; publish maps "
			       "another host port to it"),
    APO_PLUGIN_RETIRED("database_host", "renamed to database.host (database = { host = ...; })"),
    APO_PLUGIN_RETIRED("database_port", "renamed to database.port (database = { port = ...; })"),
    APO_PLUGIN_RETIRED("database", "the database's name is now database.name "
				   "(database = { name = ...; })"),
    APO_PLUGIN_RETIRED("user", "renamed to database.user (database = { user = ...; })"),
    APO_PLUGIN_RETIRED("password", "renamed to database.password (database = { password = ...; })"),
    {.name = NULL},
};

static int django_validate(const struct apomon_host *host, const struct apomon_station *st)
{
	return apo_plugin_db_validate(host, st);
}

/* s as a JSON string */
static void json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

/* Not a secret worth the name: the application has no sessions or forms,
 * and a value derived from the config keeps the rendered file sealable. */
static void secret_key(const struct apomon_host *host, const struct apomon_station *st, char *out,
		       size_t size)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	const char *parts[] = {host->fqdn(st), host->setting_string(st, "database.password"),
			       host->env_name(st)};

	for (size_t i = 0; i < 3; i++)
		for (const char *c = parts[i]; c && *c; c++)
			h = (h ^ (unsigned char)*c) * 0x100000001b3ULL;
	snprintf(out, size, "apomon-%016llx-%016llx", (unsigned long long)h,
		 (unsigned long long)(h * 0x9e3779b97f4a7c15ULL));
}

static int django_render(const struct apomon_host *host, const struct apomon_station *st)
{
	char *text = NULL, key[64];
	size_t len = 0;
	int rc;
	FILE *f = open_memstream(&text, &len);

	if (!f)
		return -errno;
	secret_key(host, st, key, sizeof(key));
	fprintf(f, "{\n  \"port\": %lld,\n  \"workers\": %lld,\n  \"secret_key\": ",
		(long long)apo_plugin_port(host, st, "http", PORT),
		host->setting_int(st, "workers"));
	json_str(f, key);
	/* its names and addresses, localhost (published ports), the
	 * domain's www (the load balancer), and the extra ones */
	fputs(",\n  \"allowed_hosts\": [", f);
	json_str(f, host->fqdn(st));
	fputs(", ", f);
	json_str(f, host->name(st));
	for (size_t i = 0; i < host->address_count(st); i++) {
		fputs(", ", f);
		json_str(f, host->address(st, i));
	}
	fprintf(f, ", \"localhost\", \"127.0.0.1\", \"www.%s\"", host->domain(st));
	for (size_t i = 0; i < host->setting_list_count(st, "allowed_hosts"); i++) {
		fputs(", ", f);
		json_str(f, host->setting_list_item(st, "allowed_hosts", i));
	}
	fputs("],\n  \"database\": {\n    \"host\": ", f);
	json_str(f, apo_plugin_db_host(host, st));
	fprintf(f,
		",\n    \"port\": %lld,\n    \"name\": ", host->setting_int(st, "database.port"));
	json_str(f, host->setting_string(st, "database.name"));
	fputs(",\n    \"user\": ", f);
	json_str(f, host->setting_string(st, "database.user"));
	fputs(",\n    \"password\": ", f);
	json_str(f, host->setting_string(st, "database.password"));
	fputs("\n  }\n}\n", f);
	if (fclose(f) != 0) {
		free(text);
		return -EIO;
	}
	/* readable by the application's user (www-data) through the group
	 * is not possible from here: 0644, and the station is the boundary */
	rc = apo_plugin_write(host, st, CONF_PATH, text, len, 0644);
	free(text);
	return rc;
}

/*
 * The startup check: a GET of the JSON listing, which only answers 200
 * when Gunicorn, Django and the database all work.  5xx (the database
 * not accepting yet) and a refused connection mean "not yet".
 */
static int django_ready(const struct apomon_host *host, const struct apomon_station *st)
{
	char url[300];
	long status = 0;

	snprintf(url, sizeof(url), "http://%s:%d/api/companies", host->fqdn(st),
		 apo_plugin_port(host, st, "http", PORT));
	int rc = host->probe_http(st, url, 2000, &status);
	if (rc < 0)
		return -EAGAIN;
	if (status == 200)
		return 0;
	if (status >= 500)
		return -EAGAIN;
	host->log(st, APOMON_LOG_ERROR, "ready: GET %s: HTTP %ld", url, status);
	return -EPROTO;
}

static const struct apomon_station_type django = {
    APOMON_STATION_TYPE_HEADER,
    .name = "django",
    .description = "a Django application under Gunicorn: the skel company directory",
    .version = PACKAGE_VERSION,
    .image = "django",
    .role = APOMON_ROLE_MEMBER,
    .ports = django_ports,
    .sealed = django_sealed,
    .settings = django_settings,
    .ready_timeout_ms = 60000,
    .validate = django_validate,
    .render = django_render,
    .ready = django_ready,
    /* Django opens its database connection at the first request, not at
     * import: Gunicorn's start overlaps the database's, and the startup
     * check (the listing answering 200) waits for the database */
    .depends_need = APOMON_NEEDS_ADDRESS,
    /* Gunicorn's quick shutdown: SIGTERM, its graceful one, lets workers
     * finish requests for up to 30 s; a station's requests are a test's,
     * which has stopped asking */
    .stop_signal = SIGINT,
    .stop_timeout_ms = 3000,
};

APOMON_STATION_TYPE(django)
