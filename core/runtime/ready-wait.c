/* SPDX-License-Identifier: MIT */
/*
 * Step 7 of a level's start: its stations' startup checks, until every
 * one passed, one failed, its deadline passed or `up` was interrupted.
 *
 * The checks of a level run on a few threads, each going round its own
 * share of the stations, not round robin on one: a check is a real
 * protocol exchange (an HTTP GET answered by a JVM still compiling, a
 * psql run inside the station, an IMAP login) and may take a good part of
 * a second; on one thread every other station's check waited behind it,
 * so a station ready meanwhile was seen ready that much later.  A thread
 * a station up to READY_THREADS; beyond that, each thread takes every
 * READY_THREADS-th station (a level of 1000 `base` stations: their check
 * is a look at /proc, cheap).
 */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/time.h"
#include "base/util.h"
#include "plugin/services.h"
#include "runtime/ready-wait.h"
#include "runtime/runtime.h"
#include "runtime/station.h"

/* the checks' threads at most; a check mostly waits on a socket or a
 * child, so more threads than cores is the point */
#define READY_THREADS 16
/* the pause between two rounds of a thread's real probes */
#define READY_PAUSE_MS	 20
#define READY_TIMEOUT_MS 60000

struct ready_wait {
	const struct apo_plan *p;
	struct apo_services_ctx *hc;
	const struct apo_runtime_opts *o;
	const size_t *idx;
	size_t n, n_threads;
	double *deadline;
	atomic_bool stop; /* a check failed or `up` was interrupted */
	pthread_mutex_t mutex;
	int rc;	   /* the first failure; under mutex */
	char *err; /* its message; under mutex */
};

static void fail(struct ready_wait *w, int rc, char *err)
{
	pthread_mutex_lock(&w->mutex);
	if (!w->rc) {
		w->rc = rc;
		w->err = err;
		err = NULL;
	}
	pthread_mutex_unlock(&w->mutex);
	atomic_store(&w->stop, true);
	free(err);
}

/* Station i's check once: 1 ready, 0 not yet, negative errno with *err. */
static int check_one(struct ready_wait *w, size_t i, char **err)
{
	const struct apo_station *s = w->p->stations[w->idx[i]].station;
	const struct apomon_station_type *t = s->type;
	struct apo_station_info in;

	apo_station_info(w->p->env, s->name, &in);
	if (in.state != APO_STATION_STARTING && in.state != APO_STATION_READY) {
		_cleanup_free_ char *tail = apo_runtime_log_tail(w->p->env, s->name, 10);
		_cleanup_free_ char *how = apo_station_end_text(&in);
		*err = apo_xasprintf("%s: %s; the end of its log:\n%s", s->fqdn, how, tail);
		return -ECHILD;
	}
	if (!t->ready)
		return in.entry_idle ? 1 : 0;
	int r = t->ready(&apo_services, apo_services_handle(w->hc, s));
	if (r == 0)
		return 1;
	if (r != -EAGAIN) {
		_cleanup_free_ char *tail = apo_runtime_log_tail(w->p->env, s->name, 10);
		*err = apo_xasprintf("%s: ready: %s; the end of its log:\n%s", s->fqdn,
				     strerror(-r), tail);
		return r;
	}
	return 0;
}

/* One thread: stations first, first + n_threads, ... round robin. */
static void wait_share(struct ready_wait *w, size_t first)
{
	size_t left = 0;
	bool *done = apo_xcalloc(w->n / w->n_threads + 1, sizeof(*done));

	for (size_t i = first; i < w->n; i += w->n_threads)
		left++;
	while (left && !atomic_load(&w->stop)) {
		for (size_t i = first, k = 0; i < w->n && !atomic_load(&w->stop);
		     i += w->n_threads, k++) {
			const struct apo_station *s = w->p->stations[w->idx[i]].station;
			const struct apomon_station_type *t = s->type;
			char *err = NULL;
			int r;

			if (done[k])
				continue;
			if ((r = check_one(w, i, &err)) < 0) {
				fail(w, r, err);
				break;
			}
			if (r > 0) {
				apo_station_mark_ready(w->p->env, s->name);
				done[k] = true;
				left--;
				if (w->o->progress)
					fprintf(w->o->progress, "%s: ready\n", s->fqdn);
				if (w->o->on_ready)
					w->o->on_ready(w->o->ctx, s->name);
				continue;
			}
			if (apo_now_ms() > w->deadline[i]) {
				_cleanup_free_ char *tail =
				    apo_runtime_log_tail(w->p->env, s->name, 10);
				fail(w, -ETIMEDOUT,
				     apo_xasprintf("%s: ready: not ready after %u ms; the end of "
						   "its log:\n%s",
						   s->fqdn,
						   t->ready_timeout_ms ? t->ready_timeout_ms
								       : READY_TIMEOUT_MS,
						   tail));
				break;
			}
		}
		if (!left || atomic_load(&w->stop))
			break;
		if (w->o->interrupted && *w->o->interrupted) {
			fail(w, -EINTR, apo_xstrdup("stations: interrupted"));
			break;
		}
		poll(NULL, 0, READY_PAUSE_MS);
	}
	free(done);
}

struct share {
	struct ready_wait *w;
	size_t first;
};

static void *share_thread(void *arg)
{
	struct share *sh = arg;
	wait_share(sh->w, sh->first);
	return NULL;
}

int apo_runtime_wait_ready(const struct apo_plan *p, struct apo_services_ctx *hc,
			   const struct apo_runtime_opts *o, const size_t *idx, size_t n,
			   char **err)
{
	struct ready_wait w = {.p = p, .hc = hc, .o = o, .idx = idx, .n = n};
	pthread_t *tid = NULL;
	struct share *sh = NULL;
	size_t started = 0;

	if (!n)
		return 0;
	pthread_mutex_init(&w.mutex, NULL);
	atomic_init(&w.stop, false);
	w.deadline = apo_xcalloc(n, sizeof(*w.deadline));
	for (size_t i = 0; i < n; i++) {
		const struct apomon_station_type *t = p->stations[idx[i]].station->type;
		w.deadline[i] =
		    apo_now_ms() + (t->ready_timeout_ms ? t->ready_timeout_ms : READY_TIMEOUT_MS);
	}
	w.n_threads = n < READY_THREADS ? n : READY_THREADS;
	tid = apo_xcalloc(w.n_threads, sizeof(*tid));
	sh = apo_xcalloc(w.n_threads, sizeof(*sh));
	/* share 0 on this thread, and the share of a thread that could not
	 * be made after it: later, but checked all the same (the deadlines
	 * are absolute) */
	for (size_t k = 1; k < w.n_threads; k++) {
		sh[k] = (struct share){.w = &w, .first = k};
		if (pthread_create(&tid[k], NULL, share_thread, &sh[k]) != 0)
			break;
		started = k;
	}
	wait_share(&w, 0);
	for (size_t k = started + 1; k < w.n_threads; k++)
		wait_share(&w, k);
	for (size_t k = 1; k <= started; k++)
		pthread_join(tid[k], NULL);
	pthread_mutex_destroy(&w.mutex);
	free(tid);
	free(sh);
	free(w.deadline);
	if (w.rc < 0)
		*err = w.err;
	return w.rc;
}
