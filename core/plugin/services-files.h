/* SPDX-License-Identifier: MIT */
/*
 * Writing files into a station's root without ever leaving it: every path
 * is resolved with openat2(RESOLVE_IN_ROOT), so "..", absolute symlinks
 * and relative symlinks all stay inside the root.
 */
#ifndef APO_HOST_FILES_H
#define APO_HOST_FILES_H

#include <stddef.h>
#include <sys/types.h>

#include "apomon/station-type.h"

/*
 * Writes len bytes of data to path (inside root; a leading '/' is
 * optional) with the given mode, atomically: readers see the old file or
 * the new one, never a part.  Missing parent directories are created
 * 0755.  Returns 0 or a negative errno (-EINVAL: empty path or one naming
 * a directory; -EISDIR: path is an existing directory).
 */
int apo_root_write(const char *root, const char *path, const void *data, size_t len, mode_t mode);

/* Opens path (resolved inside root) with openat2 flags, O_CLOEXEC added;
 * returns the descriptor or a negative errno. */
int apo_root_open(const char *root, const char *path, int flags, mode_t mode);

/* struct apomon_host's root and write_file (-ENOTCONN: root not mounted). */
const char *apo_services_root(const struct apomon_station *st);
int apo_services_write_file(const struct apomon_station *st, const char *path, const void *data,
			    size_t len, mode_t mode);

/* struct apomon_host's write_file_owned: owner and group by name (the
 * station's /etc/passwd and /etc/group) or decimal id; NULL keeps root.
 * -ENOENT: no such user or group in the station's image. */
int apo_services_write_file_owned(const struct apomon_station *st, const char *path,
				  const void *data, size_t len, mode_t mode, const char *owner,
				  const char *group);
#endif
