/* SPDX-License-Identifier: MIT */
/*
 * The config files of the last successful `up`, kept in its applied
 * snapshot (diff.h): a reconcile that fails puts the stations it stopped
 * back with the config they ran with, and the files may have changed
 * since.  What the loader read: apomon.conf, conf.d/\*.conf, and every
 * file they @include (libconfig resolves those against the config
 * directory, so their names relative to it are where they go back).
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/fs.h"
#include "base/util.h"
#include "engine/diff.h"

/* A file's text; NULL with errno when unreadable. */
static int add_file(struct json_object *files, const char *confdir, const char *rel)
{
	_cleanup_free_ char *path = apo_xasprintf("%s/%s", confdir, rel);
	char *text;
	int rc = apo_read_file(path, SIZE_MAX, &text, NULL);

	if (rc < 0)
		return rc == -ENOENT ? 0 : rc;
	json_object_object_add(files, rel, json_object_new_string(text));
	free(text);
	return 0;
}

/*
 * path's name relative to confdir, lexically ("a/./b" is "a/b"), when it
 * lies below it; NULL otherwise (an include that climbs out with "..":
 * not kept, and a rollback to it says the old config does not load).
 */
static char *below(const char *confdir, const char *path)
{
	size_t l = strlen(confdir);
	char *rel, *out, *save = NULL;
	size_t n = 0;

	if (strncmp(path, confdir, l) || path[l] != '/')
		return NULL;
	rel = apo_xstrdup(path + l + 1);
	out = apo_xcalloc(strlen(rel) + 1, 1);
	for (char *c = strtok_r(rel, "/", &save); c; c = strtok_r(NULL, "/", &save)) {
		if (!strcmp(c, "."))
			continue;
		if (!strcmp(c, "..")) {
			char *slash = strrchr(out, '/');
			if (!n) {
				free(rel);
				free(out);
				return NULL;
			}
			*(slash ? slash : out) = '\0';
			n--;
			continue;
		}
		if (n)
			strcat(out, "/");
		strcat(out, c);
		n++;
	}
	free(rel);
	if (!n) {
		free(out);
		return NULL;
	}
	return out;
}

struct json_object *apo_applied_config_of(const char *confdir, const char *const *read,
					  size_t n_read)
{
	struct json_object *o = json_object_new_object();
	struct json_object *files = json_object_new_object();
	_cleanup_free_ char *dropins = apo_xasprintf("%s/conf.d", confdir);
	char *abs = realpath(confdir, NULL);
	DIR *dp;

	json_object_object_add(o, "confdir", json_object_new_string(abs ? abs : confdir));
	free(abs);
	json_object_object_add(o, "files", files);
	if (add_file(files, confdir, "apomon.conf") < 0)
		goto bad;
	if (!(dp = opendir(dropins)))
		goto included;
	for (struct dirent *de; (de = readdir(dp));) {
		size_t l = strlen(de->d_name);
		if (de->d_name[0] == '.' || l < 6 || strcmp(de->d_name + l - 5, ".conf"))
			continue;
		_cleanup_free_ char *rel = apo_xasprintf("conf.d/%s", de->d_name);
		if (add_file(files, confdir, rel) < 0) {
			closedir(dp);
			goto bad;
		}
	}
	closedir(dp);
included:
	/* the files the loader read besides those: @include targets */
	for (size_t i = 0; i < n_read; i++) {
		struct stat st;
		_cleanup_free_ char *rel = below(confdir, read[i]);
		if (!rel || json_object_object_get_ex(files, rel, NULL) || stat(read[i], &st) < 0 ||
		    !S_ISREG(st.st_mode))
			continue;
		if (add_file(files, confdir, rel) < 0)
			goto bad;
	}
	return o;
bad:
	json_object_put(o);
	return NULL;
}

int apo_applied_config_unpack(struct json_object *cfg, const char *dir)
{
	struct json_object *files = NULL;
	_cleanup_free_ char *dropins = apo_xasprintf("%s/conf.d", dir);
	int r;

	if (!cfg || !json_object_object_get_ex(cfg, "files", &files) ||
	    !json_object_is_type(files, json_type_object))
		return -ENOENT;
	if (mkdir(dir, 0700) < 0 && errno != EEXIST)
		return -errno;
	if (mkdir(dropins, 0700) < 0 && errno != EEXIST)
		return -errno;
	json_object_object_foreach(files, rel, text)
	{
		/* names this file wrote: relative, each part a plain name (no
		 * "..", no "."); the directories on the way are made */
		_cleanup_free_ char *path = apo_xasprintf("%s/%s", dir, rel);
		char *part = path + strlen(dir) + 1;
		for (char *slash; (slash = strchr(part, '/')); part = slash + 1) {
			*slash = '\0';
			bool ok = apo_fs_component_ok(part);
			int m = ok ? mkdir(path, 0700) : 0;
			*slash = '/';
			if (!ok)
				return -EBADMSG;
			if (m < 0 && errno != EEXIST)
				return -errno;
		}
		if (!apo_fs_component_ok(part))
			return -EBADMSG;
		const char *t = json_object_get_string(text);
		if ((r = apo_write_file(path, t, strlen(t), 0600)) < 0)
			return r;
	}
	return 0;
}
