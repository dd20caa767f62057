/* SPDX-License-Identifier: MIT */
/*
 * apomon-init: PID 1 of a station.
 *
 * Usage (by the launcher, never by hand): apomon-init ENTRYPOINT [ARGS...]
 * with fd 0 = /dev/null, fds 1 and 2 = a pipe to the station's logger, and
 * fd 3 = a pipe the logger copies to the station's status file on the
 * host (/run/apomon/ENV/stations/NAME/status): no file of the host is
 * open in a station (see apomon-log.c).  fds 4 and 5 = the read ends of
 * those two pipes, which init only holds.  Only 0-2 reach the entrypoint.
 *
 * Contract: the entrypoint (startup.sh) is the station's long-running
 * process: it execs its server or waits for it.  While it runs, the
 * station runs; when it exits, init exits with its status and the kernel
 * kills whatever else is left in the PID namespace.  init appends one
 * line per event to the status fd, which is how the core (in another
 * process, possibly after `up` returned) learns what happened:
 *   running PID       the entrypoint was exec'd (PID inside the station);
 *                     PID 0: the station has no entrypoint (below)
 *   failed ERRNO      the entrypoint could not be exec'd
 *   exited CODE       the entrypoint exited with CODE
 *   killed SIGNAL     the entrypoint died of SIGNAL
 *
 * Services on demand (inetd style): when the root has /apomon/inetd.conf,
 * init listens on each TCP port it names, before the entrypoint starts,
 * and runs the service's program for each connection with the socket as
 * its stdin and stdout, e.g. `22 /usr/sbin/sshd -i`.  A station that
 * nobody logs into pays nothing for its SSH server.
 *
 * No entrypoint: when the entrypoint does not exist, the root has no
 * /apomon/oci-start and inetd.conf names a service, init is the station's
 * only process: it serves those services until the stop signal (SIGTERM,
 * SIGINT, SIGHUP, SIGQUIT), then exits 0 (without any, a missing
 * entrypoint is a failed station).  The `base` image is such a station: a shell
 * and a `sleep infinity` kept for nothing cost more of its start than
 * the rest of it.
 *
 * OCI images: when the entrypoint does not exist and the root has
 * /apomon/oci-start (written at import from the image's config, see
 * core/image/oci-start.h), init runs what it says instead: Entrypoint and
 * Cmd as the main process, with the image's Env over init's own, in its
 * WorkingDir, as its User; /apomon/oci-start.local (the oci type's
 * `command` and `env`) overrides both.
 *
 * Kept tiny and linked statically: it runs after pivot_root, inside roots
 * that may have no C library, and 500 of them must cost little memory.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <grp.h>
#include <sys/wait.h>
#include <unistd.h>

#define STATUS_FD    3
#define INETD_CONF   "/apomon/inetd.conf"
#define MAX_SERVICES 8
#define MAX_ARGS     16
/* connections served at once, per service: a flood of connects must not
 * turn into a fork bomb inside the station */
#define MAX_CONNS 32

struct service {
	int fd; /* listening socket */
	unsigned port;
	char *argv[MAX_ARGS + 1];
	unsigned active; /* its children alive */
	pid_t kids[MAX_CONNS];
};

#define OCI_START "/apomon/oci-start"
#define OCI_LOCAL "/apomon/oci-start.local"
#define OCI_MAX	  256

/* What an OCI image's config says to run (see read_oci_start). */
static struct {
	int on;
	char buf[65536];
	char *argv[OCI_MAX + 1], *envp[3 * OCI_MAX + 1], *cwd;
	unsigned long uid, gid;
} oci;

extern char **environ;

static struct service services[MAX_SERVICES];
static size_t n_services;
static char conf_buf[4096];

static void say(const char *word, long v)
{
	char buf[96];
	int n = snprintf(buf, sizeof(buf), "%s %ld\n", word, v);

	if (n > 0 && write(STATUS_FD, buf, (size_t)n) < 0)
		return; /* no host to tell: keep running the station */
}

