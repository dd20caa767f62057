/* SPDX-License-Identifier: MIT */
/*
 * apo_station_running_pid (station.h): whether a station's init runs, in
 * three small reads.  Here, beside apo_station_info and the writers of
 * the files it reads (apo_station_read_init's init file, init's status
 * lines), so that one folder owns their format.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/fs.h"
#include "base/paths.h"
#include "base/util.h"
#include "runtime/station.h"

/* Field 22 (starttime) and the state of /proc/PID/stat; 0 when gone.
 * Fields counted by hand from the last ')': sscanf is most of the cost
 * of 1000 stations. */
static unsigned long long starttime(pid_t pid, char *state)
{
	char path[48], buf[1024], *q;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if (apo_read_head(path, buf, sizeof(buf)) <= 0 || !(q = strrchr(buf, ')')) || !q[1] ||
	    !q[2])
		return 0;
	*state = q[2];
	q += 2; /* field 3 */
	for (int f = 3; f < 22; f++) {
		q = strchr(q, ' ');
		if (!q)
			return 0;
		q++;
	}
	return strtoull(q, NULL, 10);
}

pid_t apo_station_running_pid(const char *env, const char *name)
{
	_cleanup_free_ char *dir = apo_station_state_dir(env, name);
	_cleanup_free_ char *initp = apo_xasprintf("%s/init", dir);
	_cleanup_free_ char *status = apo_xasprintf("%s/status", dir);
	unsigned long long start;
	char st = 0, buf[1024], *end;
	long pid;
	ssize_t n;

	/* the init file: "PID STARTTIME NET_ADMIN" (apo_station_read_init) */
	if (apo_read_head(initp, buf, sizeof(buf)) <= 0)
		return 0;
	pid = strtol(buf, &end, 10);
	if (pid <= 0 || *end != ' ')
		return 0;
	start = strtoull(end + 1, NULL, 10);
	/* alive and still the same process; not ours to reap: `up` starts
	 * no station before it observes */
	if (starttime((pid_t)pid, &st) != start || st == 'Z' || st == 'X')
		return 0;
	/* the last line init wrote: "failed N" is a dead entrypoint */
	n = apo_read_head(status, buf, sizeof(buf));
	if (n < 0)
		return (pid_t)pid;
	if (n == (ssize_t)sizeof(buf) - 1) { /* a long history: the full read */
		struct apo_station_info in = {0};
		return apo_station_info(env, name, &in) == 0 &&
			       (in.state == APO_STATION_READY || in.state == APO_STATION_STARTING)
			   ? in.pid
			   : 0;
	}
	while (n > 0 && buf[n - 1] == '\n')
		buf[--n] = '\0';
	const char *last = n > 0 ? strrchr(buf, '\n') : NULL;
	last = last ? last + 1 : buf;
	return strncmp(last, "failed", 6) ? (pid_t)pid : 0;
}
