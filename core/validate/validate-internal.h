/* SPDX-License-Identifier: MIT */
/* Shared by the validate*.c files only. */
#ifndef APO_VALIDATE_INTERNAL_H
#define APO_VALIDATE_INTERNAL_H

#include <stdbool.h>

#include "base/diag.h"
#include "config/model.h"
#include "plugin/registry.h"

struct v_named {
	struct apo_station *s;
	size_t i; /* its index in model->stations */
};

struct vctx {
	struct apo_model *m;
	const struct apo_registry *r;
	struct apo_diag *d;
	bool *settings_ok;	   /* by station index: its settings have the declared kinds */
	size_t n_setting_problems; /* of those kinds: they keep only their station's hook out */
	struct v_named *index;	   /* named stations sorted by name, then index */
	size_t n_index;
};

/* The first station of that name in config order, or NULL. */
const struct v_named *v_lookup(const struct vctx *v, const char *name);

/* "FILE:LINE" of a location, for messages that point at a first one. */
char *v_where(const struct apo_loc *loc);

/* validate-net.c: addresses, networks, host ports */
void v_networks(struct vctx *v);
void v_addresses(struct vctx *v);
void v_publish(struct vctx *v);

/* validate-types.c: types, their settings and validate hooks */
void v_types(struct vctx *v);
void v_type_hooks(struct vctx *v);

/* validate-deps.c: dependencies and their cycles */
void v_depends(struct vctx *v);

#endif
