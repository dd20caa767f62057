/* SPDX-License-Identifier: MIT */
/*
 * Files inside a station's root.  The root is a directory on the host whose
 * content a station (and an image author) controls, so any symlink in it
 * may point anywhere: every lookup goes through openat2(RESOLVE_IN_ROOT),
 * which makes the kernel treat the root as "/" for absolute symlinks and
 * ".." alike.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "plugin/services-files.h"
#include "plugin/services.h"
#include "base/fs.h"
#include "base/util.h"

/* openat2 races with a concurrent rename report -EAGAIN: try again a few times. */
#define RESOLVE_RETRIES 8

static int resolve(int rootfd, const char *rel, int flags, mode_t mode)
{
	struct open_how how = {
	    .flags = (uint64_t)(flags | O_CLOEXEC),
	    .mode = (flags & O_CREAT) ? (mode & 07777) : 0,
	    .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
	};
	long fd = -1;

	for (int i = 0; i < RESOLVE_RETRIES; i++) {
		fd = syscall(SYS_openat2, rootfd, *rel ? rel : ".", &how, sizeof(how));
		if (fd >= 0 || errno != EAGAIN)
			break;
	}
	return fd < 0 ? -errno : (int)fd;
}

/*
 * Copies path without leading or doubled slashes; refuses "." and ".."
 * components (never needed to name a file in a root, and confusing when
 * they clamp at the root) and an empty or directory-like path.
 */
static int normalize(const char *path, char **out)
{
	size_t len = strlen(path);
	char *rel = apo_xmalloc(len + 1), *w = rel;
	const char *p = path;

	while (*p) {
		const char *start, *end;

		while (*p == '/')
			p++;
		if (!*p)
			break;
		start = p;
		while (*p && *p != '/')
			p++;
		end = p;
		if ((end - start == 1 && start[0] == '.') ||
		    (end - start == 2 && start[0] == '.' && start[1] == '.'))
			goto invalid;
		if (w != rel)
			*w++ = '/';
		memcpy(w, start, (size_t)(end - start));
		w += end - start;
	}
	*w = '\0';
	if (!*rel || path[len - 1] == '/')
		goto invalid;
	*out = rel;
	return 0;

invalid:
	free(rel);
	return -EINVAL;
}

/*
 * The owner of what we write, as the host stores it.  A running station's
 * root is /proc/PID/root, and the station runs in a user namespace of its
 * own: a file written there as host root would be nobody's inside (host 0
 * is not mapped) until the next start shifts the writable layer.  So the
 * ids asked for (the station's own; none: its root) go through PID's
 * uid_map and gid_map.  Any other root (a prepared, not yet running one)
 * keeps the writer's ids: the launch shifts them.
 */
struct owner {
	uid_t uid; /* (uid_t)-1: the writer's */
	gid_t gid;
};

/* id through /proc/PID/FILE ("inside outside count" lines); -ERANGE when
 * the station has no such id */
static int map_id(int pid, const char *file, unsigned id, unsigned *out)
{
	char path[64];
	unsigned long in, host, count;
	FILE *f;
	int rc = -ERANGE;

	snprintf(path, sizeof(path), "/proc/%d/%s", pid, file);
	if (!(f = fopen(path, "re")))
		return -errno;
	while (rc == -ERANGE && fscanf(f, "%lu %lu %lu", &in, &host, &count) == 3)
		if (id >= in && id - in < count) {
			*out = (unsigned)(host + (id - in));
			rc = 0;
		}
	fclose(f);
	return rc;
}

/* APOMON_TEST_WEAKEN=owners: written as host root (tests/security/userns-owner.sh) */
static bool owners_weakened(void)
{
	const char *w = getenv("APOMON_TEST_WEAKEN");
	size_t n = strlen("owners");

	for (const char *p = w; p && (p = strstr(p, "owners")); p += n)
		if ((p == w || p[-1] == ',') && (p[n] == '\0' || p[n] == ','))
			return true;
	return false;
}

