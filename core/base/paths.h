/* SPDX-License-Identifier: MIT */
/*
 * Where apomon keeps things.  Each default can be
 * moved with an environment variable (tests, packaging):
 *   APOMON_RUN_DIR   /run/apomon       locks, journals (tmpfs: gone at boot)
 *   APOMON_LIB_DIR   /var/lib/apomon   images, stations' writable layers
 *   APOMON_LOG_DIR   /var/log/apomon   station output, integrity log
 */
#ifndef APO_PATHS_H
#define APO_PATHS_H

#include <stdbool.h>

const char *apo_run_dir(void);
const char *apo_lib_dir(void);
const char *apo_log_dir(void);

/* Names an environment may not have: the image store's directories sit
 * beside the environments' in the lib and log dirs. */
bool apo_env_name_reserved(const char *env);

/* Names a station may not have: what apomon keeps beside the stations'
 * own entries in an environment's lib dir (ENV/NAME/) and log dir
 * (ENV/NAME.log).  NULL, or what the name is reserved for. */
const char *apo_station_name_reserved(const char *name);

/* "/run/apomon/ENV" etc.; caller frees. */
char *apo_env_run_dir(const char *env);
char *apo_env_lib_dir(const char *env);
char *apo_env_log_dir(const char *env);

/* mkdir -p with mode for the missing components; 0 or negative errno. */
int apo_mkdir_p(const char *path, unsigned mode);

#endif
