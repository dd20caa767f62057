/* SPDX-License-Identifier: MIT */
/*
 * Host names: the lines for /etc/hosts that name an environment's public
 * entry points, and a marked block of them in /etc/hosts.
 *
 *   # BEGIN apomon ENV ...
 *   127.0.0.1 www.example.com example.com
 *   10.1.0.11 www1.example.com
 *   # END apomon ENV
 *
 * The web names (www.DOMAIN and DOMAIN of a cluster whose station
 * publishes its port 80 or 443) point at 127.0.0.1, where the published
 * ports are; every station's FQDN points at its first address, which the
 * host reaches through the backbone.
 */
#ifndef APO_HOSTS_H
#define APO_HOSTS_H

#include "plan/plan.h"

/* The block's lines, without the markers (caller frees). */
char *apo_hosts_lines(const struct apo_plan *p);

/* The file's text with env's block replaced by lines (NULL: removed);
 * everything else unchanged (caller frees).  Pure.  NULL when env's
 * BEGIN line has no END line after it: whatever follows it is the
 * user's, and guessing where the block ends would lose it. */
char *apo_hosts_splice(const char *text, const char *env, const char *lines);

/* The number (1-based) of env's BEGIN line that has no END line after
 * it in PATH, else 0: what a refusal names. */
size_t apo_hosts_unterminated_line(const char *path, const char *env);

/*
 * Rewrites path (normally /etc/hosts) with env's block set to lines
 * (NULL: removed), under a lock (flock on the file's directory) and
 * atomically (a temporary file renamed over it; when path is a mount
 * point, as in some containers, in place under the same lock).
 * -EBADMSG, and nothing written, when env's block has no END line.
 */
int apo_hosts_update(const char *path, const char *env, const char *lines);

/* /etc/hosts, or $APOMON_HOSTS_FILE (tests). */
const char *apo_hosts_path(void);

#endif
