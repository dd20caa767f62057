/* SPDX-License-Identifier: MIT */
/*
 * Probes from inside a station's network namespace: the socket is made
 * by a helper thread that entered the namespace (netns.c), then used
 * from the caller's thread; the caller never changes namespace.  These
 * back host->probe_tcp and host->probe_http of the plugin ABI.
 */
#ifndef APO_HOST_PROBE_H
#define APO_HOST_PROBE_H

#include <stdint.h>

#include "apomon/station-type.h"

/* One TCP connect to address:port from inside nsfd; 0 when accepted,
 * -ECONNREFUSED, -ETIMEDOUT, -EHOSTUNREACH, ... otherwise. */
int apo_probe_tcp(int nsfd, const char *address, uint16_t port, unsigned timeout_ms);

/*
 * One HTTP(S) GET of url from inside nsfd (libcurl, its sockets opened in
 * the namespace).  ca_file: checks https certificates against it (NULL:
 * the system's).  resolve: "host:port:address" for a name only the
 * environment knows (may be NULL).  0 with *status set when the server
 * answered (any status); negative errno otherwise.
 */
int apo_probe_http(int nsfd, const char *url, unsigned timeout_ms, const char *ca_file,
		   const char *resolve, long *status);

/* The plugin ABI's host->probe_tcp and host->probe_http. */
int apo_services_probe_tcp(const struct apomon_station *st, const char *address, uint16_t port,
			   unsigned timeout_ms);
int apo_services_probe_http(const struct apomon_station *st, const char *url, unsigned timeout_ms,
			    long *status);

/* apomon_host.socket: a socket in the station's network namespace. */
int apo_services_socket(const struct apomon_station *st, int domain, int type, int protocol);

#endif
