/* SPDX-License-Identifier: MIT */
/*
 * What holds a station in, besides its namespaces: a seccomp filter
 * (seccomp.c), a masked /proc and /sys (mask.c), a capability set
 * (caps.c).  The filter is built in the launcher, before the clone; the
 * child only loads it (no allocation between clone and exec).
 */
#ifndef APO_CONFINE_H
#define APO_CONFINE_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/filter.h>

/* A compiled filter, ready for seccomp(SECCOMP_SET_MODE_FILTER). */
struct apo_bpf {
	struct sock_filter *insns;
	unsigned short len; /* 0: no filter (weakened on purpose, for tests) */
};

/*
 * Builds the default deny-list filter (refused calls fail with EPERM;
 * clone3 with ENOSYS so that the C library falls back to clone, whose
 * flags a filter can see), minus the syscalls named in allow (a station
 * type's own exceptions; NULL-terminated, may be NULL; an unknown name is
 * -EINVAL).  Caches by allow list: call freely, never free the result.
 */
int apo_seccomp_filter(const char *const *allow, const struct apo_bpf **out);
/* Loads f into the calling thread; async-signal-safe, allocates nothing.
 * Call with CAP_SYS_ADMIN still held (no no_new_privs, so setuid
 * programs inside a station keep working), or after PR_SET_NO_NEW_PRIVS. */
int apo_seccomp_load(const struct apo_bpf *f);
/* The syscalls the default filter refuses outright, NULL-terminated (docs, tests). */
extern const char *const apo_seccomp_denied[];

/* Read-only and masked paths of /proc and /sys like runc's, under root
 * (the station's root seen from the child, before pivot_root), after its
 * /dev is made (masked files get a bind of root's /dev/null).
 * Allocates nothing.  first_dir (APO_CHILD_PATH_MAX bytes, the caller's:
 * the child shares its launcher's memory, so nothing here is static) is
 * the first masked directory, which apo_mask_sys binds again.  0 or -1
 * with errno. */
int apo_mask_proc(const char *root, char *first_dir);
int apo_mask_sys(const char *root, char *first_dir);

/*
 * APOMON_TEST_WEAKEN: a comma-separated list of defences the launcher
 * leaves out, so that the escape tests can show each of their checks
 * catches the escape it looks for.  Test-only: never set it elsewhere.
 * Words: seccomp, caps, mask, fds, paths, stdio, userns (the station
 * runs as host root, as with isolation "host-root"), stop (stations are
 * killed with SIGKILL, not asked to shut down), root (the station's
 * root is a chroot in a copy of the host's mount tree: the chroot escape
 * leaves it).
 */
bool apo_test_weakened(const char *what);

#endif