static void msg(const char *what, int err)
{
	dprintf(2, "apomon-init: %s: %s\n", what, strerror(err));
}

/* The entrypoint runs in its own process group with default signals. */
static pid_t spawn(char **argv, const sigset_t *old)
{
	int pfd[2], err = 0;
	pid_t pid;

	if (pipe2(pfd, O_CLOEXEC) < 0)
		return -errno;
	pid = fork();
	if (pid < 0) {
		err = errno;
		close(pfd[0]);
		close(pfd[1]);
		return -err;
	}
	if (pid == 0) {
		close(pfd[0]);
		setpgid(0, 0);
		sigprocmask(SIG_SETMASK, old, NULL);
		if (oci.on) {
			environ = oci.envp; /* execvp looks up PATH there */
			if (chdir(oci.cwd) < 0 || setgroups(0, NULL) < 0 ||
			    setgid((gid_t)oci.gid) < 0 || setuid((uid_t)oci.uid) < 0)
				err = errno;
			else
				execvp(argv[0], argv);
			if (!err)
				err = errno;
			if (write(pfd[1], &err, sizeof(err)) < 0)
				_exit(127);
			_exit(127);
		}
		execv(argv[0], argv);
		err = errno;
		if (write(pfd[1], &err, sizeof(err)) < 0)
			_exit(127);
		_exit(127);
	}
	close(pfd[1]);
	/* EOF means exec succeeded (the pipe is close-on-exec) */
	while (read(pfd[0], &err, sizeof(err)) < 0 && errno == EINTR)
		;
	close(pfd[0]);
	if (err) {
		waitpid(pid, NULL, 0);
		return -err;
	}
	return pid;
}

/*
 * Reads INETD_CONF: one service a line, "PORT PROGRAM [ARGS...]", '#'
 * comments.  A line it cannot use is said on stderr (the station's log)
 * and skipped; the station itself still starts.
 */
