/* SPDX-License-Identifier: MIT */
/*
 * The station launcher: one station's root, namespaces, init, cgroups.
 *
 * Independent of the plan so that it can be driven by `up` and by tests
 * alike.  Everything a station creates sits at a path derived from
 * (environment, station name), and the station's state directory
 * /run/apomon/ENV/stations/NAME is made before anything else: its
 * existence is the journal entry that lets apo_station_cleanup() find and
 * remove the rest (mount, cgroups, processes) even after a crash.
 *
 *   state dir   /run/apomon/ENV/stations/NAME/{init,status,ready,stopped}
 *   root        /run/apomon/ENV/roots/NAME         (overlay, host mount ns)
 *   data        /var/lib/apomon/ENV/NAME/{upper,work}   (kept unless purged)
 *   log         /var/log/apomon/ENV/NAME.log
 *   id range    /var/lib/apomon/ENV/idmap                (userns.h)
 *   cgroups     /sys/fs/cgroup/{memory,cpu,pids}/apomon/ENV/NAME (v1)
 *               /sys/fs/cgroup/apomon/ENV/NAME                  (v2)
 */
#ifndef APO_STATION_H
#define APO_STATION_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "base/paths.h"
#include "runtime/userns.h"

/* A station's id range and a user namespace mapping onto it, made once
 * for both the idmapped layers (prepare) and init (launch). */
struct apo_station_userns {
	struct apo_idmap map;
	int fd;
};

/* Where a station's image puts its entrypoint. */
#define APO_STATION_ENTRYPOINT "/apomon/startup.sh" /* = images APO_IMAGE_STARTUP */
/* The stop deadline callers pass for "the station's own": its type's
 * stop_timeout_ms (apo_station_set_stop), else APO_STATION_GRACE_DEFAULT_MS. */
#define APO_STATION_GRACE_MS	     0u
#define APO_STATION_GRACE_DEFAULT_MS 5000u

struct apo_station_spec {
	const char *env;  /* environment name */
	const char *name; /* station name: names its dirs, log and cgroups */
	const char *fqdn; /* its hostname */
	/* its network namespace (/run/netns/FQDN); NULL: a fresh empty one */
	const char *netns_path;
	/* the image's layers, uppermost first (overlayfs lowerdir order) */
	const char *const *layers;
	size_t n_layers;
	const char *hosts;	/* /etc/hosts; NULL: leave the image's */
	const char *resolv;	/* /etc/resolv.conf; NULL: leave the image's */
	const char *entrypoint; /* NULL: APO_STATION_ENTRYPOINT */
	bool net_admin;		/* the backbone; no capability any more (caps.c) */
	/* isolation "host-root": no user namespace, the station's root is
	 * the host's; else its own id range (userns.h), idmapped layers */
	bool host_root;
	/* without host_root: its range and user namespace, made by the caller
	 * (apo_idmap_acquire_many, apo_userns_make); NULL: prepare and launch find them */
	const struct apo_station_userns *userns;
	/* cgroup limits; 0 = none (and then no cgroup is made) */
	unsigned long long memory_bytes;
	unsigned cpu_millis;
	unsigned pids;
	/* confinement: syscalls the default filter refuses that the type
	 * needs (NULL-terminated; NULL: none), capabilities (1 << CAP_*) it
	 * does without, the cap of its log (0: 10 MiB) */
	const char *const *seccomp_allow;
	unsigned long long caps_drop;
	unsigned long long log_max_bytes;
	/* launch: the root apo_station_prepare returned; NULL: the root
	 * mounted at the station's root path */
	const char *root;
};

enum apo_station_state {
	APO_STATION_ABSENT,   /* nothing of it exists */
	APO_STATION_PREPARED, /* root mounted at its path, init not started (a
			       * detached root, prepare's, shows as absent) */
	APO_STATION_STARTING, /* init runs, not yet declared ready */
	APO_STATION_READY,
	APO_STATION_FAILED,  /* its entrypoint could not run or exited != 0 */
	APO_STATION_STOPPED, /* stopped by a command, or exited 0 */
};

const char *apo_station_state_name(enum apo_station_state s);

struct apo_station_info {
	enum apo_station_state state;
	pid_t pid;	 /* its init on the host; 0 when not running */
	double uptime_s; /* since init started; 0 when not running */
	/* when FAILED/STOPPED: the entrypoint's code (128 + N: signal N;
	 * 127: not exec'd); -1: init itself died before it, killed from
	 * outside the station, so nothing said how */
	int exit_code;
	bool entry_running; /* init reported the entrypoint exec'd and alive */
	/* it and all its descendants are blocked in the kernel (waiting on
	 * their server, or serving): how a type without a ready hook is
	 * judged ready; a startup.sh that fails in its setup never gets there */
	bool entry_idle;
	/* running without a user namespace: its root is host root */
	bool host_root;
};

/*
 * Makes the station's dirs and its root (overlay of layers under its
 * writable layer), then writes hosts and resolv.conf.  The overlay is a
 * detached mount, held by a descriptor of this process and mounted
 * nowhere on the host: *root receives a path to it (/proc/self/fd/N, or
 * the root path when something is mounted there already), which the type
 * renders into; hand it to launch as spec->root, and release it with
 * apo_station_root_release either way.  0 or a negative errno, with *err
 * (caller frees) saying which step.
 */
