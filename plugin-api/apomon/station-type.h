/* SPDX-License-Identifier: MIT */
/* Laid out by hand for plugin authors (80 columns, aligned comments):
 * not reflowed by clang-format. */
/* clang-format off */
/*
 * apomon station-type plugin ABI.
 *
 * A station type is a shared object that exports exactly one symbol,
 * emitted by APOMON_STATION_TYPE(), which returns a pointer to a const
 * struct apomon_station_type.  The core loads it with libltdl, checks
 * abi_version and size, and then only ever calls through that struct.
 *
 * Rules for a type:
 *   - never print, never exit, never install signal handlers;
 *   - return 0 on success or a negative errno (e.g. -EINVAL) from hooks;
 *   - report problems through the host services (host->report, host->log);
 *   - treat every pointer the core hands over as borrowed: valid only for
 *     the duration of the call, unless documented otherwise.
 *
 * Compatibility: fields of both structs below are only ever appended.
 * A type built against an older header keeps working (the core reads
 * `size` and treats missing trailing fields as NULL/0).  A type that uses
 * a host service added later must check APOMON_HOST_HAS() first.
 *
 * Build a type out of tree with:
 *   cc -shared -fPIC $(pkg-config --cflags apomon-plugin) -o mytype.so mytype.c
 * and see apomon-plugin(7) for the whole walk-through.
 */
#ifndef APOMON_STATION_TYPE_H
#define APOMON_STATION_TYPE_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Bumped only when a change breaks existing types (never for appends). */
#define APOMON_ABI_VERSION 1

/* The name of the one symbol every type exports. */
#define APOMON_ENTRY_SYMBOL "apomon_station_type_entry"

/* What a type does in its cluster. */
enum apomon_role {
	/* an ordinary station of a cluster (web server, database, ...) */
	APOMON_ROLE_MEMBER = 0,
	/* may be its cluster's default gateway (e.g. the load balancer) */
	APOMON_ROLE_GATEWAY = 1,
	/* must be the environment's backbone: linked to every cluster and
	 * the host, routes between them (e.g. the DNS server) */
	APOMON_ROLE_BACKBONE = 2,
};

enum apomon_proto {
	APOMON_PROTO_TCP = 6,  /* = IPPROTO_TCP */
	APOMON_PROTO_UDP = 17, /* = IPPROTO_UDP */
};

/* What a station needs of the stations it `depends` on before it starts
 * (apomon_station_type.depends_need). */
enum apomon_depends_need {
	/* every dependency's startup checks have passed: for a server that
	 * uses its dependency while starting (e.g. runs SQL at start) */
	APOMON_NEEDS_READY = 0,
	/* only each dependency's address and name, which exist as soon as
	 * the environment's network does, before any station starts: the
	 * station starts alongside its dependencies (e.g. a Tomcat whose
	 * connection pool connects on the first request); its own startup
	 * check then waits for whatever it really needs */
	APOMON_NEEDS_ADDRESS = 1,
};

/* A port a station of this type listens on.  Arrays end with name NULL. */
struct apomon_port {
	const char *name; /* "http", "postgresql", ... */
	enum apomon_proto proto;
	uint16_t port;
};

/* The kind of a setting in a station's `settings` group. */
enum apomon_setting_kind {
	APOMON_SETTING_STRING = 1,
	APOMON_SETTING_INT = 2,
	APOMON_SETTING_BOOL = 3,
	APOMON_SETTING_STRING_LIST = 4,
	/* A name the type no longer accepts: the core refuses it with
	 * FILE:LINE: PATH: 'NAME' is no longer accepted: DEFAULT_VALUE, so
	 * default_value says what to write instead ("renamed to
	 * database.host").  The getters treat it as undeclared. */
	APOMON_SETTING_RETIRED = 5,
};

/*
 * A setting a type accepts.  The core rejects unknown settings and wrong
 * kinds before the type's validate hook runs, with the file and line.
 * A dotted name ("database.host") is a member of a group in the config
 * (settings = { database = { host = "..."; }; }); the getters take the
 * dotted name.  Arrays end with name NULL.
 */
struct apomon_setting {
	const char *name;
	enum apomon_setting_kind kind;
	/* default, as text ("5432", "true", "skel"); NULL = no default */
	const char *default_value;
	const char *description;
	/* Appended after ABI 1's first cut (the core learns the element size
	 * from apomon_station_type.setting_size, so older arrays still load):
	 * for APOMON_SETTING_INT, the inclusive range the core enforces
	 * (FILE:LINE: PATH: VALUE out of range MIN..MAX) before the type's
	 * validate hook; both 0 = no bounds. */
	long long min, max;
};

