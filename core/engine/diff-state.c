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

#include "base/fs.h"
#include "base/paths.h"
#include "base/util.h"
#include "engine/diff.h"
#include "net/netns.h"
#include "runtime/station.h"

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
	ssize_t n = apo_read_head(path, buf, sizeof(buf));

	if (n < 0)
		return (int)n;
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
			pid_t pid = apo_station_running_pid(env, name);
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
