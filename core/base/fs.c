/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/fs.h"
#include "base/util.h"

#ifndef STATX_ATTR_MOUNT_ROOT
#define STATX_ATTR_MOUNT_ROOT 0x00002000
#endif

bool apo_fs_component_ok(const char *name)
{
	return name && *name && strcmp(name, ".") && strcmp(name, "..") && !strchr(name, '/');
}

static void keep_first(int *first, int r)
{
	if (r < 0 && !*first)
		*first = r;
}

/* a directory entry that is the root of another mount, even a bind mount
 * of the same file system (same st_dev) */
static bool is_mount_root(int dirfd, const char *name, dev_t dev, const struct stat *st)
{
	struct statx sx;

	if (st->st_dev != dev)
		return true;
	if (statx(dirfd, name, AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT, 0, &sx) == 0 &&
	    (sx.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT))
		return (sx.stx_attributes & STATX_ATTR_MOUNT_ROOT) != 0;
	return false;
}

static int rm_contents(int fd, dev_t dev);

static int rm_entry(int dirfd, const char *name, dev_t dev)
{
	struct stat st;
	int first = 0;

	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? 0 : -errno;
	if (!S_ISDIR(st.st_mode))
		return unlinkat(dirfd, name, 0) < 0 && errno != ENOENT ? -errno : 0;
	if (is_mount_root(dirfd, name, dev, &st))
		return -EBUSY;
	int fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? 0 : -errno;
	struct stat now;
	/* the entry changed between the lstat and the open: not ours to follow */
	if (fstat(fd, &now) < 0 || now.st_dev != st.st_dev || now.st_ino != st.st_ino) {
		close(fd);
		return -ESTALE;
	}
	keep_first(&first, rm_contents(fd, dev));
	close(fd);
	if (unlinkat(dirfd, name, AT_REMOVEDIR) < 0 && errno != ENOENT)
		keep_first(&first, -errno);
	return first;
}

static int rm_contents(int fd, dev_t dev)
{
	int first = 0;
	int dfd = fcntl(fd, F_DUPFD_CLOEXEC, 3);
	if (dfd < 0)
		return -errno;
	DIR *d = fdopendir(dfd);
	if (!d) {
		close(dfd);
		return -errno;
	}
	struct dirent *de;
	/* entries are removed while the stream reads on: rewind once more at
	 * the end so that nothing the first pass missed stays */
	for (int pass = 0; pass < 2; pass++) {
		bool any = false;
		/* errno is cleared before each readdir: rm_entry may leave an
		 * ENOENT it tolerated (an entry someone else removed meanwhile,
		 * a logger's record), which must not read as readdir's error */
		for (;;) {
			errno = 0;
			if (!(de = readdir(d)))
				break;
			if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
				continue;
			any = true;
			keep_first(&first, rm_entry(fd, de->d_name, dev));
		}
		if (errno)
			keep_first(&first, -errno);
		if (!any || first)
			break;
		rewinddir(d);
	}
	closedir(d);
	return first;
}

int apo_rmtree_at(int dirfd, const char *name)
{
	struct stat st;

	if (!apo_fs_component_ok(name))
		return -EINVAL;
	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? 0 : -errno;
	/* the tree's own device: a different one below is a mount point */
	return rm_entry(dirfd, name, st.st_dev);
}

int apo_rmtree_below(const char *top, const char *rel)
{
	_cleanup_free_ char *copy = apo_xstrdup(rel);
	char *save = NULL, *comp, *next;
	int r;

	if (!*rel || rel[0] == '/' || rel[strlen(rel) - 1] == '/' || strstr(rel, "//"))
		return -EINVAL;
	int fd = open(top, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? 0 : -errno;
	comp = strtok_r(copy, "/", &save);
	while (comp && (next = strtok_r(NULL, "/", &save))) {
		if (!apo_fs_component_ok(comp)) {
			close(fd);
			return -EINVAL;
		}
		int sub = openat(fd, comp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		r = -errno;
		close(fd);
		if (sub < 0)
			return r == -ENOENT ? 0 : r;
		fd = sub;
		comp = next;
	}
	r = apo_rmtree_at(fd, comp);
	close(fd);
	return r;
}

int apo_rmtree(const char *path)
{
	_cleanup_free_ char *dir = apo_xstrdup(path);
	size_t len = strlen(dir);

	while (len > 1 && dir[len - 1] == '/')
		dir[--len] = '\0';
	char *slash = strrchr(dir, '/');
	const char *name = slash ? slash + 1 : dir;
	const char *parent = slash ? (slash == dir ? "/" : dir) : ".";
	if (slash && slash != dir)
		*slash = '\0';
	int fd = open(parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? 0 : -errno;
	int r = apo_rmtree_at(fd, name);
	close(fd);
	return r;
}

int apo_read_fd(int fd, size_t max, char **out, size_t *len)
{
	struct stat st;
	/* a regular file's size is the first guess; pipes start small */
	size_t cap = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0 &&
			     (unsigned long long)st.st_size <= max
			 ? (size_t)st.st_size + 1
			 : 4096;
	size_t n = 0;
	char *buf = apo_xmalloc(cap);

	*out = NULL;
	for (;;) {
		if (n + 1 == cap) {
			if (n > max || cap > SIZE_MAX / 2) {
				free(buf);
				return -EFBIG;
			}
			cap *= 2;
			buf = apo_xreallocarray(buf, cap, 1);
		}
		ssize_t r = read(fd, buf + n, cap - 1 - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int e = errno;
			free(buf);
			return -e;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	if (n > max) {
		free(buf);
		return -EFBIG;
	}
	buf[n] = '\0';
	*out = buf;
	if (len)
		*len = n;
	return 0;
}

int apo_read_file(const char *path, size_t max, char **out, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);

	*out = NULL;
	if (fd < 0)
		return -errno;
	int rc = apo_read_fd(fd, max, out, len);
	close(fd);
	return rc;
}

ssize_t apo_read_head(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	ssize_t n;

	if (fd < 0)
		return -errno;
	do
		n = read(fd, buf, size - 1);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		n = -errno;
	else
		buf[n] = '\0';
	close(fd);
	return n;
}

int apo_write_all(int fd, const void *data, size_t len)
{
	const char *p = data;

	while (len) {
		ssize_t n = write(fd, p, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static int write_fd(const char *path, const void *data, size_t len, mode_t mode, bool durable)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, mode);
	int rc;

	if (fd < 0)
		return -errno;
	rc = apo_write_all(fd, data, len);
	if (rc == 0 && fchmod(fd, mode) < 0)
		rc = -errno;
	if (rc == 0 && durable && fsync(fd) < 0)
		rc = -errno;
	if (close(fd) < 0 && rc == 0)
		rc = -errno;
	return rc;
}

int apo_write_file(const char *path, const void *data, size_t len, mode_t mode)
{
	return write_fd(path, data, len, mode, false);
}

int apo_write_file_atomic(const char *path, const void *data, size_t len, mode_t mode, bool durable)
{
	_cleanup_free_ char *tmp = apo_xasprintf("%s.tmp.%d", path, (int)getpid());
	int rc = write_fd(tmp, data, len, mode, durable);

	if (rc == 0 && rename(tmp, path) < 0)
		rc = -errno;
	if (rc < 0)
		unlink(tmp);
	return rc;
}
