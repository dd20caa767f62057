/* SPDX-License-Identifier: MIT */
/* The loader's search path, shared by apo_registry_load_all and `apomon plugins`. */
#ifndef APO_LOADER_H
#define APO_LOADER_H

#include <stddef.h>

/* The environment variable holding extra plugin directories (colon separated). */
#define APO_PLUGIN_PATH_ENV "APOMON_PLUGIN_PATH"

struct apo_search_path {
	char **dirs; /* in search order, each once (by the directory it names) */
	size_t n, cap;
};

/*
 * Builds the search order: cli dirs, APOMON_PLUGIN_PATH (empty entries
 * ignored), config dirs, then the installed plugin directory.  A
 * directory named twice (even by two spellings) is kept at its first
 * place only, so that its plugins are not refused as duplicates of
 * themselves.
 */
void apo_search_path_build(struct apo_search_path *sp, char *const *cli_dirs, size_t n_cli,
			   char *const *conf_dirs, size_t n_conf);
void apo_search_path_clear(struct apo_search_path *sp);

/* NULL when name is a valid type name, else what was expected (static). */
const char *apo_type_name_problem(const char *name);

#endif
