/* SPDX-License-Identifier: MIT */
/*
 * The applied snapshot in the environment's state directory, and what
 * runs now (diff.h).  The snapshot is journaled (`applied PATH ENV`), so
 * that `down` removes it with the rest.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/paths.h"
#include "base/util.h"
#include "engine/diff.h"
#include "net/netns.h"
#include "runtime/station.h"

static ssize_t head(const char *path, char *buf, size_t size);

char *apo_applied_path(const char *env)
{
	_cleanup_free_ char *dir = apo_env_run_dir(env);
	return apo_xasprintf("%s/applied.json", dir);
}

int apo_applied_read(const char *env, struct json_object **out)
{
	_cleanup_free_ char *path = apo_applied_path(env);
	*out = NULL;
	if (access(path, F_OK) < 0)
		return errno == ENOENT ? 0 : -errno;
	*out = json_object_from_file(path);
	if (!*out || !json_object_is_type(*out, json_type_object)) {
		json_object_put(*out);
		*out = NULL;
		return -EBADMSG;
	}
	return 0;
}

int apo_applied_digest(const char *env, char hex[static 65])
{
	_cleanup_free_ char *path = apo_applied_path(env);
	static const char key[] = "{\"digest\":\"";
	char buf[sizeof(key) + 64 + 1];
	ssize_t n = head(path, buf, sizeof(buf));

	if (n < 0)
		return errno == ENOENT ? -ENOENT : -errno;
	if ((size_t)n < sizeof(key) - 1 + 65 || memcmp(buf, key, sizeof(key) - 1) ||
	    buf[sizeof(key) - 1 + 64] != '"')
		return -ENOENT;
	memcpy(hex, buf + sizeof(key) - 1, 64);
	hex[64] = '\0';
	return 0;
}

int apo_applied_write(const char *env, struct json_object *snap)
{
	_cleanup_free_ char *path = apo_applied_path(env);
	_cleanup_free_ char *tmp = apo_xasprintf("%s.new", path);
	const char *text = json_object_to_json_string_ext(snap, JSON_C_TO_STRING_PLAIN);
	size_t len = strlen(text);
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	int r = 0;

	if (fd < 0)
		return -errno;
	for (size_t off = 0; off < len;) {
		ssize_t w = write(fd, text + off, len - off);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			r = -errno;
			break;
		}
		off += (size_t)w;
	}
	/* the old snapshot or the new one, never half of one */
	if (!r && fsync(fd) < 0)
		r = -errno;
	close(fd);
	if (!r && rename(tmp, path) < 0)
		r = -errno;
	if (r)
		unlink(tmp);
	return r;
}

/* The first bytes of a small file, NUL-terminated: their length, or -1. */
static ssize_t head(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n < 0)
		return -1;
	buf[n] = '\0';
	return n;
}

/* Field 22 (starttime) and the state of /proc/PID/stat; 0 when gone.
 * Fields counted by hand from the last ')': sscanf is most of the cost
 * of 1000 stations. */
static unsigned long long starttime(pid_t pid, char *state)
{
	char path[48], buf[1024], *q;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if (head(path, buf, sizeof(buf)) <= 0 || !(q = strrchr(buf, ')')) || !q[1] || !q[2])
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

/*
 * The pid of a station's init when it runs and its entrypoint has not
 * failed (apo_station_info's READY or STARTING), else 0.  What observe
 * needs of apo_station_info, in three small reads instead of its eight
 * (uptime, user namespace, the entrypoint's process tree): a no-op `up`
 * asks this of every station.
 */
static pid_t running_pid(const char *env, const char *name)
{
	_cleanup_free_ char *dir = apo_station_state_dir(env, name);
	_cleanup_free_ char *initp = apo_xasprintf("%s/init", dir);
	_cleanup_free_ char *status = apo_xasprintf("%s/status", dir);
	unsigned long long start;
	char st = 0, buf[1024], *end;
	long pid;
	ssize_t n;

	/* the init file: "PID STARTTIME NET_ADMIN" (apo_station_read_init) */
	if (head(initp, buf, sizeof(buf)) <= 0)
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
	n = head(status, buf, sizeof(buf));
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

struct json_object *apo_observe(const char *env, struct json_object *applied)
{
	struct json_object *o = json_object_new_object();
	struct json_object *sts = json_object_new_object();
	struct json_object *sws = json_object_new_object();
	struct json_object *a_sts = NULL, *a_sws = NULL;

	json_object_object_get_ex(applied, "stations", &a_sts);
	json_object_object_get_ex(applied, "switches", &a_sws);
	if (a_sts) {
		json_object_object_foreach(a_sts, name, st)
		{
			struct json_object *x = json_object_new_object(), *fq = NULL;
			json_object_object_get_ex(st, "fqdn", &fq);
			bool ns = fq && apo_netns_exists(json_object_get_string(fq));
			pid_t pid = running_pid(env, name);
			json_object_object_add(x, "netns", json_object_new_boolean(ns));
			json_object_object_add(x, "running", json_object_new_boolean(pid > 0));
			json_object_object_add(x, "pid", json_object_new_int(pid));
			json_object_object_add(sts, name, x);
		}
	}
	if (a_sws) {
		json_object_object_foreach(a_sws, cl, sw)
		{
			struct json_object *br = NULL;
			(void)cl;
			json_object_object_get_ex(sw, "bridge", &br);
			if (!br)
				continue;
			_cleanup_free_ char *p =
			    apo_xasprintf("/sys/class/net/%s", json_object_get_string(br));
			json_object_object_add(sws, json_object_get_string(br),
					       json_object_new_boolean(access(p, F_OK) == 0));
		}
	}
	json_object_object_add(o, "stations", sts);
	json_object_object_add(o, "switches", sws);
	return o;
}
