/* SPDX-License-Identifier: MIT */
/* Preparing and launching a station; its state on the host. */
#include "config.h"

#include <dirent.h>
#include <sched.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <linux/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#ifdef __SANITIZE_ADDRESS__
#include <sanitizer/asan_interface.h>
#endif

#include "base/fs.h"
#include "base/paths.h"

#ifndef SYS_open_tree
#define SYS_open_tree 428
#endif
#ifndef SYS_fsopen
#define SYS_fsopen 430
#endif
#ifndef SYS_fsconfig
#define SYS_fsconfig 431
#endif
#ifndef SYS_fsmount
#define SYS_fsmount 432
#endif
#include "plugin/services-files.h"
#include "runtime/station-log.h"
#include "runtime/station-priv.h"
#include "runtime/userns.h"
#include "base/util.h"

const char *apo_init_path(void)
{
	const char *p = getenv("APOMON_INIT");
	return p && *p ? p : APO_INIT_PATH;
}

const char *apo_station_state_name(enum apo_station_state s)
{
	switch (s) {
	case APO_STATION_ABSENT:
		return "absent";
	case APO_STATION_PREPARED:
		return "prepared";
	case APO_STATION_STARTING:
		return "starting";
	case APO_STATION_READY:
		return "ready";
	case APO_STATION_FAILED:
		return "failed";
	case APO_STATION_STOPPED:
		return "stopped";
	}
	return "unknown";
}

