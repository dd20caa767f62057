/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <unistd.h>

#include "base/util.h"
#include "base/workers.h"

struct run {
	struct apo_work *w;
	atomic_size_t next;
	atomic_int err;
};

static void *worker(void *arg)
{
	struct run *r = arg;
	struct apo_work *w = r->w;
	void *state = NULL;
	int e;

	if (w->init && (e = w->init(w->ctx, &state)) < 0) {
		int zero = 0;
		atomic_compare_exchange_strong(&r->err, &zero, e);
		return NULL;
	}
	while (atomic_load(&r->err) == 0) {
		size_t i = atomic_fetch_add(&r->next, 1);
		if (i >= w->n)
			break;
		if (w->taken)
			w->taken[i] = true;
		e = w->item(w->ctx, i, state);
		if (e < 0) {
			int zero = 0;
			atomic_compare_exchange_strong(&r->err, &zero, e);
		}
	}
	if (w->fini)
		w->fini(w->ctx, state);
	return NULL;
}

/* the pool on the calling thread, one item at a time; items may move
 * their thread into another network namespace (mount namespaces change
 * only in child processes) */
static int run_here(struct run *r)
{
	struct apo_work *w = r->w;
	void *state = NULL;
	int e = 0;
	int net = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);

	if (net < 0)
		return -errno;
	if (w->init && (e = w->init(w->ctx, &state)) < 0)
		goto out;
	while (atomic_load(&r->err) == 0) {
		size_t i = atomic_fetch_add(&r->next, 1);
		if (i >= w->n)
			break;
		if (w->taken)
			w->taken[i] = true;
		int ie = w->item(w->ctx, i, state);
		if (ie < 0) {
			int zero = 0;
			atomic_compare_exchange_strong(&r->err, &zero, ie);
		}
		if (setns(net, CLONE_NEWNET) < 0) {
			e = -errno;
			break; /* never go on from inside a station's namespace */
		}
	}
	if (w->fini)
		w->fini(w->ctx, state);
	if (!e && setns(net, CLONE_NEWNET) < 0)
		e = -errno;
out:
	close(net);
	return e;
}

unsigned apo_workers_default(void)
{
	const char *s = getenv("APOMON_THREADS");
	int n = s ? atoi(s) : 0;
	return n > 0 && n <= 64 ? (unsigned)n : 4;
}

int apo_workers_run(unsigned threads, struct apo_work *w)
{
	struct run r = {.w = w};
	pthread_t *t;
	size_t started = 0;

	if (!threads)
		threads = apo_workers_default();
	if (threads > w->n)
		threads = w->n ? (unsigned)w->n : 1;
	atomic_init(&r.next, 0);
	atomic_init(&r.err, 0);
	t = apo_xcalloc(threads, sizeof(*t));
	/* unshare/setns in a worker must never touch the main thread, so
	 * even one worker is a thread of its own */
	for (unsigned i = 0; i < threads; i++) {
		if (pthread_create(&t[i], NULL, worker, &r))
			break; /* EAGAIN: pids.max, RLIMIT_NPROC, no memory for a stack */
		started++;
	}
	/* Fewer threads than asked: the started ones share the items.  None
	 * at all: this thread works through them, so that `down` and a
	 * rollback still remove everything.  An item may move its thread
	 * into a namespace (unshare/setns), so this thread goes back to its
	 * own after each one; when that cannot be guaranteed nothing runs. */
	if (!started) {
		int e = run_here(&r);
		if (e < 0) {
			int zero = 0;
			atomic_compare_exchange_strong(&r.err, &zero, e);
		}
	}
	for (size_t i = 0; i < started; i++)
		pthread_join(t[i], NULL);
	free(t);
	return atomic_load(&r.err);
}
