/* SPDX-License-Identifier: MIT */
/* A station's logger (apomon-log), outside the station: see station-log.c. */
#ifndef APO_STATION_LOG_H
#define APO_STATION_LOG_H

/* The default cap of a station's log (then rotated once to NAME.log.1). */
#define APO_LOG_MAX_BYTES (10ULL << 20)

/* $APOMON_LOGGER, else apomon-log next to apomon-init (caller frees). */
char *apo_logger_path(void);
/* Its "PID STARTTIME" record in the station's state dir (caller frees). */
char *apo_logger_record_path(const char *env, const char *name);

/*
 * Starts the station's logger, detached, and returns the write ends of
 * its two pipes (close-on-exec, >= 10): *out_w for the station's stdout
 * and stderr, *status_w for apomon-init's status lines.  max_bytes 0:
 * APO_LOG_MAX_BYTES.  0 or a negative errno.
 */
int apo_logger_start(const char *env, const char *name, unsigned long long max_bytes, int *out_w,
		     int *status_w);

/* Once the station's init is gone: waits up to ms for its logger to have
 * written the last status line and exited. */
void apo_logger_wait(const char *env, const char *name, unsigned ms);

#endif
