/* SPDX-License-Identifier: MIT */
/*
 * The registry of station types: loads plugins with libltdl (loader.c)
 * and keeps every refusal with its reason, so that `apomon plugins` and
 * validation can say exactly why a type is not there.
 */
#ifndef APO_REGISTRY_H
#define APO_REGISTRY_H

#include <stddef.h>

#include "apomon/station-type.h"

struct apo_plugin {
	const struct apomon_station_type *type;
	char *file; /* absolute path it was loaded from */
};

struct apo_refusal {
	char *file;   /* the plugin file (or directory) that was refused */
	char *reason; /* one line: "wrong ABI version 7: rebuild it against apomon 0.1.0 (ABI 1)" */
};

struct apo_registry;

struct apo_registry *apo_registry_new(void);
/* Frees the registry and closes every plugin it loaded. */
void apo_registry_free(struct apo_registry *r);

/*
 * Adds a type (registry.c).  handle: what `close` releases at free (the
 * libltdl handle; NULL for types compiled in, such as tests' fixtures).
 * Returns -EEXIST, recording a refusal of `file` naming where the first
 * one came from, when a type of that name is already there.
 */
int apo_registry_add(struct apo_registry *r, const struct apomon_station_type *t, const char *file,
		     void *handle, void (*close)(void *handle));
/* The byte size of one element of t->settings as the plugin was built
 * (APOMON_SETTING_SIZE_V1 for types that predate setting_size).  Types the
 * registry hands out are already re-laid out: this is for the loader. */
size_t apo_type_setting_stride(const struct apomon_station_type *t);
/* "http/tcp/8080, ajp/tcp/8009", or `none` when t declares no port
 * (caller frees). */
char *apo_type_ports_text(const struct apomon_station_type *t, const char *none);
/* Records a refusal (one line, no trailing newline). */
void apo_registry_refuse(struct apo_registry *r, const char *file, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* loader.c (libltdl): */

/*
 * Loads every plugin (*.so) of each directory, in order: the first type of
 * a name wins and later ones are refused as duplicates.  Directories that
 * do not exist are skipped silently.  Never fails: refusals are recorded.
 */
void apo_registry_load_dir(struct apo_registry *r, const char *dir);

/* Loads the standard search order: cli dirs, APOMON_PLUGIN_PATH (colon
 * separated), config dirs, then the installed plugin directory. */
void apo_registry_load_all(struct apo_registry *r, char *const *cli_dirs, size_t n_cli,
			   char *const *conf_dirs, size_t n_conf);

const struct apomon_station_type *apo_registry_find(const struct apo_registry *r, const char *name);
size_t apo_registry_count(const struct apo_registry *r);
const struct apo_plugin *apo_registry_at(const struct apo_registry *r, size_t i);
size_t apo_registry_refusal_count(const struct apo_registry *r);
const struct apo_refusal *apo_registry_refusal_at(const struct apo_registry *r, size_t i);

/* "base, dns, tomcat" (sorted); caller frees. */
char *apo_registry_names(const struct apo_registry *r);

#endif
