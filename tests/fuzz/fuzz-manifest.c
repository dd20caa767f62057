/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for the manifest parser.  Build and run (bounded):
 *   tests/fuzz/run.sh [SECONDS]
 * Every accepted manifest must obey the format's invariants, and writing
 * it back must parse to the same entries.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "integrity/manifest.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct apo_manifest *m = NULL, *m2 = NULL;
	char *why = NULL, *text = NULL;
	size_t len = 0;

	if (apo_manifest_parse("fuzz", (const char *)data, size, &m, &why) < 0) {
		if (!why || strncmp(why, "fuzz:", 5))
			abort(); /* a refusal always says where */
		free(why);
		return 0;
	}
	for (size_t i = 0; i < m->n; i++) {
		if (apo_manifest_path_problem(m->entries[i].path))
			abort();
		if (i && strcmp(m->entries[i - 1].path, m->entries[i].path) >= 0)
			abort(); /* sorted, no duplicates */
	}
	FILE *f = open_memstream(&text, &len);
	apo_manifest_write(m, f, "e", "s");
	fclose(f);
	if (apo_manifest_parse("again", text, len, &m2, &why) < 0 || m2->n != m->n)
		abort();
	for (size_t i = 0; i < m->n; i++)
		if (strcmp(m->entries[i].path, m2->entries[i].path) ||
		    m->entries[i].missing != m2->entries[i].missing ||
		    memcmp(m->entries[i].digest, m2->entries[i].digest, APO_SHA256_LEN))
			abort();
	apo_manifest_free(m2);
	apo_manifest_free(m);
	free(text);
	return 0;
}
