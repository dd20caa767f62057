/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <errno.h>

#include "base/util.h"
#include "integrity/conf-integrity.h"
#include "plugin/services-seal.h"
#include "plugin/services.h"

int apo_services_check_sealed(const struct apomon_station *st)
{
	_cleanup_free_ char *why = NULL;
	int rc;

	if (!st || !st->ctx || !st->ctx->model || !st->station)
		return -EINVAL;
	if (!st->root)
		return -ENOTCONN;
	/* the gate a start would run (try_reload's, which stays after the
	 * hook as a backstop): so a reload cannot make live what a restart
	 * would have refused */
	rc = apo_integrity_gate(st->ctx->model, st->station, st->root, NULL, &why);
	if (rc < 0)
		apo_services.log(st, APOMON_LOG_ERROR, "integrity: %s",
				 why ? why : "the sealed files do not match");
	return rc;
}
