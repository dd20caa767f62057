/* SPDX-License-Identifier: MIT */
/* Internals shared by the launcher's files. */
#ifndef APO_STATION_PRIV_H
#define APO_STATION_PRIV_H

#include <stdbool.h>
#include <sys/types.h>

#include "runtime/confine.h"
#include "runtime/station.h"

#ifndef APO_INIT_PATH
#define APO_INIT_PATH "/usr/local/libexec/apomon/apomon-init"
#endif

#define APO_CHILD_PATH_MAX 1024

enum apo_child_step {
	APO_STEP_NETNS = 1,
	APO_STEP_PRIVATE,
	APO_STEP_ROOT,
	APO_STEP_PROC,
	APO_STEP_SYS,
	APO_STEP_DEV,
	APO_STEP_PIVOT,
	APO_STEP_HOSTNAME,
	APO_STEP_FDS,
	APO_STEP_USERNS,
	APO_STEP_PORTS,
	APO_STEP_CAPS,
	APO_STEP_EXEC,
	APO_STEP_MASK,
	APO_STEP_SECCOMP,
};

struct apo_child_error {
	int step;
	int err;
};

/* The device nodes of a station's /dev (station-child.c makes them) */
struct apo_station_dev {
	const char *name;
	unsigned major, minor;
};
#define APO_STATION_N_DEVS 6
extern const struct apo_station_dev apo_station_devs[APO_STATION_N_DEVS];
/* station-dev.c: fds all -1 where nodes can be made (probed once in dir,
 * a directory of apomon's), else detached clones of the host's nodes for
 * the child to attach; negative errno when one cannot be cloned */
int apo_station_devs_open(const char *dir, int fds[APO_STATION_N_DEVS]);
void apo_station_devs_none(int fds[APO_STATION_N_DEVS]);
void apo_station_devs_close(int fds[APO_STATION_N_DEVS]);

/* Everything the child needs, prepared before the clone. */
struct apo_child_args {
	int sync_fd, err_fd, netns_fd, init_fd, log_fd, status_fd;
	int sync_wfd, err_rfd;	 /* the parent's ends, closed first in the child */
	int log_rfd, status_rfd; /* the pipes' read ends, which init keeps */
	int log_pending;	 /* the logger's answer, read after the clone (station-log.h) */
	int template_fd;	 /* the mount namespace to copy; -1: cloned with ours */
	/* how the root becomes /: ROOT_PIVOT (pivot_root and detach of the
	 * copied host tree), ROOT_MOVE (template_fd is the empty template:
	 * MS_MOVE onto / and chroot, nothing to detach), ROOT_CHROOT (a
	 * chroot alone, in the host's tree: APOMON_TEST_WEAKEN=root only) */
	enum { ROOT_PIVOT, ROOT_MOVE, ROOT_CHROOT } root_how;
	int tree_fd; /* a detached clone of the root's mount; -1: mount overlay_opts */
	const char *overlay_opts;
	const char *root;
	const char *fqdn;
	bool net_admin;
	/* confinement (confine.h): prepared before the clone */
	const struct apo_bpf *seccomp;
	unsigned long long caps; /* the capabilities kept */
	bool mask;		 /* /proc and /sys masked */
	/* the station's user namespace, entered just before exec; -1: none
	 * (isolation "host-root") */
	int userns_fd;
	/* mount options of /dev, /dev/pts, /dev/shm (owned by the station's
	 * root when it has a user namespace) */
	const char *dev_opts, *pts_opts, *shm_opts;
	/* where device nodes cannot be made (no CAP_MKNOD: apomon itself in
	 * a container), detached clones of the host's, one per
	 * apo_station_devs entry, opened in apomon's mount namespace (the
	 * child's has no /dev of the host's to bind); -1 otherwise */
	int dev_fd[APO_STATION_N_DEVS];
	uid_t uid; /* the station's root on the host: owns /dev's nodes */
	gid_t gid;
	char *const *argv;
	char *const *envp;
};

int apo_station_child(void *arg);
/* station-confine.c: fills a's filter, capabilities, masking and stdio
 * (the logger's pipes) for s, and records the filter and capabilities in
 * the state dir for `apomon exec`. */
int apo_station_confine(const struct apo_station_spec *s, struct apo_child_args *a, char **err);
/* What exec applies: the station's recorded filter and capabilities, or
 * the defaults when it has no record. */
int apo_station_confinement(const char *env, const char *name, struct apo_bpf *bpf,
			    unsigned long long *caps);
const char *apo_child_step_name(enum apo_child_step s);

/* The init file of the state dir: "PID STARTTIME NET_ADMIN". */
struct apo_init_rec {
	pid_t pid;
	unsigned long long start; /* /proc/PID/stat field 22 */
	bool net_admin;
};
int apo_station_read_init(const char *env, const char *name, struct apo_init_rec *r);
/* True when r's process is alive (not a zombie) and is still r's. */
bool apo_station_alive(const struct apo_init_rec *r);
unsigned long long apo_proc_starttime(pid_t pid, char *state);

/* The template mount namespace (station-template.c), made on first use;
 * -1 when it cannot be made. */
int apo_station_template_fd(void);
/* The empty template: one read-only tmpfs with the directory
 * APO_EMPTY_ROOT, nothing of the host; -1 when it cannot be made. */
int apo_station_empty_template_fd(void);
#define APO_EMPTY_ROOT "/r"
/* Moves fd to >= 10 so that dup2 onto 0..3 in the child never clobbers
 * it; closes the original.  -1 stays -1. */
int apo_high_fd(int fd);

/* The path to apomon-init: $APOMON_INIT, else the installed one. */
const char *apo_init_path(void);

#endif
