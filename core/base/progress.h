/* SPDX-License-Identifier: MIT */
/*
 * Live progress of `up` and `down` by phase, on one updating line of
 * stderr, only when stderr is a terminal and neither --quiet nor --json
 * was given.  Each phase's duration and object count are kept for the
 * JSON output and --verbose.
 */
#ifndef APO_PROGRESS_H
#define APO_PROGRESS_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>

struct apo_progress;

/* verb: "up" or "down". */
struct apo_progress *apo_progress_new(const char *verb, bool quiet, bool json);
void apo_progress_free(struct apo_progress *p);

/* Starts a phase (ending the previous one). */
void apo_progress_phase(struct apo_progress *p, const char *name, size_t total);
/* One more object of the current phase; thread-safe, cheap. */
void apo_progress_step(struct apo_progress *p);
/* Ends the current phase and clears the line. */
void apo_progress_end(struct apo_progress *p);

/* Total milliseconds since apo_progress_new. */
double apo_progress_elapsed_ms(const struct apo_progress *p);
/* [{"phase": "namespaces", "objects": 500, "ms": 123.4}, ...] */
struct json_object *apo_progress_json(const struct apo_progress *p);
/* "switches 0.4 ms, namespaces 120.3 ms, ..." to out */
void apo_progress_print_times(const struct apo_progress *p, FILE *out);

#endif
