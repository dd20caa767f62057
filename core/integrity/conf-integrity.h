/* SPDX-License-Identifier: MIT */
/*
 * The `integrity` settings: the top-level group of apomon.conf gives the
 * environment's defaults, a station's own group overrides them setting by
 * setting (s3 members included):
 *
 *   integrity = {
 *     manifest = "https://h/manifests/{station}.manifest"; # path or URL
 *     public_key = "keys/apomon.pub";  # relative: to the config directory
 *     ca_file = "/etc/ssl/private-ca.pem";
 *     connect_timeout = 5; timeout = 30; retries = 2;
 *     user = "ftp-login"; password = "secret";   # ftp/http login
 *     required = true;  # a missing manifest stops the station (default:
 *                       # true when manifest or public_key is set)
 *     s3 = { region = "eu-west-1"; endpoint = "http://10.9.0.2:4568";
 *            access_key_id = "..."; secret_access_key = "..."; session_token = "..."; };
 *   };
 *
 * In manifest, {station}, {fqdn} and {env} are replaced by the station's
 * name, FQDN and the environment name.
 */
#ifndef APO_CONF_INTEGRITY_H
#define APO_CONF_INTEGRITY_H

#include "base/diag.h"
#include "integrity/integrity.h"
#include "config/model.h"

/* A station's resolved settings; strings are owned here. */
struct apo_integrity_conf {
	struct apo_integrity_opts o;
	char *strings[16]; /* what o points at */
	size_t n_strings;
};

/*
 * Resolves st's settings (model defaults, then the station's).  Problems
 * go to d as `FILE:LINE: PATH: what is wrong, what was expected`;
 * returns 0 or -EINVAL.  Always fills c (with defaults where a setting
 * was wrong); clear it with apo_integrity_conf_clear.
 */
int apo_integrity_conf_station(const struct apo_model *m, const struct apo_station *st,
			       struct apo_integrity_conf *c, struct apo_diag *d);
void apo_integrity_conf_clear(struct apo_integrity_conf *c);

/* Checks every station's integrity settings (and the top-level group
 * once) into d, for `validate`; 0 or -EINVAL. */
int apo_integrity_validate(const struct apo_model *m, struct apo_diag *d);

/*
 * The gate as the station runtime calls it, after the type rendered the
 * station's config into root and before startup.sh: resolves the
 * station's settings and runs apo_integrity_check.  0, or a negative
 * errno with *why one line ("www1.example.com: integrity: /etc/x: digest
 * mismatch"; a config problem: "FILE:LINE: PATH: ..."); caller frees.
 */
int apo_integrity_check_station(const struct apo_model *m, const struct apo_station *st,
				const char *root, char **why);

/*
 * The same for the runtime's INTEGRITY GATE callback (struct
 * apo_runtime_opts.integrity), which prefixes "FQDN: integrity: " itself:
 * *why is only "/etc/x: digest mismatch; /etc/y: missing".  Wiring:
 *   static int gate(void *ctx, const struct apo_plan_station *ps,
 *                   const char *root, char **why)
 *   { return apo_integrity_gate(PLAN(ctx)->model, ps->station, root,
 *                               CACHE(ctx), why); }
 * cache: the start's fetched documents (fetch.h), shared with the gate
 * before render so that a remote manifest is fetched once a start;
 * NULL: fetched each time.
 */
int apo_integrity_gate(const struct apo_model *m, const struct apo_station *st, const char *root,
		       struct apo_fetch_cache *cache, char **why);

/*
 * The gate before the type renders (struct apo_runtime_opts
 * .integrity_before_render): the sealed files the station's writable
 * layer holds (what the station or an earlier render wrote; a deleted
 * file's whiteout too) must match the manifest already, so that an edit
 * made inside the station is reported instead of being overwritten by
 * the render and passing the check after it.  The image's own files and
 * files not rendered yet (a fresh layer) are left to that check.  env:
 * the environment whose layer it is; *why as apo_integrity_gate's.
 */
int apo_integrity_gate_before_render(const struct apo_model *m, const struct apo_station *st,
				     const char *env, const char *root,
				     struct apo_fetch_cache *cache, char **why);

/* A station's writable layer, where the runtime keeps it:
 * LIB/ENV/NAME/upper (caller frees). */
char *apo_integrity_station_upper(const char *env, const char *name);

/* The default manifest of a station: LIB/ENV/manifests/NAME.manifest. */
char *apo_integrity_default_manifest(const char *env, const char *station);

/*
 * The sealed paths of a station: its type's `sealed`, its image's (see
 * apo_image_sealed_paths), and the station's config `seal` list, in that
 * order, duplicates kept (sealing removes them).  Caller frees each and
 * the array.
 */
int apo_station_sealed_paths(const struct apo_station *st, char ***out, size_t *n, char **why);

/* A station's root for seal/verify without --root: /proc/PID/root of its
 * init while it runs (the runtime's RUN/ENV/stations/NAME/init), else
 * where the runtime mounts it, RUN/ENV/roots/NAME (caller frees). */
char *apo_integrity_station_root(const char *env, const char *name);

#endif
