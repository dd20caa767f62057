/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/progress.h"
#include "base/time.h"
#include "base/util.h"

struct phase {
	const char *name;
	size_t objects;
	double ms;
};

struct apo_progress {
	const char *verb;
	bool live;
	double t0, phase_t0, last_draw;
	struct phase *phases;
	size_t n, cap;
	const char *cur;
	size_t total;
	atomic_size_t done;
	pthread_mutex_t draw;
};

struct apo_progress *apo_progress_new(const char *verb, bool quiet, bool json)
{
	struct apo_progress *p = apo_xcalloc(1, sizeof(*p));
	p->verb = verb;
	p->live = !quiet && !json && isatty(STDERR_FILENO);
	p->t0 = apo_now_ms();
	atomic_init(&p->done, 0);
	pthread_mutex_init(&p->draw, NULL);
	return p;
}

static void draw(struct apo_progress *p, bool force)
{
	double t = apo_now_ms();

	if (!p->live || !p->cur)
		return;
	/* workers call in from many threads: one draws, at most every 50 ms */
	if (pthread_mutex_trylock(&p->draw))
		return;
	if (force || t - p->last_draw >= 50) {
		p->last_draw = t;
		fprintf(stderr, "\r\033[K%s: %s %zu/%zu", p->verb, p->cur, atomic_load(&p->done),
			p->total);
		fflush(stderr);
	}
	pthread_mutex_unlock(&p->draw);
}

static void end_phase(struct apo_progress *p)
{
	if (!p->cur)
		return;
	struct phase ph = {p->cur, atomic_load(&p->done), apo_now_ms() - p->phase_t0};
	APO_PUSH(p->phases, p->n, p->cap, ph);
	p->cur = NULL;
}

void apo_progress_phase(struct apo_progress *p, const char *name, size_t total)
{
	if (!p)
		return;
	end_phase(p);
	p->cur = name;
	p->total = total;
	atomic_store(&p->done, 0);
	p->phase_t0 = apo_now_ms();
	draw(p, true);
}

void apo_progress_step(struct apo_progress *p)
{
	if (!p)
		return;
	atomic_fetch_add(&p->done, 1);
	draw(p, false);
}

void apo_progress_end(struct apo_progress *p)
{
	if (!p)
		return;
	end_phase(p);
	if (p->live) {
		fputs("\r\033[K", stderr);
		fflush(stderr);
	}
}

double apo_progress_elapsed_ms(const struct apo_progress *p)
{
	return apo_now_ms() - p->t0;
}

struct json_object *apo_progress_json(const struct apo_progress *p)
{
	struct json_object *a = json_object_new_array();
	for (size_t i = 0; i < p->n; i++) {
		struct json_object *o = json_object_new_object();
		json_object_object_add(o, "phase", json_object_new_string(p->phases[i].name));
		json_object_object_add(o, "objects", json_object_new_int64(p->phases[i].objects));
		json_object_object_add(o, "ms", json_object_new_double(p->phases[i].ms));
		json_object_array_add(a, o);
	}
	return a;
}

void apo_progress_print_times(const struct apo_progress *p, FILE *out)
{
	for (size_t i = 0; i < p->n; i++)
		fprintf(out, "%s%s %zu in %.1f ms", i ? ", " : "", p->phases[i].name,
			p->phases[i].objects, p->phases[i].ms);
	fputc('\n', out);
}

void apo_progress_free(struct apo_progress *p)
{
	if (!p)
		return;
	pthread_mutex_destroy(&p->draw);
	free(p->phases);
	free(p);
}
