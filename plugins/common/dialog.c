/* SPDX-License-Identifier: MIT */
#include "dialog.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int dlg_connect(struct dlg *d, const struct apomon_host *host, const struct apomon_station *st,
		const char *address, uint16_t port, unsigned timeout_ms)
{
	struct sockaddr_in sin = {.sin_family = AF_INET, .sin_port = htons(port)};
	int err = 0;
	socklen_t elen = sizeof(err);

	memset(d, 0, sizeof(*d));
	d->fd = -1;
	d->timeout_ms = timeout_ms;
	if (!APOMON_HOST_HAS(host, socket))
		return -ENOTSUP;
	if (!address || inet_pton(AF_INET, address, &sin.sin_addr) != 1)
		return -EINVAL;
	d->fd = host->socket(st, AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	if (d->fd < 0) {
		int r = d->fd;
		d->fd = -1;
		return r;
	}
	if (connect(d->fd, (struct sockaddr *)&sin, sizeof(sin)) == 0)
		return 0;
	if (errno != EINPROGRESS)
		goto refused;
	struct pollfd p = {.fd = d->fd, .events = POLLOUT};
	int r = poll(&p, 1, (int)timeout_ms);
	if (r < 0)
		goto refused;
	if (r == 0) {
		errno = ETIMEDOUT;
		goto refused;
	}
	if (getsockopt(d->fd, SOL_SOCKET, SO_ERROR, &err, &elen) < 0)
		goto refused;
	if (!err)
		return 0;
	errno = err;
refused:
	err = errno;
	dlg_close(d);
	/* not listening yet is what a starting service looks like */
	return err == ECONNREFUSED || err == ETIMEDOUT || err == EHOSTUNREACH ? -EAGAIN : -err;
}

void dlg_close(struct dlg *d)
{
	if (d && d->fd >= 0) {
		close(d->fd);
		d->fd = -1;
	}
}

int dlg_read_line(struct dlg *d, char *line, size_t size)
{
	for (;;) {
		char *nl = memchr(d->buf, '\n', d->len);
		if (nl) {
			size_t n = (size_t)(nl - d->buf);
			size_t keep = n && d->buf[n - 1] == '\r' ? n - 1 : n;
			if (keep >= size)
				keep = size - 1;
			memcpy(line, d->buf, keep);
			line[keep] = '\0';
			d->len -= n + 1;
			memmove(d->buf, nl + 1, d->len);
			return 0;
		}
		if (d->len == sizeof(d->buf))
			return -EMSGSIZE;
		struct pollfd p = {.fd = d->fd, .events = POLLIN};
		int r = poll(&p, 1, (int)d->timeout_ms);
		if (r < 0)
			return -errno;
		if (r == 0)
			return -ETIMEDOUT;
		ssize_t got = read(d->fd, d->buf + d->len, sizeof(d->buf) - d->len);
		if (got < 0)
			return -errno;
		if (got == 0)
			return -EPIPE;
		d->len += (size_t)got;
	}
}

int dlg_send(struct dlg *d, const char *text)
{
	size_t len = strlen(text), off = 0;

	while (off < len) {
		ssize_t n = send(d->fd, text + off, len - off, MSG_NOSIGNAL);
		if (n < 0 && errno == EAGAIN) {
			struct pollfd p = {.fd = d->fd, .events = POLLOUT};
			if (poll(&p, 1, (int)d->timeout_ms) <= 0)
				return -ETIMEDOUT;
			continue;
		}
		if (n < 0)
			return -errno;
		off += (size_t)n;
	}
	return 0;
}

int dlg_read_reply(struct dlg *d, char *line, size_t size)
{
	for (;;) {
		int r = dlg_read_line(d, line, size);
		if (r < 0)
			return r;
		if (strlen(line) < 3 || !isdigit((unsigned char)line[0]) ||
		    !isdigit((unsigned char)line[1]) || !isdigit((unsigned char)line[2]))
			return -EPROTO;
		if (line[3] == '-')
			continue;
		return (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
	}
}
