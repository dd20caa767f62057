/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "plugin/services-probe.h"
#include "plugin/services.h"
#include "net/netns.h"
#include "base/fmt.h"
#include "base/util.h"

int apo_probe_tcp(int nsfd, const char *address, uint16_t port, unsigned timeout_ms)
{
	struct sockaddr_in sin = {.sin_family = AF_INET, .sin_port = htons(port)};
	int fd, r, err = 0;
	socklen_t len = sizeof(err);

	if (inet_pton(AF_INET, address, &sin.sin_addr) != 1)
		return -EINVAL;
	fd = apo_netns_socket(nsfd, AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return fd;
	if (connect(fd, (struct sockaddr *)&sin, sizeof(sin)) == 0) {
		r = 0;
		goto out;
	}
	if (errno != EINPROGRESS) {
		r = -errno;
		goto out;
	}
	struct pollfd p = {.fd = fd, .events = POLLOUT};
	r = poll(&p, 1, (int)timeout_ms);
	if (r < 0) {
		r = -errno;
		goto out;
	}
	if (r == 0) {
		r = -ETIMEDOUT;
		goto out;
	}
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
		r = -errno;
	else
		r = -err;
out:
	close(fd);
	return r;
}

static curl_socket_t open_in_ns(void *clientp, curlsocktype purpose, struct curl_sockaddr *a)
{
	int fd = apo_netns_socket(*(int *)clientp, a->family, a->socktype, a->protocol);
	return fd < 0 ? CURL_SOCKET_BAD : fd;
}

static int curl_errno(CURLcode c)
{
	switch (c) {
	case CURLE_COULDNT_CONNECT:
		return -ECONNREFUSED;
	case CURLE_OPERATION_TIMEDOUT:
		return -ETIMEDOUT;
	case CURLE_COULDNT_RESOLVE_HOST:
		return -EHOSTUNREACH;
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CONNECT_ERROR:
		return -EPROTO;
	case CURLE_URL_MALFORMAT:
		return -EINVAL;
	case CURLE_OUT_OF_MEMORY:
		return -ENOMEM;
	default:
		return -EIO;
	}
}

static size_t discard(char *p, size_t size, size_t n, void *u)
{
	return size * n;
}

int apo_probe_http(int nsfd, const char *url, unsigned timeout_ms, const char *ca_file,
		   const char *resolve, long *status)
{
	struct curl_slist *res = NULL;
	CURL *c = curl_easy_init();
	CURLcode rc;

	if (!c)
		return -ENOMEM;
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_OPENSOCKETFUNCTION, open_in_ns);
	curl_easy_setopt(c, CURLOPT_OPENSOCKETDATA, &nsfd);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)timeout_ms);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	/* the station's own network: no proxy of the caller's environment */
	curl_easy_setopt(c, CURLOPT_NOPROXY, "*");
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	if (ca_file)
		curl_easy_setopt(c, CURLOPT_CAINFO, ca_file);
	if (resolve) {
		res = curl_slist_append(NULL, resolve);
		curl_easy_setopt(c, CURLOPT_RESOLVE, res);
	}
	rc = curl_easy_perform(c);
	if (rc == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, status);
	curl_easy_cleanup(c);
	curl_slist_free_all(res);
	return rc == CURLE_OK ? 0 : curl_errno(rc);
}

/* The station's namespace: the runtime's hook when there is one. */
static int station_ns(const struct apomon_station *st)
{
	if (st->ctx && st->ctx->netns_fd)
		return st->ctx->netns_fd(st);
	return apo_netns_open(st->station->fqdn);
}

int apo_services_probe_tcp(const struct apomon_station *st, const char *address, uint16_t port,
			   unsigned timeout_ms)
{
	char a[INET_ADDRSTRLEN];
	int fd, r;

	if (!address) {
		if (!st->station->n_addrs)
			return -EADDRNOTAVAIL;
		address = apo_fmt_ip(a, st->station->addrs[0].addr);
	}
	if ((fd = station_ns(st)) < 0)
		return fd;
	r = apo_probe_tcp(fd, address, port, timeout_ms);
	close(fd);
	return r;
}

int apo_services_probe_http(const struct apomon_station *st, const char *url, unsigned timeout_ms,
			    long *status)
{
	_cleanup_free_ char *resolve = NULL;
	char a[INET_ADDRSTRLEN];
	int fd, r;

	/* the station's own name resolves to its first address, whatever
	 * the host's resolver says */
	CURLU *u = curl_url();
	char *host = NULL, *port = NULL;
	if (u && curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) == CURLUE_OK &&
	    !strcmp(host, st->station->fqdn) && st->station->n_addrs) {
		resolve = apo_xasprintf("%s:%s:%s", host, port,
					apo_fmt_ip(a, st->station->addrs[0].addr));
	}
	curl_free(host);
	curl_free(port);
	curl_url_cleanup(u);
	if ((fd = station_ns(st)) < 0)
		return fd;
	r = apo_probe_http(fd, url, timeout_ms, st->ctx ? st->ctx->ca_file : NULL, resolve, status);
	close(fd);
	return r;
}

int apo_services_socket(const struct apomon_station *st, int domain, int type, int protocol)
{
	int fd, r;

	if (!st || !st->station)
		return -EINVAL;
	if ((fd = station_ns(st)) < 0)
		return fd;
	r = apo_netns_socket(fd, domain, type, protocol); /* O_CLOEXEC there */
	close(fd);
	return r;
}
