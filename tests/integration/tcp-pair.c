/* SPDX-License-Identifier: MIT */
/*
 * tcp-pair SERVER_NS ADDR PORT CLIENT_NS [TIMEOUT_MS [TO_ADDR TO_PORT]]
 *
 * A real TCP connect/accept between two network namespaces (named under
 * /run/netns; "-" is the caller's own): a thread in SERVER_NS listens on
 * ADDR:PORT (so ADDR must be one of SERVER_NS's addresses), a thread in
 * CLIENT_NS connects to it (or to TO_ADDR:TO_PORT, e.g. a published host
 * port that a DNAT rule should bring there), sends a token, and checks
 * the echo.
 * Exit 0: connected and echoed; 1: the connection failed (refused,
 * unreachable, timed out); 3: the test could not be set up (e.g. ADDR is
 * not an address of SERVER_NS).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static const char *server_ns, *client_ns;
static struct sockaddr_in addr, dest;
static int timeout_ms = 3000;
static int listen_fd = -1;
static char token[64];

static int enter(const char *ns)
{
	char path[512];
	int fd, r;

	if (!strcmp(ns, "-"))
		return 0;
	snprintf(path, sizeof(path), "/run/netns/%s", ns);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	r = setns(fd, CLONE_NEWNET) < 0 ? -errno : 0;
	close(fd);
	return r;
}

static void *listener(void *arg)
{
	int *r = arg;
	int one = 1;

	if ((*r = enter(server_ns)) < 0)
		return NULL;
	listen_fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (listen_fd < 0) {
		*r = -errno;
		return NULL;
	}
	setsockopt(listen_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(listen_fd, (struct sockaddr *)&addr, sizeof(addr)) < 0 || listen(listen_fd, 1) < 0)
		*r = -errno;
	return NULL;
}

/* accepts one connection and echoes what it reads */
static void *server(void *arg)
{
	struct pollfd p = {.fd = listen_fd, .events = POLLIN};
	char buf[64];
	ssize_t n;

	if (poll(&p, 1, timeout_ms) <= 0)
		return NULL;
	int c = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC);
	if (c < 0)
		return NULL;
	struct pollfd q = {.fd = c, .events = POLLIN};
	if (poll(&q, 1, timeout_ms) > 0 && (n = read(c, buf, sizeof(buf))) > 0)
		(void)!write(c, buf, (size_t)n);
	close(c);
	return NULL;
}

static int client(void)
{
	char buf[64] = "";
	int fd, err = 0;
	socklen_t len = sizeof(err);

	if (enter(client_ns) < 0)
		return -EINVAL;
	fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&dest, sizeof(dest)) < 0 && errno != EINPROGRESS) {
		err = errno;
		goto out;
	}
	struct pollfd p = {.fd = fd, .events = POLLOUT};
	if (poll(&p, 1, timeout_ms) <= 0) {
		err = ETIMEDOUT;
		goto out;
	}
	getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
	if (err)
		goto out;
	if (write(fd, token, strlen(token)) != (ssize_t)strlen(token)) {
		err = errno;
		goto out;
	}
	struct pollfd q = {.fd = fd, .events = POLLIN};
	if (poll(&q, 1, timeout_ms) <= 0 || read(fd, buf, sizeof(buf) - 1) <= 0) {
		err = ETIMEDOUT;
		goto out;
	}
	if (strcmp(buf, token))
		err = EPROTO;
out:
	close(fd);
	return -err;
}

struct cargs {
	int r;
};

static void *client_thread(void *arg)
{
	((struct cargs *)arg)->r = client();
	return NULL;
}

int main(int argc, char **argv)
{
	pthread_t t;
	int r = 0;
	struct cargs c;

	if (argc < 5) {
		fprintf(stderr,
			"usage: %s SERVER_NS ADDR PORT CLIENT_NS [TIMEOUT_MS [TO_ADDR TO_PORT]]\n",
			argv[0]);
		return 3;
	}
	server_ns = argv[1];
	client_ns = argv[4];
	addr.sin_family = AF_INET;
	addr.sin_port = htons((uint16_t)atoi(argv[3]));
	if (inet_pton(AF_INET, argv[2], &addr.sin_addr) != 1) {
		fprintf(stderr, "tcp-pair: bad address %s\n", argv[2]);
		return 3;
	}
	if (argc > 5)
		timeout_ms = atoi(argv[5]);
	dest = addr;
	if (argc > 7) {
		dest.sin_port = htons((uint16_t)atoi(argv[7]));
		if (inet_pton(AF_INET, argv[6], &dest.sin_addr) != 1) {
			fprintf(stderr, "tcp-pair: bad address %s\n", argv[6]);
			return 3;
		}
	}
	snprintf(token, sizeof(token), "tcp-pair %d", (int)getpid());

	/* a thread of its own so that the main thread never changes namespace */
	pthread_create(&t, NULL, listener, &r);
	pthread_join(t, NULL);
	if (r < 0) {
		fprintf(stderr, "tcp-pair: listen on %s:%s in %s: %s\n", argv[2], argv[3],
			server_ns, strerror(-r));
		return 3;
	}
	pthread_create(&t, NULL, server, NULL);
	pthread_t ct;
	pthread_create(&ct, NULL, client_thread, &c);
	pthread_join(ct, NULL);
	close(listen_fd); /* wakes nothing: the server's poll times out on its own */
	pthread_join(t, NULL);
	if (c.r < 0) {
		fprintf(stderr, "tcp-pair: %s -> %s:%s (%s): %s\n", client_ns, argv[2], argv[3],
			server_ns, strerror(-c.r));
		return 1;
	}
	printf("tcp-pair: %s -> %s:%s (%s): ok\n", client_ns, argv[2], argv[3], server_ns);
	return 0;
}
