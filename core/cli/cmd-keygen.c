/* SPDX-License-Identifier: MIT */
/* apomon keygen [-o PREFIX]: an Ed25519 key pair, PREFIX.key (0600) and
 * PREFIX.pub, for `seal --sign` and the `integrity.public_key` setting. */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli/cli.h"
#include "integrity/signature.h"

int apo_cmd_keygen(const struct apo_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"output", required_argument, NULL, 'o'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	const char *prefix = "apomon";
	char *why = NULL;
	int c;

	while ((c = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
		switch (c) {
		case 'o':
			prefix = optarg;
			break;
		case 'h':
			printf("Usage: apomon keygen [-o PREFIX]   (writes PREFIX.key and "
			       "PREFIX.pub)\n");
			return APO_EXIT_OK;
		default:
			return APO_EXIT_USAGE;
		}
	}
	if (optind < argc) {
		apo_err("keygen: unexpected argument '%s'", argv[optind]);
		return APO_EXIT_USAGE;
	}
	if (apo_sig_keygen(prefix, &why) < 0) {
		apo_err("keygen: %s", why);
		free(why);
		return APO_EXIT_FAILURE;
	}
	printf("%s.key (private, keep it secret)\n%s.pub (public: integrity.public_key)\n", prefix,
	       prefix);
	return APO_EXIT_OK;
}