/* The element size of settings arrays built before min/max existed. */
#define APOMON_SETTING_SIZE_V1 offsetof(struct apomon_setting, min)

/* Opaque: one station of the plan, as the core sees it. */
struct apomon_station;

enum apomon_log_level {
	APOMON_LOG_ERROR = 3,
	APOMON_LOG_WARNING = 4,
	APOMON_LOG_INFO = 6,
	APOMON_LOG_DEBUG = 7,
};

/* Which stations apomon_host.each_station visits. */
enum apomon_scope {
	APOMON_SCOPE_CLUSTER = 1,     /* the stations of st's own cluster */
	APOMON_SCOPE_ENVIRONMENT = 2, /* every enabled station */
};

typedef int (*apomon_station_cb)(const struct apomon_station *other,
				 void *ctx);

/* One DNS record of the environment (see apomon_host.each_record): type
 * "A", "PTR", "CNAME", "MX" or "TXT"; name absolute with its trailing dot
 * ("www1.example.com.", "11.0.1.10.in-addr.arpa."); value as in a zone
 * file ("10.1.0.11", "www1.example.com.", "10 mail.example.com."), TXT
 * unquoted. */
typedef int (*apomon_record_cb)(const char *type, const char *name,
				const char *value, void *ctx);

#if defined(__GNUC__)
#define APOMON_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define APOMON_PRINTF(f, a)
#endif

/*
 * Services the core offers to types.  Every function that takes a
 * station accepts any station of the environment (e.g. one visited by
 * each_station), not only the one the hook was called for.
 */
struct apomon_host {
	uint32_t abi_version;
	uint32_t size;

	/* Logging goes to the station's log and, by level, the terminal. */
	void (*log)(const struct apomon_station *st, enum apomon_log_level level,
		    const char *fmt, ...) APOMON_PRINTF(3, 4);

	/* A validation problem with one setting (NULL: the station itself);
	 * printed as FILE:LINE: clusters.CLUSTER.stations.NAME.settings.SETTING:
	 * message.
	 * Call it from validate, then return -EINVAL. */
	void (*report)(const struct apomon_station *st, const char *setting,
		       const char *fmt, ...) APOMON_PRINTF(3, 4);

	/* Facts about a station; strings live as long as the environment. */
	const char *(*env_name)(const struct apomon_station *st);
	const char *(*name)(const struct apomon_station *st);   /* www1 */
	const char *(*fqdn)(const struct apomon_station *st);   /* www1.example.com */
	const char *(*domain)(const struct apomon_station *st); /* example.com */
	const char *(*cluster)(const struct apomon_station *st); /* example; NULL for the backbone */
	const char *(*type)(const struct apomon_station *st);   /* tomcat */
	enum apomon_role (*role)(const struct apomon_station *st); /* its role in this plan */
	size_t (*address_count)(const struct apomon_station *st);
	/* the i-th IPv4 address as dotted text ("10.1.0.11"); NULL past the end */
	const char *(*address)(const struct apomon_station *st, size_t i);
	/* the address other stations of its cluster use to reach the
	 * backbone (its router / DNS server) */
	const char *(*router)(const struct apomon_station *st);

	/* Settings, with the type's declared default when absent.
	 * Asking for a setting the type did not declare returns NULL/0. */
	const char *(*setting_string)(const struct apomon_station *st, const char *name);
	long long (*setting_int)(const struct apomon_station *st, const char *name);
	bool (*setting_bool)(const struct apomon_station *st, const char *name);
	size_t (*setting_list_count)(const struct apomon_station *st, const char *name);
	const char *(*setting_list_item)(const struct apomon_station *st,
					 const char *name, size_t i);

	/* Visit stations in config order; a non-zero return stops the walk
	 * and is returned. */
	int (*each_station)(const struct apomon_station *st, enum apomon_scope scope,
			    apomon_station_cb cb, void *ctx);

	/* Files in the station's root (valid in render and deploy).  Paths
	 * are absolute inside the root; they never resolve outside it, even
	 * through symlinks.  Parent directories are created (0755). */
	const char *(*root)(const struct apomon_station *st);
	int (*write_file)(const struct apomon_station *st, const char *path,
			  const void *data, size_t len, mode_t mode);