static int owner_in(const char *root, unsigned uid, unsigned gid, struct owner *o)
{
	int pid, len = 0, rc;
	unsigned hu, hg;

	o->uid = (uid_t)uid;
	o->gid = (gid_t)gid;
	if (owners_weakened())
		return 0;
	if (sscanf(root, "/proc/%d/root%n", &pid, &len) != 1 || (size_t)len != strlen(root) ||
	    pid <= 0)
		return 0;
	if ((rc = map_id(pid, "uid_map", uid == (unsigned)-1 ? 0 : uid, &hu)) < 0 ||
	    (rc = map_id(pid, "gid_map", gid == (unsigned)-1 ? 0 : gid, &hg)) < 0)
		return rc;
	o->uid = (uid_t)hu;
	o->gid = (gid_t)hg;
	return 0;
}

/* Opens rel (a directory inside the root), creating what is missing 0755
 * and owned by o's ids. */
static int open_dir(int rootfd, char *rel, const struct owner *o)
{
	int fd, pfd, rc;
	const char *last;
	char *slash;

	fd = resolve(rootfd, rel, O_PATH | O_DIRECTORY, 0);
	if (fd != -ENOENT)
		return fd;
	slash = strrchr(rel, '/');
	if (slash) {
		*slash = '\0';
		pfd = open_dir(rootfd, rel, o);
		*slash = '/';
		last = slash + 1;
	} else {
		pfd = fcntl(rootfd, F_DUPFD_CLOEXEC, 0);
		if (pfd < 0)
			pfd = -errno;
		last = rel;
	}
	if (pfd < 0)
		return pfd;
	/* a plain name in a directory resolved inside the root: safe */
	bool created = mkdirat(pfd, last, 0755) == 0;
	rc = !created && errno != EEXIST ? -errno : 0;
	close(pfd);
	if (rc < 0)
		return rc;
	if (created) {
		/* the mode must not depend on the caller's umask */
		fd = resolve(rootfd, rel, O_RDONLY | O_DIRECTORY, 0);
		if (fd >= 0) {
			rc = fchmod(fd, 0755) < 0 ? -errno : 0;
			if (!rc && (o->uid != (uid_t)-1 || o->gid != (gid_t)-1) &&
			    fchown(fd, o->uid, o->gid) < 0)
				rc = -errno;
			close(fd);
			if (rc < 0)
				return rc;
		}
	}
	return resolve(rootfd, rel, O_PATH | O_DIRECTORY, 0);
}

int apo_root_open(const char *root, const char *path, int flags, mode_t mode)
{
	_cleanup_free_ char *rel = NULL;
	_cleanup_close_ int rootfd = -1;
	int rc;

	if (!root || !path)
		return -EINVAL;
	if ((rc = normalize(path, &rel)) < 0)
		return rc;
	rootfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		return -errno;
	return resolve(rootfd, rel, flags, mode);
}

