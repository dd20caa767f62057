/* SPDX-License-Identifier: MIT */
/* Dependencies: each names an enabled station; together they form no cycle. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "validate/validate-internal.h"

enum { WHITE, GREY, BLACK };

struct walk {
	struct vctx *v;
	size_t **deps; /* resolved station indexes, SIZE_MAX where unusable */
	unsigned char *colour;
	size_t *stack, depth;
};

static void report_cycle(struct walk *w, size_t from, size_t to, size_t edge)
{
	struct apo_model *m = w->v->m;
	const struct apo_station *u = m->stations[from];
	size_t start = 0;

	while (w->stack[start] != to)
		start++;
	size_t len = 1;
	for (size_t i = start; i < w->depth; i++)
		len += strlen(m->stations[w->stack[i]]->name) + 4;
	len += strlen(m->stations[to]->name);
	char *cycle = apo_xmalloc(len), *p = cycle;
	for (size_t i = start; i < w->depth; i++)
		p = stpcpy(stpcpy(p, m->stations[w->stack[i]]->name), " -> ");
	stpcpy(p, m->stations[to]->name);
	_cleanup_free_ char *path = apo_xasprintf("%s.depends[%zu]", u->path, edge);
	apo_diag_add(w->v->d, &u->depends_loc[edge], path,
		     "dependency cycle: %s, expected dependencies without a cycle", cycle);
	free(cycle);
}

static void visit(struct walk *w, size_t u)
{
	const struct apo_station *s = w->v->m->stations[u];

	w->colour[u] = GREY;
	w->stack[w->depth++] = u;
	for (size_t i = 0; i < s->n_depends; i++) {
		size_t k = w->deps[u][i];
		if (k == SIZE_MAX)
			continue;
		if (w->colour[k] == GREY)
			report_cycle(w, u, k, i);
		else if (w->colour[k] == WHITE)
			visit(w, k);
	}
	w->depth--;
	w->colour[u] = BLACK;
}

void v_depends(struct vctx *v)
{
	struct apo_model *m = v->m;
	size_t n = m->n_stations;
	struct walk w = {
	    .v = v,
	    .deps = apo_xcalloc(n, sizeof(*w.deps)),
	    .colour = apo_xcalloc(n, 1),
	    .stack = apo_xcalloc(n, sizeof(*w.stack)),
	};

	for (size_t i = 0; i < n; i++) {
		struct apo_station *s = m->stations[i];
		w.deps[i] = apo_xcalloc(s->n_depends, sizeof(**w.deps));
		for (size_t k = 0; k < s->n_depends; k++)
			w.deps[i][k] = SIZE_MAX;
		if (!s->enabled)
			continue;
		for (size_t k = 0; k < s->n_depends; k++) {
			const struct v_named *tn = v_lookup(v, s->depends[k]);
			const struct apo_station *t = tn ? tn->s : NULL;
			_cleanup_free_ char *p = apo_xasprintf("%s.depends[%zu]", s->path, k);
			if (!t) {
				apo_diag_add(v->d, &s->depends_loc[k], p,
					     "no station '%s', expected the name of a station of "
					     "the environment",
					     s->depends[k]);
			} else if (!t->enabled) {
				_cleanup_free_ char *wh = v_where(&t->loc);
				apo_diag_add(v->d, &s->depends_loc[k], p,
					     "station '%s' is disabled (%s), expected an enabled "
					     "station",
					     s->depends[k], wh);
			} else {
				w.deps[i][k] = tn->i;
			}
		}
	}
	/* disabled stations keep WHITE but have no resolved edges */
	for (size_t i = 0; i < n; i++)
		if (w.colour[i] == WHITE && m->stations[i]->enabled)
			visit(&w, i);
	for (size_t i = 0; i < n; i++)
		free(w.deps[i]);
	free(w.deps);
	free(w.colour);
	free(w.stack);
}
