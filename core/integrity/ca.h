/* SPDX-License-Identifier: MIT */
/*
 * The environment's certificate authority: one EC P-256 key and a
 * self-signed certificate under /var/lib/apomon/ENV/ca/ (key 0600), made
 * once at the first `up` and kept across downs, so that a browser or a
 * system store that trusts it keeps trusting the environment.  Station
 * types ask it for server certificates through host->issue_cert.
 */
#ifndef APO_CA_H
#define APO_CA_H

#include <stddef.h>

/* /var/lib/apomon/ENV/ca (caller frees). */
char *apo_ca_dir(const char *env);

/*
 * Creates the CA of env unless it exists.  *cert_path (may be NULL)
 * receives the CA certificate's path (caller frees).  0 or a negative
 * errno; *err (may be NULL) says which step failed (caller frees).
 */
int apo_ca_ensure(const char *env, char **cert_path, char **err);

/*
 * Issues a server certificate for names (DNS names, or IPv4 addresses as
 * text), the first being its subject, signed by env's CA (which must
 * exist).  *cert_pem: the certificate then the CA's; *key_pem: its new
 * private key (both caller frees).  0 or a negative errno.
 */
int apo_ca_issue(const char *env, const char *const *names, size_t n_names, char **cert_pem,
		 char **key_pem, char **err);

#endif
