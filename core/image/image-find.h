/* SPDX-License-Identifier: MIT */
/* Whether an image name can be used, asked before anything is built: the
 * early check of `validate`, `plan` and `plugins`. */
#ifndef APO_IMAGE_FIND_H
#define APO_IMAGE_FIND_H

/*
 * Where image NAME comes from: 0 with *dir its definition's directory
 * (first on the search path), or 0 with *dir NULL for a layer of the
 * store that has no definition (made by `apomon commit`); -ENOENT when
 * neither exists, -EINVAL when NAME is not an image name.
 */
int apo_image_locate(const char *name, char **dir);

/* The search path as one line, "A, B, C" (caller frees). */
char *apo_image_search_text(void);

/* Where apo_image_locate looked for NAME, as one clause for an error
 * line: "searched A, B for NAME/image.cfg, and the store S for
 * NAME/current, ..." (caller frees). */
char *apo_image_missing_text(const char *name);

#endif
