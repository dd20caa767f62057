/* SPDX-License-Identifier: MIT */
/*
 * Image definitions: images/NAME/image.cfg (libconfig), its files/ tree and
 * its startup.sh.  docs/images.md is the reference of the settings.
 */
#ifndef APO_IMAGE_CFG_H
#define APO_IMAGE_CFG_H

#include <stddef.h>

#include "base/diag.h"

/* Where the entrypoint lands in every image's root. */
#define APO_IMAGE_STARTUP "/apomon/startup.sh"

struct apo_image_def {
	char *name;
	char *dir;	/* images/NAME, absolute or as found on the search path */
	char *cfg_path; /* dir/image.cfg */
	char *parent;	/* NULL only for a root image (base) */
	char **packages;
	size_t n_packages;
	char *files;   /* absolute path of the files tree; NULL when absent */
	char *startup; /* absolute path of startup.sh; NULL when absent */
	char **seal;   /* absolute paths inside the image */
	size_t n_seal;
	char **run; /* shell commands run in the chroot after packages and files */
	size_t n_run;
	char *suite;  /* root images: the Debian suite; default bookworm */
	char *mirror; /* root images: the archive URL; NULL: APOMON_MIRROR, then apt's */
};

/* True when name is usable as an image name (and a directory name). */
int apo_image_name_valid(const char *name);

/*
 * Parses dir/image.cfg as image `name`.  Every problem goes to d as
 * "FILE:LINE: SETTING: what is wrong, what was expected"; returns 0, or
 * -EINVAL (problems in d), or another negative errno.
 */
int apo_image_def_load(const char *name, const char *dir, struct apo_image_def **out,
		       struct apo_diag *d);
void apo_image_def_free(struct apo_image_def *def);

/*
 * The directories searched for definitions, in order, each once:
 *   each of dirs (a command's own --images, e.g. `image build`),
 *   the run's --images (apo_image_search_set),
 *   APOMON_IMAGES_PATH (colon-separated),
 *   the config's images_path,
 *   the images/ folder beside each directory a loaded type came from,
 *   the installed APO_IMAGESDIR.
 * Every lookup of a definition goes through this list.  Returns a
 * NULL-terminated array (free with apo_strv_free).
 */
char **apo_image_search_path(char *const *dirs, size_t n_dirs);

/*
 * Sets the run's sources of the search path (copied): the command
 * line's --images, the config's images_path (absolute) and the plugins'
 * images/ folders.  The CLI calls it once the config and the types are
 * loaded, before anything looks a definition up.
 */
void apo_image_search_set(char *const *cli_dirs, size_t n_cli, char *const *conf_dirs,
			  size_t n_conf, char *const *plugin_dirs, size_t n_plugin);
void apo_strv_free(char **v);

/* The first search directory holding NAME/image.cfg; NULL: none (caller frees). */
char *apo_image_def_find(char *const *search, const char *name);

#endif
