/* SPDX-License-Identifier: MIT */
/* A station's host id range, its user namespace, idmapped layers: see userns.h. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pwd.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <linux/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <linux/capability.h>
#include <unistd.h>

#include "base/paths.h"
#include "base/util.h"
#include "runtime/userns.h"

#ifndef SYS_open_tree
#define SYS_open_tree 428
#endif
#ifndef SYS_mount_setattr
#define SYS_mount_setattr 442
#endif
#ifndef MOUNT_ATTR_IDMAP
#define MOUNT_ATTR_IDMAP 0x00100000
#endif

/* ---- the subordinate ranges of user apomon ---- */

struct subid {
	unsigned long start, count;
};

static const char *env_or(const char *var, const char *def)
{
	const char *v = getenv(var);
	return v && *v ? v : def;
}

/* The first range of user (or its uid, written as a number) in file. */
static int subid_range(const char *file, const char *user, struct subid *r)
{
	FILE *f = fopen(file, "re");
	struct passwd *pw = getpwnam(user);
	char line[256], uidstr[24] = "";
	size_t ul = strlen(user);
	int rc = -ENOENT;

	if (pw)
		snprintf(uidstr, sizeof(uidstr), "%u", (unsigned)pw->pw_uid);
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		size_t nl = strlen(uidstr);
		const char *rest = NULL;

		if (!strncmp(line, user, ul) && line[ul] == ':')
			rest = line + ul + 1;
		else if (nl && !strncmp(line, uidstr, nl) && line[nl] == ':')
			rest = line + nl + 1;
		if (rest && sscanf(rest, "%lu:%lu", &r->start, &r->count) == 2 && r->count) {
			rc = 0;
			break;
		}
	}
	fclose(f);
	return rc;
}

static int ranges(struct subid *u, struct subid *g, unsigned *slots, char **why)
{
	const char *fu = env_or("APOMON_SUBUID", "/etc/subuid");
	const char *fg = env_or("APOMON_SUBGID", "/etc/subgid");
	int rc;

	if ((rc = subid_range(fu, APO_IDMAP_USER, u)) < 0 ||
	    (rc = subid_range(fg, APO_IDMAP_USER, g)) < 0) {
		*why = apo_xasprintf("no subordinate ids for user %s in %s and %s (%s): run "
				     "tools/install-deps or `make install`, or set isolation = "
				     "\"host-root\"; in apomon.conf",
				     APO_IDMAP_USER, fu, fg, strerror(-rc));
		return rc == -ENOENT ? rc : -ENOENT;
	}
	*slots = (unsigned)((u->count < g->count ? u->count : g->count) / APO_IDMAP_SIZE);
	if (!*slots) {
		*why = apo_xasprintf("the subordinate ids of user %s hold less than %u ids",
				     APO_IDMAP_USER, APO_IDMAP_SIZE);
		return -ENOSPC;
	}
	return 0;
}

/* ---- the allocation table: /var/lib/apomon/ENV/idmap ---- */

struct entry {
	char name[128];
	unsigned slot;
};

static char *table_path(const char *env)
{
	return apo_env_lib_file(env, "idmap");
}

static int table_read(const char *path, struct entry **e, size_t *n)
{
	FILE *f = fopen(path, "re");
	struct entry x;
	size_t cap = 0;

	*e = NULL;
	*n = 0;
	if (!f)
		return errno == ENOENT || errno == ENOTDIR ? 0 : -errno;
	while (fscanf(f, "%127s %u", x.name, &x.slot) == 2)
		APO_PUSH(*e, *n, cap, x);
	fclose(f);
	return 0;
}

static int table_write(const char *env, const struct entry *e, size_t n)
{
	_cleanup_free_ char *dir = apo_env_lib_dir(env);
	_cleanup_free_ char *path = table_path(env);
	_cleanup_free_ char *tmp = apo_xasprintf("%s.tmp", path);
	FILE *f;
	int rc;

	if ((rc = apo_mkdir_p(dir, 0755)) < 0)
		return rc;
	if (!n)
		return unlink(path) < 0 && errno != ENOENT ? -errno : 0;
	f = fopen(tmp, "we");
	if (!f)
		return -errno;
	for (size_t i = 0; i < n; i++)
		fprintf(f, "%s %u\n", e[i].name, e[i].slot);
	/* no fsync: a range lost in a crash is given anew at the next start,
	 * and the shift (apo_idmap_shift) brings the writable layer along */
	if (fflush(f) != 0) {
		rc = -errno;
		fclose(f);
		unlink(tmp);
		return rc;
	}
	fclose(f);
	return rename(tmp, path) < 0 ? -errno : 0;
}