/* uid, gid: the station's ids; (uid_t)-1 / (gid_t)-1: its root (owner_in) */
static int root_write(const char *root, const char *path, const void *data, size_t len, mode_t mode,
		      uid_t uid, gid_t gid)
{
	_cleanup_free_ char *rel = NULL;
	_cleanup_close_ int rootfd = -1, dfd = -1, fd = -1;
	char tmp[32], *name, *slash;
	struct owner o;
	int rc;

	if (!root || !path || (!data && len))
		return -EINVAL;
	if ((rc = normalize(path, &rel)) < 0)
		return rc;
	if ((rc = owner_in(root, (unsigned)uid, (unsigned)gid, &o)) < 0)
		return rc;
	rootfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		return -errno;

	slash = strrchr(rel, '/');
	if (slash) {
		*slash = '\0';
		name = slash + 1;
		dfd = open_dir(rootfd, rel, &o);
	} else {
		name = rel;
		dfd = resolve(rootfd, "", O_PATH | O_DIRECTORY, 0);
	}
	if (dfd < 0)
		return dfd;

	/* a fixed-length temporary name: the target's may be NAME_MAX long */
	for (int i = 0; i < 16 && fd < 0; i++) {
		uint64_t rnd = 0;
		if (getrandom(&rnd, sizeof(rnd), GRND_NONBLOCK) != sizeof(rnd))
			rnd = (uint64_t)getpid() << 20 ^ (uint64_t)i;
		snprintf(tmp, sizeof(tmp), ".apomon-%016llx", (unsigned long long)rnd);
		fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (fd < 0 && errno != EEXIST)
			return -errno;
	}
	if (fd < 0)
		return -EEXIST;

	/* no fsync: a station's root is rebuilt from its image and re-rendered
	 * at every start, so what matters is that no reader sees half a file,
	 * not that the file outlives a host crash */
	rc = apo_write_all(fd, data, len);
	/* owner first: chown clears set-id bits that the mode may ask for */
	if (rc == 0 && (o.uid != (uid_t)-1 || o.gid != (gid_t)-1) && fchown(fd, o.uid, o.gid) < 0)
		rc = -errno;
	if (rc == 0 && fchmod(fd, mode & 07777) < 0)
		rc = -errno;
	if (rc == 0) {
		rc = close(fd) < 0 ? -errno : 0;
		fd = -1;
	}
	/* rename replaces a symlink at name itself, never what it points to */
	if (rc == 0 && renameat(dfd, tmp, dfd, name) < 0)
		rc = -errno;
	if (rc < 0)
		unlinkat(dfd, tmp, 0);
	return rc;
}

int apo_root_write(const char *root, const char *path, const void *data, size_t len, mode_t mode)
{
	return root_write(root, path, data, len, mode, (uid_t)-1, (gid_t)-1);
}

/* NAME's id in the station's own /etc/passwd or /etc/group (read inside
 * its root: the image's users, not the host's), or a decimal id. */
static int station_id(const char *root, const char *db, const char *name, unsigned *id)
{
	unsigned long long v = 0;
	const char *p = name;
	char line[1024];
	FILE *f;
	int fd, rc = -ENOENT;

	if (!*name)
		return -EINVAL;
	for (; *p >= '0' && *p <= '9' && v < 0xffffffffULL; p++)
		v = v * 10 + (unsigned)(*p - '0');
	if (!*p) {
		if (v >= 0xffffffffULL)
			return -ERANGE;
		*id = (unsigned)v;
		return 0;
	}
	if ((fd = apo_root_open(root, db, O_RDONLY, 0)) < 0)
		return fd == -ENOENT ? -ENOENT : fd;
	if (!(f = fdopen(fd, "r"))) {
		close(fd);
		return -errno;
	}
	size_t len = strlen(name);
	while (rc == -ENOENT && fgets(line, sizeof(line), f)) {
		char *colon, *end;
		/* name:password:ID:... */
		if (strncmp(line, name, len) || line[len] != ':')
			continue;
		if (!(colon = strchr(line + len + 1, ':')))
			continue;
		unsigned long n = strtoul(colon + 1, &end, 10);
		if (end != colon + 1 && *end == ':' && n < 0xffffffffUL) {
			*id = (unsigned)n;
			rc = 0;
		}
	}
	fclose(f);
	return rc;
}

int apo_services_write_file_owned(const struct apomon_station *st, const char *path,
				  const void *data, size_t len, mode_t mode, const char *owner,
				  const char *group)
{
	unsigned uid = (unsigned)-1, gid = (unsigned)-1;
	int rc;

	if (!st || !st->root)
		return -ENOTCONN;
	if (owner && (rc = station_id(st->root, "/etc/passwd", owner, &uid)) < 0)
		return rc;
	if (group && (rc = station_id(st->root, "/etc/group", group, &gid)) < 0)
		return rc;
	return root_write(st->root, path, data, len, mode, (uid_t)uid, (gid_t)gid);
}

const char *apo_services_root(const struct apomon_station *st)
{
	return st ? st->root : NULL;
}

int apo_services_write_file(const struct apomon_station *st, const char *path, const void *data,
			    size_t len, mode_t mode)
{
	if (!st || !st->root)
		return -ENOTCONN;
	return apo_root_write(st->root, path, data, len, mode);
}
