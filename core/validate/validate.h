/* SPDX-License-Identifier: MIT */
/* Semantic checks of a model against the loaded station types. */
#ifndef APO_VALIDATE_H
#define APO_VALIDATE_H

#include "base/diag.h"
#include "config/model.h"
#include "plugin/registry.h"

/*
 * Resolves references (types, gateways, dependencies, link ends,
 * backbone) in the model and records every problem in d, one each:
 * duplicates, addresses outside their network, host ports, cycles, ...,
 * then runs each enabled station type's settings check and validate hook.
 * Returns 0 when d got no problem, -EINVAL otherwise.
 */
int apo_validate(struct apo_model *m, const struct apo_registry *r, struct apo_diag *d);

/* Records in w what a valid model (apo_validate returned 0) probably did
 * not mean, one line each, "warning: ..." (validate-warn.c): a publish
 * to a port its station's type does not declare. */
void apo_validate_warnings(const struct apo_model *m, struct apo_diag *w);

#endif
