/* SPDX-License-Identifier: MIT */
/*
 * apo-station: drives the station launcher directly, without a config or
 * a plan, for the runtime's integration tests and its benchmark.
 *
 *   apo-station start ENV NAME FQDN LAYER... [options]   prepare + launch
 *       --netns PATH --hosts FILE --resolv FILE --entry PATH --net-admin
 *       --memory BYTES --cpus MILLIS --pids N --count N (NAME1..NAMEN)
 *       --wait-ms MS (wait until the entrypoint runs; 0 = do not wait)
 *   apo-station info ENV NAME          state pid uptime exit
 *   apo-station exec ENV NAME CMD...   run inside; its exit status
 *   apo-station stop ENV NAME
 *   apo-station cleanup ENV [--purge] NAME...
 *   apo-station root ENV NAME | log ENV NAME
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "runtime/station.h"
#include "base/util.h"

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "re");
	char *buf = NULL;
	size_t len = 0;

	if (!f) {
		fprintf(stderr, "apo-station: %s: %s\n", path, strerror(errno));
		exit(2);
	}
	if (getdelim(&buf, &len, '\0', f) < 0) {
		free(buf);
		buf = apo_xstrdup("");
	}
	fclose(f);
	return buf;
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Polls the station's state until its entrypoint is running and idle. */
static int wait_running(const char *env, const char *name, unsigned ms)
{
	double end = now() + ms / 1000.0;
	struct apo_station_info in;

	for (;;) {
		if (apo_station_info(env, name, &in) < 0)
			return -EIO;
		if (in.state == APO_STATION_FAILED || in.state == APO_STATION_STOPPED)
			return -ECHILD;
		if (in.entry_idle)
			return 0;
		if (now() > end)
			return -ETIMEDOUT;
		poll(NULL, 0, 2); /* between reads of a real probe: the status file */
	}
}

