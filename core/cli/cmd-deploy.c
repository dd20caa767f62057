/* SPDX-License-Identifier: MIT */
/*
 * apomon deploy STATION FILE: hands an artifact (e.g. a .war) to the
 * station type's deploy hook while the station runs; the type installs it
 * into the station's root (e.g. Tomcat's webapps/, which redeploys it
 * without a restart), reached through its init's /proc/PID/root.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "integrity/ca.h"
#include "cli/cli.h"
#include "plugin/services.h"
#include "engine/journal.h"
#include "base/paths.h"
#include "runtime/runtime.h"
#include "runtime/station.h"
#include "base/util.h"

int apo_cmd_deploy(const struct apo_cli *cli, int argc, char **argv)
{
	struct apo_journal *j = NULL;
	_cleanup_free_ char *busy = NULL, *root = NULL, *ca = NULL;
	char artifact[PATH_MAX];
	struct apo_station_info info;
	struct apo_services_ctx hc;
	struct apo_diag d;
	struct apo_env e;
	bool have_ctx = false;
	int r, rc = APO_EXIT_FAILURE;

	if (argc != 3) {
		apo_err("deploy: usage: apomon deploy STATION FILE");
		return APO_EXIT_USAGE;
	}
	if (apo_cli_check_name("deploy", "station", argv[1]))
		return APO_EXIT_USAGE;
	if (!realpath(argv[2], artifact)) {
		apo_err("deploy: %s: %s", argv[2], strerror(errno));
		return APO_EXIT_USAGE;
	}
	if ((r = apo_env_open(cli, &e)))
		return r;
	ssize_t k = apo_cli_find_station("deploy", e.plan, argv[1]);
	if (k < 0) {
		rc = APO_EXIT_USAGE;
		goto out;
	}
	const struct apo_station *s = e.plan->stations[k].station;
	if (!s->type || !s->type->deploy) {
		apo_err("deploy: %s: station type '%s' has no deploy hook", s->fqdn, s->type_name);
		rc = APO_EXIT_USAGE;
		goto out;
	}
	/* the environment's lock: no `up` or `down` meanwhile */
	if ((r = apo_journal_open(e.plan->env, "deploy", &j, &busy)) < 0) {
		apo_err("deploy: %s", busy ? busy : strerror(-r));
		goto out;
	}
	if (!apo_journal_exists(j) || !j->complete) {
		/* the state directory was made only to take the lock */
		if (!apo_journal_exists(j))
			apo_journal_remove(j);
		apo_err("deploy: environment '%s' is not up", e.plan->env);
		goto out;
	}
	if ((r = apo_station_info(e.plan->env, s->name, &info)) < 0 ||
	    info.state != APO_STATION_READY) {
		apo_err("deploy: %s: not running (%s), expected a ready station", s->fqdn,
			r < 0 ? strerror(-r) : apo_station_state_name(info.state));
		goto out;
	}
	/* the station's root as its own mount namespace sees it: the host
	 * keeps no mount of a started station's root */
	root = apo_xasprintf("/proc/%d/root", (int)info.pid);
	if (access(root, F_OK) < 0) {
		apo_err("deploy: %s: root %s: %s", s->fqdn, root, strerror(errno));
		goto out;
	}
	apo_ca_ensure(e.plan->env, &ca, NULL);
	apo_diag_init(&d);
	apo_services_ctx_init(&hc, e.model, &d);
	have_ctx = true;
	hc.plan = e.plan;
	hc.ca_file = ca;
	apo_runtime_wire(&hc);
	struct apomon_station *h = apo_services_handle(&hc, s);
	h->root = apo_xstrdup(root);
	r = s->type->deploy(&apo_services, h, artifact);
	if (r < 0) {
		apo_err("deploy: %s: %s: %s", s->fqdn, artifact, strerror(-r));
		goto out;
	}
	fprintf(stderr, "apomon: %s: deployed %s\n", s->fqdn, artifact);
	rc = APO_EXIT_OK;
out:
	if (have_ctx) {
		apo_services_ctx_clear(&hc);
		apo_diag_clear(&d);
	}
	apo_journal_close(j);
	apo_env_close(&e);
	return rc;
}
