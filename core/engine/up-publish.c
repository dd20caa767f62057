/* SPDX-License-Identifier: MIT */
/*
 * The `guard` phase of `up` (the host closed to stations, first), the
 * `publish` phase (after the stations are ready) and the undo of what
 * they and `apomon hosts --apply` journal:
 *   intent publish apomon-ENV ENV   the nftables tables (ip and inet)
 *   intent hosts /etc/hosts ENV     the marked block in the hosts file
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "engine/down.h"
#include "net/hostsfile.h"
#include "net/publish.h"
#include "engine/up.h"
#include "base/util.h"

size_t apo_up_count_publish(const struct apo_up *u)
{
	return u->plan->n_publish;
}

size_t apo_up_count_guard(const struct apo_up *u)
{
	(void)u;
	return 1;
}

/* First of the network phases: the host is closed to stations before the
 * first of them exists. */
int apo_up_guard(struct apo_up *u)
{
	_cleanup_free_ char *table = apo_publish_table(u->plan->env);
	char *err = NULL;
	int rc;

	apo_journal_intent(u->journal, "publish", table, u->plan->env);
	if ((rc = apo_journal_sync(u->journal)) < 0)
		return apo_up_fail(u, rc, "guard: journal");
	rc = apo_guard_apply(u->plan, &err);
	if (rc < 0) {
		/* one nftables transaction: refused, none of it exists (nor
		 * can its undo run when libnftables is what failed), so the
		 * rollback has nothing to remove and leaves nothing behind */
		apo_journal_fail(u->journal, "publish", table);
		apo_up_fail(u, rc, "guard: nftables table inet %s: %s", table,
			    err ? err : "refused");
		free(err);
		return rc;
	}
	apo_journal_done(u->journal, "publish", table);
	apo_progress_step(u->progress);
	return apo_journal_sync(u->journal);
}

int apo_up_publish(struct apo_up *u)
{
	_cleanup_free_ char *table = apo_publish_table(u->plan->env);
	char *err = NULL;
	int rc;

	if (!u->plan->n_publish)
		return 0;
	apo_journal_intent(u->journal, "publish", table, u->plan->env);
	if ((rc = apo_journal_sync(u->journal)) < 0)
		return apo_up_fail(u, rc, "publish: journal");
	rc = apo_publish_apply(u->plan, &err);
	if (rc < 0) {
		/* refused as one transaction (see the guard): this intent, the
		 * latest of the name, made nothing; the guard's table is undone */
		apo_journal_fail(u->journal, "publish", table);
		apo_up_fail(u, rc, "publish: nftables table %s: %s", table, err ? err : "refused");
		free(err);
		return rc;
	}
	apo_journal_done(u->journal, "publish", table);
	for (size_t i = 0; i < u->plan->n_publish; i++)
		apo_progress_step(u->progress);
	return apo_journal_sync(u->journal);
}

int apo_undo_publish(const struct apo_jentry *e)
{
	return e->detail ? apo_publish_remove(e->detail) : -EINVAL;
}

int apo_undo_hosts(const struct apo_jentry *e)
{
	return e->detail ? apo_hosts_update(e->name, e->detail, NULL) : -EINVAL;
}
