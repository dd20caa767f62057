/* SPDX-License-Identifier: MIT */
/* apomon logs [-f] STATION: the station's output (startup.sh and its
 * services, written by its logger); -f follows it while the station runs,
 * across the logger's rotation of the file.  A station that no longer
 * runs gets its last output printed. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "runtime/runtime.h"
#include "base/util.h"

static int copy_out(int fd)
{
	char buf[65536];
	ssize_t n;

	while ((n = read(fd, buf, sizeof(buf))) > 0)
		if (fwrite(buf, 1, (size_t)n, stdout) != (size_t)n)
			return -EIO;
	fflush(stdout);
	return n < 0 ? -errno : 0;
}

/* The logger rotated the log (renamed it to .1, started a new one): the
 * rest of the old file, then the new one from its start. */
static int follow_rotation(const char *path, int *fd, int in)
{
	struct stat a, b;
	int nfd, rc;

	if (stat(path, &a) < 0 || fstat(*fd, &b) < 0 ||
	    (a.st_ino == b.st_ino && a.st_dev == b.st_dev))
		return 0;
	nfd = open(path, O_RDONLY | O_CLOEXEC);
	if (nfd < 0)
		return 0; /* between the rename and the new file: next time */
	if ((rc = copy_out(*fd)) < 0) {
		close(nfd);
		return rc;
	}
	close(*fd);
	*fd = nfd;
	inotify_add_watch(in, path, IN_MODIFY);
	return 0;
}

static bool running(const char *env, const char *name)
{
	struct apo_station_info in;
	return apo_station_info(env, name, &in) == 0 &&
	       (in.state == APO_STATION_STARTING || in.state == APO_STATION_READY);
}

int apo_cmd_logs(const struct apo_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"follow", no_argument, NULL, 'f'},
	    {NULL, 0, NULL, 0},
	};
	bool follow = false;
	int c, rc;

	while ((c = getopt_long(argc, argv, "+f", opts, NULL)) != -1) {
		if (c != 'f')
			return APO_EXIT_USAGE;
		follow = true;
	}
	if (argc - optind != 1) {
		apo_err("logs: usage: apomon logs [-f] STATION");
		return APO_EXIT_USAGE;
	}
	if (apo_cli_check_name("logs", "station", argv[optind]))
		return APO_EXIT_USAGE;
	_cleanup_free_ char *env = apo_cli_env_name(cli);
	if (!env)
		return APO_EXIT_USAGE;
	_cleanup_free_ char *name = apo_runtime_station_name(env, argv[optind]);
	_cleanup_free_ char *path = apo_station_log_path(env, name);
	_cleanup_close_ int fd = -1;
	_cleanup_close_ int in = -1;

	/* a station that stopped, crashed or failed its start keeps its log
	 * (down without --purge too): why it ended is what a user asks
	 * logs for, so it is printed; -f has nothing to follow then */
	if (!running(env, name)) {
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			apo_err("%s: logs: not running in environment '%s', and no output of it "
				"is kept (no %s)",
				argv[optind], env, path);
			return APO_EXIT_FAILURE;
		}
		if ((rc = copy_out(fd)) < 0)
			goto fail;
		if (follow)
			apo_err("%s: logs: not running in environment '%s': its last output, "
				"nothing to follow",
				argv[optind], env);
		return APO_EXIT_OK;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		apo_err("%s: logs: %s: %s", argv[optind], path, strerror(errno));
		return APO_EXIT_FAILURE;
	}
	if (follow) {
		in = inotify_init1(IN_CLOEXEC);
		if (in < 0 || inotify_add_watch(in, path, IN_MODIFY) < 0) {
			apo_err("%s: logs: inotify: %s", argv[optind], strerror(errno));
			return APO_EXIT_FAILURE;
		}
	}
	if ((rc = copy_out(fd)) < 0)
		goto fail;
	/* until the station stops: wake on writes, and once a second to see
	 * whether it still runs */
	while (follow && running(env, name)) {
		struct pollfd p = {.fd = in, .events = POLLIN};
		char ev[4096];
		if (poll(&p, 1, 1000) > 0 && read(in, ev, sizeof(ev)) < 0 && errno != EAGAIN)
			break;
		if ((rc = copy_out(fd)) < 0 || (rc = follow_rotation(path, &fd, in)) < 0 ||
		    (rc = copy_out(fd)) < 0)
			goto fail;
	}
	if (follow && (rc = copy_out(fd)) < 0)
		goto fail;
	return APO_EXIT_OK;
fail:
	apo_err("%s: logs: %s", argv[optind], strerror(-rc));
	return APO_EXIT_FAILURE;
}
