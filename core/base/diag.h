/* SPDX-License-Identifier: MIT */
/*
 * Diagnostics: problems collected during a run so that all of them are
 * reported at once, one line each:
 *   FILE:LINE: SETTING.PATH: what is wrong, what was expected
 */
#ifndef APO_DIAG_H
#define APO_DIAG_H

#include <stdio.h>
#include <stddef.h>

/* Where a setting was read; file points into the model's interned names. */
struct apo_loc {
	const char *file; /* NULL: no file (command line, environment) */
	int line;	  /* 0: unknown */
};

struct apo_problem {
	struct apo_loc loc;
	char *path; /* setting path, e.g. clusters.example.stations.www1.addresses; may be NULL */
	char *message;
};

struct apo_diag {
	struct apo_problem *problems;
	size_t n, cap;
};

void apo_diag_init(struct apo_diag *d);
void apo_diag_clear(struct apo_diag *d);

/* Records one problem.  loc may be NULL, path may be NULL. */
void apo_diag_add(struct apo_diag *d, const struct apo_loc *loc, const char *path, const char *fmt,
		  ...) __attribute__((format(printf, 4, 5)));

/* Sorts by file, then line (stable), and prints one line a problem. */
void apo_diag_print(struct apo_diag *d, FILE *out);

/* Formats one problem the way apo_diag_print does (caller frees). */
char *apo_problem_format(const struct apo_problem *p);

/*
 * Where a lower layer's one-line messages go while it works (a rollback
 * that left an object behind, a lock held by another run): the layers
 * below the CLI never print; the CLI hands them one that does.  NULL, or
 * a NULL line, drops them.
 */
struct apo_report {
	void (*line)(void *ctx, const char *msg);
	void *ctx;
};

void apo_report(const struct apo_report *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
