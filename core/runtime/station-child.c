/* SPDX-License-Identifier: MIT */
/*
 * The launched side of a station: runs in the child of a clone (new PID,
 * UTS, IPC namespaces) that shares the memory of its launcher, a thread
 * of a threaded `up` (CLONE_VM, on a stack of its own: no copy of `up`'s
 * page tables to make, fault in and tear down at exec).  So it only makes
 * system calls on data prepared before the clone: no allocation, no
 * stdio, nothing static written; errno is the launching thread's, which
 * is blocked reading err_fd meanwhile.
 */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <fcntl.h>
#include <sched.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <linux/close_range.h>
#include <linux/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/syscall.h>
#include <grp.h>
#include <unistd.h>

#include "runtime/log-proto.h"
#include "runtime/station-priv.h"

#ifndef SYS_move_mount
#define SYS_move_mount 429
#endif

static const struct {
	const char *name, *to;
} links[] = {
    {"/dev/ptmx", "pts/ptmx"},		{"/dev/fd", "/proc/self/fd"},
    {"/dev/stdin", "/proc/self/fd/0"},	{"/dev/stdout", "/proc/self/fd/1"},
    {"/dev/stderr", "/proc/self/fd/2"},
};

static void fail(const struct apo_child_args *a, enum apo_child_step step)
{
	struct apo_child_error e = {.step = step, .err = errno};

	if (write(a->err_fd, &e, sizeof(e)) < 0)
		_exit(126);
	_exit(126);
}

/* p = a->root + rel, in a fixed buffer */
static const char *at(const struct apo_child_args *a, char *buf, const char *rel)
{
	size_t n = strlen(a->root), m = strlen(rel);

	if (n + m + 1 >= APO_CHILD_PATH_MAX) {
		errno = ENAMETOOLONG;
		return NULL;
	}
	memcpy(buf, a->root, n);
	memcpy(buf + n, rel, m + 1);
	return buf;
}

/* What we make in /dev, as host root, becomes the station root's: not
 * only for show (`ls -l`) -- a file owned by an unmapped id is owned by
 * nobody inside, and careful programs refuse those: Postfix's postlog
 * opens maillog_file = /dev/stdout only through a symlink owned by root. */
static int owned(const struct apo_child_args *a, const char *path)
{
	return a->userns_fd >= 0 ? lchown(path, a->uid, a->gid) : 0;
}

static int make_dev(const struct apo_child_args *a)
{
	char p[APO_CHILD_PATH_MAX], src[32];
	const unsigned long fl = MS_NOSUID | MS_NOEXEC;

	if (!at(a, p, "/dev") || mount("tmpfs", p, "tmpfs", fl, a->dev_opts) < 0)
		return -1;
	for (size_t i = 0; i < APO_STATION_N_DEVS; i++) {
		const struct apo_station_dev *v = &apo_station_devs[i];
		char d[APO_CHILD_PATH_MAX];
		size_t n = strlen(p);
		int fd;

		memcpy(d, p, n);
		d[n] = '/';
		strcpy(d + n + 1, v->name);
		/* a node is much cheaper than a bind mount (no mount lock, nothing
		 * to tear down); the host's, attached or bound, where nodes are
		 * refused */
		if (mknod(d, S_IFCHR | 0666, makedev(v->major, v->minor)) == 0) {
			chmod(d, 0666); /* past the umask */
			if (owned(a, d) < 0)
				return -1;
			continue;
		}
		if (errno != EPERM)
			return -1;
		fd = open(d, O_WRONLY | O_CREAT | O_CLOEXEC, 0666);
		if (fd < 0)
			return -1;
		close(fd);
		if (a->dev_fd[i] >= 0) {
			/* apomon's clone of the host's node: the empty template we
			 * are in has no /dev to bind from */
			if (syscall(SYS_move_mount, a->dev_fd[i], "", AT_FDCWD, d,
				    MOVE_MOUNT_F_EMPTY_PATH) < 0)
				return -1;
			continue;
		}
		strcpy(src, "/dev/");
		strcat(src, v->name);
		if (mount(src, d, NULL, MS_BIND, NULL) < 0)
			return -1;
	}
	if (!at(a, p, "/dev/pts") || mkdir(p, 0755) < 0 || owned(a, p) < 0 ||
	    mount("devpts", p, "devpts", MS_NOSUID | MS_NOEXEC, a->pts_opts) < 0)
		return -1;
	if (!at(a, p, "/dev/shm") || mkdir(p, 01777) < 0 || owned(a, p) < 0 ||
	    mount("shm", p, "tmpfs", MS_NOSUID | MS_NODEV, a->shm_opts) < 0)
		return -1;
	for (size_t i = 0; i < sizeof(links) / sizeof(links[0]); i++)
		if (!at(a, p, links[i].name) || symlink(links[i].to, p) < 0 || owned(a, p) < 0)
			return -1;
	return 0;
}

