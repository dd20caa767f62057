/* SPDX-License-Identifier: MIT */
/*
 * The oci station type: a station of any OCI image (docker://, oci:,
 * oci-archive:, docker-archive:).  apomon-init runs the image's
 * Entrypoint+Cmd with its Env, WorkingDir and User (from
 * /apomon/oci-start, written at import); `command` and `env` override
 * them through /apomon/oci-start.local, rendered here.  Ready when a TCP
 * connection to each port succeeds: `ports`, else the image's
 * ExposedPorts (the `port` lines of /apomon/oci-start); with
 * `ready = "none"`, as soon as its main process runs (a worker that
 * listens nowhere, or a server that its image exposes but which only
 * starts listening later, on request).
 */
#define _GNU_SOURCE
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "apomon/station-type.h"

#define MAX_PORTS   32
#define PROBE_MS    500
#define START_FILE  "apomon/oci-start"
#define LOCAL_FILE  "/apomon/oci-start.local"
#define LOCAL_LIMIT 16000 /* apomon-init reads at most 16 KiB of it */

static const struct apomon_setting settings[] = {
    {.name = "command",
     .kind = APOMON_SETTING_STRING_LIST,
     .description = "what to run instead of the image's Entrypoint+Cmd, one word an item"},
    {.name = "env",
     .kind = APOMON_SETTING_STRING_LIST,
     .description = "KEY=VALUE items, over the image's Env"},
    {.name = "ports",
     .kind = APOMON_SETTING_STRING_LIST,
     .description = "PORT or PORT/tcp items the ready check connects to; empty: the "
		    "image's ExposedPorts"},
    {.name = "ready",
     .kind = APOMON_SETTING_STRING,
     .default_value = "ports",
     .description = "\"ports\": ready when each port accepts a TCP connection; \"none\": no "
		    "check, ready once started"},
    {.name = "ready_timeout",
     .kind = APOMON_SETTING_INT,
     .default_value = "60",
     .description = "seconds the ports may take to accept a connection",
     .min = 1,
     .max = 3600},
    {.name = NULL},
};

/* "8080", "8080/tcp": the port; "53/udp": 0 (no connect to check); -1: bad */
static long parse_port(const char *s)
{
	char *end;
	long p;

	if (!s || *s < '0' || *s > '9')
		return -1;
	p = strtol(s, &end, 10);
	if (p < 1 || p > 65535)
		return -1;
	if (*end == '\0' || !strcmp(end, "/tcp"))
		return p;
	if (!strcmp(end, "/udp") || !strcmp(end, "/sctp"))
		return 0;
	return -1;
}

static int validate(const struct apomon_host *host, const struct apomon_station *st)
{
	size_t total = 0;
	int rc = 0;

	for (size_t i = 0; i < host->setting_list_count(st, "command"); i++) {
		const char *w = host->setting_list_item(st, "command", i);
		total += strlen(w) + 5;
		if (strchr(w, '\n')) {
			host->report(st, "command", "item %zu: a newline is not supported", i + 1);
			rc = -EINVAL;
		}
	}
	for (size_t i = 0; i < host->setting_list_count(st, "env"); i++) {
		const char *kv = host->setting_list_item(st, "env", i);
		total += strlen(kv) + 5;
		if (!strchr(kv, '=') || kv[0] == '=' || strchr(kv, '\n')) {
			host->report(st, "env", "'%s': expected KEY=VALUE on one line", kv);
			rc = -EINVAL;
		}
	}
	for (size_t i = 0; i < host->setting_list_count(st, "ports"); i++) {
		const char *p = host->setting_list_item(st, "ports", i);
		if (parse_port(p) < 0) {
			host->report(st, "ports", "'%s': expected PORT or PORT/tcp, 1..65535", p);
			rc = -EINVAL;
		}
	}
	if (host->setting_list_count(st, "ports") > MAX_PORTS) {
		host->report(st, "ports", "more than %d ports", MAX_PORTS);
		rc = -EINVAL;
	}
	const char *r = host->setting_string(st, "ready");
	if (r && strcmp(r, "ports") && strcmp(r, "none")) {
		host->report(st, "ready", "'%s': expected \"ports\" or \"none\"", r);
		rc = -EINVAL;
	}
	if (total > LOCAL_LIMIT) {
		host->report(st, "command", "command and env: more than %d bytes together",
			     LOCAL_LIMIT);
		rc = -EINVAL;
	}
	return rc;
}

/* When each station's check began, so that it can give up naming the
 * port (the core's own deadline is the type's, kept longer).  The ready
 * hook of one level's stations may run in parallel with another's. */
struct first {
	char *fqdn;
	double t;
};
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
/* as many as wait at once: grows, never a fixed count (a station past a
 * fixed table would get no deadline of its own) */
