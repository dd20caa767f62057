/* SPDX-License-Identifier: MIT */
/*
 * The Debian archive a root image is bootstrapped from.  No mirror is
 * written into apomon: by default it is the one the host's apt uses.
 */
#ifndef APO_MIRROR_H
#define APO_MIRROR_H

/*
 * The archive URL for `suite`: APOMON_MIRROR when set, else the first
 * `deb` entry of the host's apt configuration that carries the Debian
 * component main for that suite (or, failing that, for any release
 * suite), read from /etc/apt/sources.list, then sources.list.d/ (*.list
 * one-line and *.sources deb822, in apt's order).  apt_root prefixes the
 * paths (tests); NULL: "/".  Returns 0 with *uri (caller frees) or -ENOENT.
 */
int apo_mirror_default(const char *apt_root, const char *suite, char **uri);

#endif