/*
 * Binding ports below 1024 takes CAP_NET_BIND_SERVICE in the user
 * namespace that owns the network namespace: apomon's (the host's), not
 * the station's.  The threshold is a setting of each network namespace;
 * written while we are still host root, in the station's namespace
 * (/proc/sys/net answers for the opener's).  Through the station's own
 * /proc, before its masks make /proc/sys read-only: under the host's,
 * every namespace's dentry of this file hangs on one hash chain (same
 * parent, same name; proc_sys_compare skips the others' one by one), so
 * 1000 stations' lookups were quadratic.  A procfs mount is a superblock
 * of its own, so under the station's the chain holds its dentry alone.
 */
static int open_low_ports(const struct apo_child_args *a, char *buf)
{
	const char *path = at(a, buf, "/proc/sys/net/ipv4/ip_unprivileged_port_start");
	int fd = path ? open(path, O_WRONLY | O_CLOEXEC) : -1;
	int rc = 0;

	if (fd < 0)
		return -1;
	if (write(fd, "0", 1) != 1)
		rc = -1;
	close(fd);
	return rc;
}

/*
 * The last step as host root: into the station's user namespace, as its
 * root (host uid a->uid).  Its mount, PID, UTS, IPC and network
 * namespaces belong to the host's user namespace, so that inside, root
 * can neither mount nor change them.  Raw system calls: glibc's set*id
 * would signal the threads of the process we were cloned from.
 */
static int enter_userns(const struct apo_child_args *a)
{
	if (a->userns_fd < 0)
		return 0;
	if (setns(a->userns_fd, CLONE_NEWUSER) < 0 || syscall(SYS_setgroups, 0, NULL) < 0 ||
	    syscall(SYS_setresgid, 0, 0, 0) < 0 || syscall(SYS_setresuid, 0, 0, 0) < 0)
		return -1;
	return 0;
}

