/* SPDX-License-Identifier: MIT */
/*
 * Reading an environment's config files (libconfig): CONFDIR/apomon.conf,
 * then CONFDIR/conf.d/\*.conf in lexical order, into a model.  Syntax,
 * unknown settings and wrong kinds are reported here; cross-references
 * and semantics in validate.c.
 */
#ifndef APO_CONF_H
#define APO_CONF_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>

#include "base/diag.h"
#include "config/model.h"

/*
 * Parses every file.  Always returns a model (possibly partial) in *out
 * so that validation can go on and report more problems.  Returns 0 when
 * no problem was recorded; -EINVAL when settings were wrong (unknown,
 * wrong kind, bad value: validation still runs to report the rest);
 * -EBADMSG when a file could not be parsed at all (syntax: validation
 * would only add noise, so the caller stops); another negative errno when
 * CONFDIR or apomon.conf cannot be read.  Problems are always in d.
 * env_override: the -e option, or NULL.
 */
int apo_conf_load(const char *confdir, const char *env_override, struct apo_model **out,
		  struct apo_diag *d);

/* The config's name rules, shared with the command line (conf-values.c):
 * a host name, and a station (or environment) name label. */
bool apo_valid_dns_name(const char *s);
bool apo_valid_station_name(const char *s);
bool apo_valid_cluster_name(const char *s);

/* Value parsers (conf-values.c), for validate/ too; 0 or -EINVAL. */
int apo_parse_ipv4(const char *s, struct in_addr *out);
/* "A.B.C.D" (prefix -1) or "A.B.C.D/P" */
int apo_parse_cidr(const char *s, struct in_addr *addr, int *prefix);
uint32_t apo_prefix_mask(int prefix);
/* NULL for an address a station, a router or a record may hold; else why
 * not ("the unspecified address 0.0.0.0", "a loopback address", ...). */
const char *apo_addr_special(struct in_addr a);
/* A number from the command line or a file, strictly: decimal digits
 * only (no sign, blank or suffix), at most max.  0, -EINVAL (not a
 * number) or -ERANGE (above max). */
int apo_parse_uint(const char *s, unsigned long long max, unsigned long long *out);

/* What a setting holds, for messages: "an integer", "a list", ... */
const char *apo_conf_kind(const config_setting_t *s);

#endif
