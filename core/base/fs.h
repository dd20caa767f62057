/* SPDX-License-Identifier: MIT */
/*
 * Removing trees that apomon owns without ever leaving them: every step
 * is relative to an open directory (openat/unlinkat), no symlink is
 * followed (O_NOFOLLOW), and a mount point inside the tree is refused
 * rather than entered, so a planted link or a bind mount cannot turn a
 * purge into the removal of someone else's files.
 */
#ifndef APO_FS_H
#define APO_FS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* true for one path component apomon may create or remove: not empty,
 * not "." or "..", no '/'. */
bool apo_fs_component_ok(const char *name);

/*
 * Removes NAME (one component) in the directory DIRFD and everything
 * below it.  A symlink is removed, never followed; a mount point below
 * is left alone and reported as -EBUSY.  Goes on past failures and
 * returns 0 (also when NAME does not exist) or the first failure.
 */
int apo_rmtree_at(int dirfd, const char *name);

/*
 * Removes TOP/REL: TOP is opened as given (apomon's own directory), each
 * component of REL is opened O_NOFOLLOW|O_DIRECTORY relative to the one
 * before, and REL must not contain "", "." or "..": -EINVAL.  A symlink
 * anywhere in REL is -ELOOP/-ENOTDIR and nothing is removed.
 */
int apo_rmtree_below(const char *top, const char *rel);

/* Removes PATH: its parent is opened as given, the last component goes
 * through apo_rmtree_at. */
int apo_rmtree(const char *path);

/* Everything FD has left to read, in *OUT (malloc'd, NUL-terminated so
 * that text can be used as a string; its length in *LEN when LEN is not
 * NULL).  EINTR is retried.  0, -EFBIG once more than MAX bytes came
 * (nothing is returned then), or another negative errno. */
int apo_read_fd(int fd, size_t max, char **out, size_t *len);

/* The same for PATH, opened O_RDONLY|O_CLOEXEC|O_NOCTTY. */
int apo_read_file(const char *path, size_t max, char **out, size_t *len);

/* The first SIZE - 1 bytes of PATH at most, in BUF, NUL-terminated: a
 * small file's head without an allocation.  One read(2) (EINTR retried),
 * so that a /proc file comes as one snapshot.  Their length, or a
 * negative errno (-ENOENT: no such file). */
ssize_t apo_read_head(const char *path, char *buf, size_t size);

/* All LEN bytes to FD: a short write goes on, EINTR is retried.  0 or
 * negative errno. */
int apo_write_all(int fd, const void *data, size_t len);

/* PATH created or truncated, exactly MODE (whatever the umask), holding
 * DATA.  A symlink at PATH is refused (O_NOFOLLOW).  0 or negative errno. */
int apo_write_file(const char *path, const void *data, size_t len, mode_t mode);

/* The same through PATH.tmp.PID and a rename, so that a reader (or the
 * next run after a crash) never finds half of it; DURABLE: fsync before
 * the rename.  Nothing is left at the temporary name on failure. */
int apo_write_file_atomic(const char *path, const void *data, size_t len, mode_t mode,
			  bool durable);

#endif