	/* Run argv inside the running station (all its namespaces, its root).
	 * Returns the exit status (>= 0) or a negative errno; when output is
	 * not NULL it receives stdout+stderr, to be released with free().
	 * Bounded: a command still running after the type's ready_timeout_ms
	 * (60 s when 0) is killed with everything it started, and run returns
	 * -ETIMEDOUT; only the first 64 KiB of output are kept, the rest is
	 * read and discarded (the station's log says how much).  Never put a
	 * secret in argv: every host user can read it in /proc. */
	int (*run)(const struct apomon_station *st, const char *const argv[],
		   char **output);

	/* One probe attempt from inside the station's network namespace to
	 * one of its own addresses (address NULL: its first one).
	 * probe_tcp: 0 when a connection is accepted.
	 * probe_http: 0 when an HTTP(S) GET of url answers; *status gets the
	 * HTTP status.  Certificates of https URLs are checked against the
	 * environment's CA.  Both return a negative errno otherwise. */
	int (*probe_tcp)(const struct apomon_station *st, const char *address,
			 uint16_t port, unsigned timeout_ms);
	int (*probe_http)(const struct apomon_station *st, const char *url,
			  unsigned timeout_ms, long *status);

	/* Added after ABI 1's first cut: check APOMON_HOST_HAS(host, issue_cert).
	 * Issues a server certificate for names (NULL-terminated; DNS names
	 * or IPv4 addresses, the first is its subject) from the environment's
	 * CA and writes it (then the CA's certificate) to cert_path and its
	 * private key (0600) to key_path, both inside the station's root
	 * (valid in render and deploy).  key_path NULL: the key is appended
	 * to cert_path, the one-file form HAProxy reads. */
	int (*issue_cert)(const struct apomon_station *st, const char *const names[],
			  const char *cert_path, const char *key_path);

	/* Added after ABI 1's first cut too: check APOMON_HOST_HAS(host, each_record)
	 * and APOMON_HOST_HAS(host, socket). */

	/* Visit the DNS records the environment's backbone serves: an A and
	 * a PTR record for every address of every station, then each
	 * cluster's `records`.  Valid in render, ready and deploy (the plan
	 * exists); -ENOTCONN before.  A non-zero return stops the walk. */
	int (*each_record)(const struct apomon_station *st, apomon_record_cb cb,
			   void *ctx);

	/* A socket(2) created in the station's network namespace, for a
	 * startup check that needs a real dialogue (a DNS query, an SMTP
	 * banner, an FTP login).  type is SOCK_STREAM, SOCK_DGRAM, ... and
	 * may be or'ed with SOCK_NONBLOCK (honoured) and SOCK_CLOEXEC (always
	 * set anyway); the kernel refuses anything else with -EINVAL.
	 * Returns the descriptor (close-on-exec; the type closes it) or a
	 * negative errno. */
	int (*socket)(const struct apomon_station *st, int domain, int type,
		      int protocol);

	/* Added later still: check APOMON_HOST_HAS(host, port).
	 * The port st's type declares under `name` ("http"), the one place a
	 * listening port comes from: render writes it into the config, the
	 * plan, the summary and publish validation read it too.  -ENOENT
	 * when st's type declares no such port. */
	int (*port)(const struct apomon_station *st, const char *name);

	/* Also later: check APOMON_HOST_HAS(host, published).
	 * The i-th entry of st's `publish` list: host ports host_port ..
	 * host_port+count-1 reach the station's port .. port+count-1 (count
	 * 1: one port).  0, or -ENOENT past the end. */
	int (*published)(const struct apomon_station *st, size_t i, enum apomon_proto *proto,
			 unsigned *host_port, unsigned *port, unsigned *count);

	/* Also later: check APOMON_HOST_HAS(host, secret).
	 * Fills out with len (1..1024) random bytes from OpenSSL's generator,
	 * made the first time st asks for `name` ([a-z0-9_-], at most 64
	 * bytes) and the same bytes at every later call, across starts: e.g.
	 * the salt of a password hash, unpredictable from the config, yet
	 * rendered into the same file every time, so that the file can be
	 * sealed.  Kept outside the station's root, 0600, in the
	 * environment's state (/var/lib/apomon/ENV/STATION/secrets/NAME);
	 * `down --purge` forgets them.  Valid in render, ready and deploy
	 * (-ENOTCONN before: validate writes nothing).  0, or a negative
	 * errno: -EINVAL (bad name or len), -EMSGSIZE (name kept with
	 * another len). */
	int (*secret)(const struct apomon_station *st, const char *name, void *out,
		      size_t len);

