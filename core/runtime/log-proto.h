/* SPDX-License-Identifier: MIT */
/*
 * What the launcher (station-log.c) and an environment's logger
 * (apomon-log.c) say over the logger's socket, a unix SOCK_SEQPACKET
 * socket in the environment's state dir: one message a station, with the
 * read ends of its two pipes attached (SCM_RIGHTS), answered by an int32,
 * 0 or a positive errno.
 */
#ifndef APO_LOG_PROTO_H
#define APO_LOG_PROTO_H

#include <stdint.h>

enum apo_log_op {
	APO_LOG_START = 1, /* a new launch: the status file starts empty */
	APO_LOG_ADOPT = 2, /* a running station whose logger died: carry on */
};

struct apo_log_msg {
	uint32_t op;
	uint32_t log_len;   /* the log file's path, with its NUL */
	uint32_t state_len; /* the station's state dir, with its NUL */
	uint32_t pad;
	uint64_t max_bytes; /* the log's cap; 0: the default */
			    /* then the two paths */
};

#define APO_LOG_PATH_MAX 4096
#define APO_LOG_MSG_MAX	 (sizeof(struct apo_log_msg) + 2 * APO_LOG_PATH_MAX)

/* The fds in a station's init that hold a copy of the pipes' read ends,
 * so that a new logger can take them over (pidfd_getfd) when the old one
 * died; close-on-exec: nothing the station runs has them. */
#define APO_INIT_OUT_READ_FD	4
#define APO_INIT_STATUS_READ_FD 5

#endif
