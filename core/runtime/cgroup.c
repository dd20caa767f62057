/* SPDX-License-Identifier: MIT */
/* Per-station cgroup limits: v1 (one hierarchy per controller, as on this
 * kind of host) or the unified v2 hierarchy.  A station without limits
 * gets no cgroup at all: 500 stations should not cost 1500 directories. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/paths.h"
#include "runtime/station.h"
#include "base/util.h"

static const char *cg_root(void)
{
	const char *r = getenv("APOMON_CGROUP_ROOT");
	return r && *r ? r : "/sys/fs/cgroup";
}

static bool is_v2(void)
{
	_cleanup_free_ char *p = apo_xasprintf("%s/cgroup.controllers", cg_root());
	return access(p, F_OK) == 0;
}

static int write_str(const char *dir, const char *file, const char *val)
{
	_cleanup_free_ char *p = apo_xasprintf("%s/%s", dir, file);
	_cleanup_close_ int fd = open(p, O_WRONLY | O_CLOEXEC);
	size_t len = strlen(val);

	if (fd < 0)
		return -errno;
	if (write(fd, val, len) != (ssize_t)len)
		return -errno;
	return 0;
}

static const char *const v1_ctrls[] = {"memory", "cpu", "pids"};

static char *v1_dir(const char *ctrl, const char *env, const char *name)
{
	return apo_xasprintf("%s/%s/apomon/%s/%s", cg_root(), ctrl, env, name);
}

static char *v2_dir(const char *env, const char *name)
{
	return apo_xasprintf("%s/apomon/%s/%s", cg_root(), env, name);
}

static bool wanted(const char *ctrl, unsigned long long mem, unsigned cpu, unsigned pids)
{
	if (!strcmp(ctrl, "memory"))
		return mem;
	if (!strcmp(ctrl, "cpu"))
		return cpu;
	return pids;
}

/* v2: a controller works in a child only when every ancestor delegates it */
static int v2_enable(const char *env)
{
	_cleanup_free_ char *a = apo_xasprintf("%s/apomon", cg_root());
	_cleanup_free_ char *e = apo_xasprintf("%s/apomon/%s", cg_root(), env);
	const char *dirs[] = {cg_root(), a, e};
	int rc;

	for (size_t i = 0; i < APO_ARRAY_SIZE(dirs); i++) {
		if (i && mkdir(dirs[i], 0755) < 0 && errno != EEXIST)
			return -errno;
		rc = write_str(dirs[i], "cgroup.subtree_control", "+memory +cpu +pids");
		if (rc < 0)
			return rc;
	}
	return 0;
}

int apo_cgroup_create(const char *env, const char *name, unsigned long long mem, unsigned cpu,
		      unsigned pids)
{
	char val[64];
	int rc;

	if (!mem && !cpu && !pids)
		return 0;
	if (is_v2()) {
		_cleanup_free_ char *d = v2_dir(env, name);
		rc = v2_enable(env);
		if (rc < 0)
			return rc;
		if (mkdir(d, 0755) < 0 && errno != EEXIST)
			return -errno;
		if (mem) {
			snprintf(val, sizeof(val), "%llu", mem);
			if ((rc = write_str(d, "memory.max", val)) < 0)
				return rc;
		}
		if (cpu) {
			snprintf(val, sizeof(val), "%u 100000", cpu * 100);
			if ((rc = write_str(d, "cpu.max", val)) < 0)
				return rc;
		}
		if (pids) {
			snprintf(val, sizeof(val), "%u", pids);
			if ((rc = write_str(d, "pids.max", val)) < 0)
				return rc;
		}
		return 0;
	}
	for (size_t i = 0; i < APO_ARRAY_SIZE(v1_ctrls); i++) {
		const char *c = v1_ctrls[i];
		if (!wanted(c, mem, cpu, pids))
			continue;
		_cleanup_free_ char *d = v1_dir(c, env, name);
		if ((rc = apo_mkdir_p(d, 0755)) < 0)
			return rc;
		if (!strcmp(c, "memory")) {
			snprintf(val, sizeof(val), "%llu", mem);
			rc = write_str(d, "memory.limit_in_bytes", val);
		} else if (!strcmp(c, "cpu")) {
			rc = write_str(d, "cpu.cfs_period_us", "100000");
			snprintf(val, sizeof(val), "%u", cpu * 100);
			if (!rc)
				rc = write_str(d, "cpu.cfs_quota_us", val);
		} else {
			snprintf(val, sizeof(val), "%u", pids);
			rc = write_str(d, "pids.max", val);
		}
		if (rc < 0)
			return rc;
	}
	return 0;
}

int apo_cgroup_attach(const char *env, const char *name, pid_t pid)
{
	char val[32];
	int rc;

	snprintf(val, sizeof(val), "%d", (int)pid);
	if (is_v2()) {
		_cleanup_free_ char *d = v2_dir(env, name);
		if (access(d, F_OK) < 0)
			return 0;
		return write_str(d, "cgroup.procs", val);
	}
	for (size_t i = 0; i < APO_ARRAY_SIZE(v1_ctrls); i++) {
		_cleanup_free_ char *d = v1_dir(v1_ctrls[i], env, name);
		if (access(d, F_OK) < 0)
			continue;
		if ((rc = write_str(d, "cgroup.procs", val)) < 0)
			return rc;
	}
	return 0;
}

/* rmdir the station's cgroup, then its env and apomon parents if empty */
static void rm_up(char *d, int levels)
{
	for (int i = 0; i < levels; i++) {
		if (rmdir(d) < 0)
			return;
		char *s = strrchr(d, '/');
		if (!s)
			return;
		*s = '\0';
	}
}

void apo_cgroup_remove(const char *env, const char *name)
{
	if (is_v2()) {
		char *d = v2_dir(env, name);
		rm_up(d, 3);
		free(d);
		return;
	}
	for (size_t i = 0; i < APO_ARRAY_SIZE(v1_ctrls); i++) {
		char *d = v1_dir(v1_ctrls[i], env, name);
		rm_up(d, 3);
		free(d);
	}
}
