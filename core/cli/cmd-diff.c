/* SPDX-License-Identifier: MIT */
/*
 * apomon diff [--json]: what `up` would change in the environment, one
 * line a change; exit 0 when nothing would, 1 when something would, 2 on
 * error (as diff(1)).  Reads the applied snapshot and what runs, under
 * the environment's lock so that a running `up` is not half-read.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "engine/journal.h"
#include "engine/reconcile.h"

int apo_cmd_diff(const struct apo_cli *cli, int argc, char **argv)
{
	struct apo_journal *j = NULL;
	struct apo_diff d = {0};
	struct apo_env e;
	char *busy = NULL, *err = NULL;
	bool json;
	int r, rc = APO_EXIT_USAGE;

	if (apo_cli_parse_json_flag(argc, argv, &json))
		return APO_EXIT_USAGE;
	if ((r = apo_env_open(cli, &e)))
		return r;
	if ((r = apo_journal_open(e.plan->env, "diff", &j, &busy)) < 0) {
		apo_err("diff: %s", busy ? busy : strerror(-r));
		goto out;
	}
	if (apo_journal_exists(j) && !j->complete) {
		apo_err("diff: environment '%s' is half-built (pid %d ran %s): 'apomon up' "
			"finishes a reconcile, 'apomon down' removes it",
			e.plan->env, (int)j->begun_by, j->begun_cmd);
		goto out;
	}
	if ((r = apo_reconcile_diff(e.plan, &d, &err)) < 0) {
		apo_err("diff: %s", err);
		goto out;
	}
	if (json) {
		struct json_object *o = apo_diff_json(&d);
		json_object_object_add(o, "environment", json_object_new_string(e.plan->env));
		json_object_object_add(o, "up", json_object_new_boolean(apo_journal_exists(j)));
		puts(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY |
							   JSON_C_TO_STRING_NOSLASHESCAPE));
		json_object_put(o);
	} else {
		apo_diff_print(&d, stdout);
	}
	rc = d.n ? APO_EXIT_FAILURE : APO_EXIT_OK;
out:
	if (j && !apo_journal_exists(j))
		apo_journal_remove(j);
	apo_journal_close(j);
	apo_diff_clear(&d);
	free(busy);
	free(err);
	apo_env_close(&e);
	return rc;
}