static int cmd_start(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"netns", required_argument, NULL, 'n'},
	    {"hosts", required_argument, NULL, 'H'},
	    {"resolv", required_argument, NULL, 'r'},
	    {"entry", required_argument, NULL, 'e'},
	    {"net-admin", no_argument, NULL, 'a'},
	    {"memory", required_argument, NULL, 'm'},
	    {"cpus", required_argument, NULL, 'c'},
	    {"pids", required_argument, NULL, 'p'},
	    {"count", required_argument, NULL, 'N'},
	    {"wait-ms", required_argument, NULL, 'w'},
	    {NULL, 0, NULL, 0},
	};
	struct apo_station_spec s = {0};
	unsigned count = 0, wait_ms = 10000;
	int c;

	optind = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'n':
			s.netns_path = optarg;
			break;
		case 'H':
			s.hosts = slurp(optarg);
			break;
		case 'r':
			s.resolv = slurp(optarg);
			break;
		case 'e':
			s.entrypoint = optarg;
			break;
		case 'a':
			s.net_admin = true;
			break;
		case 'm':
			s.memory_bytes = strtoull(optarg, NULL, 10);
			break;
		case 'c':
			s.cpu_millis = (unsigned)strtoul(optarg, NULL, 10);
			break;
		case 'p':
			s.pids = (unsigned)strtoul(optarg, NULL, 10);
			break;
		case 'N':
			count = (unsigned)strtoul(optarg, NULL, 10);
			break;
		case 'w':
			wait_ms = (unsigned)strtoul(optarg, NULL, 10);
			break;
		default:
			return 2;
		}
	}
	if (argc - optind < 4) {
		fprintf(stderr, "usage: apo-station start ENV NAME FQDN LAYER... [options]\n");
		return 2;
	}
	s.env = argv[optind];
	s.layers = (const char *const *)argv + optind + 3;
	s.n_layers = (size_t)(argc - optind - 3);
	for (unsigned i = 0; i < (count ? count : 1); i++) {
		_cleanup_free_ char *name = NULL, *fqdn = NULL, *root = NULL, *err = NULL;
		pid_t pid;

		name = count ? apo_xasprintf("%s%u", argv[optind + 1], i + 1)
			     : apo_xstrdup(argv[optind + 1]);
		fqdn = count ? apo_xasprintf("%s.%s", name, argv[optind + 2])
			     : apo_xstrdup(argv[optind + 2]);
		s.name = name;
		s.fqdn = fqdn;
		if (apo_station_prepare(&s, &root, &err) < 0) {
			fprintf(stderr, "apo-station: %s\n", err);
			return 1;
		}
		s.root = root;
		int rc = apo_station_launch(&s, &pid, &err);
		s.root = NULL;
		apo_station_root_release(root);
		root = apo_station_root_path(s.env, name);
		if (rc < 0) {
			fprintf(stderr, "apo-station: %s\n", err);
			return 1;
		}
		if (!count)
			printf("%d %s\n", (int)pid, root);
	}
	if (!wait_ms)
		return 0;
	for (unsigned i = 0; i < (count ? count : 1); i++) {
		_cleanup_free_ char *name = count ? apo_xasprintf("%s%u", argv[optind + 1], i + 1)
						  : apo_xstrdup(argv[optind + 1]);
		int rc = wait_running(s.env, name, wait_ms);
		if (rc < 0) {
			fprintf(stderr, "apo-station: %s: entrypoint: %s\n", name,
				rc == -ECHILD ? "exited" : strerror(-rc));
			return 1;
		}
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct apo_station_info in;
	const char *cmd;
	int rc;

	if (argc < 2)
		return 2;
	cmd = argv[1];
	if (!strcmp(cmd, "start"))
		return cmd_start(argc - 1, argv + 1);
	if (argc < 4)
		return 2;
	if (!strcmp(cmd, "info")) {
		if (apo_station_info(argv[2], argv[3], &in) < 0)
			return 1;
		printf("%s %d %.1f %d %d\n", apo_station_state_name(in.state), (int)in.pid,
		       in.uptime_s, in.exit_code, in.entry_running);
		return 0;
	}
	if (!strcmp(cmd, "exec")) {
		rc = apo_station_exec(argv[2], argv[3], (const char *const *)argv + 4,
				      isatty(0) && isatty(1), NULL);
		if (rc < 0)
			fprintf(stderr, "apo-station: %s: exec: %s\n", argv[3], strerror(-rc));
		return rc < 0 ? 126 : rc;
	}
	if (!strcmp(cmd, "capture")) {
		_cleanup_free_ char *out = NULL;
		rc = apo_station_exec(argv[2], argv[3], (const char *const *)argv + 4, false, &out);
		if (rc < 0)
			return 126;
		printf("[%d]%s", rc, out);
		return 0;
	}
	if (!strcmp(cmd, "ready"))
		return apo_station_mark_ready(argv[2], argv[3]) < 0;
	if (!strcmp(cmd, "stop"))
		return apo_station_stop(argv[2], argv[3], APO_STATION_GRACE_MS) < 0;
	if (!strcmp(cmd, "cleanup")) {
		bool purge = false;
		int bad = 0;
		for (int i = 3; i < argc; i++)
			purge |= !strcmp(argv[i], "--purge");
		apo_station_stop_many(argv[2], argv + 3, (size_t)(argc - 3), APO_STATION_GRACE_MS);
		for (int i = 3; i < argc; i++)
			if (strcmp(argv[i], "--purge") &&
			    apo_station_cleanup(argv[2], argv[i], APO_STATION_GRACE_MS, purge) < 0)
				bad = 1;
		return bad;
	}
	if (!strcmp(cmd, "root") || !strcmp(cmd, "log")) {
		_cleanup_free_ char *p = !strcmp(cmd, "root")
					     ? apo_station_root_path(argv[2], argv[3])
					     : apo_station_log_path(argv[2], argv[3]);
		puts(p);
		return 0;
	}
	return 2;
}
