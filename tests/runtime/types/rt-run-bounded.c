/* SPDX-License-Identifier: MIT */
/*
 * Station types for the test of host->run's bounds: the startup check of
 * rt-run-hang runs a command that never exits, that of rt-run-flood one
 * that prints without end (`yes`).  Deadline 2 s: `up` must fail at it,
 * with apomon's memory bounded, and roll back.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>

#include "apomon/station-type.h"

static int run(const struct apomon_host *host, const struct apomon_station *st,
	       const char *const argv[])
{
	char *out = NULL;
	int rc = host->run(st, argv, &out);
	free(out);
	/* a bounded run that ended is a failed check; one that was cut at
	 * its deadline says so */
	return rc < 0 ? rc : -EAGAIN;
}

#ifdef RT_RUN_HANG
static int hang_ready(const struct apomon_host *host, const struct apomon_station *st)
{
	const char *argv[] = {"sleep", "100000", NULL};
	return run(host, st, argv);
}

#else
static int flood_ready(const struct apomon_host *host, const struct apomon_station *st)
{
	const char *argv[] = {"yes", "0123456789abcdef0123456789abcdef0123456789abcdef", NULL};
	return run(host, st, argv);
}

#endif

#ifdef RT_RUN_HANG
static const struct apomon_station_type hang = {
    APOMON_STATION_TYPE_HEADER,
    .name = "rt-run-hang",
    .description = "test fixture: a startup check whose command never exits",
    .version = PACKAGE_VERSION,
    .image = "base",
    .role = APOMON_ROLE_MEMBER,
    .ready_timeout_ms = 2000,
    .ready = hang_ready,
};
APOMON_STATION_TYPE(hang)
#else
static const struct apomon_station_type flood = {
    APOMON_STATION_TYPE_HEADER,
    .name = "rt-run-flood",
    .description = "test fixture: a startup check whose command prints forever",
    .version = PACKAGE_VERSION,
    .image = "base",
    .role = APOMON_ROLE_MEMBER,
    .ready_timeout_ms = 2000,
    .ready = flood_ready,
};
APOMON_STATION_TYPE(flood)
#endif