/* Held while the tables are read and written: two `up`s of different
 * environments allocate from the same ranges. */
static int lock_tables(void)
{
	_cleanup_free_ char *p = apo_xasprintf("%s/idmap.lock", apo_lib_dir());
	int fd, rc;

	if ((rc = apo_mkdir_p(apo_lib_dir(), 0755)) < 0)
		return rc;
	fd = open(p, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	while (flock(fd, LOCK_EX) < 0) {
		if (errno != EINTR) {
			rc = -errno;
			close(fd);
			return rc;
		}
	}
	return fd;
}

/* Marks every slot recorded by any environment. */
static int mark_used(uint8_t *used, unsigned slots)
{
	DIR *d = opendir(apo_lib_dir());
	struct dirent *de;

	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		_cleanup_free_ struct entry *e = NULL;
		_cleanup_free_ char *p = NULL;
		size_t n;

		if (de->d_name[0] == '.')
			continue;
		p = table_path(de->d_name);
		if (table_read(p, &e, &n) < 0)
			continue;
		for (size_t i = 0; i < n; i++)
			if (e[i].slot < slots)
				used[e[i].slot / 8] |= (uint8_t)(1u << (e[i].slot % 8));
	}
	closedir(d);
	return 0;
}

static void to_map(const struct subid *u, const struct subid *g, unsigned slot, struct apo_idmap *m)
{
	m->uid = (uid_t)(u->start + (unsigned long)slot * APO_IDMAP_SIZE);
	m->gid = (gid_t)(g->start + (unsigned long)slot * APO_IDMAP_SIZE);
}

int apo_idmap_acquire_many(const char *env, const char *const *names, size_t count,
			   struct apo_idmap *maps, char **why)
{
	_cleanup_free_ char *path = table_path(env);
	_cleanup_free_ struct entry *e = NULL;
	_cleanup_free_ uint8_t *used = NULL;
	_cleanup_close_ int lock = -1;
	struct subid u, g;
	unsigned slots, slot = 0;
	size_t n, cap, had;
	int rc;

	*why = NULL;
	if ((rc = ranges(&u, &g, &slots, why)) < 0)
		return rc;
	for (size_t k = 0; k < count; k++)
		if (strlen(names[k]) >= sizeof(e->name))
			return -ENAMETOOLONG;
	if ((lock = lock_tables()) < 0) {
		*why = apo_xasprintf("%s/idmap.lock: %s", apo_lib_dir(), strerror(-lock));
		return lock;
	}
	if ((rc = table_read(path, &e, &n)) < 0)
		goto io;
	had = cap = n;
	/* every environment's table once for the whole batch: one `up` of
	 * 500 stations used to read them all 500 times under the lock */
	for (size_t k = 0; k < count; k++) {
		size_t i;

		for (i = 0; i < n && strcmp(e[i].name, names[k]); i++)
			;
		if (i < n) {
			if (e[i].slot >= slots) {
				*why = apo_xasprintf(
				    "%s: its id range (slot %u) lies outside the subordinate "
				    "ids of user %s now: `down --purge` it",
				    names[k], e[i].slot, APO_IDMAP_USER);
				return -ERANGE;
			}
			to_map(&u, &g, e[i].slot, &maps[k]);
			continue;
		}
		if (!used) {
			used = apo_xcalloc(slots / 8 + 1, 1);
			if ((rc = mark_used(used, slots)) < 0)
				goto io;
		}
		for (; slot < slots && (used[slot / 8] & (1u << (slot % 8))); slot++)
			;
		if (slot == slots) {
			*why = apo_xasprintf("all %u id ranges of user %s are taken: `down "
					     "--purge` an environment, or give %s more "
					     "subordinate ids",
					     slots, APO_IDMAP_USER, APO_IDMAP_USER);
			return -ENOSPC;
		}
		used[slot / 8] |= (uint8_t)(1u << (slot % 8));
		struct entry x = {.slot = slot};
		snprintf(x.name, sizeof(x.name), "%s", names[k]);
		APO_PUSH(e, n, cap, x);
		to_map(&u, &g, slot, &maps[k]);
	}
	if (n != had && (rc = table_write(env, e, n)) < 0)
		goto io;
	return 0;
io:
	*why = apo_xasprintf("%s: %s", path, strerror(-rc));
	return rc;
}

int apo_idmap_acquire(const char *env, const char *name, struct apo_idmap *m, char **why)
{
	return apo_idmap_acquire_many(env, &name, 1, m, why);
}