static struct first *firsts;
static size_t n_firsts;

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The time st's check began (now at the first call); forget: drop it. */
static double began(const char *fqdn, int forget)
{
	double t = now_s(), at = t;
	struct first *free_slot = NULL;

	pthread_mutex_lock(&lock);
	for (size_t i = 0; i < n_firsts; i++) {
		if (firsts[i].fqdn && !strcmp(firsts[i].fqdn, fqdn)) {
			at = firsts[i].t;
			if (forget) {
				free(firsts[i].fqdn);
				firsts[i].fqdn = NULL;
			}
			free_slot = NULL;
			goto out;
		}
		if (!firsts[i].fqdn && !free_slot)
			free_slot = &firsts[i];
	}
	if (!free_slot && !forget) {
		struct first *more = realloc(firsts, (n_firsts + 16) * sizeof(*firsts));
		if (more) {
			memset(more + n_firsts, 0, 16 * sizeof(*more));
			firsts = more;
			free_slot = &firsts[n_firsts];
			n_firsts += 16;
		}
	}
	/* without memory the check still runs, only timed from each call */
	if (free_slot && !forget) {
		free_slot->fqdn = strdup(fqdn);
		free_slot->t = t;
	}
out:
	pthread_mutex_unlock(&lock);
	return at;
}

static int render(const struct apomon_host *host, const struct apomon_station *st)
{
	size_t nc = host->setting_list_count(st, "command");
	size_t ne = host->setting_list_count(st, "env");
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	int rc;

	if (!f)
		return -ENOMEM;
	for (size_t i = 0; i < nc; i++)
		fprintf(f, "arg %s\n", host->setting_list_item(st, "command", i));
	for (size_t i = 0; i < ne; i++)
		fprintf(f, "env %s\n", host->setting_list_item(st, "env", i));
	if (fclose(f) != 0) {
		free(buf);
		return -ENOMEM;
	}
	/* always written, empty too: an override of an earlier config goes */
	rc = host->write_file(st, LOCAL_FILE, buf, len, 0644);
	if (rc < 0)
		host->log(st, APOMON_LOG_ERROR, "%s: %s", LOCAL_FILE, strerror(-rc));
	free(buf);
	began(host->fqdn(st), 1); /* a new start: a new wait */
	return rc;
}

/* The image's ExposedPorts (TCP) from its oci-start, read inside the
 * station's root: a path there is the station's to redirect. */
static int image_ports(const struct apomon_host *host, const struct apomon_station *st, long *ports,
		       size_t *n)
{
	struct open_how how = {.flags = O_RDONLY | O_CLOEXEC, .resolve = RESOLVE_IN_ROOT};
	const char *root = host->root(st);
	char buf[16384], *line, *save = NULL;
	ssize_t got;
	size_t len = 0;
	int rootfd, fd;

	*n = 0;
	if (!root)
		return -ENOTCONN;
	rootfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		return -errno;
	fd = (int)syscall(SYS_openat2, rootfd, START_FILE, &how, sizeof(how));
	close(rootfd);
	if (fd < 0)
		return -errno;
	while ((got = read(fd, buf + len, sizeof(buf) - 1 - len)) > 0)
		len += (size_t)got;
	close(fd);
	buf[len] = '\0';
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		long p;
		if (strncmp(line, "port ", 5) || (p = parse_port(line + 5)) <= 0)
			continue;
		if (*n < MAX_PORTS)
			ports[(*n)++] = p;
	}
	return 0;
}

static int ready(const struct apomon_host *host, const struct apomon_station *st)
{
	const char *fqdn = host->fqdn(st);
	long ports[MAX_PORTS];
	size_t n = 0;
	double t0 = began(fqdn, 0);
	long long limit = host->setting_int(st, "ready_timeout");
	const char *mode = host->setting_string(st, "ready");
	int rc;

	if (mode && !strcmp(mode, "none")) {
		began(fqdn, 1);
		return 0;
	}

	for (size_t i = 0; i < host->setting_list_count(st, "ports") && n < MAX_PORTS; i++) {
		long p = parse_port(host->setting_list_item(st, "ports", i));
		if (p > 0)
			ports[n++] = p;
	}
	if (host->setting_list_count(st, "ports") == 0 &&
	    (rc = image_ports(host, st, ports, &n)) < 0) {
		host->log(st, APOMON_LOG_ERROR, "ready: /%s: %s", START_FILE, strerror(-rc));
		began(fqdn, 1);
		return rc;
	}
	for (size_t i = 0; i < n; i++) {
		rc = host->probe_tcp(st, NULL, (uint16_t)ports[i], PROBE_MS);
		if (rc == 0)
			continue;
		if (now_s() - t0 < (double)limit)
			return -EAGAIN;
		host->log(st, APOMON_LOG_ERROR, "ready: port %ld/tcp: no connection after %lld s",
			  ports[i], limit);
		began(fqdn, 1);
		return -ETIMEDOUT;
	}
	/* no port at all: nothing to connect to, running is ready */
	began(fqdn, 1);
	return 0;
}

static const struct apomon_station_type oci = {
    APOMON_STATION_TYPE_HEADER,
    .name = "oci",
    .description = "a station of an OCI image: its Entrypoint+Cmd, ready when its ports accept",
    .version = PACKAGE_VERSION,
    .image = NULL, /* every station names its image */
    .role = APOMON_ROLE_MEMBER,
    .settings = settings,
    /* the core's deadline: the type's own (ready_timeout) comes first */
    .ready_timeout_ms = 3601 * 1000,
    .ready = ready,
    .render = render,
    .validate = validate,
};

APOMON_STATION_TYPE(oci)
