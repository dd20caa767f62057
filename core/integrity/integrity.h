/* SPDX-License-Identifier: MIT */
/*
 * The integrity gate: a station starts only when every file of its
 * manifest is what it was when sealed.  The runtime calls
 * apo_integrity_check() after the type rendered the station's config
 * into its root and before startup.sh runs; `apomon verify` calls
 * apo_integrity_check_many() for several stations at once.
 */
#ifndef APO_INTEGRITY_H
#define APO_INTEGRITY_H

#include <stdbool.h>
#include <stddef.h>

#include "integrity/fetch.h"
#include "integrity/manifest.h"

struct apo_integrity_opts {
	const char *env;	/* environment: log directory, default manifest */
	const char *manifest;	/* path or URL of the station's manifest */
	const char *public_key; /* PEM Ed25519 public key; NULL: no signature required */
	struct apo_fetch_opts fetch;
	/* NULL: apo_env_log_dir(env)/integrity.log; "": do not log */
	const char *log_file;
	/* a manifest that does not exist (-ENOENT) means "never sealed": the
	 * check passes and says so.  Set from `integrity.required = false`,
	 * the default only when neither manifest nor public_key is set. */
	bool optional;
	/* NULL: fetch each time.  Else the start's documents (fetch.h): the
	 * checks before and after render fetch a remote manifest once */
	struct apo_fetch_cache *cache;
};

/* One file that failed the check. */
struct apo_integrity_bad {
	char *path;
	char *expected;	  /* hex digest or "missing" */
	char *actual;	  /* hex digest, "missing" or "unreadable: REASON" */
	const char *what; /* "digest mismatch", "missing", "unreadable", "exists" */
};

struct apo_integrity_station {
	/* in */
	const struct apo_integrity_opts *o;
	const char *fqdn; /* www1.example.com: messages and log */
	const char *root; /* the station's root directory */
	/* NULL: check every entry.  Else only the entries whose path exists
	 * in this directory (a station's writable layer: what the station
	 * or an earlier render changed; whiteouts of deleted files count),
	 * still hashed through root.  The check before render uses it: the
	 * image's own files and files not rendered yet are not there. */
	const char *only_in;
	/* out */
	int rc;	     /* 0 good; -EBADMSG bad files; other: could not check */
	char *error; /* when the manifest could not be loaded: one line */
	struct apo_integrity_bad *bad;
	size_t n_bad, cap_bad;
	size_t n_checked; /* manifest entries checked */
	bool unsealed;	  /* optional and no manifest: nothing was checked */
};

/*
 * Checks one station.  0 when every entry holds; else a negative errno
 * with *why one line naming the station and the bad files:
 *   www1.example.com: integrity: /etc/x: digest mismatch; /etc/y: missing
 * Every bad file is appended to the integrity log.
 */
int apo_integrity_check(const struct apo_integrity_opts *o, const char *station_fqdn,
			const char *root, char **why);

/* Checks several stations, loading manifests and hashing in parallel
 * (threads: 0 = one per CPU).  Returns 0 when all pass, else the first
 * failing station's rc; each station's rc/error/bad say the rest. */
int apo_integrity_check_many(struct apo_integrity_station *st, size_t n, unsigned threads);
void apo_integrity_station_clear(struct apo_integrity_station *st);

/* The one-line summary apo_integrity_check returns (caller frees). */
char *apo_integrity_summary(const struct apo_integrity_station *st);

/*
 * Loads a station's manifest as the check does: fetch, then when
 * public_key is set fetch SOURCE.sig and verify it, then parse.
 */
int apo_integrity_load(const struct apo_integrity_opts *o, struct apo_manifest **out, char **why);

/*
 * Seals paths inside root: each path that is a regular file (or a
 * symlink to one inside the root) gets its digest, a directory is
 * expanded to the files under it, a path that does not exist is
 * recorded as MISSING.  Anything else (unreadable, bad path) fails with
 * *why.
 */
int apo_integrity_seal(const char *root, char *const *paths, size_t n, unsigned threads,
		       struct apo_manifest **out, char **why);

/* Normalises a config path ("/etc//x/" -> "/etc/x"); NULL when it is
 * not absolute or has a ".." component (caller frees). */
char *apo_integrity_normalize(const char *path);

#endif
