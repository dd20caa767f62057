/* SPDX-License-Identifier: MIT */
/* The environment's logger (apomon-log), outside its stations: see
 * station-log.c. */
#ifndef APO_STATION_LOG_H
#define APO_STATION_LOG_H

/* The default cap of a station's log (then rotated once to NAME.log.1). */
#define APO_LOG_MAX_BYTES (10ULL << 20)

/* $APOMON_LOGGER, else apomon-log next to apomon-init (caller frees). */
char *apo_logger_path(void);
/* Its "PID STARTTIME" record in the station's state dir (caller frees). */
char *apo_logger_record_path(const char *env, const char *name);

/*
 * Makes the station's two pipes, hands their read ends to the
 * environment's logger (started, detached, when it has none) and returns
 * all four ends (close-on-exec, >= 10): *out_w for the station's stdout
 * and stderr, *status_w for apomon-init's status lines, and the read ends,
 * which init keeps (log-proto.h) for a logger that takes over.  max_bytes
 * 0: APO_LOG_MAX_BYTES.  pending NULL: returns once the logger has made
 * the station's files (its log, status, record); else *pending is the
 * connection to pass to apo_logger_confirm, which waits for that answer:
 * the launcher clones the station meanwhile, and the environment's lock
 * is not held while the logger works.  0 or a negative errno.
 */
int apo_logger_start(const char *env, const char *name, unsigned long long max_bytes, int *out_w,
		     int *status_w, int *out_r, int *status_r, int *pending);
/* The logger's answer to apo_logger_start's hand-over (pending is
 * closed); hands the read ends over again, to a new logger, when the one
 * asked left before it took them.  0 or a negative errno. */
int apo_logger_confirm(const char *env, const char *name, unsigned long long max_bytes, int pending,
		       int out_r, int status_r);

/* A logger for the environment when a station of it runs and its logger
 * is gone (killed): the new one takes over the running stations' pipes.
 * 0 or a negative errno. */
int apo_logger_ensure(const char *env);

/* Once the station's init is gone: waits up to ms for the logger to have
 * written its last status line. */
void apo_logger_wait(const char *env, const char *name, unsigned ms);

/* After the environment's last station stopped: waits up to ms for its
 * logger to leave (then kills it) and removes its socket and record. */
void apo_logger_reap(const char *env, unsigned ms);

#endif
