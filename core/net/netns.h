/* SPDX-License-Identifier: MIT */
/*
 * Named network namespaces, iproute2-compatible: a station's namespace is
 * a bind mount of an nsfs file at /run/netns/NAME, so that
 * `ip netns exec NAME ...` works.  The calling process never changes its
 * own namespace: creation and entering happen in threads (unshare/setns
 * act on the calling thread only), never in the main thread.
 */
#ifndef APO_NETNS_H
#define APO_NETNS_H

#include <stdbool.h>

/* The directory of named namespaces; $APOMON_NETNS_DIR for tests. */
const char *apo_netns_dir(void);

/* Creates the directory and makes it a shared mount point, as iproute2
 * does, so that a namespace bound there is visible in every mount
 * namespace.  Idempotent.  0 or negative errno. */
int apo_netns_prepare(void);

/*
 * For a worker thread (never the main thread): moves the CALLING THREAD
 * into a new network namespace and binds it at DIR/NAME.  A name already
 * present is -EEXIST (nothing is touched).  On any error the thread may
 * be left in the new (then unnamed, and freed with the thread) namespace.
 */
int apo_netns_create_here(const char *name);

/* Same, from any thread: a short-lived helper thread does the work. */
int apo_netns_create(const char *name);

/* Opens DIR/NAME (O_RDONLY|O_CLOEXEC); negative errno. */
int apo_netns_open(const char *name);
bool apo_netns_exists(const char *name);

/* Unmounts (MNT_DETACH) and unlinks DIR/NAME; -ENOENT when absent.  The
 * kernel frees the namespace, and every link inside it, once its last
 * user is gone. */
int apo_netns_delete(const char *name);

/* Moves the calling thread (not the main thread) into nsfd. */
int apo_netns_enter_here(int nsfd);

/* Runs fn(arg) in a helper thread that entered nsfd; returns fn's value,
 * or a negative errno when the thread could not be started or enter. */
int apo_netns_run(int nsfd, int (*fn)(void *arg), void *arg);

/* A socket created inside nsfd (sockets stay in the namespace they were
 * created in, whichever thread later uses them).  O_CLOEXEC is added. */
int apo_netns_socket(int nsfd, int domain, int type, int protocol);

#endif
