/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "image/image-build.h"
#include "image/image-plan.h"
#include "base/util.h"

const char *apo_station_image(const struct apo_station *st)
{
	if (st->image)
		return st->image;
	return st->type ? st->type->image : NULL;
}

int apo_images_prepare(const struct apo_plan *p, const struct apo_image_opts *o)
{
	struct apo_image_opts def = {.progress = stdout, .build = true};
	const char **done = apo_xcalloc(p->n_stations + 1, sizeof(char *));
	size_t n_done = 0;
	int rc = 0;

	if (!o)
		o = &def;
	for (size_t i = 0; i < p->n_stations && rc == 0; i++) {
		const struct apo_station *st = p->stations[i].station;
		const char *image = apo_station_image(st);
		size_t k;

		if (!image)
			continue;
		for (k = 0; k < n_done; k++)
			if (!strcmp(done[k], image))
				break;
		if (k < n_done)
			continue;
		done[n_done++] = image;
		rc = apo_image_ensure(image, o, NULL);
		if (rc < 0)
			fprintf(stderr, "%s: image %s: %s\n", st->fqdn ? st->fqdn : st->name, image,
				rc == -EIO	? "build failed (see above)"
				: rc == -EINVAL ? "its definition has errors (see above)"
						: "not found");
	}
	free(done);
	return rc;
}
