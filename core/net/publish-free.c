/* SPDX-License-Identifier: MIT */
/*
 * A published host port must be free on the host: the table's DNAT takes
 * every local connection to it, so a host program already listening there
 * would be silently cut off from its own clients (and they handed to a
 * station).  `up` asks the kernel, by binding each port once, before it
 * creates anything.
 */
#include "config.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "net/publish.h"
#include "base/util.h"

/* 0 when nothing on the host holds proto/port; a negative errno. */
static int port_free(int proto, uint16_t port)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};
	int type = proto == IPPROTO_UDP ? SOCK_DGRAM : SOCK_STREAM;
	int fd = socket(AF_INET, type | SOCK_CLOEXEC, 0), one = 1, rc = 0;

	if (fd < 0)
		return -errno;
	/* a TCP port in TIME_WAIT is free for our purpose; a listener is not
	 * (Linux refuses the bind then, SO_REUSEADDR or not) */
	if (type == SOCK_STREAM)
		(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0)
		rc = -errno;
	close(fd);
	return rc;
}

int apo_publish_check_free(const struct apo_plan *p, char **err)
{
	for (size_t i = 0; i < p->n_publish; i++) {
		const struct apo_plan_publish *pub = &p->publish[i];
		for (unsigned k = 0; k < pub->count; k++) {
			uint16_t port = (uint16_t)(pub->host_port + k);
			int rc = port_free(pub->proto, port);
			if (rc == 0)
				continue;
			*err = apo_xasprintf(
			    "host port %u/%s (published for %s port %u): %s on the host", port,
			    pub->proto == IPPROTO_UDP ? "udp" : "tcp",
			    p->stations[pub->station].station->fqdn, (unsigned)(pub->port + k),
			    rc == -EADDRINUSE ? "already bound" : "cannot be bound");
			return rc;
		}
	}
	return 0;
}