static void read_inetd_conf(void)
{
	int fd = open(INETD_CONF, O_RDONLY | O_CLOEXEC);
	ssize_t n;
	char *line, *save = NULL;

	if (fd < 0)
		return;
	n = read(fd, conf_buf, sizeof(conf_buf) - 1);
	close(fd);
	if (n <= 0)
		return;
	conf_buf[n] = '\0';
	for (line = strtok_r(conf_buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		struct service *sv = &services[n_services];
		char *w, *wsave = NULL, *end;
		size_t argc = 0;
		unsigned long port;

		line += strspn(line, " \t");
		if (!*line || *line == '#')
			continue;
		if (n_services == MAX_SERVICES) {
			dprintf(2, "apomon-init: %s: more than %d services\n", INETD_CONF,
				MAX_SERVICES);
			return;
		}
		w = strtok_r(line, " \t", &wsave);
		errno = 0;
		port = strtoul(w, &end, 10);
		if (errno || *end || port == 0 || port > 65535) {
			dprintf(2, "apomon-init: %s: '%s': not a port\n", INETD_CONF, w);
			continue;
		}
		while ((w = strtok_r(NULL, " \t", &wsave)) && argc < MAX_ARGS)
			sv->argv[argc++] = w;
		if (!argc || sv->argv[0][0] != '/') {
			dprintf(2, "apomon-init: %s: port %lu: expected an absolute program path\n",
				INETD_CONF, port);
			continue;
		}
		sv->argv[argc] = NULL;
		sv->port = (unsigned)port;
		n_services++;
	}
}

/* Binds every service's port (all addresses of the station). */
static void listen_all(void)
{
	for (size_t i = 0; i < n_services; i++) {
		struct service *sv = &services[i];
		struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(sv->port)};
		int one = 1;

		sv->fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
		if (sv->fd < 0 ||
		    setsockopt(sv->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
		    bind(sv->fd, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(sv->fd, 64) < 0) {
			msg(sv->argv[0], errno);
			if (sv->fd >= 0)
				close(sv->fd);
			sv->fd = -1;
		}
	}
}

/* One connection: its program runs with the socket as stdin and stdout,
 * in a session of its own, with default signals. */
static void serve(struct service *sv, const sigset_t *old)
{
	int c = accept4(sv->fd, NULL, NULL, SOCK_CLOEXEC);
	pid_t pid;

	if (c < 0)
		return;
	if (sv->active == MAX_CONNS) {
		close(c); /* refused now; the client may retry */
		return;
	}
	pid = fork();
	if (pid == 0) {
		setsid();
		sigprocmask(SIG_SETMASK, old, NULL);
		if (dup2(c, 0) < 0 || dup2(c, 1) < 0)
			_exit(127);
		execv(sv->argv[0], sv->argv);
		msg(sv->argv[0], errno);
		_exit(127);
	}
	close(c);
	if (pid < 0)
		return;
	for (size_t k = 0; k < MAX_CONNS; k++)
		if (!sv->kids[k]) {
			sv->kids[k] = pid;
			sv->active++;
			break;
		}
}

/* A reaped PID that was a connection's frees its slot. */
static void reaped(pid_t p)
{
	for (size_t i = 0; i < n_services; i++)
		for (size_t k = 0; k < MAX_CONNS; k++)
			if (services[i].kids[k] == p) {
				services[i].kids[k] = 0;
				services[i].active--;
				return;
			}
}

static int env_has(char **env, size_t n, const char *kv)
{
	size_t k = strcspn(kv, "=");

	for (size_t i = 0; i < n; i++)
		if (!strncmp(env[i], kv, k) && env[i][k] == '=')
			return 1;
	return 0;
}

/* One file of "word value" lines into buf (NUL-terminated); 0 or -errno. */
static int slurp(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	size_t len = 0;
	ssize_t n;

	if (fd < 0)
		return -errno;
	while ((n = read(fd, buf + len, size - 1 - len)) > 0)
		len += (size_t)n;
	close(fd);
	buf[len] = '\0';
	return 0;
}

/*
 * OCI_START: "user UID GID", "cwd DIR", then "env K=V", "arg W", "port P".
 * OCI_LOCAL (the oci type's settings, rendered per station) is read
 * first: its args, if any, replace the image's Entrypoint+Cmd, and its
 * env wins over the image's, which wins over init's own.
 */
static int read_oci_start(void)
{
	static char local[16384];
	size_t na = 0, ne = 0;
	char *line, *save = NULL;
	int have_local = slurp(OCI_LOCAL, local, sizeof(local)) == 0;

	if (slurp(OCI_START, oci.buf, sizeof(oci.buf)) < 0)
		return -ENOENT;
	oci.cwd = "/";
	for (line = have_local ? strtok_r(local, "\n", &save) : NULL; line;
	     line = strtok_r(NULL, "\n", &save)) {
		char *v = strchr(line, ' ');
		if (!v)
			continue;
		*v++ = '\0';
		if (!strcmp(line, "arg") && na < OCI_MAX)
			oci.argv[na++] = v;
		else if (!strcmp(line, "env") && ne < OCI_MAX && strchr(v, '=') &&
			 !env_has(oci.envp, ne, v))
			oci.envp[ne++] = v;
	}
	int own_args = na > 0;
	save = NULL;
	for (line = strtok_r(oci.buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *v = strchr(line, ' ');
		if (!v)
			continue;
		*v++ = '\0';
		if (!strcmp(line, "arg") && na < OCI_MAX && !own_args)
			oci.argv[na++] = v;
		else if (!strcmp(line, "env") && ne < 2 * OCI_MAX && strchr(v, '=') &&
			 !env_has(oci.envp, ne, v))
			oci.envp[ne++] = v;
		else if (!strcmp(line, "cwd"))
			oci.cwd = v;
		else if (!strcmp(line, "user"))
			oci.uid = strtoul(v, &v, 10), oci.gid = strtoul(v, NULL, 10);
	}
	if (!na)
		return -ENOEXEC;
	/* init's own (PATH, HOSTNAME, ...) where neither sets one */
	for (char **e = environ; e && *e && ne < 3 * OCI_MAX; e++)
		if (!env_has(oci.envp, ne, *e))
			oci.envp[ne++] = *e;
	oci.on = 1;
	return 0;
}

static void nothing(int sig)
{
	(void)sig;
}

int main(int argc, char **argv)
{
	sigset_t all, old;
	pid_t child;
	int code = 1, sfd;

	if (argc < 2) {
		dprintf(2, "usage: apomon-init ENTRYPOINT [ARGS...]\n");
		return 2;
	}
	if (fcntl(STATUS_FD, F_GETFD) < 0)
		open("/dev/null", O_WRONLY); /* takes fd 3: say() then goes nowhere */
	else
		fcntl(STATUS_FD, F_SETFD, FD_CLOEXEC);
	/* the read ends of the pipes of fds 1-3: held for a logger that takes
	 * over after its predecessor died (station-log.c), never read here,
	 * never passed on */
	fcntl(4, F_SETFD, FD_CLOEXEC);
	fcntl(5, F_SETFD, FD_CLOEXEC);

	/* PID 1 only gets signals it handles; a handler that does nothing
	 * makes them deliverable; the signalfd below then reads them in order */
	struct sigaction sa = {.sa_handler = nothing};
	for (int s = 1; s < _NSIG; s++)
		if (s != SIGKILL && s != SIGSTOP)
			sigaction(s, &sa, NULL);
	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, &old);
	prctl(PR_SET_CHILD_SUBREAPER, 1);

	read_inetd_conf();
	listen_all(); /* before the entrypoint: a station that runs can be reached */

	char **run = argv + 1;
	child = 0;
	if (access(argv[1], F_OK) < 0 && errno == ENOENT) {
		int rc = read_oci_start();
		if (rc == 0)
			run = oci.argv;
		else if (rc == -ENOENT && n_services)
			run = NULL; /* no entrypoint: init alone */
	}
	if (run) {
		child = spawn(run, &old);
		if (child < 0) {
			msg(run[0], (int)-child);
			say("failed", -child);
			return 127;
		}
	}
	say("running", child);

	sfd = signalfd(-1, &all, SFD_CLOEXEC);
	if (sfd < 0) {
		msg("signalfd", errno);
		return 1;
	}
	for (;;) {
		struct pollfd pfd[1 + MAX_SERVICES];
		struct signalfd_siginfo si;
		size_t np = 0;

		pfd[np++] = (struct pollfd){.fd = sfd, .events = POLLIN};
		for (size_t i = 0; i < n_services; i++)
			pfd[np++] = (struct pollfd){.fd = services[i].fd, .events = POLLIN};
		if (poll(pfd, np, -1) < 0)
			continue;
		for (size_t i = 0; i < n_services; i++)
			if (pfd[1 + i].revents & POLLIN)
				serve(&services[i], &old);
		if (!(pfd[0].revents & POLLIN) || read(sfd, &si, sizeof(si)) != sizeof(si))
			continue;
		int sig = (int)si.ssi_signo;
		if (sig != SIGCHLD) {
			/* forward: to the group first, then the process in case
			 * it left its group */
			int stop =
			    sig == SIGTERM || sig == SIGINT || sig == SIGHUP || sig == SIGQUIT;
			if (!child && stop) { /* init alone: the stop is ours */
				say("exited", 0);
				return 0;
			}
			if (child && (stop || sig == SIGUSR1 || sig == SIGUSR2)) {
				kill(-child, sig);
				kill(child, sig);
			}
			continue;
		}
		for (;;) {
			int st;
			pid_t p = waitpid(-1, &st, WNOHANG);

			if (p <= 0)
				break;
			if (!child || p != child) {
				reaped(p); /* an orphan or a connection's program */
				continue;
			}
			if (WIFEXITED(st)) {
				code = WEXITSTATUS(st);
				say("exited", code);
			} else {
				code = 128 + WTERMSIG(st);
				say("killed", WTERMSIG(st));
			}
			return code;
		}
	}
}
