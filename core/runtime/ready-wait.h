/* SPDX-License-Identifier: MIT */
#ifndef APO_RUNTIME_READY_WAIT_H
#define APO_RUNTIME_READY_WAIT_H

#include <stddef.h>

#include "plugin/services.h"
#include "runtime/runtime.h"

/*
 * The startup checks of the n stations of idx (one level), run in
 * parallel, until all passed (0) or one failed: its type's ready hook
 * failed, its startup.sh exited, its ready_timeout_ms passed, or
 * *o->interrupted was set; then negative errno and *err naming the
 * station and the step (with the end of its log).  Marks each station
 * READY and calls o->on_ready (from the checking thread) as it passes.
 */
int apo_runtime_wait_ready(const struct apo_plan *p, struct apo_services_ctx *hc,
			   const struct apo_runtime_opts *o, const size_t *idx, size_t n,
			   char **err);

#endif
