/* SPDX-License-Identifier: MIT */
/*
 * apomon commit STATION IMAGE: the station's writable layer becomes a new
 * layer of IMAGE on top of the station's image.  A running station is
 * stopped for the copy (a consistent layer) and started again.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "image/image-cfg.h"
#include "image/image-store.h"
#include "base/paths.h"
#include "runtime/runtime.h"
#include "runtime/userns.h"
#include "engine/up.h"
#include "base/util.h"

int apo_cmd_commit(const struct apo_cli *cli, int argc, char **argv)
{
	struct apo_env e;
	struct apo_station_info in;
	_cleanup_free_ char *digest = NULL, *err = NULL, *upper = NULL;
	bool was_running;
	int r, rc = APO_EXIT_FAILURE;

	if (argc != 3) {
		apo_err("commit: usage: apomon commit STATION IMAGE");
		return APO_EXIT_USAGE;
	}
	if (apo_cli_check_name("commit", "station", argv[1]))
		return APO_EXIT_USAGE;
	if (!apo_image_name_valid(argv[2])) {
		apo_err("commit: '%s' is not a valid image name", argv[2]);
		return APO_EXIT_USAGE;
	}
	if ((r = apo_env_open(cli, &e)))
		return r;
	ssize_t k = apo_cli_find_station("commit", e.plan, argv[1]);
	if (k < 0) {
		rc = APO_EXIT_USAGE;
		goto out;
	}
	const struct apo_station *s = e.plan->stations[k].station;
	const char *parent = s->image ? s->image : s->type->image;
	char *lib = apo_station_lib_dir(e.plan->env, s->name);
	upper = apo_xasprintf("%s/upper", lib);
	free(lib);

	apo_station_info(e.plan->env, s->name, &in);
	was_running = in.state == APO_STATION_STARTING || in.state == APO_STATION_READY;
	if (was_running && (r = apo_station_stop(e.plan->env, s->name, APO_STATION_GRACE_MS)) < 0) {
		apo_err("%s: commit: stop: %s", s->fqdn, strerror(-r));
		goto out;
	}
	r = apo_image_commit(upper, argv[2], parent, &digest);
	if (r >= 0) {
		/* the layer holds the station's host ids: back to the image's own
		 * (0-65535), which any station's idmapped mount maps to its range */
		_cleanup_free_ char *layer = apo_image_layer_dir(argv[2], digest);
		struct apo_idmap image_ids = {0, 0};
		r = apo_idmap_shift(layer, layer, &image_ids);
	}
	if (r < 0)
		apo_err("%s: commit: image %s: %s", s->fqdn, argv[2], strerror(-r));
	else
		printf("%s: committed as image %s (layer %s on %s)\n", s->fqdn, argv[2], digest,
		       parent);
	if (was_running) {
		size_t idx = (size_t)k;
		if (apo_up_start_some(e.plan, &idx, 1, &err) < 0) {
			apo_err("%s", err);
			r = -EIO;
		}
	}
	rc = r < 0 ? APO_EXIT_FAILURE : APO_EXIT_OK;
out:
	apo_env_close(&e);
	return rc;
}
