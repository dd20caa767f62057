/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/paths.h"
#include "base/util.h"

static const char *dir_or(const char *var, const char *def)
{
	const char *v = getenv(var);
	return v && *v ? v : def;
}

const char *apo_run_dir(void)
{
	return dir_or("APOMON_RUN_DIR", "/run/apomon");
}

const char *apo_lib_dir(void)
{
	return dir_or("APOMON_LIB_DIR", "/var/lib/apomon");
}

const char *apo_log_dir(void)
{
	return dir_or("APOMON_LOG_DIR", "/var/log/apomon");
}

bool apo_env_name_reserved(const char *env)
{
	/* the image store and its build logs sit beside the environments */
	return !strcmp(env, "images");
}

const char *apo_station_name_reserved(const char *name)
{
	/* whoever adds a fixed name beside the stations' adds it here */
	static const struct {
		const char *name, *what;
	} reserved[] = {
	    {"ca", "the environment's certificate authority"}, /* integrity/ca.c */
	    {"ssh", "the environment's SSH keys"},	       /* runtime/ssh-keys.c */
	    {"manifests", "the stations' seal manifests"},     /* conf-integrity.c */
	    {"idmap", "the environment's user-id map"},	       /* runtime/userns.c */
	    {"integrity", "the environment's integrity.log"},  /* integrity.c */
	};

	for (size_t i = 0; i < sizeof(reserved) / sizeof(reserved[0]); i++)
		if (!strcmp(name, reserved[i].name))
			return reserved[i].what;
	return NULL;
}

char *apo_env_run_dir(const char *env)
{
	return apo_xasprintf("%s/%s", apo_run_dir(), env);
}

char *apo_env_lib_dir(const char *env)
{
	return apo_xasprintf("%s/%s", apo_lib_dir(), env);
}

char *apo_env_log_dir(const char *env)
{
	return apo_xasprintf("%s/%s", apo_log_dir(), env);
}

char *apo_env_lib_file(const char *env, const char *file)
{
	return apo_xasprintf("%s/%s/%s", apo_lib_dir(), env, file);
}

char *apo_env_log_file(const char *env, const char *file)
{
	return apo_xasprintf("%s/%s/%s", apo_log_dir(), env, file);
}

char *apo_station_state_rel(const char *env, const char *name)
{
	return apo_xasprintf("%s/stations/%s", env, name);
}

char *apo_station_lib_rel(const char *env, const char *name)
{
	return apo_xasprintf("%s/%s", env, name);
}

char *apo_station_log_rel(const char *env, const char *name)
{
	return apo_xasprintf("%s/%s.log", env, name);
}

static char *below(const char *top, char *rel)
{
	char *p = apo_xasprintf("%s/%s", top, rel);
	free(rel);
	return p;
}

char *apo_station_state_dir(const char *env, const char *name)
{
	return below(apo_run_dir(), apo_station_state_rel(env, name));
}

char *apo_station_root_path(const char *env, const char *name)
{
	return apo_xasprintf("%s/%s/roots/%s", apo_run_dir(), env, name);
}

char *apo_station_lib_dir(const char *env, const char *name)
{
	return below(apo_lib_dir(), apo_station_lib_rel(env, name));
}

char *apo_station_log_path(const char *env, const char *name)
{
	return below(apo_log_dir(), apo_station_log_rel(env, name));
}

char *apo_images_dir(void)
{
	/* "images" is the one environment name refused (apo_env_name_reserved) */
	return apo_env_lib_dir("images");
}

char *apo_image_path(const char *name, const char *entry)
{
	if (entry)
		return apo_xasprintf("%s/images/%s/%s", apo_lib_dir(), name, entry);
	return apo_xasprintf("%s/images/%s", apo_lib_dir(), name);
}

char *apo_images_log_dir(void)
{
	return apo_env_log_dir("images");
}

/* The whole path first: it usually exists, or only its leaf is missing,
 * so a station's start pays one mkdir(2) a directory, not one a component
 * (each a path walk from /).  Only on ENOENT is the parent made, the same
 * way. */
int apo_mkdir_p(const char *path, unsigned mode)
{
	if (mkdir(path, mode) == 0 || errno == EEXIST)
		return 0;
	if (errno != ENOENT)
		return -errno;
	_cleanup_free_ char *parent = apo_xstrdup(path);
	char *slash = strrchr(parent, '/');
	while (slash && slash > parent && slash[-1] == '/')
		slash--;
	if (!slash || slash == parent)
		return -ENOENT; /* the root or the working directory is missing */
	*slash = '\0';
	int rc = apo_mkdir_p(parent, mode);
	if (rc < 0)
		return rc;
	if (mkdir(path, mode) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}