int apo_idmap_lookup(const char *env, const char *name, struct apo_idmap *m)
{
	_cleanup_free_ char *path = table_path(env);
	_cleanup_free_ struct entry *e = NULL;
	_cleanup_free_ char *why = NULL;
	struct subid u, g;
	unsigned slots;
	size_t n;
	int rc;

	if ((rc = ranges(&u, &g, &slots, &why)) < 0)
		return rc;
	if ((rc = table_read(path, &e, &n)) < 0)
		return rc;
	for (size_t i = 0; i < n; i++) {
		if (!strcmp(e[i].name, name) && e[i].slot < slots) {
			to_map(&u, &g, e[i].slot, m);
			return 0;
		}
	}
	return -ENOENT;
}

int apo_idmap_release(const char *env, const char *name)
{
	_cleanup_free_ char *path = table_path(env);
	_cleanup_free_ struct entry *e = NULL;
	_cleanup_close_ int lock = -1;
	size_t n, k = 0;
	int rc;

	if (access(path, F_OK) < 0)
		return 0;
	if ((lock = lock_tables()) < 0)
		return lock;
	if ((rc = table_read(path, &e, &n)) < 0)
		return rc;
	for (size_t i = 0; i < n; i++)
		if (strcmp(e[i].name, name))
			e[k++] = e[i];
	return k == n ? 0 : table_write(env, e, k);
}

/* ---- the user namespace ---- */

/* The namespace lives while its first process does: long enough for the
 * parent to write the maps and open it; then the parent kills it (no
 * pipe: another thread's fork may hold a copy of any pipe end). */
static int hold(void *arg)
{
	(void)arg;
	for (;;)
		pause();
	return 0;
}

static int write_map(pid_t pid, const char *file, unsigned long base)
{
	char path[64], line[64];
	int fd, n, rc = 0;

	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, file);
	n = snprintf(line, sizeof(line), "0 %lu %u\n", base, APO_IDMAP_SIZE);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (write(fd, line, (size_t)n) != n)
		rc = -errno;
	close(fd);
	return rc;
}

int apo_userns_make(const struct apo_idmap *m)
{
	/* a tiny stack and a shared address space: no copy of ours (which
	 * may be large, and threaded); the child only blocks in pause() */
	enum { STACK = 16384 };
	_cleanup_free_ char *stack = apo_xmalloc(STACK);
	int fd = -1, rc = 0;
	char path[64];
	pid_t pid;

	pid = clone(hold, stack + STACK, CLONE_NEWUSER | CLONE_VM | SIGCHLD, NULL);
	if (pid < 0)
		return -errno;
	/* setgroups stays "allow": the maps are written by a privileged
	 * parent, and station services (postgres in ssl-cert) need groups */
	if ((rc = write_map(pid, "uid_map", m->uid)) == 0 &&
	    (rc = write_map(pid, "gid_map", m->gid)) == 0) {
		snprintf(path, sizeof(path), "/proc/%d/ns/user", (int)pid);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			rc = -errno;
	}
	kill(pid, SIGKILL);
	while (waitpid(pid, NULL, __WALL) < 0 && errno == EINTR)
		;
	return rc < 0 ? rc : fd;
}

int apo_userns_give_fd(int fd, pid_t pid)
{
	char path[32];
	struct stat st;

	snprintf(path, sizeof(path), "/proc/%d", (int)pid);
	if (stat(path, &st) < 0)
		return -1;
	return fchown(fd, st.st_uid, st.st_gid);
}

bool apo_userns_other(pid_t pid)
{
	char path[64];
	struct stat a, b;

	snprintf(path, sizeof(path), "/proc/%d/ns/user", (int)pid);
	if (stat(path, &a) < 0 || stat("/proc/self/ns/user", &b) < 0)
		return false;
	return a.st_ino != b.st_ino || a.st_dev != b.st_dev;
}

int apo_idmap_tree(const char *dir, int userns_fd)
{
	struct mount_attr attr = {.attr_set = MOUNT_ATTR_IDMAP, .userns_fd = (uint64_t)userns_fd};
	int fd, rc;

	fd = (int)syscall(SYS_open_tree, AT_FDCWD, dir,
			  OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE);
	if (fd < 0)
		return -errno;
	if (syscall(SYS_mount_setattr, fd, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof(attr)) <
	    0) {
		rc = -errno;
		close(fd);
		return rc;
	}
	return fd;
}

/* ---- bringing the writable layer into the range ---- */

struct shift {
	const struct apo_idmap *m;
	char path[PATH_MAX]; /* the root's path, then the file's */
	size_t root_len;
	dev_t dev;
};

