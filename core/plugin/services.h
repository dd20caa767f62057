/* SPDX-License-Identifier: MIT */
/*
 * The core's side of the plugin ABI: the struct apomon_host instance and
 * the station handles (struct apomon_station) that types receive.
 */
#ifndef APO_HOST_H
#define APO_HOST_H

#include "apomon/station-type.h"
#include "base/diag.h"
#include "config/model.h"

struct apo_plan;

/* What the handles of one environment share. */
struct apo_services_ctx {
	struct apo_model *model;
	const struct apo_plan *plan;	/* NULL during validation */
	struct apo_diag *diag;		/* where host->report goes */
	struct apomon_station *handles; /* one per model station, same order */
	size_t n_handles;

	/* Filled by the runtime once stations exist; NULL before (the
	 * host functions then return -ENOTCONN). */
	int (*run)(const struct apomon_station *st, const char *const argv[], char **output);
	int (*netns_fd)(const struct apomon_station *st); /* opens its netns, O_CLOEXEC */
	/* the station's log file (malloc'd), where host->log appends */
	char *(*log_path)(const struct apomon_station *st);
	const char *ca_file; /* the environment's CA certificate, for probe_http */
};

struct apomon_station {
	struct apo_services_ctx *ctx;
	struct apo_station *station;
	char *root; /* its root on the host while mounted (malloc'd, freed by
		     * apo_services_ctx_clear); NULL otherwise */
	/* host->address and host->router text, built by apo_services_ctx_init so
	 * that the strings live as long as the environment */
	char **addr_text;
	size_t n_addr_text;
	char *router_text;
	/* host->draining: set by the core around a dependent's reload */
	bool draining;
};

extern const struct apomon_host apo_services;

/* Builds one handle a model station; free with apo_services_ctx_clear. */
void apo_services_ctx_init(struct apo_services_ctx *ctx, struct apo_model *m, struct apo_diag *d);
void apo_services_ctx_clear(struct apo_services_ctx *ctx);
struct apomon_station *apo_services_handle(struct apo_services_ctx *ctx,
					   const struct apo_station *st);

#endif