int apo_station_child(void *arg)
{
	const struct apo_child_args *a = arg;

	/* the parent's ends: our fd table is our own (no CLONE_FILES) */
	close(a->sync_wfd);
	close(a->err_rfd);
	char p[APO_CHILD_PATH_MAX], first_dir[APO_CHILD_PATH_MAX];
	char go;
	int fd;

	/* Die with the thread that cloned us while we wait for it: other
	 * stations cloned at the same time by other threads hold copies of
	 * our sync pipe's write end, so a dead parent does not always mean
	 * EOF, and an orphan would wait forever holding the environment's
	 * lock.  The poll bound covers a parent that died before prctl. */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	struct pollfd pfd = {.fd = a->sync_fd, .events = POLLIN};
	if (poll(&pfd, 1, 60000) != 1)
		_exit(125);
	/* the parent attaches cgroups and journals our PID first; EOF means
	 * it died before that: nobody would know about us, so do not run */
	if (read(a->sync_fd, &go, 1) != 1)
		_exit(125);
	close(a->sync_fd);
	/* journaled now: `down` finds us, and the thread may end before we do */
	prctl(PR_SET_PDEATHSIG, 0);

	if (a->netns_fd >= 0 && setns(a->netns_fd, CLONE_NEWNET) < 0)
		fail(a, APO_STEP_NETNS);
	if (a->template_fd >= 0 &&
	    (setns(a->template_fd, CLONE_NEWNS) < 0 || unshare(CLONE_NEWNS) < 0))
		fail(a, APO_STEP_PRIVATE);
	/* the empty template's one mount is private already */
	if (a->root_how != ROOT_MOVE && mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		fail(a, APO_STEP_PRIVATE);
	if (a->tree_fd >= 0) {
		if (syscall(SYS_move_mount, a->tree_fd, "", AT_FDCWD, a->root,
			    MOVE_MOUNT_F_EMPTY_PATH) < 0)
			fail(a, APO_STEP_ROOT);
	} else if (mount("overlay", a->root, "overlay", 0, a->overlay_opts) < 0) {
		fail(a, APO_STEP_ROOT);
	}
	/* /dev first: the masks bind its null */
	if (make_dev(a) < 0)
		fail(a, APO_STEP_DEV);
	if (!at(a, p, "/proc") ||
	    mount("proc", p, "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
		fail(a, APO_STEP_PROC);
	if (a->userns_fd >= 0 && open_low_ports(a, p) < 0)
		fail(a, APO_STEP_PORTS);
	if (a->mask && apo_mask_proc(a->root, first_dir) < 0) /* confine.h */
		fail(a, APO_STEP_MASK);
	if (!at(a, p, "/sys") ||
	    mount("sysfs", p, "sysfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
		fail(a, APO_STEP_SYS);
	if (a->mask && apo_mask_sys(a->root, first_dir) < 0)
		fail(a, APO_STEP_MASK);

	if (chdir(a->root) < 0)
		fail(a, APO_STEP_PIVOT);
	switch (a->root_how) {
	case ROOT_MOVE:
		/* the root onto the empty template's / (switch_root's way): what
		 * stays under it, hidden and out of the chroot, is that empty
		 * read-only tmpfs; a `cd ..` past the root (the chroot escape)
		 * ends on the tmpfs's root and steps back down into ours.
		 * Nothing is unmounted, so no RCU grace period to wait for. */
		if (mount(".", "/", NULL, MS_MOVE, NULL) < 0 || chroot(".") < 0)
			fail(a, APO_STEP_PIVOT);
		break;
	case ROOT_CHROOT:
		/* APOMON_TEST_WEAKEN=root: a chroot in the host's tree, which the
		 * chroot escape leaves (the escape tests must see it) */
		if (chroot(".") < 0)
			fail(a, APO_STEP_PIVOT);
		break;
	default:
		/* pivot_root(".", "."): the old root ends up stacked under the
		 * new one and is detached at once; no directory for it needed */
		if (syscall(SYS_pivot_root, ".", ".") < 0 || umount2(".", MNT_DETACH) < 0)
			fail(a, APO_STEP_PIVOT);
		break;
	}
	if (chdir("/") < 0)
		fail(a, APO_STEP_PIVOT);
	if (sethostname(a->fqdn, strlen(a->fqdn)) < 0)
		fail(a, APO_STEP_HOSTNAME);

	fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (fd < 0 || dup2(fd, 0) < 0 || dup2(a->log_fd, 1) < 0 || dup2(a->log_fd, 2) < 0 ||
	    dup2(a->status_fd, 3) < 0 || dup2(a->log_rfd, APO_INIT_OUT_READ_FD) < 0 ||
	    dup2(a->status_rfd, APO_INIT_STATUS_READ_FD) < 0)
		fail(a, APO_STEP_FDS);
	if (setsid() < 0)
		fail(a, APO_STEP_FDS);
	/* ---- confinement (confine.h) ---- */
	/* nothing but 0-3 and the pipes' read ends (init's, for a logger
	 * that takes over, log-proto.h) crosses into the station, whatever a
	 * library or another thread opened without O_CLOEXEC; init_fd and
	 * err_fd stay usable until exec */
	if (syscall(SYS_close_range, 6U, ~0U, CLOSE_RANGE_CLOEXEC) < 0 && errno != ENOSYS)
		fail(a, APO_STEP_FDS);
	/* before the filter, which refuses setns */
	if (enter_userns(a) < 0)
		fail(a, APO_STEP_USERNS);
	/* while CAP_SYS_ADMIN is still ours (in the station's user namespace
	 * when it has one): no no_new_privs needed, so setuid programs inside
	 * keep working (Docker's way) */
	if (apo_seccomp_load(a->seccomp) < 0)
		fail(a, APO_STEP_SECCOMP);
	if (apo_caps_drop(a->caps) < 0)
		fail(a, APO_STEP_CAPS);
	/* ---- */

	syscall(SYS_execveat, a->init_fd, "", a->argv, a->envp, AT_EMPTY_PATH);
	fail(a, APO_STEP_EXEC);
	return 126;
}

const char *apo_child_step_name(enum apo_child_step s)
{
	static const char *const names[] = {
	    [APO_STEP_NETNS] = "join network namespace",
	    [APO_STEP_PRIVATE] = "make mounts private",
	    [APO_STEP_ROOT] = "mount root",
	    [APO_STEP_PROC] = "mount /proc",
	    [APO_STEP_SYS] = "mount /sys",
	    [APO_STEP_DEV] = "populate /dev",
	    [APO_STEP_PIVOT] = "pivot_root",
	    [APO_STEP_HOSTNAME] = "set hostname",
	    [APO_STEP_FDS] = "set up stdio",
	    [APO_STEP_USERNS] = "enter user namespace",
	    [APO_STEP_PORTS] = "allow ports below 1024 (ip_unprivileged_port_start)",
	    [APO_STEP_CAPS] = "drop capabilities",
	    [APO_STEP_EXEC] = "exec apomon-init",
	    [APO_STEP_MASK] = "mask /proc and /sys",
	    [APO_STEP_SECCOMP] = "load the seccomp filter",
	};
	return s < sizeof(names) / sizeof(names[0]) && names[s] ? names[s] : "start";
}
