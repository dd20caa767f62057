/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>

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
		int e = pthread_create(&t[i], NULL, worker, &r);
		if (e) {
			int zero = 0;
			atomic_compare_exchange_strong(&r.err, &zero, -e);
			break;
		}
		started++;
	}
	for (size_t i = 0; i < started; i++)
		pthread_join(t[i], NULL);
	free(t);
	return atomic_load(&r.err);
}
