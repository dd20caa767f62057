/* SPDX-License-Identifier: MIT */
/* IPv4 addresses and prefixes as text, one spelling for every layer. */
#ifndef APO_FMT_H
#define APO_FMT_H

#include <netinet/in.h>

/* "255.255.255.255/32" and its NUL: INET_ADDRSTRLEN counts the NUL once. */
#define APO_PREFIX_STRLEN (INET_ADDRSTRLEN + 3)

/* "10.1.0.11" into buf; returns buf.  [static N]: the compiler refuses a
 * caller's smaller array. */
const char *apo_fmt_ip(char buf[static INET_ADDRSTRLEN], struct in_addr a);

/* "10.1.0.0/24" into buf; returns buf. */
const char *apo_fmt_prefix(char buf[static APO_PREFIX_STRLEN], struct in_addr a, unsigned prefix);

#endif
