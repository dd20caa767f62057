/* SPDX-License-Identifier: MIT */
#define _GNU_SOURCE
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "image/oci-start.h"
#include "base/util.h"

static struct json_object *jget(struct json_object *o, const char *key, json_type t)
{
	struct json_object *v;
	if (!o || !json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, t))
		return NULL;
	return v;
}

static bool numeric(const char *s)
{
	return *s && strspn(s, "0123456789") == strlen(s) && strlen(s) < 10;
}

/* NAME's id in the topmost layer's etc/FILE (passwd or group); -1: none. */
static long lookup(const char *const *layers, size_t n, const char *file, const char *name,
		   long *gid)
{
	for (size_t i = 0; i < n; i++) {
		_cleanup_free_ char *p = apo_xasprintf("%s/etc/%s", layers[i], file);
		struct stat st;
		FILE *f;
		char *line = NULL;
		size_t len = 0;
		long id = -1;

		if (lstat(p, &st) < 0)
			continue;
		if (!S_ISREG(st.st_mode))
			return -1; /* a whiteout: this layer removed it */
		f = fopen(p, "re");
		if (!f)
			return -1;
		while (id < 0 && getline(&line, &len, f) > 0) {
			char *save = NULL, *u = strtok_r(line, ":", &save);
			strtok_r(NULL, ":", &save); /* password */
			char *uid = strtok_r(NULL, ":", &save), *g = strtok_r(NULL, ":\n", &save);
			if (u && uid && !strcmp(u, name) && numeric(uid)) {
				id = atol(uid);
				if (gid && g && numeric(g))
					*gid = atol(g);
			}
		}
		free(line);
		fclose(f);
		return id;
	}
	return -1;
}

static int user_ids(const char *user, const char *const *layers, size_t n, long *uid, long *gid,
		    char **err)
{
	_cleanup_free_ char *u = apo_xstrdup(user ? user : "");
	char *g = strchr(u, ':');

	*uid = 0;
	*gid = 0;
	if (g)
		*g++ = '\0';
	if (*u) {
		if (numeric(u)) {
			*uid = atol(u);
			/* the primary group of a numeric user: 0, as with runc */
		} else if ((*uid = lookup(layers, n, "passwd", u, gid)) < 0) {
			*err = apo_xasprintf("User '%s': no such user in the image's /etc/passwd",
					     user);
			return -EINVAL;
		}
	}
	if (g && *g) {
		if (numeric(g))
			*gid = atol(g);
		else if ((*gid = lookup(layers, n, "group", g, NULL)) < 0) {
			*err = apo_xasprintf("User '%s': no such group in the image's /etc/group",
					     user);
			return -EINVAL;
		}
	}
	return 0;
}

static int put(FILE *f, const char *word, const char *value, char **err)
{
	if (strchr(value, '\n')) {
		*err = apo_xasprintf("%s '%.40s...': a newline in a value is not supported", word,
				     value);
		return -EINVAL;
	}
	fprintf(f, "%s %s\n", word, value);
	return 0;
}

static int put_strings(FILE *f, const char *word, struct json_object *a, size_t *count, char **err)
{
	for (size_t i = 0; a && i < json_object_array_length(a); i++) {
		struct json_object *v = json_object_array_get_idx(a, i);
		if (!json_object_is_type(v, json_type_string)) {
			*err = apo_xasprintf("%s: a value that is not a string", word);
			return -EINVAL;
		}
		int rc = put(f, word, json_object_get_string(v), err);
		if (rc < 0)
			return rc;
		(*count)++;
	}
	return 0;
}

int apo_oci_start_write(struct json_object *config, const char *const *layers, size_t n,
			const char *path, char **err)
{
	struct json_object *c = jget(config, "config", json_type_object);
	struct json_object *wd = jget(c, "WorkingDir", json_type_string);
	struct json_object *user = jget(c, "User", json_type_string);
	struct json_object *ports = jget(c, "ExposedPorts", json_type_object);
	size_t n_args = 0, n_env = 0;
	long uid, gid;
	FILE *f;
	int rc, fd;

	*err = NULL;
	rc = user_ids(user ? json_object_get_string(user) : NULL, layers, n, &uid, &gid, err);
	if (rc < 0)
		return rc;
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	f = fdopen(fd, "we");
	if (!f) {
		close(fd);
		return -errno;
	}
	fprintf(f, "user %ld %ld\n", uid, gid);
	rc = put(f, "cwd", wd && json_object_get_string(wd)[0] ? json_object_get_string(wd) : "/",
		 err);
	if (rc == 0)
		rc = put_strings(f, "env", jget(c, "Env", json_type_array), &n_env, err);
	if (rc == 0)
		rc = put_strings(f, "arg", jget(c, "Entrypoint", json_type_array), &n_args, err);
	if (rc == 0)
		rc = put_strings(f, "arg", jget(c, "Cmd", json_type_array), &n_args, err);
	if (rc == 0 && n_args == 0) {
		*err = apo_xstrdup("neither Entrypoint nor Cmd: nothing to run");
		rc = -EINVAL;
	}
	if (rc == 0 && ports) {
		json_object_object_foreach(ports, k, v)
		{
			(void)v;
			if ((rc = put(f, "port", k, err)) < 0)
				break;
		}
	}
	if (fclose(f) != 0 && rc == 0)
		rc = -EIO;
	return rc;
}
