/* SPDX-License-Identifier: MIT */
/*
 * Every station's image must be findable before anything is built: a
 * type whose image is missing is a config error of `validate` and `plan`
 * (FILE:LINE of the station), not a runtime failure half-way into `up`.
 */
#include "config.h"

#include <errno.h>
#include <libgen.h>
#include <string.h>
#include <sys/stat.h>

#include "base/util.h"
#include "image/image-find.h"
#include "validate/validate.h"

char *apo_plugin_images_dir(const char *plugin_file)
{
	_cleanup_free_ char *copy = apo_xstrdup(plugin_file);
	return apo_xasprintf("%s/images", dirname(copy));
}

char **apo_plugin_images_dirs(const struct apo_registry *r, size_t *n)
{
	char **v = NULL;
	size_t cap = 0;

	*n = 0;
	for (size_t i = 0; i < apo_registry_count(r); i++) {
		const struct apo_plugin *p = apo_registry_at(r, i);
		char *dir;
		bool seen = false;
		if (!p->file || p->file[0] != '/')
			continue; /* compiled-in types (tests) come from no directory */
		dir = apo_plugin_images_dir(p->file);
		/* only folders that exist: a search path of absent ones
		 * would make every "not found" message a screenful */
		struct stat sb;
		if (stat(dir, &sb) < 0 || !S_ISDIR(sb.st_mode)) {
			free(dir);
			continue;
		}
		for (size_t k = 0; k < *n && !seen; k++)
			seen = !strcmp(v[k], dir);
		if (seen)
			free(dir);
		else
			APO_PUSH(v, *n, cap, dir);
	}
	return v;
}

/* The vendor rule (docs/images.md, "Images of a third-party type"): an
 * image that came with a plugin is named after a type of that plugin's
 * directory, TYPE or TYPE-SOMETHING, so that two vendors' images cannot
 * take each other's names nor apomon's. */
static bool vendor_name_ok(const struct apo_registry *r, const char *plugin_images,
			   const char *image)
{
	for (size_t i = 0; i < apo_registry_count(r); i++) {
		const struct apo_plugin *p = apo_registry_at(r, i);
		const char *t = p->type->name;
		size_t len = strlen(t);
		if (!p->file || p->file[0] != '/')
			continue;
		_cleanup_free_ char *mine = apo_plugin_images_dir(p->file);
		if (strcmp(mine, plugin_images))
			continue;
		if (!strncmp(image, t, len) && (image[len] == '\0' || image[len] == '-'))
			return true;
	}
	return false;
}

const char *apo_image_vendor_problem(const struct apo_registry *r, const char *image,
				     const char *dir)
{
	size_t nd;
	char **dirs = apo_plugin_images_dirs(r, &nd);
	const char *problem = NULL;
	_cleanup_free_ char *copy = apo_xstrdup(dir);
	const char *parent = dirname(copy);

	for (size_t i = 0; i < nd; i++) {
		if (!problem && !strcmp(dirs[i], parent) && !vendor_name_ok(r, dirs[i], image))
			problem = "an image beside a plugin is named after one of its types "
				  "(TYPE or TYPE-NAME)";
		free(dirs[i]);
	}
	free(dirs);
	return problem;
}

int apo_validate_images(const struct apo_model *m, const struct apo_registry *r, struct apo_diag *d,
			struct apo_diag *w)
{
	int bad = 0;

	for (size_t i = 0; i < m->n_stations; i++) {
		const struct apo_station *s = m->stations[i];
		const char *image = s->image ? s->image : s->type ? s->type->image : NULL;
		_cleanup_free_ char *path = NULL, *dir = NULL;
		int rc;

		if (!s->enabled)
			continue;
		if (!image && s->type) {
			/* a type with no default image (oci): the station names one */
			_cleanup_free_ char *ip = apo_xasprintf("%s.image", s->path);
			apo_diag_add(d, &s->loc, ip,
				     "type %s has no default image: set image (an OCI reference "
				     "such as docker://REGISTRY/REPO:TAG, or a local image)",
				     s->type_name);
			bad = -EINVAL;
			continue;
		}
		if (!image)
			continue;
		path = s->image ? apo_xasprintf("%s.image", s->path) : apo_xstrdup(s->path);
		rc = apo_image_locate(image, &dir);
		if (rc == -ENOENT) {
			_cleanup_free_ char *where = apo_image_missing_text(image);
			_cleanup_free_ char *whose =
			    s->image ? apo_xstrdup("image")
				     : apo_xasprintf("type %s: image", s->type_name);
			apo_diag_add(d, &s->loc, path, "%s '%s' not found (%s)", whose, image,
				     where);
			bad = -EINVAL;
		} else if (rc == 0 && dir && w) {
			const char *problem = apo_image_vendor_problem(r, image, dir);
			if (problem)
				apo_diag_add(w, &s->loc, path, "warning: image '%s' (%s): %s",
					     image, dir, problem);
		}
	}
	return bad;
}
