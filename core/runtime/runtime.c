/* SPDX-License-Identifier: MIT */
/* The plan's stations, level by level: see runtime.h for the sequence. */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/fmt.h"
#include "base/fs.h"
#include "base/paths.h"
#include "base/time.h"
#include "plugin/services-files.h"
#include "runtime/confine.h"
#include "runtime/ready-wait.h"
#include "runtime/runtime.h"
#include "runtime/station-log.h"
#include "runtime/ssh-keys.h"
#include "base/util.h"
#include "base/workers.h"

/* Threads that remove stopped stations (apo_runtime_down). */
#define REMOVAL_THREADS 8

extern char **environ;

/* bounded: a hung or chatty command in a station can neither hold `up`
 * past the type's ready timeout nor fill apomon's memory */
static int host_run(const struct apomon_station *st, const char *const argv[], char **output)
{
	const struct apomon_station_type *t = st->station->type;
	struct apo_run_limits lim = {
	    .timeout_ms = t && t->ready_timeout_ms ? t->ready_timeout_ms : APO_RUN_TIMEOUT_MS,
	    .max_output = APO_RUN_MAX_OUTPUT,
	};
	char *discard = NULL;
	size_t dropped = 0;
	int rc = apo_station_run(st->ctx->model->env, st->station->name, argv, &lim,
				 output ? output : &discard, &dropped);
	free(discard);
	if (dropped)
		apo_services.log(st, APOMON_LOG_WARNING,
				 "run %s: output cut at %zu bytes, %zu more discarded", argv[0],
				 lim.max_output, dropped);
	if (rc == -ETIMEDOUT)
		apo_services.log(st, APOMON_LOG_ERROR,
				 "run %s: still running after %u ms: killed, with what it started",
				 argv[0], lim.timeout_ms);
	return rc;
}