static int set_err(char **err, int rc, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int set_err(char **err, int rc, const char *fmt, ...)
{
	va_list ap;
	_cleanup_free_ char *what = NULL;

	va_start(ap, fmt);
	what = apo_xvasprintf(fmt, ap);
	va_end(ap);
	if (err) {
		free(*err);
		*err = apo_xasprintf("%s: %s", what, strerror(-rc));
	}
	return rc;
}

/* Replaces PATH in the root with data.  Every component is resolved
 * inside the root (openat2 RESOLVE_IN_ROOT): a station may have made any
 * of them a symlink, e.g. /etc -> /etc, which a plain path would follow
 * to the host's own files. */
static int write_in_root(const char *root, const char *path, const char *data)
{
	if (!apo_test_weakened("paths")) /* confine.h */
		return apo_root_write(root, path, data, strlen(data), 0644);
	/* APOMON_TEST_WEAKEN=paths: the plain path, which a link redirects */
	_cleanup_free_ char *p = apo_xasprintf("%s%s", root, path);
	_cleanup_free_ char *dir = apo_xstrdup(p);
	_cleanup_close_ int fd = -1;
	size_t len = strlen(data);
	int rc;

	*strrchr(dir, '/') = '\0';
	if ((rc = apo_mkdir_p(dir, 0755)) < 0)
		return rc;
	if (unlink(p) < 0 && errno != ENOENT)
		return -errno;
	fd = open(p, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	if (write(fd, data, len) != (ssize_t)len)
		return -EIO;
	return 0;
}

/* One mkdir when the parent exists, the usual case after a station's
 * first start (apo_mkdir_p tries every component: 5 calls a path). */
static int mkdir_once(const char *path, mode_t mode)
{
	if (mkdir(path, mode) == 0 || errno == EEXIST)
		return 0;
	return errno == ENOENT ? apo_mkdir_p(path, mode) : -errno;
}

static bool is_mountpoint(const char *path)
{
	struct stat a, b;
	_cleanup_free_ char *up = apo_xasprintf("%s/..", path);

	if (stat(path, &a) < 0 || stat(up, &b) < 0)
		return false;
	return a.st_dev != b.st_dev || a.st_ino == b.st_ino;
}

int apo_high_fd(int fd)
{
	int h;

	if (fd < 0 || fd >= 10)
		return fd;
	h = fcntl(fd, F_DUPFD_CLOEXEC, 10);
	close(fd);
	return h < 0 ? -1 : h;
}

static char *overlay_opts(const char *const *layers, size_t n, const char *upper, const char *work)
{
	size_t len = 0;
	char *opts;

	for (size_t i = 0; i < n; i++)
		len += strlen(layers[i]) + 1;
	opts = apo_xmalloc(len + strlen(upper) + strlen(work) + 64);
	strcpy(opts, "lowerdir=");
	for (size_t i = 0; i < n; i++) {
		if (i)
			strcat(opts, ":");
		strcat(opts, layers[i]);
	}
	sprintf(opts + strlen(opts), ",upperdir=%s,workdir=%s", upper, work);
	return opts;
}

static char *lower_list(const char *const *layers, size_t n)
{
	size_t len = 1;
	char *l;

	for (size_t i = 0; i < n; i++)
		len += strlen(layers[i]) + 1;
	l = apo_xmalloc(len);
	*l = '\0';
	for (size_t i = 0; i < n; i++) {
		if (i)
			strcat(l, ":");
		strcat(l, layers[i]);
	}
	return l;
}

/*
 * The overlay as a detached mount (fsopen, fsconfig, fsmount): mounted
 * nowhere on the host, so that nothing is unmounted there at launch (an
 * unmount waits for an RCU grace period) and no other process of the host
 * sees it.  The station's child attaches it in its own mount namespace.
 * A descriptor >= 10 or a negative errno.
 */
static int overlay_detached(const char *const *layers, size_t n, const char *upper,
			    const char *work)
{
	_cleanup_free_ char *lower = lower_list(layers, n);
	_cleanup_close_ int fs = (int)syscall(SYS_fsopen, "overlay", FSOPEN_CLOEXEC);
	int m;

	if (fs < 0)
		return -errno;
	if (syscall(SYS_fsconfig, fs, FSCONFIG_SET_STRING, "lowerdir", lower, 0) < 0 ||
	    syscall(SYS_fsconfig, fs, FSCONFIG_SET_STRING, "upperdir", upper, 0) < 0 ||
	    syscall(SYS_fsconfig, fs, FSCONFIG_SET_STRING, "workdir", work, 0) < 0 ||
	    syscall(SYS_fsconfig, fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
		return -errno;
	m = (int)syscall(SYS_fsmount, fs, FSMOUNT_CLOEXEC, 0);
	if (m < 0)
		return -errno;
	m = apo_high_fd(m);
	return m < 0 ? -EMFILE : m;
}

/* The path of a detached root's descriptor, as prepare hands it out. */
#define FD_ROOT_PREFIX "/proc/self/fd/"

static int root_fd_of(const char *root)
{
	char *end;
	long fd;

	if (!root || strncmp(root, FD_ROOT_PREFIX, strlen(FD_ROOT_PREFIX)))
		return -1;
	fd = strtol(root + strlen(FD_ROOT_PREFIX), &end, 10);
	return *end || fd < 10 ? -1 : (int)fd;
}

void apo_station_root_release(char *root)
{
	int fd = root_fd_of(root);

	if (fd >= 0)
		close(fd);
	else if (root)
		for (int i = 0; i < 16 && umount2(root, MNT_DETACH) == 0; i++)
			;
	free(root);
}

/*
 * The overlay of the image's layers under the writable layer, as a
 * detached mount (*mfd).
 * With a user namespace each layer is an idmapped clone, so that the
 * image's root shows as the station's root and every owner as in the
 * image; the clones stay detached (the overlay takes a private copy of
 * each layer it is given), so the overlay is all that is left mounted.
 */
static int mount_root(const struct apo_station_spec *s, int *mfd, const char *upper,
		      const char *work, char **err)
{
	_cleanup_free_ char *why = NULL;
	_cleanup_close_ int uns = -1;
	struct apo_idmap m;
	char **names = NULL;
	int *fds = NULL;
	int uns_fd, rc = 0;

	*mfd = -1;
	if (s->host_root) {
		if ((*mfd = overlay_detached(s->layers, s->n_layers, upper, work)) < 0)
			return set_err(err, *mfd, "%s: root: mount overlay", s->fqdn);
		return 0;
	}
	if (s->userns) {
		uns_fd = s->userns->fd;
	} else {
		if ((rc = apo_idmap_acquire(s->env, s->name, &m, &why)) < 0) {
			free(*err);
			*err =
			    apo_xasprintf("%s: isolation: %s", s->fqdn, why ? why : strerror(-rc));
			return rc;
		}
		if ((uns = apo_userns_make(&m)) < 0)
			return set_err(err, uns, "%s: isolation: user namespace", s->fqdn);
		uns_fd = uns;
	}
	fds = apo_xcalloc(s->n_layers, sizeof(*fds));
	names = apo_xcalloc(s->n_layers, sizeof(*names));
	for (size_t i = 0; i < s->n_layers; i++)
		fds[i] = -1;
	for (size_t i = 0; i < s->n_layers; i++) {
		fds[i] = apo_idmap_tree(s->layers[i], uns_fd);
		if (fds[i] < 0) {
			rc = fds[i];
			free(*err);
			*err = apo_xasprintf(
			    "%s: root: idmapped mount of %s: %s: this kernel or file system "
			    "cannot idmap mounts (Linux 5.12 or later, mount_setattr with "
			    "MOUNT_ATTR_IDMAP); isolation = \"host-root\"; in apomon.conf runs "
			    "stations without user namespaces",
			    s->fqdn, s->layers[i], strerror(-rc));
			goto out;
		}
		names[i] = apo_xasprintf("/proc/self/fd/%d", fds[i]);
	}
	if ((*mfd = overlay_detached((const char *const *)names, s->n_layers, upper, work)) < 0)
		rc = set_err(err, *mfd, "%s: root: mount overlay of idmapped layers", s->fqdn);
out:
	for (size_t i = 0; i < s->n_layers; i++) {
		if (fds[i] >= 0)
			close(fds[i]);
		free(names[i]);
	}
	free(fds);
	free(names);
	return rc;
}

static int refuse_running(const struct apo_station_spec *s, char **err)
{
	struct apo_init_rec old;

	if (apo_station_read_init(s->env, s->name, &old) == 0 && apo_station_alive(&old))
		return set_err(err, -EBUSY, "%s: start: already running (pid %d)", s->fqdn,
			       (int)old.pid);
	return 0;
}

int apo_station_prepare(const struct apo_station_spec *s, char **root, char **err)
{
	_cleanup_free_ char *state = apo_station_state_dir(s->env, s->name);
	_cleanup_free_ char *lib = apo_station_lib_dir(s->env, s->name);
	_cleanup_free_ char *upper = apo_xasprintf("%s/upper", lib);
	_cleanup_free_ char *work = apo_xasprintf("%s/work", lib);
	_cleanup_free_ char *logdir = apo_env_log_dir(s->env);
	char *r = apo_station_root_path(s->env, s->name);
	int mfd = -1, rc;

	*root = NULL;
	/* a second overlay on the upper layer of a running station would
	 * corrupt it */
	if ((rc = refuse_running(s, err)) < 0)
		goto fail;
	if (!s->n_layers) {
		rc = set_err(err, -EINVAL, "%s: root", s->fqdn);
		goto fail;
	}
	/* the state dir first: from here on cleanup finds everything */
	if ((rc = mkdir_once(state, 0755)) < 0) {
		set_err(err, rc, "%s: state: %s", s->fqdn, state);
		goto fail;
	}
	/* no mount point on the host: the root is a detached mount, attached
	 * in the station's own namespace (launch makes one for the others) */
	if ((rc = mkdir_once(upper, 0755)) < 0 || (rc = mkdir_once(work, 0700)) < 0 ||
	    (rc = mkdir_once(logdir, 0755)) < 0) {
		set_err(err, rc, "%s: root: directories", s->fqdn);
		goto fail;
	}
	/* r stays the mount point the child attaches the root on, in its
	 * own namespace; the host reaches the root through its descriptor */
	if (!is_mountpoint(r)) {
		if ((rc = mount_root(s, &mfd, upper, work, err)) < 0)
			goto fail;
		free(r);
		r = apo_xasprintf(FD_ROOT_PREFIX "%d", mfd);
	}
	/* what the child mounts on must exist in the root */
	static const char *const dirs[] = {"/proc", "/sys", "/dev", "/etc", "/tmp"};
	for (size_t i = 0; i < APO_ARRAY_SIZE(dirs); i++) {
		_cleanup_free_ char *d = apo_xasprintf("%s%s", r, dirs[i]);
		if (mkdir(d, i == 4 ? 01777 : 0755) < 0 && errno != EEXIST) {
			rc = set_err(err, -errno, "%s: root: %s", s->fqdn, dirs[i]);
			goto fail;
		}
	}
	if (s->hosts && (rc = write_in_root(r, "/etc/hosts", s->hosts)) < 0) {
		set_err(err, rc, "%s: root: /etc/hosts", s->fqdn);
		goto fail;
	}
	if (s->resolv && (rc = write_in_root(r, "/etc/resolv.conf", s->resolv)) < 0) {
		set_err(err, rc, "%s: root: /etc/resolv.conf", s->fqdn);
		goto fail;
	}
	*root = r;
	return 0;
fail:
	apo_station_root_release(r);
	return rc;
}

unsigned long long apo_proc_starttime(pid_t pid, char *state)
{
	char path[64], buf[1024];
	_cleanup_close_ int fd = -1;
	ssize_t n;
	char *p;
	unsigned long long start = 0;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	/* the command may hold spaces and parentheses: count from the last ')' */
	p = strrchr(buf, ')');
	if (!p)
		return 0;
	if (state)
		*state = p[2];
	/* fields 3.. follow; starttime is field 22 */
	if (sscanf(p + 2,
		   "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u %*d %*d %*d %*d %*d "
		   "%*d %llu",
		   &start) != 1)
		return 0;
	return start;
}

int apo_station_read_init(const char *env, const char *name, struct apo_init_rec *r)
{
	_cleanup_free_ char *dir = apo_station_state_dir(env, name);
	_cleanup_free_ char *p = apo_xasprintf("%s/init", dir);
	FILE *f = fopen(p, "re");
	int pid, na = 0;

	memset(r, 0, sizeof(*r));
	if (!f)
		return -errno;
	if (fscanf(f, "%d %llu %d", &pid, &r->start, &na) != 3) {
		fclose(f);
		return -EBADMSG;
	}
	fclose(f);
	r->pid = pid;
	r->net_admin = na;
	return 0;
}

bool apo_station_alive(const struct apo_init_rec *r)
{
	char st = 0;

	if (r->pid <= 0)
		return false;
	/* reap it when it is ours: `up` is its parent until it returns */
	waitpid(r->pid, NULL, WNOHANG);
	return apo_proc_starttime(r->pid, &st) == r->start && st != 'Z' && st != 'X';
}

/* the child's stack (station-child.c: two path buffers, mask's, the
 * make_dev's: about 5 KiB used), only touched pages cost */
enum { CHILD_STACK = 256 * 1024 };

int apo_station_launch(const struct apo_station_spec *s, pid_t *pidp, char **err)
{
	_cleanup_free_ char *state = apo_station_state_dir(s->env, s->name);
	_cleanup_free_ char *root = apo_station_root_path(s->env, s->name);
	/* where the host reaches the prepared root: its detached mount */
	const char *prepared = s->root ? s->root : root;
	_cleanup_free_ char *initp = apo_xasprintf("%s/init", state);
	_cleanup_free_ char *e_host = apo_xasprintf("HOSTNAME=%s", s->fqdn);
	_cleanup_free_ char *e_st = apo_xasprintf("APOMON_STATION=%s", s->name);
	_cleanup_free_ char *e_env = apo_xasprintf("APOMON_ENV=%s", s->env);
	const char *entry = s->entrypoint ? s->entrypoint : APO_STATION_ENTRYPOINT;
	char *argv[] = {"apomon-init", (char *)entry, NULL};
	char *envp[] = {"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
			"HOME=/root",
			"container=apomon",
			"LANG=C.UTF-8",
			e_host,
			e_st,
			e_env,
			NULL};
	struct apo_child_args a = {.netns_fd = -1,
				   .init_fd = -1,
				   .log_fd = -1,
				   .status_fd = -1,
				   .log_rfd = -1,
				   .status_rfd = -1,
				   .log_pending = -1,
				   .tree_fd = -1,
				   .userns_fd = -1};
	int tree_fd = -1;
	int syncp[2] = {-1, -1}, errp[2] = {-1, -1};
	void *stack = NULL;
	struct apo_child_error ce = {0};
	unsigned long flags = CLONE_NEWPID | CLONE_NEWUTS | CLONE_NEWIPC;
	pid_t pid = -1;
	char rec[96];
	ssize_t n;
	int rc;

	apo_station_devs_none(a.dev_fd);

	*pidp = 0;
	if ((rc = refuse_running(s, err)) < 0)
		return rc;
	unlink(initp);
	_cleanup_free_ char *stopped = apo_xasprintf("%s/stopped", state);
	_cleanup_free_ char *ready = apo_xasprintf("%s/ready", state);
	unlink(stopped);
	unlink(ready);

	_cleanup_free_ char *lib = apo_station_lib_dir(s->env, s->name);
	_cleanup_free_ char *upper = apo_xasprintf("%s/upper", lib);
	_cleanup_free_ char *work = apo_xasprintf("%s/work", lib);
	_cleanup_free_ char *opts = overlay_opts(s->layers, s->n_layers, upper, work);
	_cleanup_free_ char *dev_opts = NULL, *pts_opts = NULL, *shm_opts = NULL;
	struct apo_idmap m = {0, 0};

	if (!s->host_root) {
		/* what the host wrote into the root (hosts, rendered configs,
		 * keys) becomes the station's, through the mounted root */
		if (s->userns)
			m = s->userns->map;
		else if ((rc = apo_idmap_lookup(s->env, s->name, &m)) < 0) {
			rc = set_err(err, rc, "%s: isolation: no id range recorded", s->fqdn);
			goto out;
		}
		/* "/.": the root directory itself, not the magic link to it,
		 * is what lchown must reach */
		_cleanup_free_ char *shift_root = apo_xasprintf("%s/.", prepared);
		if ((rc = apo_idmap_shift(upper, shift_root, &m)) < 0) {
			rc = set_err(err, rc, "%s: isolation: owners of %s", s->fqdn, upper);
			goto out;
		}
		/* the one made for the layers (one holder process a station) */
		int uns =
		    s->userns ? fcntl(s->userns->fd, F_DUPFD_CLOEXEC, 10) : apo_userns_make(&m);
		if (s->userns && uns < 0)
			uns = -errno;
		if (uns < 0) {
			rc = set_err(err, uns, "%s: isolation: user namespace", s->fqdn);
			goto out;
		}
		a.userns_fd = apo_high_fd(uns);
	}
	a.uid = m.uid;
	a.gid = m.gid;
	dev_opts =
	    apo_xasprintf("mode=755,size=64k,uid=%u,gid=%u", (unsigned)m.uid, (unsigned)m.gid);
	/* group tty (5) as the station sees it */
	pts_opts = apo_xasprintf("newinstance,ptmxmode=0666,mode=620,gid=%u", (unsigned)m.gid + 5);
	shm_opts =
	    apo_xasprintf("mode=1777,size=65536k,uid=%u,gid=%u", (unsigned)m.uid, (unsigned)m.gid);
	a.dev_opts = dev_opts;
	a.pts_opts = pts_opts;
	a.shm_opts = shm_opts;

	/* the child attaches a clone of the host's mount of the root (the same
	 * overlay, no second instance on the same upper and work), then the
	 * host's goes: unmounting the last mount of an overlay syncs its upper
	 * file system, which is the station's business at its stop, not ours
	 * at every start.  Without open_tree the child mounts an overlay. */
	if (root_fd_of(prepared) >= 0) {
		/* prepare's detached overlay: the child attaches it (the
		 * caller keeps and releases the descriptor) */
		a.tree_fd = root_fd_of(prepared);
	} else {
		tree_fd = apo_high_fd((int)syscall(SYS_open_tree, AT_FDCWD, root,
						   OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC));
		for (int i = 0; i < 16 && umount2(root, MNT_DETACH) == 0; i++)
			;
		a.tree_fd = tree_fd;
	}
	if (a.tree_fd < 0 && !s->host_root) {
		/* a fresh overlay would have the image's owners, not the station's */
		rc = set_err(err, -EINVAL, "%s: root: not prepared", s->fqdn);
		goto out;
	}
	a.overlay_opts = opts;
	a.root = root;
	a.root_how = ROOT_PIVOT;
	/* the empty template when the root is a mount to attach (the host's
	 * paths, an overlay's layers, are not in it); the host's tree less
	 * apomon's mounts otherwise, or when weakened on purpose (confine.h) */
	if (apo_test_weakened("root")) {
		a.root_how = ROOT_CHROOT;
	} else if (a.tree_fd >= 0 && (a.template_fd = apo_station_empty_template_fd()) >= 0) {
		a.root = APO_EMPTY_ROOT;
		a.root_how = ROOT_MOVE;
	}
	if (a.root_how != ROOT_MOVE) {
		a.template_fd = apo_station_template_fd();
		if ((rc = mkdir_once(root, 0755)) < 0) {
			set_err(err, rc, "%s: root: %s", s->fqdn, root);
			goto out;
		}
	}
	if ((rc = apo_station_devs_open(state, a.dev_fd)) < 0) {
		set_err(err, rc, "%s: start: the host's device nodes (mknod refused)", s->fqdn);
		goto out;
	}
	a.fqdn = s->fqdn;
	a.net_admin = s->net_admin;
	a.argv = argv;
	a.envp = envp;
	a.init_fd = apo_high_fd(open(apo_init_path(), O_PATH | O_CLOEXEC));
	if (a.init_fd < 0) {
		rc = set_err(err, -errno, "%s: init: %s", s->fqdn, apo_init_path());
		goto out;
	}
	/* ---- confinement (confine.h, station-log.h) ---- */
	if ((rc = apo_station_confine(s, &a, err)) < 0)
		goto out;
	/* the station's own output, a pipe: its root may reopen it
	 * (/proc/self/fd/1, /dev/stderr: Dovecot's log_path), which checks the
	 * pipe's owner */
	if (!s->host_root &&
	    (fchown(a.log_fd, m.uid, m.gid) < 0 || fchown(a.status_fd, m.uid, m.gid) < 0)) {
		rc = set_err(err, -errno, "%s: log: %s", s->fqdn, strerror(errno));
		goto out;
	}
	/* ---- */
	if (s->netns_path) {
		a.netns_fd = apo_high_fd(open(s->netns_path, O_RDONLY | O_CLOEXEC));
		if (a.netns_fd < 0) {
			rc = set_err(err, -errno, "%s: netns: %s", s->fqdn, s->netns_path);
			goto out;
		}
	} else {
		flags |= CLONE_NEWNET;
	}
	if (a.template_fd < 0)
		flags |= CLONE_NEWNS;
	if (pipe2(syncp, O_CLOEXEC) < 0 || pipe2(errp, O_CLOEXEC) < 0) {
		rc = set_err(err, -errno, "%s: start", s->fqdn);
		goto out;
	}
	syncp[0] = apo_high_fd(syncp[0]);
	errp[1] = apo_high_fd(errp[1]);
	a.sync_fd = syncp[0];
	a.err_fd = errp[1];
	if ((rc = apo_cgroup_create(s->env, s->name, s->memory_bytes, s->cpu_millis, s->pids)) <
	    0) {
		set_err(err, rc, "%s: cgroup", s->fqdn);
		goto out;
	}

	/* the child shares our memory on a stack of its own until it execs
	 * init (station-child.c): a fork-like copy of a large threaded `up`
	 * cost more than the rest of the launch (page tables copied, then
	 * copy-on-write faults with TLB shootdowns on every thread, then torn
	 * down again at exec) */
	a.sync_wfd = syncp[1];
	a.err_rfd = errp[0];
	stack = mmap(NULL, CHILD_STACK, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
	if (stack == MAP_FAILED) {
		stack = NULL;
		rc = set_err(err, -errno, "%s: clone: stack", s->fqdn);
		goto out;
	}
#ifdef __SANITIZE_ADDRESS__
	/* ASan does not know this stack: an earlier child on the same
	 * addresses exec'd without returning and left its frames' poison in
	 * the shadow, which this child would trip over */
	ASAN_UNPOISON_MEMORY_REGION(stack, CHILD_STACK);
#endif
	pid = clone(apo_station_child, (char *)stack + CHILD_STACK, (int)flags | CLONE_VM | SIGCHLD,
		    &a);
	if (pid < 0) {
		rc = set_err(err, -errno, "%s: clone", s->fqdn);
		goto out;
	}
	close(syncp[0]);
	syncp[0] = -1;
	close(errp[1]);
	errp[1] = -1;

	if ((rc = apo_cgroup_attach(s->env, s->name, pid)) < 0) {
		set_err(err, rc, "%s: cgroup: attach", s->fqdn);
		goto kill;
	}
	snprintf(rec, sizeof(rec), "%d %llu %d\n", (int)pid, apo_proc_starttime(pid, NULL),
		 s->net_admin ? 1 : 0);
	if ((rc = apo_write_file_atomic(initp, rec, strlen(rec), 0644, false)) < 0) {
		set_err(err, rc, "%s: state: %s", s->fqdn, initp);
		goto kill;
	}
	if (write(syncp[1], "g", 1) != 1) {
		rc = set_err(err, -errno, "%s: start", s->fqdn);
		goto kill;
	}
	close(syncp[1]);
	syncp[1] = -1;
	do
		n = read(errp[0], &ce, sizeof(ce));
	while (n < 0 && errno == EINTR);
	if (n == sizeof(ce)) {
		rc = set_err(err, -ce.err, "%s: start: %s", s->fqdn, apo_child_step_name(ce.step));
		waitpid(pid, NULL, 0);
		unlink(initp);
		goto out;
	}
	/* the logger made the station's files meanwhile */
	rc = apo_logger_confirm(s->env, s->name, s->log_max_bytes, a.log_pending, a.log_rfd,
				a.status_rfd);
	a.log_pending = -1;
	if (rc < 0) {
		_cleanup_free_ char *prog = apo_logger_path();
		set_err(err, rc, "%s: log: start %s", s->fqdn, prog);
		goto kill;
	}
	*pidp = pid;
	rc = 0;
	goto out;
kill:
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	unlink(initp);
out:
	for (int i = 0; i < 2; i++) {
		if (syncp[i] >= 0)
			close(syncp[i]);
		if (errp[i] >= 0)
			close(errp[i]);
	}
	if (a.log_pending >= 0)
		close(a.log_pending);
	if (a.init_fd >= 0)
		close(a.init_fd);
	if (a.log_fd >= 0)
		close(a.log_fd);
	if (a.status_fd >= 0)
		close(a.status_fd);
	if (a.log_rfd >= 0)
		close(a.log_rfd);
	if (a.status_rfd >= 0)
		close(a.status_rfd);
	if (a.netns_fd >= 0)
		close(a.netns_fd);
	if (a.userns_fd >= 0)
		close(a.userns_fd);
	if (tree_fd >= 0)
		close(tree_fd);
	apo_station_devs_close(a.dev_fd);
	/* the child has exec'd (err_fd closed) or was waited for */
	if (stack)
		munmap(stack, CHILD_STACK);
	return rc;
}

/* The last line of the status file init writes. */
static void read_status(const char *state, char *word, size_t wlen, long *val)
{
	_cleanup_free_ char *p = apo_xasprintf("%s/status", state);
	char line[96];
	FILE *f = fopen(p, "re");

	*word = '\0';
	*val = 0;
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		char w[32];
		long v;
		if (sscanf(line, "%31s %ld", w, &v) == 2) {
			snprintf(word, wlen, "%s", w);
			*val = v;
		}
	}
	fclose(f);
}

/* A process and its descendants all blocked in the kernel: waiting on a
 * server, or being one that waits for clients. */
static bool tree_idle(pid_t pid, int depth)
{
	char path[64], st = 0;
	FILE *f;
	int child;
	bool idle = true;

	if (!apo_proc_starttime(pid, &st) || (st != 'S' && st != 'D'))
		return false;
	if (depth > 8)
		return true;
	snprintf(path, sizeof(path), "/proc/%d/task/%d/children", (int)pid, (int)pid);
	f = fopen(path, "re");
	if (!f)
		return true;
	while (idle && fscanf(f, "%d", &child) == 1)
		idle = tree_idle(child, depth + 1);
	fclose(f);
	return idle;
}

static bool entry_idle(pid_t init)
{
	char path[64];
	FILE *f;
	int child = 0;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/children", (int)init, (int)init);
	f = fopen(path, "re");
	if (!f)
		return false;
	if (fscanf(f, "%d", &child) != 1)
		child = 0;
	fclose(f);
	return child > 0 && tree_idle(child, 0);
}

static double uptime_of(unsigned long long start_ticks)
{
	struct timespec ts;
	long hz = sysconf(_SC_CLK_TCK);

	clock_gettime(CLOCK_BOOTTIME, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9 - (double)start_ticks / (double)hz;
}

int apo_station_info(const char *env, const char *name, struct apo_station_info *info)
{
	_cleanup_free_ char *state = apo_station_state_dir(env, name);
	_cleanup_free_ char *root = apo_station_root_path(env, name);
	_cleanup_free_ char *readyp = apo_xasprintf("%s/ready", state);
	_cleanup_free_ char *stoppedp = apo_xasprintf("%s/stopped", state);
	struct apo_init_rec r;
	char word[32];
	long val;

	memset(info, 0, sizeof(*info));
	if (access(state, F_OK) < 0) {
		info->state = APO_STATION_ABSENT;
		return 0;
	}
	if (apo_station_read_init(env, name, &r) < 0) {
		info->state = is_mountpoint(root) ? APO_STATION_PREPARED : APO_STATION_STOPPED;
		if (access(stoppedp, F_OK) < 0 && !is_mountpoint(root))
			info->state = APO_STATION_ABSENT;
		return 0;
	}
	if (!apo_station_alive(&r)) /* its logger writes the last status line */
		apo_logger_wait(env, name, 1000);
	read_status(state, word, sizeof(word), &val);
	if (apo_station_alive(&r)) {
		info->pid = r.pid;
		info->host_root = !apo_userns_other(r.pid);
		info->uptime_s = uptime_of(r.start);
		info->entry_running = !strcmp(word, "running");
		/* "running 0": no entrypoint, init alone waits for clients */
		info->entry_idle = info->entry_running && (val == 0 || entry_idle(r.pid));
		if (!strcmp(word, "failed"))
			info->state = APO_STATION_FAILED;
		else if (access(readyp, F_OK) == 0)
			info->state = APO_STATION_READY;
		else
			info->state = APO_STATION_STARTING;
		return 0;
	}
	if (!strcmp(word, "exited"))
		info->exit_code = (int)val;
	else if (!strcmp(word, "killed"))
		info->exit_code = 128 + (int)val;
	else if (!strcmp(word, "failed"))
		info->exit_code = 127; /* the entrypoint could not be exec'd */
	else
		info->exit_code = -1; /* init died first: its end was not its to say */
	if (access(stoppedp, F_OK) == 0 || (!strcmp(word, "exited") && val == 0))
		info->state = APO_STATION_STOPPED;
	else
		info->state = APO_STATION_FAILED;
	return 0;
}

char *apo_station_end_text(const struct apo_station_info *info)
{
	if (info->exit_code < 0)
		return apo_xstrdup("its init died before startup.sh ended: killed from outside");
	if (info->exit_code > 128)
		return apo_xasprintf("startup.sh died of signal %d", info->exit_code - 128);
	return apo_xasprintf("startup.sh exited with %d", info->exit_code);
}

int apo_station_mark_ready(const char *env, const char *name)
{
	_cleanup_free_ char *state = apo_station_state_dir(env, name);
	_cleanup_free_ char *p = apo_xasprintf("%s/ready", state);
	return apo_write_file(p, "", 0, 0644);
}

int apo_station_list(const char *env, char ***names, size_t *n)
{
	_cleanup_free_ char *run = apo_env_run_dir(env);
	_cleanup_free_ char *dir = apo_xasprintf("%s/stations", run);
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t cap = 0;

	*names = NULL;
	*n = 0;
	if (!d)
		return errno == ENOENT ? 0 : -errno;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		APO_PUSH(*names, *n, cap, apo_xstrdup(e->d_name));
	}
	closedir(d);
	return 0;
}
