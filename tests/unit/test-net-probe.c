/* SPDX-License-Identifier: MIT */
/*
 * The probes behind host->probe_tcp and host->probe_http, against real
 * listeners inside a network namespace of the test's own, on an address
 * (198.51.100.77, documentation range) that exists only in there.  Needs
 * root (skipped otherwise); leaves no namespace behind.
 */
#include "config.h"

#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "plugin/services-probe.h"
#include "plugin/services.h"
#include "net/netlink.h"
#include "net/netns.h"
#include "base/util.h"

static char ns_name[64];
static int nsfd = -1;
static struct in_addr addr;

static int ns_setup(void *arg)
{
	struct apo_nl *nl;
	int r = apo_nl_open(&nl);
	if (r < 0)
		return r;
	r = apo_nl_link_up(nl, 1);
	if (r == 0)
		r = apo_nl_addr_add(nl, 1, addr, 32);
	apo_nl_close(nl);
	return r;
}

static void setup(void)
{
	snprintf(ns_name, sizeof(ns_name), "apomon-test-probe-%d", (int)getpid());
	inet_pton(AF_INET, "198.51.100.77", &addr);
	/* /run/netns need not exist yet on a fresh machine */
	ck_assert_int_eq(apo_netns_prepare(), 0);
	ck_assert_int_eq(apo_netns_create(ns_name), 0);
	nsfd = apo_netns_open(ns_name);
	ck_assert_int_ge(nsfd, 0);
	ck_assert_int_eq(apo_netns_run(nsfd, ns_setup, NULL), 0);
}

static void teardown(void)
{
	close(nsfd);
	ck_assert_int_eq(apo_netns_delete(ns_name), 0);
}

/* A listener on 198.51.100.77 inside the namespace; *port gets its port. */
static int listener(uint16_t *port)
{
	struct sockaddr_in sin = {.sin_family = AF_INET, .sin_addr = addr};
	socklen_t len = sizeof(sin);
	int fd = apo_netns_socket(nsfd, AF_INET, SOCK_STREAM, 0);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	ck_assert_int_eq(listen(fd, 4), 0);
	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&sin, &len), 0);
	*port = ntohs(sin.sin_port);
	return fd;
}

/* Answers `n` HTTP requests with 204. */
struct http_server {
	int fd, n;
};

static void *serve(void *arg)
{
	struct http_server *h = arg;
	static const char reply[] =
	    "HTTP/1.1 204 No Content\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
	char buf[2048];

	for (int i = 0; i < h->n; i++) {
		int c = accept(h->fd, NULL, NULL);
		if (c < 0)
			break;
		size_t got = 0;
		ssize_t k;
		while (got < sizeof(buf) - 1 &&
		       (k = read(c, buf + got, sizeof(buf) - 1 - got)) > 0) {
			got += (size_t)k;
			buf[got] = '\0';
			if (strstr(buf, "\r\n\r\n"))
				break;
		}
		(void)!write(c, reply, sizeof(reply) - 1);
		close(c);
	}
	return NULL;
}

START_TEST(tcp_accepted_and_refused)
{
	uint16_t port, closed;
	int fd = listener(&port);
	int other = listener(&closed);

	close(other); /* a port nobody listens on */
	ck_assert_int_eq(apo_probe_tcp(nsfd, "198.51.100.77", port, 1000), 0);
	ck_assert_int_eq(apo_probe_tcp(nsfd, "198.51.100.77", closed, 1000), -ECONNREFUSED);
	ck_assert_int_eq(apo_probe_tcp(nsfd, "not-an-address", port, 1000), -EINVAL);
	close(fd);
}
END_TEST

START_TEST(http_status)
{
	uint16_t port;
	struct http_server h = {.fd = listener(&port), .n = 2};
	pthread_t t;
	long status = 0;
	char url[128], resolve[128];

	pthread_create(&t, NULL, serve, &h);
	snprintf(url, sizeof(url), "http://198.51.100.77:%u/health", port);
	ck_assert_int_eq(apo_probe_http(nsfd, url, 2000, NULL, NULL, &status), 0);
	ck_assert_int_eq(status, 204);
	/* a name only the environment knows */
	status = 0;
	snprintf(url, sizeof(url), "http://probe.test:%u/", port);
	snprintf(resolve, sizeof(resolve), "probe.test:%u:198.51.100.77", port);
	ck_assert_int_eq(apo_probe_http(nsfd, url, 2000, NULL, resolve, &status), 0);
	ck_assert_int_eq(status, 204);
	pthread_join(t, NULL);
	close(h.fd);
	/* nobody listens any more */
	ck_assert_int_eq(apo_probe_http(nsfd, url, 2000, NULL, resolve, &status), -ECONNREFUSED);
}
END_TEST

/* Through the plugin ABI: the station's namespace by its FQDN, its first
 * address by default, its FQDN resolved to that address. */
START_TEST(host_services)
{
	uint16_t port;
	/* two: the TCP probe's connection waits in the backlog first */
	struct http_server h = {.fd = listener(&port), .n = 2};
	struct apo_addr a = {.addr = addr, .prefix = 32};
	struct apo_station s = {.name = "probe", .fqdn = ns_name, .addrs = &a, .n_addrs = 1};
	struct apomon_station st = {.ctx = NULL, .station = &s};
	pthread_t t;
	long status = 0;
	char url[160];

	ck_assert_int_eq(apo_services.probe_tcp(&st, NULL, port, 1000), 0);
	pthread_create(&t, NULL, serve, &h);
	snprintf(url, sizeof(url), "http://%s:%u/", ns_name, port);
	ck_assert_int_eq(apo_services.probe_http(&st, url, 2000, &status), 0);
	ck_assert_int_eq(status, 204);
	pthread_join(t, NULL);
	close(h.fd);
	s.fqdn = "no-such-station.invalid";
	ck_assert_int_eq(apo_services.probe_tcp(&st, NULL, port, 1000), -ENOENT);
}
END_TEST

int main(void)
{
	if (geteuid() != 0) {
		fprintf(stderr, "SKIP: test-net-probe needs root (network namespaces)\n");
		return 77;
	}
	Suite *s = suite_create("net-probe");
	TCase *tc = tcase_create("probes");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, tcp_accepted_and_refused);
	tcase_add_test(tc, http_status);
	tcase_add_test(tc, host_services);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	/* no fork: the namespace fd and threads live in this process */
	srunner_set_fork_status(sr, CK_NOFORK);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
