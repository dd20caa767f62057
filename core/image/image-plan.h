/* SPDX-License-Identifier: MIT */
/* `up` builds what is missing before it starts stations. */
#ifndef APO_IMAGE_PLAN_H
#define APO_IMAGE_PLAN_H

#include "image/image-store.h"
#include "plan/plan.h"

/* The image a station runs: its own `image`, else its type's default; NULL: none. */
const char *apo_station_image(const struct apo_station *st);

/*
 * Makes every image the plan's stations use current (building missing or
 * stale layers, each image once, in the plan's order), so that the
 * runtime can then ask apo_image_layers with build = false.  o NULL:
 * default search path, progress on stdout.  On failure prints
 * "STATION: image NAME: ..." on stderr and returns the first error
 * (-ENOENT, -EINVAL or -EIO, see apo_image_layers).
 */
int apo_images_prepare(const struct apo_plan *p, const struct apo_image_opts *o);

#endif
