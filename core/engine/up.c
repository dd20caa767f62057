/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "cli/cli.h"
#include "base/paths.h"
#include "engine/down.h"
#include "engine/reconcile.h"
#include "engine/summary.h"
#include "engine/up.h"
#include "base/util.h"

volatile sig_atomic_t apo_up_interrupted;

/*
 * The phases of `up`, in order.  Each journals what it creates; a
 * failure anywhere rolls back through the journal, so a phase never
 * undoes its own work.  The station runtime appends its phase(s) after
 * the network ones, e.g. {"stations", count, apo_up_stations} (network
 * false: `up --network-only` skips it).
 */
const struct apo_up_phase apo_up_phases[] = {
    {"images", apo_up_count_images, apo_up_images, false},
    {"guard", apo_up_count_guard, apo_up_guard, true},
    {"switches", apo_up_count_switches, apo_up_switches, true},
    {"namespaces", apo_up_count_stations, apo_up_namespaces, true},
    {"links", apo_up_count_links, apo_up_links, true},
    {"addresses", apo_up_count_stations, apo_up_addresses, true},
    {"routes", apo_up_count_stations, apo_up_routes, true},
    {"stations", apo_up_count_stations, apo_up_stations, false},
    {"publish", apo_up_count_publish, apo_up_publish, false},
};
const size_t apo_up_n_phases = APO_ARRAY_SIZE(apo_up_phases);

const char *apo_fmt_prefix(char *buf, struct in_addr a, unsigned prefix)
{
	inet_ntop(AF_INET, &a, buf, INET_ADDRSTRLEN);
	sprintf(buf + strlen(buf), "/%u", prefix);
	return buf;
}

int apo_up_fail(struct apo_up *u, int err, const char *fmt, ...)
{
	va_list ap;

	pthread_mutex_lock(&u->mutex);
	if (!u->error) {
		va_start(ap, fmt);
		char *what = apo_xvasprintf(fmt, ap);
		va_end(ap);
		u->error = apo_xasprintf("%s: %s", what, strerror(-err));
		free(what);
	}
	pthread_mutex_unlock(&u->mutex);
	return err;
}

static void on_signal(int sig)
{
	apo_up_interrupted = 1;
}

/* One fd a station namespace, a few more a worker: 1000 stations do not
 * fit the usual soft limit of 1024. */
static void raise_nofile(void)
{
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

static void print_json(const struct apo_plan *plan, const char *result, const char *error,
		       const struct apo_progress *p)
{
	struct json_object *o = json_object_new_object();
	json_object_object_add(o, "environment", json_object_new_string(plan->env));
	json_object_object_add(o, "result", json_object_new_string(result));
	if (error)
		json_object_object_add(o, "error", json_object_new_string(error));
	if (p) {
		json_object_object_add(o, "ms", json_object_new_double(apo_progress_elapsed_ms(p)));
		json_object_object_add(o, "phases", apo_progress_json(p));
	}
	if (!error && strcmp(result, "already up"))
		json_object_object_add(o, "stations", apo_summary_json(plan));
	puts(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
						   JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
}

static int run_phases(struct apo_up *u)
{
	int r;

	if ((r = apo_up_precheck(u)) < 0)
		return r;
	if ((r = apo_journal_begin(u->journal, "up")) < 0)
		return apo_up_fail(u, r, "journal %s", u->journal->dir);
	for (size_t i = 0; i < apo_up_n_phases; i++) {
		const struct apo_up_phase *ph = &apo_up_phases[i];
		if (u->opts->network_only && !ph->network)
			continue;
		apo_progress_phase(u->progress, ph->name, ph->count ? ph->count(u) : 0);
		if ((r = ph->run(u)) < 0) {
			if (!u->error)
				apo_up_fail(u, r, "%s", ph->name);
			return r;
		}
	}
	/* what `diff` and the next `up` compare the files with */
	if ((r = apo_reconcile_save(u)) < 0)
		return r;
	if ((r = apo_journal_complete(u->journal)) < 0)
		return apo_up_fail(u, r, "journal %s", u->journal->dir);
	return 0;
}

int apo_up(const struct apo_plan *plan, const struct apo_up_opts *opts)
{
	struct apo_up u = {.plan = plan, .opts = opts};
	_cleanup_free_ char *busy = NULL;
	struct sigaction sa = {.sa_handler = on_signal}, old_int, old_term;
	int r, rc = APO_EXIT_FAILURE;

	pthread_mutex_init(&u.mutex, NULL);
	r = apo_journal_open(plan->env, "up", &u.journal, &busy);
	if (r < 0) {
		if (busy)
			apo_err("%s", busy);
		else
			apo_err("up: environment '%s': state %s/%s: %s", plan->env, apo_run_dir(),
				plan->env, strerror(-r));
		goto out;
	}
	if (apo_journal_exists(u.journal)) {
		/* up on an environment that is up: apply the difference */
		raise_nofile();
		rc = apo_reconcile(&u);
		goto out;
	}
	if (opts->dry_run) {
		struct apo_diff d;
		char *err = NULL;
		if (apo_reconcile_diff(plan, &d, &err) == 0) {
			apo_diff_print(&d, stdout);
			rc = d.n ? APO_EXIT_FAILURE : APO_EXIT_OK;
			apo_diff_clear(&d);
		}
		free(err);
		apo_journal_remove(u.journal);
		goto out;
	}

	raise_nofile();
	u.progress = apo_progress_new("up", opts->quiet, opts->json);
	u.nsfd = apo_xcalloc(plan->n_stations, sizeof(int));
	for (size_t i = 0; i < plan->n_stations; i++)
		u.nsfd[i] = -1;
	u.bridge_ifindex = apo_xcalloc(plan->n_switches, sizeof(int));
	u.group = apo_nl_env_group(plan->env);
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	apo_up_interrupted = 0;

	if ((r = apo_nl_open(&u.host_nl)) < 0)
		apo_up_fail(&u, r, "netlink");
	else
		r = run_phases(&u);
	apo_progress_end(u.progress);
	for (size_t i = 0; i < plan->n_stations; i++)
		if (u.nsfd[i] >= 0)
			close(u.nsfd[i]);
	if (r < 0) {
		if (opts->json)
			print_json(plan, "failed", u.error, u.progress);
		apo_err("up: %s", u.error ? u.error : strerror(-r));
		/* everything the journal knows goes, in reverse */
		if (apo_journal_exists(u.journal)) {
			if (apo_down_replay(u.journal, NULL, opts->threads) == 0) {
				apo_journal_remove(u.journal);
				if (!opts->quiet && !opts->json)
					apo_err("up: rolled back: nothing of environment '%s' is "
						"left",
						plan->env);
			} else
				apo_err("up: the rollback left objects behind; 'apomon -e %s down' "
					"retries",
					plan->env);
		} else {
			apo_journal_remove(u.journal);
		}
	} else {
		rc = APO_EXIT_OK;
		if (opts->json) {
			print_json(plan, "up", NULL, u.progress);
		} else if (!opts->quiet) {
			apo_summary_print(plan, stdout);
			fprintf(stderr,
				"apomon: environment '%s' is up (%zu stations in %.0f ms)\n",
				plan->env, plan->n_stations, apo_progress_elapsed_ms(u.progress));
		}
		if (opts->verbose)
			apo_progress_print_times(u.progress, stderr);
	}
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
out:
	apo_nl_close(u.host_nl);
	apo_journal_close(u.journal);
	apo_progress_free(u.progress);
	free(u.nsfd);
	free(u.bridge_ifindex);
	free(u.error);
	pthread_mutex_destroy(&u.mutex);
	return rc;
}
