/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for the journal reader (core/engine/journal.c): what
 * `down` trusts to know what to remove.  Build and run (bounded):
 *   tests/fuzz/run-journal.sh [SECONDS]
 * Every journal is either refused with "JOURNAL:LINE: what", or read
 * into records whose fields are non-empty words without blanks or
 * control characters -- never a crash, never a guess.
 */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "engine/journal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void word(const char *s)
{
	if (!s || !*s)
		abort();
	for (; *s; s++)
		if ((unsigned char)*s <= 0x20 || (unsigned char)*s >= 0x7f)
			abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct apo_journal j;
	char *why = NULL;

	memset(&j, 0, sizeof(j));
	j.fd = j.lock_fd = -1;
	int r = apo_journal_parse(&j, "fuzz", (const char *)data, size, &why);
	if (r < 0) {
		char *colon;
		/* a refusal names the file and a line number: "fuzz:N: what" */
		if (r != -EBADMSG || !why || strncmp(why, "fuzz:", 5) ||
		    strtoul(why + 5, &colon, 10) == 0 || *colon != ':' || strchr(why, '\n'))
			abort();
	} else if (why) {
		abort();
	}
	for (size_t i = 0; i < j.n; i++) {
		word(j.entries[i].kind);
		word(j.entries[i].name);
		if (j.entries[i].detail)
			word(j.entries[i].detail);
		if (j.entries[i].state > APO_J_FAIL)
			abort();
		free(j.entries[i].kind);
		free(j.entries[i].name);
		free(j.entries[i].detail);
	}
	free(j.entries);
	free(why);
	return 0;
}