int apo_station_prepare(const struct apo_station_spec *spec, char **root, char **err);
/* Closes (or unmounts) a root prepare returned; frees it; NULL is fine. */
void apo_station_root_release(char *root);

/*
 * Starts init in new mount, PID, UTS and IPC namespaces joined to the
 * station's network namespace, pivoted into the prepared root, with
 * capabilities dropped and cgroup limits applied.  Returns once init is
 * exec'd (or failed to be), with *pid its host PID.  The root is the
 * station's alone (no mount of it is left on the host): a running
 * station's root is /proc/PID/root.
 */
int apo_station_launch(const struct apo_station_spec *spec, pid_t *pid, char **err);

/* What the station is doing now, from its state dir and /proc. */
int apo_station_info(const char *env, const char *name, struct apo_station_info *info);

/* How a station that no longer runs ended, for messages: "startup.sh
 * exited with 1", "startup.sh died of signal 9", or that its init was
 * killed from outside (caller frees). */
char *apo_station_end_text(const struct apo_station_info *info);

/*
 * The pid of a station's init when it runs and its entrypoint has not
 * failed (apo_station_info's READY or STARTING), else 0.  What a caller
 * that asks it of every station needs (a no-op `up` observes them all),
 * in three small reads instead of apo_station_info's eight (uptime, user
 * namespace, the entrypoint's process tree).  station-running.c.
 */
pid_t apo_station_running_pid(const char *env, const char *name);

/* Records that the startup checks passed (state READY). */
int apo_station_mark_ready(const char *env, const char *name);

/* Records how the station is stopped: signal (0: SIGTERM) and deadline
 * (0: APO_STATION_GRACE_DEFAULT_MS), its type's stop_signal and
 * stop_timeout_ms, in its state dir so that `down` needs no plugin. */
int apo_station_set_stop(const char *env, const char *name, int signal, unsigned deadline_ms);

/*
 * Stops init (the station's stop signal, SIGTERM by default, to it, which
 * forwards it to the entrypoint; SIGKILL after grace_ms, or when it is
 * APO_STATION_GRACE_MS the station's own deadline), marks the station
 * STOPPED, removes its (empty) cgroups, and keeps its data.
 */
int apo_station_stop(const char *env, const char *name, unsigned grace_ms);
/* The same for many stations at once: all get their signal, then all are waited
 * for; 0, or -ETIMEDOUT when one survived even SIGKILL. */
int apo_station_stop_many(const char *env, char *const *names, size_t n, unsigned grace_ms);

/*
 * Stops it if running, unmounts its root, removes its cgroups and state
 * dir; with purge also its writable layer and log.  Idempotent.
 */
int apo_station_cleanup(const char *env, const char *name, unsigned grace_ms, bool purge);
/* The same for a station apo_station_stop_many() has just stopped (it
 * returned 0): no second stop, no second logger check. */
int apo_station_remove(const char *env, const char *name, bool purge);

/* The names of the stations of env that have a state dir; caller frees
 * each and the array. */
int apo_station_list(const char *env, char ***names, size_t *n);

/* Its paths: apo_station_state_dir etc. in base/paths.h */

/*
 * Runs argv inside the running station: all its namespaces, its root, its
 * capabilities.  output NULL: the command inherits stdin/stdout/stderr;
 * else it gets /dev/null as stdin and *output its stdout+stderr.  tty:
 * allocate a pseudo-terminal inside the station's devpts and relay the
 * caller's terminal to it.  Returns the exit status (128+signal when
 * killed) or a negative errno.
 */
int apo_station_exec(const char *env, const char *name, const char *const argv[], bool tty,
		     char **output);

/*
 * host->run's bounds: a command that does not exit within timeout_ms is
 * killed with everything it started (-ETIMEDOUT); of its output the
 * first max_output bytes are kept, the rest is read and dropped
 * (*discarded says how much).  0: the defaults below.
 */
#define APO_RUN_TIMEOUT_MS 60000
#define APO_RUN_MAX_OUTPUT (64 * 1024)
struct apo_run_limits {
	unsigned timeout_ms;
	size_t max_output;
};
int apo_station_run(const char *env, const char *name, const char *const argv[],
		    const struct apo_run_limits *lim, char **output, size_t *discarded);

/* Cgroups (cgroup.c): v1 per controller, or the unified v2 hierarchy. */
int apo_cgroup_create(const char *env, const char *name, unsigned long long memory_bytes,
		      unsigned cpu_millis, unsigned pids);
int apo_cgroup_attach(const char *env, const char *name, pid_t pid);
void apo_cgroup_remove(const char *env, const char *name);

/* Capabilities (caps.c): keeps only keep (a mask of 1 << CAP_*); raw
 * syscalls, no allocation. */
int apo_caps_drop(unsigned long long keep);
/* The mask of capabilities a station keeps: the default set less drop. */
unsigned long long apo_caps_kept(unsigned long long drop);

#endif
