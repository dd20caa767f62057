/* SPDX-License-Identifier: MIT */
/*
 * A few threads working through n independent items.  Kernel work on
 * network namespaces is per thread (unshare/setns), so each worker has
 * its own state (a netlink socket, the namespace it sits in), set up by
 * init and torn down by fini in that same thread.
 */
#ifndef APO_WORKERS_H
#define APO_WORKERS_H

#include <stdbool.h>
#include <stddef.h>

struct apo_work {
	size_t n;
	void *ctx;
	/* optional; a failure stops the run before any item */
	int (*init)(void *ctx, void **state);
	/* 0 or negative errno; the first failure stops the others from
	 * taking new items (items already running finish) */
	int (*item)(void *ctx, size_t i, void *state);
	void (*fini)(void *ctx, void *state);
	/* optional, n entries: set for each item that was taken */
	bool *taken;
};

/* Runs the work on up to `threads` threads (0: the default, see
 * apo_workers_run).  When no thread can be started at all (pids.max,
 * RLIMIT_NPROC, no memory), the calling thread does the work itself,
 * back in its own network namespace after each item.
 * Returns 0 or the first failure. */
int apo_workers_run(unsigned threads, struct apo_work *w);

/* $APOMON_THREADS, else 4. */
unsigned apo_workers_default(void);

#endif
