/* SPDX-License-Identifier: MIT */
/* The topology of a plan as Graphviz DOT (`apomon graph`). */
#ifndef APO_GRAPH_H
#define APO_GRAPH_H

#include <stddef.h>
#include <stdio.h>

#include "plan/plan.h"

/*
 * Writes an undirected graph: each cluster a `cluster_NAME` box (labelled
 * with its domain and network) holding its switch and its stations
 * (labelled with name and addresses), the backbone outside with an edge
 * to every switch labelled with its router address, the host with its
 * link to the backbone, and p2p links as dashed edges.
 */
void apo_graph_dot(const struct apo_plan *p, FILE *out);

/*
 * Renders DOT text to an SVG file with Graphviz: `dot -Tsvg -o FILE`,
 * DOT on its stdin (fork/exec, no shell).  Returns 0; -ENOENT when `dot`
 * is not in PATH; -EPROTO when dot failed (it says why on stderr);
 * another negative errno when it could not be run.
 */
int apo_graph_svg(const char *dot, size_t len, const char *file);

#endif
