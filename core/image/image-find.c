/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "image/image-cfg.h"
#include "image/image-find.h"
#include "image/image-store.h"
#include "base/paths.h"
#include "base/util.h"

int apo_image_locate(const char *name, char **dir)
{
	char **search;
	char *cur = NULL;

	*dir = NULL;
	if (!apo_image_name_valid(name))
		return -EINVAL;
	search = apo_image_search_path(NULL, 0);
	*dir = apo_image_def_find(search, name);
	apo_strv_free(search);
	if (*dir)
		return 0;
	/* a committed image has no definition: its layer is all there is,
	 * and `up` uses it as it is (image-build.c) */
	if (apo_image_current(name, &cur) == 0) {
		free(cur);
		return 0;
	}
	return -ENOENT;
}

char *apo_image_search_text(void)
{
	char **search = apo_image_search_path(NULL, 0);
	char *out = apo_xstrdup("");

	for (char **s = search; *s; s++) {
		char *n = apo_xasprintf("%s%s%s", out, s == search ? "" : ", ", *s);
		free(out);
		out = n;
	}
	apo_strv_free(search);
	return out;
}

char *apo_image_missing_text(const char *name)
{
	_cleanup_free_ char *where = apo_image_search_text();
	_cleanup_free_ char *store = apo_images_dir();

	/* the two places apo_image_locate looks */
	return apo_xasprintf("searched %s for %s/image.cfg, and the store %s for %s/current, an "
			     "image imported or committed under that name",
			     where, name, store, name);
}
