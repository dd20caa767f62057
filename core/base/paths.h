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

/*
 * The layout below those three, in this one place.  Every function
 * returns a new string (caller frees); none truncates.  ENV and NAME are
 * one path component each, checked where they enter (config, CLI).
 */

/* "/run/apomon/ENV" etc. */
char *apo_env_run_dir(const char *env);
char *apo_env_lib_dir(const char *env);
char *apo_env_log_dir(const char *env);

/* An environment's own entry beside its stations' ("/var/lib/apomon/ENV/ca",
 * "/var/log/apomon/ENV/integrity.log"): FILE is one of the names
 * apo_station_name_reserved knows, or a path below one. */
char *apo_env_lib_file(const char *env, const char *file);
char *apo_env_log_file(const char *env, const char *file);

/* A station's: its state dir (/run/apomon/ENV/stations/NAME), its root
 * on the host between prepare and launch (/run/apomon/ENV/roots/NAME),
 * its lasting data (/var/lib/apomon/ENV/NAME: upper/, work/, secrets/),
 * its log (/var/log/apomon/ENV/NAME.log). */
char *apo_station_state_dir(const char *env, const char *name);
char *apo_station_root_path(const char *env, const char *name);
char *apo_station_lib_dir(const char *env, const char *name);
char *apo_station_log_path(const char *env, const char *name);

/* The state dir, lib dir and log of a station relative to apo_run_dir(),
 * apo_lib_dir() and apo_log_dir(): what apo_rmtree_below takes. */
char *apo_station_state_rel(const char *env, const char *name);
char *apo_station_lib_rel(const char *env, const char *name);
char *apo_station_log_rel(const char *env, const char *name);

/* The image store ("/var/lib/apomon/images"), an image's directory in
 * it ("images/NAME", or "images/NAME/ENTRY" when ENTRY is not NULL), and
 * the build logs ("/var/log/apomon/images"). */
char *apo_images_dir(void);
char *apo_image_path(const char *name, const char *entry);
char *apo_images_log_dir(void);

/* mkdir -p with mode for the missing components; 0 or negative errno. */
int apo_mkdir_p(const char *path, unsigned mode);

#endif