	/* Added after secret: check APOMON_HOST_HAS(host, write_file_owned).
	 * write_file, owned by owner and group inside the station: each a
	 * name looked up in the station's own /etc/passwd and /etc/group
	 * (the image's users, e.g. "postgres"), or a decimal id ("70");
	 * NULL keeps root.  So a 0640 secret readable by one service's group
	 * needs no chgrp in startup.sh.  -ENOENT: no such user or group in
	 * the station's image.  Valid in render and deploy. */
	int (*write_file_owned)(const struct apomon_station *st, const char *path,
				const void *data, size_t len, mode_t mode, const char *owner,
				const char *group);

	/* Added after write_file_owned: check APOMON_HOST_HAS(host, check_sealed).
	 * Runs the core's integrity gate on st's current root (the one its
	 * init sees, in reload): every file of st's manifest (the sealed
	 * paths) must match its digest, as at a start.  A reload hook calls
	 * it after it put a new config in place and before the service
	 * reads it, so that a config the seal does not bless never goes
	 * live: on failure it puts the old file back and returns the error.
	 * 0, or the gate's negative errno when a file does not match or
	 * is missing (the station's log and the terminal then get one line
	 * naming the station and the file); -ENOTCONN when st has no root.
	 * The core runs the same gate after reload returns all the same,
	 * for hooks that do not call this, but by then the config is live. */
	int (*check_sealed)(const struct apomon_station *st);

	/* Added after check_sealed: check APOMON_HOST_HAS(host, draining).
	 * True while `up` on a running environment is about to re-address
	 * or restart st and asks the running stations whose config points
	 * at st (a balancer over its backends) to send it nothing new: the
	 * core calls their reload hook with st draining, then moves and
	 * restarts st, waits until it is ready, and calls their reload hook
	 * again with st no longer draining.  A hook that balances over st
	 * renders it out of rotation while this is true (haproxy: `server
	 * ... disabled`; established connections finish); a type with
	 * nothing to drain ignores it.  st's address is already the new
	 * one.  False outside such a reload. */
	bool (*draining)(const struct apomon_station *st);
};

/* True when the core's host struct has `field` (for later additions). */
#define APOMON_HOST_HAS(host, field)                                   \
	((host)->size >= offsetof(struct apomon_host, field) +         \
				 sizeof(((struct apomon_host *)0)->field) && \
	 (host)->field != NULL)

/*
 * The station type.  Define it const, with designated initializers:
 *
 *   static const struct apomon_station_type mytype = {
 *           APOMON_STATION_TYPE_HEADER,
 *           .name = "mytype", ...
 *   };
 *   APOMON_STATION_TYPE(mytype)
 */
struct apomon_station_type {
	uint32_t abi_version; /* APOMON_ABI_VERSION */
	uint32_t size;        /* sizeof(struct apomon_station_type) */

	const char *name;        /* [a-z][a-z0-9_-]*, unique among loaded types */
	const char *description; /* one line */
	const char *version;     /* the type's own version */
	const char *image;       /* default image (images/NAME, an OCI reference); NULL:
				    none, every station of the type sets `image` */
	enum apomon_role role;
	const struct apomon_port *ports;      /* may be NULL */
	const char *const *sealed;            /* paths to seal; NULL-terminated; may be NULL */
	const struct apomon_setting *settings; /* may be NULL: no settings */
	/* how long the startup checks may take; 0 = 60 s */
	unsigned ready_timeout_ms;

	/* Check the station's settings beyond kind (ranges, formats,
	 * references); report each problem with host->report. */
	int (*validate)(const struct apomon_host *host, const struct apomon_station *st);

	/* Write the station's config files into its root (host->write_file).
	 * Runs after the root is mounted and before the integrity check. */
	int (*render)(const struct apomon_host *host, const struct apomon_station *st);

	/* One startup check: 0 when ready, -EAGAIN when not yet, another
	 * negative errno when it will never be.  The core calls it again
	 * until it returns 0 or ready_timeout_ms passes; it must probe the
	 * real service (host->probe_http, ...), never just wait. */
	int (*ready)(const struct apomon_host *host, const struct apomon_station *st);

