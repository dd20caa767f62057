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

/* validate-images.c: every enabled station's image must be found on the
 * image search path (or be a committed layer of the store): one problem
 * in d per station without, naming where it searched; -EINVAL then.
 * w (may be NULL) gets a warning for each image found beside a plugin
 * that breaks the vendor naming rule. */
int apo_validate_images(const struct apo_model *m, const struct apo_registry *r, struct apo_diag *d,
			struct apo_diag *w);

/* The images/ folder beside a plugin file (caller frees). */
char *apo_plugin_images_dir(const char *plugin_file);
/* The images/ folder beside each directory a loaded type came from, in
 * load order, each once (*n of them; caller frees each and the array). */
char **apo_plugin_images_dirs(const struct apo_registry *r, size_t *n);
/* NULL when IMAGE, whose definition is in DIR, follows the vendor rule
 * (or DIR is not beside a plugin); else what the rule expects (static). */
const char *apo_image_vendor_problem(const struct apo_registry *r, const char *image,
				     const char *dir);

#endif
