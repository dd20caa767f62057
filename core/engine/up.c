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

#include "base/paths.h"
#include "engine/down.h"
#include "engine/reconcile.h"
#include "runtime/runtime.h"
#include "runtime/station-log.h"
#include "engine/summary.h"
#include "engine/up.h"
#include "net/publish.h"
#include "base/util.h"

volatile sig_atomic_t apo_up_interrupted;

/*
 * The phases of `up`, in order.  Each journals what it creates; a
 * failure anywhere rolls back through the journal, so a phase never
 * undoes its own work.  `up --network-only` runs only those marked
 * network.
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

int apo_up_fail(struct apo_up *u, int err, const char *fmt, ...)
{
	va_list ap;

	pthread_mutex_lock(&u->mutex);
	if (!u->error) {
		va_start(ap, fmt);
		char *what = apo_xvasprintf(fmt, ap);
		va_end(ap);
		/* a signal asked `up` to stop: say so, as the stations phase
		 * does, not "Interrupted system call" */
		u->error = apo_xasprintf("%s: %s", what,
					 err == -EINTR && apo_up_interrupted ? "interrupted"
									     : strerror(-err));
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

void apo_up_close_nsfds(struct apo_up *u)
{
	for (size_t i = 0; u->nsfd && i < u->plan->n_stations; i++)
		if (u->nsfd[i] >= 0) {
			close(u->nsfd[i]);
			u->nsfd[i] = -1;
		}
}

static int run_phases(struct apo_up *u)
{
	int r;

	if ((r = apo_up_precheck(u)) < 0)
		return r;
	if (!u->opts->network_only) {
		char *err = NULL;
		if ((r = apo_publish_check_free(u->plan, &err)) < 0) {
			apo_up_fail(u, r, "publish: %s", err);
			free(err);
			return r;
		}
	}
	if ((r = apo_journal_begin(u->journal, "up")) < 0)
		return apo_up_fail(u, r, "journal %s", u->journal->dir);
	for (size_t i = 0; i < apo_up_n_phases; i++) {
		const struct apo_up_phase *ph = &apo_up_phases[i];
		if (u->opts->network_only && !ph->network)
			continue;
		/* a phase that does not look (images, publish) is not
		 * followed by the next one after SIGINT/SIGTERM */
		if (apo_up_interrupted)
			return apo_up_fail(u, -EINTR, "%s", ph->name);
		if (!ph->network)
			apo_up_close_nsfds(u); /* the network phases come first */
		apo_progress_phase(u->progress, ph->name, ph->count ? ph->count(u) : 0);
		if ((r = ph->run(u)) < 0) {
			if (!u->error)
				apo_up_fail(u, r, "%s", ph->name);
			return r;
		}
	}
	if (apo_up_interrupted)
		return apo_up_fail(u, -EINTR, "applied state");
	/* what `diff` and the next `up` compare the files with */
	if ((r = apo_reconcile_save(u)) < 0)
		return r;
	if ((r = apo_journal_complete(u->journal)) < 0)
		return apo_up_fail(u, r, "journal %s", u->journal->dir);
	return 0;
}

void apo_up_result_clear(struct apo_up_result *res)
{
	free(res->error);
	apo_progress_free(res->progress);
	apo_rec_result_clear(&res->rec);
	memset(res, 0, sizeof(*res));
}

int apo_up(const struct apo_plan *plan, const struct apo_up_opts *opts, struct apo_up_result *res)
{
	struct apo_up u = {.plan = plan, .opts = opts};
	_cleanup_free_ char *busy = NULL, *lib = NULL;
	struct sigaction sa = {.sa_handler = on_signal}, old_int, old_term;
	bool fresh;
	int r, e;

	memset(res, 0, sizeof(*res));
	res->outcome = APO_UP_REFUSED;
	pthread_mutex_init(&u.mutex, NULL);
	r = apo_journal_open(plan->env, "up", &u.journal, &busy);
	if (r < 0) {
		_cleanup_free_ char *dir = apo_env_run_dir(plan->env);
		if (busy)
			apo_report(opts->report, "%s", busy);
		else
			apo_report(opts->report, "up: environment '%s': state %s: %s", plan->env,
				   dir, strerror(-r));
		goto out;
	}
	if (apo_journal_exists(u.journal)) {
		/* up on an environment that is up: apply the difference (it
		 * says what it did; its verdict is an exit status) */
		raise_nofile();
		res->outcome = APO_UP_RECONCILED;
		/* stations whose logger was killed: a new one takes them over,
		 * whether or not the difference starts any station */
		if (!opts->dry_run)
			apo_logger_ensure(plan->env);
		apo_reconcile(&u, &res->rec);
		if (u.error)
			res->error = apo_xstrdup(u.error);
		r = res->rec.verdict == APO_REC_FAILED || res->rec.verdict == APO_REC_REFUSED ? -EIO
											      : 0;
		goto out;
	}
	if (opts->dry_run) {
		char *err = NULL;
		res->outcome = APO_UP_RECONCILED;
		res->rec.verdict = APO_REC_DRY_RUN;
		if (apo_reconcile_diff(plan, &res->rec.diff, &err) < 0) {
			res->rec.verdict = APO_REC_REFUSED;
			res->error = err ? err : apo_xstrdup("diff failed");
			err = NULL;
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
	/* no data yet: everything below the environment's lib dir will be
	 * this up's (the CA, the stations' layers, their id ranges) */
	lib = apo_env_lib_dir(plan->env);
	fresh = access(lib, F_OK) < 0 && errno == ENOENT;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	apo_up_interrupted = 0;

	if ((r = apo_nl_open(&u.host_nl)) < 0)
		apo_up_fail(&u, r, "netlink");
	else
		r = run_phases(&u);
	apo_progress_end(u.progress);
	apo_up_close_nsfds(&u);
	if (r < 0) {
		res->outcome = APO_UP_FAILED;
		res->error = u.error ? apo_xstrdup(u.error) : apo_xstrdup(strerror(-r));
		apo_report(opts->report, "up: %s", res->error);
		/* everything the journal knows goes, in reverse */
		if (apo_journal_exists(u.journal) &&
		    apo_down_replay(u.journal, NULL, opts->threads, opts->report)) {
			res->left_behind = true;
		} else if ((e = apo_journal_remove(u.journal)) < 0) {
			/* the state directory this up made goes with it: one it
			 * cannot remove is said, not left silently */
			apo_report(opts->report, "up: %s: %s", u.journal->dir, strerror(-e));
			res->left_behind = true;
		} else if (fresh && (e = apo_runtime_drop_data(plan->env, false)) < 0) {
			/* the data of an environment whose first up failed was
			 * made for that start alone: the next up would take a
			 * half-made layer (a database cluster copied halfway)
			 * for kept data.  Its logs stay, to read why. */
			apo_report(opts->report, "up: %s: %s", lib, strerror(-e));
			res->left_behind = true;
		} else {
			res->fresh = fresh;
		}
	} else {
		res->outcome = APO_UP_DONE;
	}
	res->progress = u.progress;
	u.progress = NULL;
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
	return r;
}
