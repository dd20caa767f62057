/* SPDX-License-Identifier: MIT */
/*
 * A station type for the runtime's tests: its service never comes up.
 * Its startup check probes a TCP port nothing listens on (a real probe
 * that keeps answering "not yet"), so the station fails at its deadline.
 */
#include "config.h"

#include <errno.h>

#include "apomon/station-type.h"

static int ready(const struct apomon_host *host, const struct apomon_station *st)
{
	int rc = host->probe_tcp(st, NULL, 7, 200);
	/* refused or unreachable: the service is not there yet */
	return rc == 0 ? 0 : -EAGAIN;
}

static const struct apomon_station_type never_ready = {
    APOMON_STATION_TYPE_HEADER,
    .name = "rt-never-ready",
    .description = "test fixture: a station whose service never listens",
    .version = PACKAGE_VERSION,
    .image = "base",
    .role = APOMON_ROLE_MEMBER,
    .ready_timeout_ms = 1500,
    .ready = ready,
};

APOMON_STATION_TYPE(never_ready)