static unsigned long into(unsigned long id, unsigned long base)
{
	if (id >= base && id < base + APO_IDMAP_SIZE)
		return id;
	return base + id % APO_IDMAP_SIZE;
}

/* The capability xattr as the station's: v3 with its root as rootid, so
 * that it counts inside the station's namespace (a v2 one counts only
 * where host root is mapped). */
static void caps_as_station(const char *upper_file, const char *root_file, uid_t root)
{
	struct vfs_ns_cap_data c = {0};
	ssize_t n = lgetxattr(upper_file, "security.capability", &c, sizeof(c));

	if (n < (ssize_t)XATTR_CAPS_SZ_2)
		return;
	c.magic_etc = (c.magic_etc & VFS_CAP_FLAGS_EFFECTIVE) | VFS_CAP_REVISION_3;
	c.rootid = root;
	lsetxattr(root_file, "security.capability", &c, XATTR_CAPS_SZ_3, 0);
}

static int shift_one(struct shift *s, int dfd, const char *name, const char *rel,
		     const struct stat *st)
{
	uid_t u = (uid_t)into(st->st_uid, s->m->uid);
	gid_t g = (gid_t)into(st->st_gid, s->m->gid);
	bool caps = false;
	char upper_file[PATH_MAX];

	(void)dfd;
	(void)name;
	if (u == st->st_uid && g == st->st_gid)
		return 0;
	/* a whiteout: not a file of the root, the overlay's own mark */
	if (S_ISCHR(st->st_mode) && st->st_rdev == 0)
		return 0;
	if (s->root_len + strlen(rel) + 2 > sizeof(s->path))
		return -ENAMETOOLONG;
	s->path[s->root_len] = '\0';
	if (*rel) {
		strcat(s->path, "/");
		strcat(s->path, rel);
	}
	if (S_ISREG(st->st_mode)) {
		snprintf(upper_file, sizeof(upper_file), "/proc/self/fd/%d/%s", dfd, name);
		caps = lgetxattr(upper_file, "security.capability", NULL, 0) > 0;
	}
	if (lchown(s->path, u, g) < 0)
		return errno == ENOENT ? 0 : -errno;
	/* chown drops set-id bits and file capabilities: put them back */
	if (S_ISREG(st->st_mode) && (st->st_mode & (S_ISUID | S_ISGID)) &&
	    chmod(s->path, st->st_mode & 07777) < 0)
		return -errno;
	if (caps)
		caps_as_station(upper_file, s->path, u);
	return 0;
}

static int walk(struct shift *s, int dfd, char *rel, size_t rel_len, int depth)
{
	DIR *d;
	struct dirent *de;
	int rc = 0;

	if (depth > 256)
		return -ELOOP;
	d = fdopendir(dfd);
	if (!d) {
		rc = -errno;
		close(dfd);
		return rc;
	}
	while (!rc && (de = readdir(d))) {
		struct stat st;
		size_t nl = strlen(de->d_name);

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			continue;
		if (rel_len + nl + 2 > PATH_MAX) {
			rc = -ENAMETOOLONG;
			break;
		}
		if (rel_len)
			rel[rel_len] = '/';
		memcpy(rel + rel_len + (rel_len ? 1 : 0), de->d_name, nl + 1);
		rc = shift_one(s, dirfd(d), de->d_name, rel, &st);
		if (!rc && S_ISDIR(st.st_mode) && st.st_dev == s->dev) {
			int sub = openat(dirfd(d), de->d_name,
					 O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (sub >= 0)
				rc = walk(s, sub, rel, rel_len + nl + (rel_len ? 1 : 0), depth + 1);
		}
		rel[rel_len] = '\0';
	}
	closedir(d);
	return rc;
}

int apo_idmap_shift(const char *upper, const char *root, const struct apo_idmap *m)
{
	struct shift *s = apo_xcalloc(1, sizeof(*s));
	char *rel = apo_xcalloc(1, PATH_MAX);
	struct stat st;
	int fd, rc;

	s->m = m;
	s->root_len = strlen(root);
	if (s->root_len + 1 >= sizeof(s->path)) {
		rc = -ENAMETOOLONG;
		goto out;
	}
	memcpy(s->path, root, s->root_len + 1);
	fd = open(upper, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0) {
		rc = -errno;
		if (fd >= 0)
			close(fd);
		goto out;
	}
	s->dev = st.st_dev;
	/* the root directory itself: the overlay's "/" is the upper's */
	if ((rc = shift_one(s, fd, ".", "", &st)) < 0) {
		close(fd);
		goto out;
	}
	rc = walk(s, fd, rel, 0, 0);
out:
	free(rel);
	free(s);
	return rc;
}