	/* Optional: install an artifact (e.g. a .war) into a running station. */
	int (*deploy)(const struct apomon_host *host, const struct apomon_station *st,
		      const char *artifact);

	/* Appended: sizeof(struct apomon_setting) as the type was built
	 * (APOMON_STATION_TYPE_HEADER sets it), the stride of `settings`.
	 * A type built before it existed (size too small, or 0) has arrays
	 * of APOMON_SETTING_SIZE_V1 bytes an element, without min/max. */
	uint32_t setting_size;

	/* Appended: the core reads them only when APOMON_TYPE_HAS(type,
	 * field); a type built before has neither. */

	/* Syscalls that apomon's default seccomp filter refuses and that
	 * this type's servers need, by name as in syscalls(2), e.g.
	 * "personality" (which then loses its conditions too); NULL-
	 * terminated; NULL: none.  A name the host's libseccomp does not
	 * know fails the station's start.  See apomon-plugin(7). */
	const char *const *seccomp_allow;
	/* Capabilities, as (1ULL << CAP_*) bits, that this type's stations
	 * do without, out of apomon's default set; 0: the whole set. */
	uint64_t caps_drop;

	/* Appended (APOMON_TYPE_HAS): `up` on a running environment changed
	 * what this station renders (its settings, its dependencies', or for
	 * the backbone the DNS records).  Apply it live: write the files
	 * again (host->write_file into the running root) and tell the server
	 * (host->run, e.g. a SIGHUP).  0: applied, the station keeps
	 * running; -EOPNOTSUPP: this change needs a restart, and the core
	 * restarts it; another negative errno fails the `up`.  NULL: every
	 * such change restarts the station. */
	int (*reload)(const struct apomon_host *host, const struct apomon_station *st);

	/* Appended (APOMON_TYPE_HAS): what this type's stations need of the
	 * stations they depend on before they start (see enum
	 * apomon_depends_need).  A type built before this field, and 0,
	 * mean APOMON_NEEDS_READY: it starts once they are all ready.
	 * APOMON_NEEDS_ADDRESS lets independent slow start-ups (a JVM and
	 * the database it queries later) overlap; a station that waits on
	 * such a station with APOMON_NEEDS_READY still waits for its
	 * readiness, and so for the readiness it needs in turn. */
	enum apomon_depends_need depends_need;

	/* Appended (APOMON_TYPE_HAS): how `down`, `stop` and `restart` end
	 * this type's stations.  stop_signal goes to the station's init,
	 * which forwards it to startup.sh's process group: the signal the
	 * server takes as "shut down cleanly and quickly" (postgres:
	 * SIGINT, its fast shutdown; its SIGTERM waits for every client to
	 * leave).  0, and a type built before the field: SIGTERM.
	 * stop_timeout_ms: how long after it the station may take before
	 * it is killed (SIGKILL: no clean shutdown); 0, and a type built
	 * before: the core's default (5 s; `apomon stop -t` overrides it).
	 * Stations are stopped all at once, each against its own deadline. */
	int stop_signal;
	uint32_t stop_timeout_ms;
};

/* True when type t (built against some version of this header) has field. */
#define APOMON_TYPE_HAS(t, field)                                      \
	((t)->size >= offsetof(struct apomon_station_type, field) +    \
			  sizeof(((struct apomon_station_type *)0)->field))

/* The smallest struct the core accepts: everything up to `deploy`. */
#define APOMON_STATION_TYPE_MIN_SIZE                                   \
	(offsetof(struct apomon_station_type, deploy) +                \
	 sizeof(((struct apomon_station_type *)0)->deploy))

#define APOMON_STATION_TYPE_HEADER                                     \
	.abi_version = APOMON_ABI_VERSION,                             \
	.size = sizeof(struct apomon_station_type),                    \
	.setting_size = sizeof(struct apomon_setting)

#if defined(__GNUC__)
#define APOMON_EXPORT __attribute__((visibility("default")))
#else
#define APOMON_EXPORT
#endif

/* Emits the entry symbol the loader looks for. */
#define APOMON_STATION_TYPE(var)                                       \
	APOMON_EXPORT const struct apomon_station_type *               \
	apomon_station_type_entry(void);                               \
	const struct apomon_station_type *apomon_station_type_entry(void) \
	{                                                              \
		return &(var);                                         \
	}

#ifdef __cplusplus
}
#endif
#endif