static int host_netns_fd(const struct apomon_station *st)
{
	_cleanup_free_ char *p = apo_xasprintf("/run/netns/%s", st->station->fqdn);
	int fd = open(p, O_RDONLY | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

static char *host_log_path(const struct apomon_station *st)
{
	return apo_station_log_path(st->ctx->model->env, st->station->name);
}

void apo_runtime_wire(struct apo_services_ctx *hc)
{
	hc->run = host_run;
	hc->netns_fd = host_netns_fd;
	hc->log_path = host_log_path;
}

static const char *domain_of(const struct apo_station *s)
{
	const char *dot = strchr(s->fqdn, '.');
	if (s->cluster)
		return s->cluster->domain;
	return dot ? dot + 1 : s->fqdn;
}

/* Every planned address of the station: its own, or for the backbone
 * its legs in each cluster and on the host link. */
char *apo_runtime_hosts(const struct apo_plan *p, const struct apo_plan_station *ps)
{
	const struct apo_station *s = ps->station;
	char *out =
	    apo_xstrdup("127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n");
	(void)p;

	for (size_t i = 0; i < ps->n_ifaces; i++) {
		for (size_t k = 0; k < ps->ifaces[i].n_addrs; k++) {
			char a[INET_ADDRSTRLEN];
			char *n;
			apo_fmt_ip(a, ps->ifaces[i].addrs[k].addr);
			n = apo_xasprintf("%s%s\t%s %s\n", out, a, s->fqdn, s->name);
			free(out);
			out = n;
		}
	}
	return out;
}

char *apo_runtime_resolv(const struct apo_plan *p, const struct apo_plan_station *ps)
{
	const struct apo_station *s = ps->station;
	char ns[INET_ADDRSTRLEN] = "127.0.0.1";

	if (s->cluster)
		apo_fmt_ip(ns, s->cluster->router);
	/* the backbone asks its own DNS server, on loopback */
	(void)p;
	return apo_xasprintf("search %s\nnameserver %s\n", domain_of(s), ns);
}

int apo_runtime_ssh_key(const char *env, char **priv, char **pub)
{
	return apo_ssh_env_key(env, priv, pub);
}

/* uid and gid of user in the root's /etc/passwd; -ENOENT when absent.
 * Read inside the root: the station may have made /etc a symlink. */
static int passwd_ids(const char *root, const char *user, uid_t *uid, gid_t *gid)
{
	int fd = apo_root_open(root, "/etc/passwd", O_RDONLY, 0);
	FILE *f;
	char line[512];
	size_t ul = strlen(user);
	int rc = -ENOENT;

	if (fd < 0)
		return fd;
	f = fdopen(fd, "re");
	if (!f) {
		close(fd);
		return -errno;
	}
	while (fgets(line, sizeof(line), f)) {
		unsigned u, g;
		if (strncmp(line, user, ul) || line[ul] != ':')
			continue;
		if (sscanf(line + ul, ":%*[^:]:%u:%u:", &u, &g) == 2) {
			*uid = u;
			*gid = g;
			rc = 0;
		}
		break;
	}
	fclose(f);
	return rc;
}

/* The environment's key lets 3pg in (when the image has that user).  The
 * home is resolved inside the root (openat2), then only plain names are
 * used relative to it, never following a symlink. */
static int install_ssh_key(const char *root, const char *pub)
{
	_cleanup_close_ int home = -1, dot = -1, fd = -1;
	uid_t uid = 0;
	gid_t gid = 0;
	size_t len = strlen(pub);

	if (passwd_ids(root, "3pg", &uid, &gid) < 0)
		return 0;
	home = apo_root_open(root, "/home/3pg", O_RDONLY | O_DIRECTORY, 0);
	if (home < 0)
		return 0;
	if (mkdirat(home, ".ssh", 0700) < 0 && errno != EEXIST)
		return -errno;
	dot = openat(home, ".ssh", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dot < 0)
		return errno == ELOOP ? -ENOTDIR : -errno;
	if (unlinkat(dot, "authorized_keys", 0) < 0 && errno != ENOENT)
		return -errno;
	fd = openat(dot, "authorized_keys", O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
		    0600);
	if (fd < 0)
		return -errno;
	if (write(fd, pub, len) != (ssize_t)len)
		return -EIO;
	if (fchown(fd, uid, gid) < 0 || fchown(dot, uid, gid) < 0)
		return -errno;
	return 0;
}

char *apo_runtime_log_tail(const char *env, const char *name, unsigned lines)
{
	_cleanup_free_ char *p = apo_station_log_path(env, name);
	_cleanup_close_ int fd = open(p, O_RDONLY | O_CLOEXEC);
	char buf[4096];
	off_t size;
	ssize_t n;
	char *s, *out;
	unsigned seen = 0;

	if (fd < 0 || (size = lseek(fd, 0, SEEK_END)) <= 0)
		return apo_xstrdup("  (its log is empty)\n");
	n = pread(fd, buf, sizeof(buf) - 1,
		  size > (off_t)sizeof(buf) - 1 ? size - (off_t)sizeof(buf) + 1 : 0);
	if (n <= 0)
		return apo_xstrdup("  (its log is empty)\n");
	buf[n] = '\0';
	if (n && buf[n - 1] == '\n')
		buf[--n] = '\0';
	for (s = buf + n; s > buf; s--)
		if (s[-1] == '\n' && ++seen == lines)
			break;
	/* indent every line by two spaces */
	out = apo_xmalloc(strlen(s) * 3 + 4);
	char *o = out;
	*o++ = ' ';
	*o++ = ' ';
	for (; *s; s++) {
		*o++ = *s;
		if (*s == '\n') {
			*o++ = ' ';
			*o++ = ' ';
		}
	}
	*o++ = '\n';
	*o = '\0';
	return out;
}

/* The station's own SSH host key, the one known_hosts pins. */
static int install_host_key(const char *env, const struct apo_station *s, const char *root,
			    char **err)
{
	_cleanup_free_ char *priv = NULL, *pub = NULL;
	int rc = apo_ssh_host_key(env, s->name, s->fqdn, &priv, &pub);

	if (rc == 0)
		rc = apo_ssh_install_host_key(root, priv, pub, 0, 0);
	if (rc < 0)
		*err = apo_xasprintf("%s: root: /etc/ssh/ssh_host_ed25519_key: %s", s->fqdn,
				     strerror(-rc));
	return rc;
}

static bool host_root_of(const struct apo_plan *p)
{
	return (p->model && p->model->isolation == APO_ISOLATION_HOST_ROOT) ||
	       apo_test_weakened("userns");
}

/* Steps 1-6 of runtime.h for one station; map: its id range (NULL: host
 * root). */
static int start_one(const struct apo_plan *p, struct apo_services_ctx *hc,
		     const struct apo_runtime_opts *o, const struct apo_plan_station *ps,
		     const struct apo_idmap *map, const char *ssh_pub, char **err)
{
	const struct apo_station *s = ps->station;
	const struct apomon_station_type *t = s->type;
	const char *image = s->image ? s->image : t->image;
	struct apomon_station *h = apo_services_handle(hc, s);
	_cleanup_free_ char *netns = apo_xasprintf("/run/netns/%s", ps->netns);
	_cleanup_free_ char *hosts = apo_runtime_hosts(p, ps);
	_cleanup_free_ char *resolv = apo_runtime_resolv(p, ps);
	_cleanup_free_ const char **upper_first = NULL;
	char **dirs = NULL, *root = NULL, *why = NULL;
	struct apo_station_userns uns = {.fd = -1};
	size_t n = 0;
	pid_t pid;
	int rc;

	if ((rc = o->layers(o->ctx, image, &dirs, &n)) < 0) {
		*err = apo_xasprintf("%s: image %s: %s", s->fqdn, image, strerror(-rc));
		return rc;
	}
	upper_first = apo_xcalloc(n ? n : 1, sizeof(*upper_first));
	for (size_t i = 0; i < n; i++)
		upper_first[i] = dirs[n - 1 - i];
	struct apo_station_spec spec = {
	    .env = p->env,
	    .name = s->name,
	    .fqdn = s->fqdn,
	    .netns_path = netns,
	    .layers = upper_first,
	    .n_layers = n,
	    .hosts = hosts,
	    .resolv = resolv,
	    .net_admin = ps->role == APOMON_ROLE_BACKBONE,
	    .host_root = !map,
	    .userns = map ? &uns : NULL,
	    .memory_bytes = s->limits.memory_bytes,
	    .cpu_millis = s->limits.cpu_millis,
	    .pids = s->limits.pids,
	    /* confinement: what the type asks beyond the defaults */
	    .seccomp_allow = APOMON_TYPE_HAS(t, seccomp_allow) ? t->seccomp_allow : NULL,
	    .caps_drop = APOMON_TYPE_HAS(t, caps_drop) ? t->caps_drop : 0,
	    .log_max_bytes = s->limits.log_bytes,
	};

	if (map) {
		uns.map = *map;
		if ((uns.fd = apo_userns_make(map)) < 0) {
			rc = uns.fd;
			*err = apo_xasprintf("%s: isolation: user namespace: %s", s->fqdn,
					     strerror(-rc));
			goto out;
		}
	}
	rc = apo_station_prepare(&spec, &root, err);
	if (rc < 0)
		goto out;
	/* how `down` will stop it, recorded before it runs */
	rc = apo_station_set_stop(p->env, s->name,
				  APOMON_TYPE_HAS(t, stop_signal) ? t->stop_signal : 0,
				  APOMON_TYPE_HAS(t, stop_timeout_ms) ? t->stop_timeout_ms : 0);
	if (rc < 0) {
		if (rc == -EINVAL)
			*err = apo_xasprintf("%s: type %s: stop_signal %d: not a signal a "
					     "server can catch",
					     s->fqdn, t->name, t->stop_signal);
		else
			*err = apo_xasprintf("%s: state: stop: %s", s->fqdn, strerror(-rc));
		goto out;
	}
	if (h) {
		free(h->root);
		h->root = apo_xstrdup(root);
	}
	if (ssh_pub && (rc = install_ssh_key(root, ssh_pub)) < 0) {
		*err = apo_xasprintf("%s: root: /home/3pg/.ssh/authorized_keys: %s", s->fqdn,
				     strerror(-rc));
		goto out;
	}
	if ((rc = install_host_key(p->env, s, root, err)) < 0)
		goto out;
	/* before render: an edit made inside the station is still there */
	if (o->integrity_before_render &&
	    (rc = o->integrity_before_render(o->ctx, ps, root, &why)) != 0) {
		*err = apo_xasprintf("%s: integrity: %s (before render)", s->fqdn,
				     why ? why : strerror(-rc));
		rc = rc < 0 ? rc : -EPERM;
		goto out;
	}
	if (t->render && h && (rc = t->render(&apo_services, h)) < 0) {
		*err = apo_xasprintf("%s: render: %s", s->fqdn, strerror(-rc));
		goto out;
	}
	/* ---- INTEGRITY GATE: the seal check, between render and init ---- */
	if (o->integrity && (rc = o->integrity(o->ctx, ps, root, &why)) != 0) {
		*err = apo_xasprintf("%s: integrity: %s", s->fqdn, why ? why : strerror(-rc));
		rc = rc < 0 ? rc : -EPERM;
		goto out;
	}
	spec.root = root;
	rc = apo_station_launch(&spec, &pid, err);
	if (rc == 0 && h) {
		/* the host's mount is gone: deploy and friends go through init */
		free(h->root);
		h->root = apo_xasprintf("/proc/%d/root", (int)pid);
	}
out:
	if (uns.fd >= 0)
		close(uns.fd);
	/* The prepared root's descriptor goes (the station attached the
	 * overlay in its own namespace).  A station refused before launch
	 * (the gate, render) leaves no prepared root behind: the next start
	 * would take that overlay as it is, with what it cached of the upper
	 * layer (a file since restored there still reads as tampered). */
	free(why);
	apo_station_root_release(root);
	if (o->layers_free)
		o->layers_free(o->ctx, dirs, n);
	return rc;
}

struct level_work {
	const struct apo_plan *p;
	struct apo_services_ctx *hc;
	const struct apo_runtime_opts *o;
	const size_t *idx;
	const struct apo_idmap *maps; /* NULL: host root */
	const char *pub;
	char **errs;
};

static int level_item(void *ctx, size_t i, void *state)
{
	struct level_work *w = ctx;
	const struct apo_plan_station *ps = &w->p->stations[w->idx[i]];
	int rc;
	(void)state;

	if (w->o->interrupted && *w->o->interrupted) {
		w->errs[i] = apo_xstrdup("stations: interrupted");
		return -EINTR;
	}
	rc = start_one(w->p, w->hc, w->o, ps, w->maps ? &w->maps[i] : NULL, w->pub, &w->errs[i]);
	if (rc == 0 && w->o->progress)
		fprintf(w->o->progress, "%s: started\n", ps->station->fqdn);
	return rc;
}

int apo_runtime_start_level(const struct apo_plan *p, struct apo_services_ctx *hc,
			    const struct apo_runtime_opts *o, const size_t *idx, size_t n,
			    char **err)
{
	_cleanup_free_ char *priv = NULL, *pub = NULL;
	_cleanup_free_ struct apo_idmap *maps = NULL;
	struct level_work lw = {.p = p, .hc = hc, .o = o, .idx = idx};
	struct apo_work w = {.n = n, .ctx = &lw, .item = level_item};
	int rc;

	*err = NULL;
	/* a logger killed by hand: the new one takes over the running
	 * stations' pipes before any of this level starts */
	apo_logger_ensure(p->env);
	if ((rc = apo_runtime_ssh_key(p->env, &priv, &pub)) < 0) {
		*err = apo_xasprintf("ssh key of environment %s: %s", p->env, strerror(-rc));
		return rc;
	}
	/* the level's id ranges in one pass over the allocation tables */
	if (!host_root_of(p) && n) {
		_cleanup_free_ const char **names = apo_xcalloc(n, sizeof(*names));
		char *why = NULL;

		for (size_t i = 0; i < n; i++)
			names[i] = p->stations[idx[i]].station->name;
		maps = apo_xcalloc(n, sizeof(*maps));
		if ((rc = apo_idmap_acquire_many(p->env, names, n, maps, &why)) < 0) {
			*err =
			    apo_xasprintf("%s: isolation: %s",
					  n == 1 ? p->stations[idx[0]].station->fqdn : "stations",
					  why ? why : strerror(-rc));
			free(why);
			return rc;
		}
		lw.maps = maps;
	}
	/* APOMON_SERIAL_START=1: one station at a time, each ready before the
	 * next starts; what bench/default-env.sh compares the parallel start with */
	const char *serial = getenv("APOMON_SERIAL_START");
	if (serial && *serial && strcmp(serial, "0") != 0) {
		for (size_t i = 0; i < n; i++) {
			const struct apo_plan_station *ps = &p->stations[idx[i]];
			if ((rc = start_one(p, hc, o, ps, maps ? &maps[i] : NULL, pub, err)) < 0)
				return rc;
			if (o->progress)
				fprintf(o->progress, "%s: started\n", ps->station->fqdn);
			if ((rc = apo_runtime_wait_ready(p, hc, o, &idx[i], 1, err)) < 0)
				return rc;
		}
		return 0;
	}
	/* a station's start waits on the kernel (mounts, clone, exec) more
	 * than it computes: a level's stations start on a few threads */
	/* journaled first, the whole level in one write and one fsync */
	if (o->journal) {
		const char **names = apo_xcalloc(n ? n : 1, sizeof(*names));
		for (size_t i = 0; i < n; i++)
			names[i] = p->stations[idx[i]].station->name;
		rc = o->journal(o->ctx, names, n);
		free(names);
		if (rc < 0) {
			*err = apo_xasprintf("stations: journal: %s", strerror(-rc));
			return rc;
		}
	}
	lw.pub = pub;
	lw.errs = apo_xcalloc(n ? n : 1, sizeof(*lw.errs));
	rc = apo_workers_run(0, &w);
	for (size_t i = 0; i < n; i++) {
		if (lw.errs[i] && !*err)
			*err = lw.errs[i];
		else
			free(lw.errs[i]);
	}
	free(lw.errs);
	if (rc < 0)
		return rc;
	return apo_runtime_wait_ready(p, hc, o, idx, n, err);
}

int apo_runtime_start(const struct apo_plan *p, struct apo_services_ctx *hc,
		      const struct apo_runtime_opts *o, char **err)
{
	int rc = 0;

	apo_runtime_wire(hc);
	if ((rc = apo_ssh_known_hosts(p)) < 0) {
		_cleanup_free_ char *kh = apo_ssh_known_hosts_path(p->env);
		*err = apo_xasprintf("ssh: %s: %s", kh, strerror(-rc));
		return rc;
	}
	for (size_t l = 0; l < p->n_levels && !rc; l++)
		rc = apo_runtime_start_level(p, hc, o, p->levels[l].stations, p->levels[l].n, err);
	return rc;
}

struct removal {
	const char *env;
	char **names;
	unsigned grace_ms;
	bool purge, stopped;
	pthread_mutex_t mutex;
	int first;
};

static int remove_item(void *ctx, size_t i, void *state)
{
	struct removal *m = ctx;
	(void)state;
	/* all stopped at once before: no second stop a station (its logger
	 * check and its wait), unless one survived even SIGKILL */
	int rc = m->stopped ? apo_station_remove(m->env, m->names[i], m->purge)
			    : apo_station_cleanup(m->env, m->names[i], m->grace_ms, m->purge);
	if (rc < 0) {
		pthread_mutex_lock(&m->mutex);
		if (!m->first)
			m->first = rc;
		pthread_mutex_unlock(&m->mutex);
	}
	return 0; /* the others go all the same */
}

int apo_runtime_down(const char *env, unsigned grace_ms, bool purge)
{
	char **names = NULL;
	size_t n = 0;
	int rc, first;

	first = apo_station_list(env, &names, &n);
	int stopped = apo_station_stop_many(env, names, n, grace_ms);
	if (stopped < 0 && !first)
		first = stopped;
	/* Each station's root is an idmapped overlay whose unmount waits for
	 * an RCU grace period (namespace_unlock): removed on several threads,
	 * the waits overlap. */
	struct removal m = {.env = env,
			    .names = names,
			    .grace_ms = grace_ms,
			    .purge = purge,
			    .stopped = stopped >= 0,
			    .mutex = PTHREAD_MUTEX_INITIALIZER};
	struct apo_work w = {.n = n, .ctx = &m, .item = remove_item};
	if (n && (rc = apo_workers_run(REMOVAL_THREADS, &w)) < 0 && !first)
		first = rc;
	if (m.first && !first)
		first = m.first;
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	/* the stations are gone: their logger leaves, its socket goes */
	apo_logger_reap(env, 5000);
	/* stations no longer in the state dir but with data left, the
	 * environment's SSH key, the logs */
	if (purge && (rc = apo_runtime_drop_data(env, true)) < 0 && !first)
		first = rc;
	return first;
}

int apo_runtime_drop_data(const char *env, bool logs)
{
	int rc, first = 0;

	/* ENV must be one component of apomon's own directories and not the
	 * image store's; nothing below is followed out */
	if (!apo_fs_component_ok(env) || apo_env_name_reserved(env))
		return -EINVAL;
	if ((rc = apo_rmtree_below(apo_lib_dir(), env)) < 0 && rc != -ENOENT)
		first = rc;
	if (logs && (rc = apo_rmtree_below(apo_log_dir(), env)) < 0 && rc != -ENOENT && !first)
		first = rc;
	return first;
}

char *apo_runtime_station_name(const char *env, const char *arg)
{
	_cleanup_free_ char *dir = apo_station_state_dir(env, arg);
	const char *dot = strchr(arg, '.');

	/* a FQDN names the same station as its first label */
	if (access(dir, F_OK) < 0 && dot)
		return apo_xstrndup(arg, (size_t)(dot - arg));
	return apo_xstrdup(arg);
}
