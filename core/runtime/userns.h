/* SPDX-License-Identifier: MIT */
/*
 * User namespaces for stations: each station's root is a range of 65536
 * host ids of its own (an "idmap"), taken from the subordinate ids of the
 * system user `apomon` (/etc/subuid, /etc/subgid) without overlap across
 * every environment of the host.
 *
 *   allocations  /var/lib/apomon/ENV/idmap    "NAME SLOT" lines
 *   lock         /var/lib/apomon/idmap.lock   (flock, held while allocating)
 *
 * Slot s of the station is host uid SUBUID_START + s * 65536 (gid the
 * same from /etc/subgid).  The allocation outlives down/up (the writable
 * layer is owned by those ids) and is freed by `down --purge`.
 *
 * Image layers are never chowned: each is mounted through an idmapped
 * mount (open_tree + mount_setattr(MOUNT_ATTR_IDMAP)) under the overlay.
 */
#ifndef APO_USERNS_H
#define APO_USERNS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define APO_IDMAP_SIZE 65536u
#define APO_IDMAP_USER "apomon"

/* The host ids that a station's uid 0 and gid 0 are. */
struct apo_idmap {
	uid_t uid;
	gid_t gid;
};

/*
 * The station's range: its recorded one, else the lowest free slot
 * (recorded before returning).  -ENOENT when user apomon has no
 * subordinate ids, -ENOSPC when every slot is taken; *why (caller frees)
 * says what to do.
 */
int apo_idmap_acquire(const char *env, const char *name, struct apo_idmap *m, char **why);
/* The same for count stations at once (maps[k] is names[k]'s), the
 * tables read and written once under the lock: what `up` does for a level. */
int apo_idmap_acquire_many(const char *env, const char *const *names, size_t count,
			   struct apo_idmap *maps, char **why);
/* The recorded range; -ENOENT when there is none. */
int apo_idmap_lookup(const char *env, const char *name, struct apo_idmap *m);
/* Forgets the station's range (its writable layer is gone). */
int apo_idmap_release(const char *env, const char *name);

/* A new user namespace mapping 0-65535 onto m: an fd of it, or -errno. */
int apo_userns_make(const struct apo_idmap *m);

/* A detached clone of the tree at dir whose ids read through userns_fd's
 * mapping (host 0 shows as m->uid): an fd, or -errno. */
int apo_idmap_tree(const char *dir, int userns_fd);

/*
 * Brings every file of the writable layer upper into the range: a uid or
 * gid outside [m, m + 65536) becomes m + (id % 65536).  That is what the
 * host wrote into the root (rendered configs, hosts, keys: as host root,
 * or as image ids) and, once, a layer from before user namespaces.  The
 * change goes through the mounted root (so that the overlay sees it),
 * keeps set-id bits, and keeps file capabilities (as the station's).
 * The station must not run.  With m = {0, 0} and root = upper, the
 * other way: a committed layer's ids back to the image's 0-65535.
 * 0 or -errno.
 */
int apo_idmap_shift(const char *upper, const char *root, const struct apo_idmap *m);

/* Makes the pipe fd the station root's (the owner of /proc/PID of the
 * station's init pid): processes inside can reopen it through
 * /proc/self/fd.  0, or -1 with errno. */
int apo_userns_give_fd(int fd, pid_t pid);

/* True when pid runs in a user namespace other than ours. */
bool apo_userns_other(pid_t pid);

#endif
