/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "base/diag.h"
#include "base/util.h"

void apo_diag_init(struct apo_diag *d)
{
	memset(d, 0, sizeof(*d));
}

void apo_diag_clear(struct apo_diag *d)
{
	if (!d)
		return;
	for (size_t i = 0; i < d->n; i++) {
		free(d->problems[i].path);
		free(d->problems[i].message);
	}
	free(d->problems);
	apo_diag_init(d);
}

void apo_diag_add(struct apo_diag *d, const struct apo_loc *loc, const char *path, const char *fmt,
		  ...)
{
	va_list ap;

	if (d->n == d->cap) {
		d->cap = d->cap ? d->cap * 2 : 8;
		d->problems = apo_xreallocarray(d->problems, d->cap, sizeof(*d->problems));
	}
	struct apo_problem *p = &d->problems[d->n++];
	memset(p, 0, sizeof(*p));
	if (loc)
		p->loc = *loc;
	p->path = path ? apo_xstrdup(path) : NULL;
	va_start(ap, fmt);
	p->message = apo_xvasprintf(fmt, ap);
	va_end(ap);
}

static int problem_cmp(const void *a, const void *b)
{
	const struct apo_problem *x = a, *y = b;
	const char *fx = x->loc.file ? x->loc.file : "";
	const char *fy = y->loc.file ? y->loc.file : "";
	int c = strcmp(fx, fy);

	if (c)
		return c;
	if (x->loc.line != y->loc.line)
		return x->loc.line < y->loc.line ? -1 : 1;
	/* keep insertion order for equal keys: compare addresses */
	return x < y ? -1 : x > y;
}

char *apo_problem_format(const struct apo_problem *p)
{
	char where[64] = "";
	const char *file = p->loc.file;

	if (file && p->loc.line > 0)
		snprintf(where, sizeof(where), ":%d", p->loc.line);
	return apo_xasprintf("%s%s%s%s%s%s", file ? file : "", where, file ? ": " : "",
			     p->path ? p->path : "", p->path ? ": " : "", p->message);
}

void apo_diag_print(struct apo_diag *d, FILE *out)
{
	if (d->n > 1)
		qsort(d->problems, d->n, sizeof(*d->problems), problem_cmp);
	for (size_t i = 0; i < d->n; i++) {
		char *s = apo_problem_format(&d->problems[i]);
		fprintf(out, "%s\n", s);
		free(s);
	}
}

void apo_report(const struct apo_report *r, const char *fmt, ...)
{
	va_list ap;

	if (!r || !r->line)
		return;
	va_start(ap, fmt);
	char *m = apo_xvasprintf(fmt, ap);
	va_end(ap);
	r->line(r->ctx, m);
	free(m);
}
